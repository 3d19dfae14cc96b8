"""The links patients get without an account: intake form, manage booking, and confirm/cancel from a message.

Each link is a capability: whoever holds it may use it. So each must be unguessable (at least 128 bits of
HMAC or randomness), open only the one visit or form it was made for, only the pages of its own kind, and
stop working when its time is over, saying so plainly instead of showing the visit.
"""

import re
from datetime import timedelta
from unittest import mock

import pytest
from django.core import signing
from django.test import override_settings
from django.utils import timezone

from intake import links as intake_links
from intake.models import IntakeForm
from notifications import links as message_links
from scheduling import links as booking_links
from scheduling import services as scheduling_services
from scheduling.models import Appointment
from tests.factories import PatientFactory
from tests.scheduling.conftest import local

pytestmark = pytest.mark.django_db
MIN_BITS = 128
BASE64URL = re.compile(r"[A-Za-z0-9_-]+")

# The pages each kind of link opens; GETs show the visit or form, POSTs change it.
PAGES = {
    "intake": [("get", "/intake/{t}/"), ("get", "/intake/{t}/contact/"), ("get", "/intake/{t}/done/"),
               ("post", "/api/v1/intake/{t}/submit/")],
    "manage": [("get", "/book/manage/{t}/"), ("get", "/book/confirmed/{t}/"), ("get", "/book/manage/{t}/visit.ics"),
               ("get", "/book/manage/{t}/reschedule/"), ("post", "/book/manage/{t}/cancel/")],
    "message": [("get", "/messages/a/{t}/confirm"), ("post", "/messages/a/{t}/confirm"),
                ("post", "/messages/a/{t}/cancel")],
}
FIRST_PAGE = {"intake": "/intake/{t}/contact/", "manage": "/book/manage/{t}/", "message": "/messages/a/{t}/confirm"}


def token_for(kind, visit):
    if kind == "intake":
        return intake_links.token_for(IntakeForm.objects.get(appointment=visit))
    if kind == "manage":
        return booking_links.manage_token(visit)
    return message_links.action_token(visit)


def _visit(patient, clinician, visit_type, place, start):
    visit = scheduling_services.appointment_book(
        patient=patient, clinician=clinician, visit_type=visit_type, start=start, modality="in_office", location=place,
    )
    return Appointment.objects.select_related("location").get(pk=visit.pk)


def _with_intake(visit, *, pk):
    """The visit's intake form, with the id given."""
    IntakeForm.objects.create(pk=pk, patient=visit.patient, appointment=visit)
    return visit


@pytest.fixture
def visit_a(dr_rivera, follow_up, location, monday):
    patient = PatientFactory(first_name="Ada", last_name="Quillfeather", email="ada@example.com")
    visit = _visit(patient, dr_rivera, follow_up, location, local(monday, 10))
    return _with_intake(visit, pk=visit.pk)  # same id as the appointment: only the purpose tells them apart


@pytest.fixture
def visit_b(dr_rivera, follow_up, location, monday):
    patient = PatientFactory(first_name="Bea", last_name="Marchbanks", email="bea@example.com")
    visit = _visit(patient, dr_rivera, follow_up, location, local(monday, 14))
    return _with_intake(visit, pk=visit.pk)  # explicit, so it cannot collide with visit_a's chosen id


def shows(response, visit):
    """True if the page shows anything of the visit or its patient."""
    body = response.content.decode(errors="replace")
    tz = visit.local_tz
    marks = [visit.patient.last_name, visit.patient.email, f"{visit.start_at.astimezone(tz):%-I:%M}"]
    return any(mark in body for mark in marks)


def request(client, method, url):
    return client.post(url, {"reason": "Feeling better"}) if method == "post" else client.get(url)


def unchanged(visit):
    fresh = Appointment.objects.get(pk=visit.pk)
    intake = IntakeForm.objects.get(appointment=visit)
    return fresh.status == visit.status and fresh.start_at == visit.start_at and not intake.is_submitted


def says_expired(response, page):
    """The "link expired" page (410); the intake API answers 404 with a message saying so, as documented."""
    if page.startswith("/api/"):
        return response.status_code == 404 and "expired" in response.json()["detail"]
    return response.status_code == 410 and "This link has expired" in response.content.decode()


def swap_payload(token, pk):
    """The token with the id inside it replaced by `pk`, the signature left as it was."""
    _payload, rest = token.split(":", 1)
    return f"{signing.b64_encode(str(pk).encode()).decode()}:{rest}"


# Unguessable ---------------------------------------------------------------------------------------------------


@pytest.mark.parametrize("kind", ["intake", "manage", "message"])
def test_every_patient_link_carries_at_least_128_bits_nobody_can_compute_without_our_key(client, kind, visit_a,
                                                                                           visit_b):
    token = token_for(kind, visit_a)
    signature = token.rsplit(":", 1)[1]
    assert BASE64URL.fullmatch(signature), token
    assert len(signature) * 6 >= MIN_BITS, f"{kind} link signature has only {len(signature) * 6} bits"
    assert signature != token_for(kind, visit_b).rsplit(":", 1)[1]
    with override_settings(SECRET_KEY="an-attacker-guessing-our-key-0123456789abcdef"):
        forged = token_for(kind, visit_a)  # the same recipe without our key
    assert forged != token
    response = client.get(FIRST_PAGE[kind].format(t=forged))
    assert response.status_code == 404 and not shows(response, visit_a)


def test_calendar_feed_and_video_links_carry_at_least_128_random_bits(dr_rivera, follow_up, location, monday):
    from scheduling.models import new_token

    tokens = {new_token() for _ in range(50)}
    assert len(tokens) == 50
    assert all(BASE64URL.fullmatch(t) and len(t) * 6 >= MIN_BITS for t in tokens)
    assert len(dr_rivera.calendar_token) * 6 >= MIN_BITS


# One purpose ---------------------------------------------------------------------------------------------------


@pytest.mark.parametrize("made_for", ["intake", "manage", "message"])
def test_a_link_opens_only_the_pages_of_its_own_kind(client, made_for, visit_a):
    assert IntakeForm.objects.get(appointment=visit_a).pk == visit_a.pk  # the ids match: only the purpose differs
    token = token_for(made_for, visit_a)
    own = client.get(FIRST_PAGE[made_for].format(t=token))
    assert own.status_code == 200 and shows(own, visit_a)  # the link works where it belongs...
    for kind, pages in PAGES.items():
        if kind == made_for:
            continue
        for method, page in pages:
            response = request(client, method, page.format(t=token))
            assert response.status_code == 404, (made_for, method, page)  # ...and nowhere else
            assert not shows(response, visit_a), (made_for, method, page)
    assert unchanged(visit_a)


# One object ----------------------------------------------------------------------------------------------------


@pytest.mark.parametrize("kind", ["intake", "manage", "message"])
def test_a_link_with_another_visits_id_put_in_opens_nothing(client, kind, visit_a, visit_b):
    assert client.get(FIRST_PAGE[kind].format(t=token_for(kind, visit_b))).status_code == 200  # B's own link works
    target = IntakeForm.objects.get(appointment=visit_b).pk if kind == "intake" else visit_b.pk
    forged = swap_payload(token_for(kind, visit_a), target)
    for method, page in PAGES[kind]:
        response = request(client, method, page.format(t=forged))
        assert response.status_code == 404, (method, page)
        assert not shows(response, visit_b) and not shows(response, visit_a), (method, page)
    assert unchanged(visit_a) and unchanged(visit_b)


# Expiry --------------------------------------------------------------------------------------------------------


def _move_to_the_past(visit, *, hours_ago):
    start = timezone.now() - timedelta(hours=hours_ago)
    Appointment.objects.filter(pk=visit.pk).update(start_at=start, end_at=start + timedelta(minutes=30))
    visit.refresh_from_db()


@pytest.mark.parametrize("kind", ["intake", "manage"])
def test_a_link_for_a_visit_whose_day_is_over_says_it_has_expired_and_shows_nothing(client, kind, visit_a):
    token = token_for(kind, visit_a)
    _move_to_the_past(visit_a, hours_ago=48)
    for method, page in PAGES[kind]:
        response = request(client, method, page.format(t=token))
        assert says_expired(response, page), (method, page, response.status_code)
        assert not shows(response, visit_a), (method, page)
    assert unchanged(visit_a)


def test_a_message_link_for_a_visit_that_has_begun_says_it_has_expired_and_shows_nothing(client, visit_a):
    token = token_for("message", visit_a)
    _move_to_the_past(visit_a, hours_ago=0.1)
    for method, page in PAGES["message"]:
        response = request(client, method, page.format(t=token))
        assert response.status_code == 410, (method, page)
        assert "This link has expired" in response.content.decode(), (method, page)
        assert not shows(response, visit_a) and visit_a.clinician.user.last_name not in response.content.decode()
    assert unchanged(visit_a)


def test_the_manage_link_works_until_midnight_after_the_visit_in_the_clinic_time_zone(visit_a):
    end = booking_links.expires_at(visit_a)
    local_end = end.astimezone(visit_a.local_tz)
    assert (local_end.hour, local_end.minute) == (0, 0)
    assert local_end.date() == visit_a.start_at.astimezone(visit_a.local_tz).date() + timedelta(days=1)
    assert not booking_links.is_expired(visit_a, now=end - timedelta(seconds=1))
    assert booking_links.is_expired(visit_a, now=end)


@pytest.mark.parametrize(("kind", "max_age"), [("intake", intake_links.MAX_AGE), ("manage", booking_links.MAX_AGE)])
def test_a_link_older_than_its_longest_life_says_it_has_expired_even_for_a_visit_ahead(client, kind, max_age,
                                                                                       visit_a):
    long_ago = (timezone.now() - max_age - timedelta(days=1)).timestamp()
    with mock.patch("django.core.signing.time.time", return_value=long_ago):
        token = token_for(kind, visit_a)
    for method, page in PAGES[kind]:
        response = request(client, method, page.format(t=token))
        assert says_expired(response, page), (method, page, response.status_code)
        assert not shows(response, visit_a), (method, page)
    assert unchanged(visit_a)


# Tampering -----------------------------------------------------------------------------------------------------


def _tampered(token):
    payload, stamp, signature = token.split(":")
    flip = {"A": "B"}.get(signature[5], "A")
    return {
        "signature changed": f"{payload}:{stamp}:{signature[:5]}{flip}{signature[6:]}",
        "signature cut short": f"{payload}:{stamp}:{signature[:16]}",
        "signature dropped": f"{payload}:{stamp}",
        "time changed": f"{payload}:{stamp[:-1]}{'a' if stamp[-1] != 'a' else 'b'}:{signature}",
        "id only": payload,
        "made up": "MQ:1vN6Xk:" + "A" * 43,
    }


@pytest.mark.parametrize("kind", ["intake", "manage", "message"])
def test_a_tampered_link_is_refused_without_showing_anything(client, kind, visit_a):
    for what, token in _tampered(token_for(kind, visit_a)).items():
        for method, page in PAGES[kind]:
            response = request(client, method, page.format(t=token))
            assert response.status_code in (400, 404), (what, method, page, response.status_code)
            assert not shows(response, visit_a), (what, method, page)
    assert unchanged(visit_a)
