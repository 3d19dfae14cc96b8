"""The online offer each web process holds in memory (scheduling.online_offer): a change made in the staff admin or
through a service reaches the very next booking, in the same transaction and after it commits."""

import json

import pytest
from django.db import transaction

from clinic import texts
from scheduling import online_offer
from scheduling.models import Appointment

from .conftest import NY, local

pytestmark = pytest.mark.django_db


def _book(client, visit_type, clinician, start, location, **extra):
    body = {
        "visit_type": visit_type.pk, "clinician": clinician.pk, "start": start.astimezone(NY).isoformat(),
        "modality": "in_office", "location": location.pk,
        "patient": {"first_name": "Ana", "last_name": "Silva", "date_of_birth": "1987-05-14",
                    "email": "ana@example.com", "phone": "617-555-0187"},
        "accepts_cancellation_policy": True, **extra,
    }
    return client.post("/api/v1/bookings/", json.dumps(body), content_type="application/json")


def test_a_visit_type_taken_off_online_booking_is_refused_at_the_next_booking(
        client, dr_rivera, follow_up, location, monday, cancellation_policy):
    assert _book(client, follow_up, dr_rivera, local(monday, 9), location).status_code == 201  # the offer is held
    follow_up.bookable_online = False
    follow_up.save()
    refused = _book(client, follow_up, dr_rivera, local(monday, 11), location)
    assert refused.status_code == 400 and "visit_type" in refused.json()
    assert not Appointment.objects.filter(start_at=local(monday, 11)).exists()


def test_a_clinician_who_stops_is_refused_and_a_location_closed_likewise(
        client, dr_rivera, follow_up, location, monday, cancellation_policy):
    assert _book(client, follow_up, dr_rivera, local(monday, 9), location).status_code == 201
    dr_rivera.is_active = False
    dr_rivera.save()
    assert "clinician" in _book(client, follow_up, dr_rivera, local(monday, 11), location).json()
    dr_rivera.is_active = True
    dr_rivera.save()
    location.is_active = False
    location.save()
    assert "location" in _book(client, follow_up, dr_rivera, local(monday, 11), location).json()


def test_a_new_cancellation_policy_is_the_one_the_next_visit_keeps(
        client, dr_rivera, follow_up, location, monday, cancellation_policy):
    first = _book(client, follow_up, dr_rivera, local(monday, 9), location)
    assert Appointment.objects.get(pk=first.json()["id"]).cancellation_policy == cancellation_policy
    newer = texts.publish(kind="cancellation_policy", title="Cancellation policy", body="48 hours' notice, please.")
    stale = _book(client, follow_up, dr_rivera, local(monday, 11), location,
                  cancellation_policy_version=cancellation_policy.version)
    assert stale.status_code == 400 and "accepts_cancellation_policy" in stale.json()
    second = _book(client, follow_up, dr_rivera, local(monday, 11), location)
    assert Appointment.objects.get(pk=second.json()["id"]).cancellation_policy == newer


def test_a_renamed_clinician_is_named_so_on_the_next_booking(client, dr_rivera, follow_up, location, monday,
                                                             cancellation_policy):
    assert online_offer.clinician(dr_rivera.pk).user.last_name == dr_rivera.user.last_name
    dr_rivera.user.last_name = "Rivera-Soto"
    dr_rivera.user.save()
    assert online_offer.clinician(dr_rivera.pk).user.last_name == "Rivera-Soto"
    held = online_offer.VERSION.current()
    dr_rivera.user.save(update_fields=["last_login"])  # a sign-in does not reload the offer
    assert online_offer.VERSION.current() == held
    assert online_offer.clinician(dr_rivera.pk) is not online_offer.clinician(dr_rivera.pk)  # a copy per caller


@pytest.mark.django_db(transaction=True)
def test_a_copy_taken_while_a_change_was_uncommitted_is_dropped_after_the_commit(follow_up):
    """Another process may read the offer between the change and its commit (it sees the old row): the bump after
    the commit makes every process load it again."""
    with transaction.atomic():
        follow_up.name = "Follow-up visit"
        follow_up.save()
        during = online_offer.VERSION.current()
    assert online_offer.VERSION.current() != during
    assert online_offer.visit_type(follow_up.pk).name == "Follow-up visit"
