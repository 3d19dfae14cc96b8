"""A visitor learns nothing about who has an account or a record here from the answers they get.

Sign-in, password reset and online booking answer the same (status, redirect, page or JSON, wording)
whether or not the email typed belongs to a user or a patient. Pages are compared whole, after taking
out what differs on every request anyway: CSRF tokens, signed links and new ids.
"""

import json
import re

import pytest
from django.core import mail
from django.core.cache import cache
from django.db import transaction

from clinic import roles
from scheduling.booking_wizard import slot_value
from tests.factories import PASSWORD, PatientFactory
from tests.scheduling.conftest import local

pytestmark = pytest.mark.django_db

UNKNOWN = "nobody-here@example.com"
_CSRF = re.compile(r'(name="csrfmiddlewaretoken" value=|"X-CSRFToken": )"[^"]*"')
_SIGNED = re.compile(r"/book/(confirmed|manage)/[^/\"'\s]+/")
# Any other signed link on a page (value:timestamp:signature, as django.core.signing writes them): the second it
# was made differs between two runs.
_ANY_SIGNED = re.compile(r"[\w-]+:[\w-]{5,8}:[\w-]{20,}")


def seen(response, *typed):
    """What the visitor sees: status, where they are sent, and the page without per-request noise.

    What they typed themselves (`typed`) is masked, so two answers echoing different input can be compared.
    """
    body = response.content.decode()
    location_ = response.get("Location", "")
    for value in typed:
        body, location_ = body.replace(value, "<typed>"), location_.replace(value, "<typed>")
    body = _ANY_SIGNED.sub("<signed>", _SIGNED.sub(r"/book/\1/<signed>/", _CSRF.sub(r'\1"<csrf>"', body)))
    return response.status_code, _SIGNED.sub(r"/book/\1/<signed>/", location_), body


@pytest.fixture(autouse=True)
def _fresh_throttle():
    cache.clear()
    yield
    cache.clear()


# Sign-in -------------------------------------------------------------------------------------------------------


def _sign_in(client, email, password):
    return client.post("/accounts/login/", {"username": email, "password": password})


def test_a_wrong_password_and_an_unknown_email_get_the_same_answer(client, front_desk):
    known = _sign_in(client, front_desk.email, "Not-the-password-42")
    unknown = _sign_in(client, UNKNOWN, "Not-the-password-42")
    assert known.status_code == unknown.status_code == 200
    assert "Please enter a correct email" in known.content.decode()
    assert seen(known, front_desk.email) == seen(unknown, UNKNOWN)
    assert "_auth_user_id" not in client.session


def test_a_deactivated_account_with_its_right_password_looks_like_an_unknown_email(client, front_desk):
    front_desk.is_active = False
    front_desk.save()
    inactive = _sign_in(client, front_desk.email, PASSWORD)
    unknown = _sign_in(client, UNKNOWN, PASSWORD)
    assert seen(inactive, front_desk.email) == seen(unknown, UNKNOWN)
    assert "inactive" not in inactive.content.decode().lower()


def test_unknown_emails_are_locked_out_like_real_accounts(client, front_desk, settings):
    answers = {}
    for email in (front_desk.email, UNKNOWN):
        for _ in range(settings.AXES_FAILURE_LIMIT):
            _sign_in(client, email, "Not-the-password-42")
        answers[email] = _sign_in(client, email, "Not-the-password-42")
    assert answers[UNKNOWN].status_code == 429
    assert seen(answers[front_desk.email], front_desk.email) == seen(answers[UNKNOWN], UNKNOWN)


# Password reset ------------------------------------------------------------------------------------------------


def _reset(client, email):
    asked = client.post("/accounts/password_reset/", {"email": email})
    return asked, client.get(asked["Location"]) if asked.status_code == 302 else None


def test_password_reset_answers_the_same_for_any_email_and_only_an_account_gets_mail(client, front_desk, make_user):
    make_user(roles.FRONT_DESK, email="gone@stride.test", is_active=False)
    PatientFactory(email="only-a-patient@example.com")  # a patient record, no sign-in
    known_asked, known_page = _reset(client, front_desk.email)
    assert [m.to for m in mail.outbox] == [[front_desk.email]]
    assert known_asked.status_code == 302 and known_asked["Location"] == "/accounts/password_reset/done/"
    assert "If an account uses that address" in known_page.content.decode()
    for email in (UNKNOWN, "gone@stride.test", "only-a-patient@example.com"):
        asked, page = _reset(client, email)
        assert seen(asked, email) == seen(known_asked, front_desk.email), email
        assert seen(page, email) == seen(known_page, front_desk.email), email
    assert len(mail.outbox) == 1  # no mail for an unknown, deactivated or patient-only address


# Online booking ------------------------------------------------------------------------------------------------

VISITOR = {"first_name": "Nina", "last_name": "Newcomer", "date_of_birth": "1991-02-03",
           "email": "nina.n@example.com", "phone": "(617) 555-0142"}


def _on_file(case, make_user):
    """Put a record on file that the visitor's details touch; return what must not show."""
    if case == "the same patient on file, matched by email":
        patient = PatientFactory(first_name="Nina", last_name="Newcomer", date_of_birth="1991-02-03",
                                 email=VISITOR["email"], mobile_phone="+16175550999", address_line1="9 Hidden Lane")
        return [patient.mrn, "9 Hidden Lane", patient.mobile_phone, "(617) 555-0999"]
    if case == "the same patient on file, matched by phone, with another email":
        patient = PatientFactory(first_name="Nina", last_name="Newcomer", date_of_birth="1991-02-03",
                                 email="nina.private@example.org", mobile_phone="+16175550142")
        return [patient.mrn, "nina.private@example.org"]
    if case == "another patient with this email":
        patient = PatientFactory(first_name="Olga", last_name="Oddbjornsdottir", email=VISITOR["email"])
        return [patient.mrn, "Oddbjornsdottir"]
    if case == "a staff member's account with this email":
        make_user(roles.FRONT_DESK, email=VISITOR["email"], first_name="Stanislav", last_name="Deskmanova")
        return ["Stanislav", "Deskmanova"]
    if case == "a patient's sign-in with this email":
        user = make_user(roles.PATIENT, email=VISITOR["email"], first_name="Petronella", last_name="Portalski")
        patient = PatientFactory(first_name="Petronella", last_name="Portalski", email=VISITOR["email"], user=user)
        return [patient.mrn, "Petronella", "Portalski"]
    raise AssertionError(case)


CASES = [
    "the same patient on file, matched by email",
    "the same patient on file, matched by phone, with another email",
    "another patient with this email",
    "a staff member's account with this email",
    "a patient's sign-in with this email",
]


def _rolled_back(visit):
    """Run `visit` and undo what it wrote, so the next run starts from the same records."""
    with transaction.atomic():
        answer = visit()
        transaction.set_rollback(True)
    cache.clear()  # the booking throttle
    return answer


@pytest.mark.parametrize("case", CASES)
def test_the_booking_pages_answer_the_same_whether_or_not_the_visitor_is_on_file(
    client, case, make_user, dr_rivera, follow_up, location, monday
):
    form = {"modality": "in_office", "visit_type": follow_up.pk, "location": location.pk,
            "slot": slot_value(dr_rivera.pk, local(monday, 10)), **VISITOR, "reason": "Sore knee",
            "accepts_cancellation_policy": "on"}

    def book(hidden=()):
        booked = client.post("/book/details/", form)
        assert booked.status_code == 302, booked.content.decode()[:500]
        confirmed = client.get(booked["Location"])
        manage = client.get(confirmed.context["manage_url"])
        for page in (confirmed, manage):
            assert not [h for h in hidden if h in page.content.decode()], case
        return [seen(booked), seen(confirmed), seen(manage)]

    new_visitor = _rolled_back(book)
    on_file = _rolled_back(lambda: book(_on_file(case, make_user)))
    assert on_file == new_visitor


@pytest.mark.parametrize("case", CASES)
def test_the_booking_api_answers_the_same_whether_or_not_the_visitor_is_on_file(
    client, case, make_user, dr_rivera, follow_up, location, monday
):
    body = {"visit_type": follow_up.pk, "clinician": dr_rivera.pk, "start": local(monday, 10).isoformat(),
            "modality": "in_office", "location": location.pk, "reason": "Sore knee",
            "patient": VISITOR, "accepts_cancellation_policy": True}

    def book(hidden=()):
        response = client.post("/api/v1/bookings/", json.dumps(body), content_type="application/json")
        assert response.status_code == 201, response.content
        text = response.content.decode()
        assert not [h for h in hidden if h in text], case
        answer = response.json()
        answer["id"] = "<new id>"
        answer["manage_url"] = _SIGNED.sub(r"/book/\1/<signed>/", answer["manage_url"])
        return response.status_code, answer

    new_visitor = _rolled_back(book)
    on_file = _rolled_back(lambda: book(_on_file(case, make_user)))
    assert on_file == new_visitor
