"""The calendar stays current: an open calendar polls /schedule/version/ (static/js/calendar.js) and redraws when
the fingerprint of what it shows changed, e.g. an online booking or a colleague's cancellation; polling does not
hold an idle session open. The browser journey is in tests/e2e/test_front_desk_calendar.py."""

import json
import re
from datetime import timedelta

import pytest
from django.contrib.sessions.models import Session
from django.test import Client

from clinic import sessions
from intake.models import RedFlagAlert
from scheduling import services
from scheduling.models import Appointment, ClinicSettings, Location, Modality
from tests.factories import PatientFactory, sign_in

from .conftest import local

pytestmark = pytest.mark.django_db
HX = {"HTTP_HX_REQUEST": "true"}
Status = Appointment.Status


def book(clinician, visit, start, **kw):
    return services.appointment_book(patient=PatientFactory(), clinician=clinician, visit_type=visit, start=start,
                                     modality=Modality.IN_OFFICE, location=clinician.locations.first(), **kw)


@pytest.fixture
def version(desk_client, monday):
    def ask(**params):
        response = desk_client.get("/schedule/version/", {"date": monday.isoformat(), **params})
        assert response.status_code == 200 and response["Content-Type"] == "application/json"
        return response.json()["version"]

    return ask


@pytest.fixture
def visit(dr_rivera, follow_up, monday):
    return book(dr_rivera, follow_up, local(monday, 9))


def _online_booking(ctx, client):
    body = {"visit_type": ctx["follow_up"].pk, "clinician": ctx["dr_rivera"].pk, "modality": "in_office",
            "location": ctx["dr_rivera"].locations.first().pk, "start": local(ctx["monday"], 11).isoformat(),
            "patient": {"first_name": "Ada", "last_name": "Moss", "date_of_birth": "1990-04-02",
                        "email": "ada@example.com", "phone": "617-555-0199"}, "accepts_cancellation_policy": True}
    response = Client().post("/api/v1/bookings/", json.dumps(body), content_type="application/json")
    assert response.status_code == 201, response.content


def _colleague_cancels(ctx, client):
    services.appointment_cancel(appointment=ctx["visit"], reason="Flu", actor=ctx["colleague"])


def _colleague_moves(ctx, client):
    services.appointment_move(appointment=ctx["visit"], start=local(ctx["monday"], 15), actor=ctx["colleague"])


def _colleague_checks_in(ctx, client):
    services.appointment_set_status(appointment=ctx["visit"], status=Status.CHECKED_IN, actor=ctx["colleague"])


def _red_flag(ctx, client):
    RedFlagAlert.objects.create(patient_id=ctx["visit"].patient_id, appointment=ctx["visit"], urgency="emergency")


CHANGES = [_online_booking, _colleague_cancels, _colleague_moves, _colleague_checks_in, _red_flag]


@pytest.mark.parametrize("change", CHANGES, ids=[c.__name__.strip("_") for c in CHANGES])
def test_the_version_changes_when_someone_else_changes_the_day(client, version, visit, dr_rivera, follow_up, monday,
                                                                make_user, change):
    from clinic import roles

    before = version()
    assert version() == before  # nothing happened: nothing to redraw
    change({"visit": visit, "dr_rivera": dr_rivera, "follow_up": follow_up, "monday": monday,
            "colleague": make_user(roles.FRONT_DESK, email="colleague@stride.test")}, client)
    assert version() != before


def test_a_change_on_another_day_or_at_another_location_leaves_the_version_alone(version, visit, dr_rivera, dr_chen,
                                                                                  follow_up, monday):
    day, week = version(), version(view="week")
    book(dr_rivera, follow_up, local(monday + timedelta(days=1), 10))  # Tuesday
    assert version() == day and version(view="week") != week  # the week shows Tuesday; Monday does not

    cambridge = Location.objects.create(name="Cambridge", address_line1="1 Main St", city="Cambridge",
                                        time_zone="America/New_York")
    dr_chen.locations.add(cambridge)
    at_back_bay = version(location=visit.location_id)
    services.appointment_book(patient=PatientFactory(), clinician=dr_chen, visit_type=follow_up,
                              start=local(monday, 12), modality=Modality.IN_OFFICE, location=cambridge)
    assert version(location=visit.location_id) == at_back_bay
    assert version(location=cambridge.pk) != at_back_bay


def test_a_waiting_online_request_on_any_day_changes_the_version_for_those_who_answer_requests(
    version, visit, dr_rivera, follow_up, monday
):
    rules = ClinicSettings.load()
    rules.auto_confirm_online_bookings = False
    rules.save()
    before = version()
    book(dr_rivera, follow_up, local(monday + timedelta(days=9), 10), source=Appointment.Source.ONLINE)
    assert version() != before  # listed above the grid, whatever its day


@pytest.mark.parametrize("params", [{}, {"view": "week"}, {"by": "room"}, {"cancelled": "1"}], ids=str)
def test_the_page_carries_the_version_the_endpoint_gives_so_an_unchanged_day_is_not_redrawn(
    desk_client, version, visit, dr_rivera, follow_up, monday, params
):
    services.appointment_cancel(appointment=book(dr_rivera, follow_up, local(monday, 13)), reason="Ill")
    page = desk_client.get("/schedule/", {"date": monday.isoformat(), **params}).content.decode()
    body = desk_client.get("/schedule/", {"date": monday.isoformat(), "partial": "1", **params}, **HX).content.decode()
    drawn = re.search(r'data-version="(\w+)" data-version-url="([^"]+)" data-poll-seconds="5"', page)
    assert drawn.group(1) == version(**params) and f'data-version="{drawn.group(1)}"' in body
    assert drawn.group(2).startswith(f"/schedule/version/?date={monday.isoformat()}")


def test_the_version_endpoint_runs_a_fixed_number_of_queries(desk_client, version, visit, dr_rivera, follow_up, monday,
                                                             django_assert_max_num_queries):
    for hour in (10, 11, 12, 13, 14):
        book(dr_rivera, follow_up, local(monday, hour))
    version()
    with django_assert_max_num_queries(4):  # session, user (both cached), the day's visits, the waiting requests
        version(view="week")


def test_polling_does_not_keep_an_idle_session_open(desk_client, monkeypatch, version, visit, monday):
    monkeypatch.setattr(sessions, "RENEW_AFTER", -1)  # as if the last renewal were more than a minute ago
    key = desk_client.session.session_key

    def expiry():
        return Session.objects.get(session_key=key).expire_date

    before = expiry()
    version()
    desk_client.get("/schedule/", {"date": monday.isoformat(), "partial": "1"}, HTTP_X_STRIDE_BACKGROUND="1", **HX)
    assert expiry() == before  # the page keeping itself current is not the person's activity
    desk_client.get("/schedule/", {"date": monday.isoformat()})
    assert expiry() > before  # opening the calendar is


def test_only_staff_who_see_the_calendar_get_its_version(client, patient_user, monday):
    assert client.get("/schedule/version/").status_code == 302  # to sign in
    sign_in(client, patient_user)
    assert client.get("/schedule/version/", {"date": monday.isoformat()}).status_code == 403


def _time_off(ctx):
    from scheduling.models import TimeOff

    TimeOff.objects.create(clinician=ctx["dr_rivera"], start_at=local(ctx["monday"], 13), end_at=local(ctx["monday"], 15),
                           reason="Dentist")


def _closure(ctx):
    from scheduling.models import Closure

    Closure.objects.create(date=ctx["monday"], name="Snow day")


def _hours_end(ctx):
    hours = ctx["dr_rivera"].working_hours.first()
    hours.end_time = hours.end_time.replace(hour=hours.end_time.hour - 1)
    hours.save()


def _patient_renamed(ctx):
    from patients import services as patient_services

    patient_services.patient_update(patient=ctx["visit"].patient, actor=None, last_name="Okafor-Reyes")


SETUP_CHANGES = [_time_off, _closure, _hours_end, _patient_renamed]


@pytest.mark.parametrize("change", SETUP_CHANGES, ids=[c.__name__.strip("_") for c in SETUP_CHANGES])
def test_the_version_changes_when_what_surrounds_the_visits_changes(version, visit, dr_rivera, monday, change,
                                                                     django_capture_on_commit_callbacks):
    """An admin's closure, a clinician's time off, shorter hours or a corrected name redraw open calendars."""
    before = version()
    with django_capture_on_commit_callbacks(execute=True):
        change({"visit": visit, "dr_rivera": dr_rivera, "monday": monday})
    assert version() != before


def test_signing_in_does_not_redraw_every_open_calendar(version, visit, make_user, django_capture_on_commit_callbacks):
    from django.contrib.auth.models import update_last_login

    from clinic import roles

    colleague = make_user(roles.FRONT_DESK, email="another@stride.test")
    before = version()
    with django_capture_on_commit_callbacks(execute=True):
        update_last_login(None, colleague)
    assert version() == before
