"""The clinic's cancellation policy, accepted when a patient books online (pages and API): the visit keeps the
version accepted and when; the front desk sees it on the visit's panel; the confirmation email links it."""

import json
import re
from datetime import date

import pytest
from django.core import mail
from django.utils import timezone

from clinic import texts
from scheduling import services
from scheduling.booking_wizard import slot_value
from scheduling.models import Appointment
from tests.factories import sign_in

from .conftest import NY, local

pytestmark = pytest.mark.django_db

TYPED = {"first_name": "Ana", "last_name": "Silva", "date_of_birth": "1987-05-14", "email": "ana.silva@example.com",
         "phone": "(617) 555-0187", "reason": "Pain deep in the right buttock when sitting."}
HX = {"HTTP_HX_REQUEST": "true"}
TICK = re.compile(r'<input[^>]*type="checkbox"[^>]*name="accepts_cancellation_policy"[^>]*>')


@pytest.fixture(autouse=True)
def _fresh_throttle():
    from django.core.cache import cache

    cache.clear()


def publish(version_words):
    return texts.publish(kind="cancellation_policy", title="Cancellation policy", body=version_words)


def details_url(follow_up, clinician, start):
    return f"/book/details/?modality=in_office&visit_type={follow_up.pk}&slot={slot_value(clinician.pk, start)}"


def post_details(client, follow_up, clinician, start, **fields):
    data = {"modality": "in_office", "visit_type": follow_up.pk, "slot": slot_value(clinician.pk, start), **TYPED,
            **fields}
    return client.post("/book/details/", data)


def policy_section(page):
    match = re.search(r'<section[^>]*id="cancellation-policy".*?</section>', page, re.S)
    assert match, "no cancellation policy on the page"
    return match.group(0)


# The booking pages ------------------------------------------------------------------------------------------


def test_the_details_page_links_the_policy_in_force_and_asks_to_accept_it(client, dr_rivera, follow_up, monday,
                                                                          cancellation_policy):
    publish("Cancel at least 48 hours ahead.")
    page = client.get(details_url(follow_up, dr_rivera, local(monday, 10))).content.decode()
    section = policy_section(page)
    assert re.search(r'<a href="/policies/cancellation-policy/v2/" target="_blank" rel="noopener">'
                     r"Read the cancellation policy</a> \(opens in a new tab\)", section)
    assert "I have read and accept the cancellation policy" in section
    tick = TICK.search(section).group(0)
    assert "checked" not in tick and "required" in tick
    assert page.index('id="cancellation-policy"') < page.index("Confirm booking")  # asked before the button
    reading = client.get("/policies/cancellation-policy/v2/").content.decode()  # the link opens the words in force
    assert "Cancel at least 48 hours ahead." in reading


def test_without_the_tick_nothing_is_booked_the_error_sits_next_to_the_box_and_the_details_stay(
        client, dr_rivera, follow_up, monday, cancellation_policy):
    response = post_details(client, follow_up, dr_rivera, local(monday, 10))
    page = response.content.decode()
    assert response.status_code == 400
    section = policy_section(page)
    assert "Tick the box to say you have read and accept the cancellation policy." in section
    assert 'aria-describedby="policy-error"' in TICK.search(section).group(0)
    assert 'value="Silva"' in page and 'value="1987-05-14"' in page and 'value="ana.silva@example.com"' in page
    assert "Pain deep in the right buttock when sitting." in page
    assert Appointment.objects.count() == 0


def test_another_mistake_keeps_the_tick_and_both_errors_show_at_once(client, dr_rivera, follow_up, monday,
                                                                     cancellation_policy):
    ticked = post_details(client, follow_up, dr_rivera, local(monday, 10), phone="617 555 01",
                          accepts_cancellation_policy="on").content.decode()
    assert "That is not a valid phone number" in ticked
    assert " checked" in TICK.search(policy_section(ticked)).group(0)  # the tick is not lost either
    unticked = post_details(client, follow_up, dr_rivera, local(monday, 10), phone="617 555 01").content.decode()
    assert "That is not a valid phone number" in unticked and "Tick the box" in policy_section(unticked)


def test_booking_with_the_tick_keeps_the_version_read_and_when(client, dr_rivera, follow_up, monday,
                                                               cancellation_policy):
    second = publish("Cancel at least 48 hours ahead.")
    before = timezone.now()
    response = post_details(client, follow_up, dr_rivera, local(monday, 10), accepts_cancellation_policy="on",
                            cancellation_policy_version="2")
    assert response.status_code == 302
    visit = Appointment.objects.get()
    assert visit.cancellation_policy == second and visit.cancellation_policy.version == 2
    assert before <= visit.cancellation_policy_accepted_at <= timezone.now()


def test_a_policy_published_while_the_patient_books_is_shown_and_asked_again(client, dr_rivera, follow_up, monday,
                                                                             cancellation_policy):
    assert cancellation_policy.version == 1  # what the patient's page showed
    publish("Cancel at least 48 hours ahead.")  # the clinic publishes version 2 meanwhile
    response = post_details(client, follow_up, dr_rivera, local(monday, 10), accepts_cancellation_policy="on",
                            cancellation_policy_version="1")
    page = response.content.decode()
    section = policy_section(page)
    assert response.status_code == 400 and Appointment.objects.count() == 0
    assert "The cancellation policy changed while you were booking" in section
    assert "/policies/cancellation-policy/v2/" in section and 'name="cancellation_policy_version" value="2"' in section
    assert " checked" not in TICK.search(section).group(0)  # version 1's tick does not count for version 2
    assert 'value="Silva"' in page
    again = post_details(client, follow_up, dr_rivera, local(monday, 10), accepts_cancellation_policy="on",
                         cancellation_policy_version="2")
    assert again.status_code == 302 and Appointment.objects.get().cancellation_policy.version == 2


def test_without_a_policy_the_page_asks_nothing_and_books(client, dr_rivera, follow_up, monday,
                                                          no_cancellation_policy):
    page = client.get(details_url(follow_up, dr_rivera, local(monday, 10))).content.decode()
    assert "cancellation policy" not in page.lower() and not TICK.search(page)
    response = post_details(client, follow_up, dr_rivera, local(monday, 10))
    assert response.status_code == 302
    visit = Appointment.objects.get()
    assert visit.cancellation_policy is None and visit.cancellation_policy_accepted_at is None


# The API ----------------------------------------------------------------------------------------------------


def api_body(follow_up, clinician, start, location, **extra):
    return {"visit_type": follow_up.pk, "clinician": clinician.pk, "start": start.astimezone(NY).isoformat(),
            "modality": "in_office", "location": location.pk,
            "patient": {"first_name": "Ana", "last_name": "Silva", "date_of_birth": "1987-05-14",
                        "email": "ana@example.com", "phone": "617-555-0187"}, **extra}


def api_book(client, body):
    return client.post("/api/v1/bookings/", json.dumps(body), content_type="application/json")


def test_the_api_refuses_a_booking_without_the_policy_accepted(client, dr_rivera, follow_up, location, monday,
                                                               cancellation_policy):
    for refused in ({}, {"accepts_cancellation_policy": False}):
        response = api_book(client, api_body(follow_up, dr_rivera, local(monday, 10), location, **refused))
        assert response.status_code == 400
        assert response.json() == {"accepts_cancellation_policy": [
            "Tick the box to say you have read and accept the cancellation policy."]}
    assert Appointment.objects.count() == 0


def test_the_api_books_with_the_policy_accepted_and_keeps_its_version(client, dr_rivera, follow_up, location, monday,
                                                                      cancellation_policy):
    current = publish("Cancel at least 48 hours ahead.")
    before = timezone.now()
    response = api_book(client, api_body(follow_up, dr_rivera, local(monday, 10), location,
                                         accepts_cancellation_policy=True))
    assert response.status_code == 201, response.json()
    visit = Appointment.objects.get(pk=response.json()["id"])
    assert visit.cancellation_policy == current and before <= visit.cancellation_policy_accepted_at <= timezone.now()


def test_the_api_refuses_a_version_that_is_no_longer_in_force(client, dr_rivera, follow_up, location, monday,
                                                               cancellation_policy):
    publish("Cancel at least 48 hours ahead.")
    response = api_book(client, api_body(follow_up, dr_rivera, local(monday, 10), location,
                                         accepts_cancellation_policy=True, cancellation_policy_version=1))
    assert response.status_code == 400
    assert "changed while you were booking" in response.json()["accepts_cancellation_policy"][0]
    accepted = api_book(client, api_body(follow_up, dr_rivera, local(monday, 10), location,
                                         accepts_cancellation_policy=True, cancellation_policy_version=2))
    assert accepted.status_code == 201


def test_the_api_needs_no_flag_while_the_clinic_has_no_policy(client, dr_rivera, follow_up, location, monday,
                                                              no_cancellation_policy):
    response = api_book(client, api_body(follow_up, dr_rivera, local(monday, 10), location))
    assert response.status_code == 201
    assert Appointment.objects.get().cancellation_policy is None


def test_the_schema_documents_the_acceptance(client):
    schema = client.get("/api/schema/", {"format": "json"}).json()
    fields = schema["components"]["schemas"]["BookingCreate"]["properties"]
    assert fields["accepts_cancellation_policy"]["type"] == "boolean"
    assert "/policies/cancellation-policy/" in fields["accepts_cancellation_policy"]["description"]
    assert fields["cancellation_policy_version"]["type"] == "integer"


# What the front desk sees -------------------------------------------------------------------------------------


def test_the_panel_shows_the_version_accepted_and_when(desk_client, client, dr_rivera, follow_up, location, monday,
                                                       cancellation_policy, django_assert_max_num_queries):
    publish("Second wording.")
    third = publish("Cancel at least 48 hours ahead.")
    response = api_book(client, api_body(follow_up, dr_rivera, local(monday, 10), location,
                                         accepts_cancellation_policy=True))
    visit = Appointment.objects.get(pk=response.json()["id"])
    Appointment.objects.filter(pk=visit.pk).update(cancellation_policy_accepted_at=local(date(2026, 12, 2), 14, 5))
    with django_assert_max_num_queries(6):  # as any visit's panel (PANEL_QUERIES in tests/notifications): the policy
        # rides on the visit's own query
        panel = desk_client.get(f"/schedule/appointments/{visit.pk}/", **HX).content.decode()
    line = re.search(r'<dd id="panel-policy">(.*?)</dd>', panel).group(1)
    assert re.sub(r"<[^>]+>", "", line) == "v3 accepted Wed, Dec 2, 2026 · 2:05 PM"
    assert f'href="{third.get_absolute_url()}"' in line  # the words accepted, not whatever is in force later
    assert "<dt>Cancellation policy</dt>" in panel


def test_the_panel_says_a_staff_booking_was_not_asked(desk_client, patient, dr_rivera, follow_up, location, monday,
                                                      front_desk, cancellation_policy):
    visit = services.appointment_book(patient=patient, clinician=dr_rivera, visit_type=follow_up,
                                      start=local(monday, 10), modality="in_office", location=location,
                                      actor=front_desk)
    assert visit.cancellation_policy is None and visit.cancellation_policy_accepted_at is None
    panel = desk_client.get(f"/schedule/appointments/{visit.pk}/", **HX).content.decode()
    assert re.search(r'<dd id="panel-policy"><span class="text-muted">not asked \(booked by staff\)</span></dd>', panel)


def test_the_admin_shows_what_the_patient_accepted(client, admin_user, dr_rivera, follow_up, location, monday,
                                                   cancellation_policy):
    from django.test import Client

    api_book(client, api_body(follow_up, dr_rivera, local(monday, 10), location, accepts_cancellation_policy=True))
    admin = sign_in(Client(), admin_user)
    page = admin.get(f"/admin/scheduling/appointment/{Appointment.objects.get().pk}/change/").content.decode()
    assert "Cancellation policy accepted" in page and "Cancellation policy, version 1" in page


# The confirmation email --------------------------------------------------------------------------------------


@pytest.fixture
def delivered(settings, django_capture_on_commit_callbacks):
    """Run the block, then let the outbox deliver what it queued on commit, in-process."""
    from contextlib import contextmanager

    from clinic.celery import app

    settings.SITE_URL = "https://stride.example"

    @contextmanager
    def run():
        before = app.conf.task_always_eager
        app.conf.task_always_eager = True
        try:
            with django_capture_on_commit_callbacks(execute=True):
                yield
        finally:
            app.conf.task_always_eager = before

    return run


def test_the_confirmation_email_links_the_version_accepted(client, dr_rivera, follow_up, monday, delivered,
                                                           cancellation_policy):
    with delivered():
        post_details(client, follow_up, dr_rivera, local(monday, 10), accepts_cancellation_policy="on")
    [message] = mail.outbox
    assert "Cancellation policy: https://stride.example/policies/cancellation-policy/v1/" in message.body
    html = message.alternatives[0][0]
    assert re.search(r'<th scope="row"[^>]*>Cancellation policy</th><td[^>]*>'
                     r'<a href="https://stride.example/policies/cancellation-policy/v1/">', html)


def test_a_staff_booking_and_an_accepted_request_link_the_policy_in_force(
        client, patient, dr_rivera, follow_up, location, monday, front_desk, delivered, cancellation_policy,
        clinic_settings):
    publish("Cancel at least 48 hours ahead.")
    with delivered():
        services.appointment_book(patient=patient, clinician=dr_rivera, visit_type=follow_up, start=local(monday, 10),
                                  modality="in_office", location=location, actor=front_desk)
    assert "Cancellation policy: https://stride.example/policies/cancellation-policy/v2/" in mail.outbox[-1].body
    clinic_settings.auto_confirm_online_bookings = False  # online bookings wait for the front desk now
    clinic_settings.save()
    with delivered():
        asked = post_details(client, follow_up, dr_rivera, local(monday, 14), accepts_cancellation_policy="on")
    assert asked.status_code == 302, asked.content.decode()
    request = Appointment.objects.get(status=Appointment.Status.REQUESTED)
    publish("A third wording, after the patient accepted the second.")
    with delivered():
        services.request_decide(appointment=request, accept=True, actor=front_desk)
    accepted = mail.outbox[-1]
    assert accepted.subject.startswith("Your appointment is booked")
    assert "Cancellation policy: https://stride.example/policies/cancellation-policy/v2/" in accepted.body


def test_without_a_policy_the_email_links_none(client, dr_rivera, follow_up, monday, delivered,
                                               no_cancellation_policy):
    with delivered():
        post_details(client, follow_up, dr_rivera, local(monday, 10))
    [message] = mail.outbox
    assert "Cancellation policy" not in message.body and "/policies/" not in message.body


def test_the_words_a_patient_accepted_cannot_be_deleted(client, dr_rivera, follow_up, location, monday,
                                                        cancellation_policy):
    from django.db.models import ProtectedError

    api_book(client, api_body(follow_up, dr_rivera, local(monday, 10), location, accepts_cancellation_policy=True))
    with pytest.raises(ProtectedError):
        cancellation_policy.delete()
