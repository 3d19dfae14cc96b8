"""Dates at the ends of the calendar (year 9999, year 1, before 1883's time zones) and malformed dates, on every
endpoint and form that takes one: a 400 with a message next to the field, never an OverflowError's 500.

The bounds (clinic.dates): visit days and instants 2000-01-01 to 2099-12-31, birth dates 1900 to today. The test
client re-raises whatever a view lets escape, so a crash fails the test with its traceback.
"""

import json
from datetime import UTC, date, datetime, timedelta, timezone

from django.core.cache import cache
from hypothesis import HealthCheck, example, given, settings
from hypothesis import strategies as st

from scheduling.booking_wizard import slot_value
from scheduling.models import Appointment
from tests.scheduling.conftest import NY, local

FUZZ = settings(max_examples=30, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
MALFORMED = ["2027-02-30", "2027-13-01", "99999-01-01", "0000-01-01", "2027-1-1x", "２０２７-０１-０１", "9" * 40, "T",
             "2027-03-09T25:00", "2027-03-09T10:00+25:00", "-2027-01-01"]
EDGES = ["9999-12-31", "0001-01-01", "0217-05-01", "1882-11-18", "1999-12-31", "2100-01-01"]
days = st.one_of(st.sampled_from(EDGES + MALFORMED), st.dates().map(date.isoformat), st.text(max_size=20))
offsets = st.sampled_from([UTC, NY, timezone(timedelta(hours=14)), timezone(timedelta(hours=-12)),
                           timezone(timedelta(hours=-4, minutes=-56, seconds=-2))])
instants = st.one_of(
    st.sampled_from(["9999-12-31T23:45:00", "9999-12-31T23:59:59-12:00", "0001-01-01T00:00:00+14:00",
                     "0001-01-01T00:00:00", "0217-05-01T10:00:00-04:56:02", "2100-01-01T00:00:00Z"] + MALFORMED),
    st.builds(lambda moment, tz: moment.replace(tzinfo=tz).isoformat(), st.datetimes(), offsets),
    st.datetimes().map(datetime.isoformat),
)


def _outside(text):
    """Whether a well-formed date or instant lies outside the visit bounds (None if it does not parse)."""
    try:
        moment = datetime.fromisoformat(text)
    except ValueError:
        return None
    try:
        utc = moment.astimezone(UTC) if moment.tzinfo else moment.replace(tzinfo=UTC)
    except OverflowError:
        return True
    return not datetime(2000, 1, 1, tzinfo=UTC) <= utc < datetime(2100, 1, 1, tzinfo=UTC)


def _json(client, method, url, body):
    return getattr(client, method)(url, json.dumps(body), content_type="application/json")


def _refused_on(response, field):
    assert response.status_code == 400, (response.status_code, response.content[:300])
    assert field in response.json(), response.json()


@FUZZ
@given(start=instants, born=days)
@example(start="9999-12-31T23:45:00-05:00", born="1987-05-14")
@example(start="0001-01-01T00:00:00", born="1987-05-14")
@example(start="2030-01-07T10:00:00-05:00", born="0001-01-01")
def test_online_booking_refuses_instants_and_birth_dates_outside_the_calendar(client, dr_rivera, follow_up, location,
                                                                              start, born):
    cache.clear()  # the booking throttle
    body = {"visit_type": follow_up.pk, "clinician": dr_rivera.pk, "start": start, "modality": "in_office",
            "location": location.pk, "patient": {"first_name": "Ana", "last_name": "Silva", "date_of_birth": born,
                                                 "email": "ana@example.com", "phone": "617-555-0187"}}
    response = _json(client, "post", "/api/v1/bookings/", body)
    assert response.status_code in (400, 409), response.content[:300]
    if _outside(start):
        _refused_on(response, "start")
    if born in ("0001-01-01", "9999-12-31", "1882-11-18"):
        assert response.json()["patient"]["date_of_birth"]


def test_online_booking_inside_the_bounds_is_booked(client, dr_rivera, follow_up, location, monday):
    body = {"visit_type": follow_up.pk, "clinician": dr_rivera.pk, "start": local(monday, 10).isoformat(),
            "modality": "in_office", "location": location.pk,
            "patient": {"first_name": "Ana", "last_name": "Silva", "date_of_birth": "1900-01-01",
                        "email": "ana@example.com", "phone": "617-555-0187"}, "accepts_cancellation_policy": True}
    assert _json(client, "post", "/api/v1/bookings/", body).status_code == 201


@FUZZ
@given(start=days, end=days)
@example(start="9999-12-31", end="9999-12-31")
@example(start="0001-01-01", end="0001-01-05")
def test_the_range_queries_refuse_days_outside_the_calendar(desk_client, dr_rivera, follow_up, start, end):
    for url, params in (("/api/v1/availability/", {"visit_type": follow_up.pk}), ("/api/v1/appointments/", {})):
        response = desk_client.get(url, {**params, "start": start, "end": end})
        assert response.status_code in (200, 400), (url, start, end, response.status_code)
        if _outside(start):
            _refused_on(response, "start")


def test_the_range_queries_answer_inside_the_bounds(desk_client, dr_rivera, follow_up):
    for url, params in (("/api/v1/availability/", {"visit_type": follow_up.pk}), ("/api/v1/appointments/", {})):
        assert desk_client.get(url, {**params, "start": "2099-12-25", "end": "2099-12-31"}).status_code == 200
        assert desk_client.get(url, {**params, "start": "2000-01-01", "end": "2000-01-02"}).status_code == 200


@FUZZ
@given(start=instants)
@example(start="9999-12-31T23:45:00")
@example(start="0217-05-01T10:00:00")
def test_staff_create_and_move_refuse_instants_outside_the_calendar(desk_client, dr_rivera, follow_up, location,
                                                                   patient, appointment, start):
    create = _json(desk_client, "post", "/api/v1/appointments/", {
        "patient": patient.pk, "clinician": dr_rivera.pk, "visit_type": follow_up.pk, "start": start,
        "modality": "in_office", "location": location.pk})
    move = _json(desk_client, "post", f"/api/v1/appointments/{appointment.pk}/move/", {"start": start})
    for response in (create, move):
        assert response.status_code in (200, 201, 400, 409), response.content[:300]
        if _outside(start):
            _refused_on(response, "start")


def _form_error(response, text):
    assert response.status_code in (200, 400), response.status_code
    assert text in response.content.decode(), response.content.decode()[:2000]


@FUZZ
@given(day=days)
@example(day="9999-12-31")
@example(day="0001-01-01")
def test_the_staff_forms_refuse_days_outside_the_calendar(desk_client, dr_rivera, follow_up, location, patient,
                                                         appointment, day):
    booking = {"patient": patient.pk, "visit_type": follow_up.pk, "modality": "in_office", "location": location.pk,
               "clinician": dr_rivera.pk, "date": day, "time": "23:45"}
    forms = [
        ("/schedule/book/", booking),
        (f"/schedule/appointments/{appointment.pk}/move/", {"date": day, "time": "23:45", "clinician": dr_rivera.pk}),
        ("/schedule/series/", {**booking, "weekdays": [0, 2], "weeks": 26}),
        ("/schedule/waitlist/", {"patient": patient.pk, "visit_type": follow_up.pk, "earliest_date": day,
                                 "latest_date": day}),
    ]
    for url, data in forms:
        response = desk_client.post(url, data)
        assert response.status_code < 500
        if _outside(day):
            _form_error(response, "Choose a date between 2000-01-01 and 2099-12-31.")
    assert desk_client.get("/schedule/", {"date": day}).status_code == 200
    assert desk_client.get("/schedule/", {"date": day, "view": "week"}).status_code == 200


def test_the_staff_booking_form_books_inside_the_bounds(desk_client, dr_rivera, follow_up, location, patient, monday):
    desk_client.post("/schedule/book/", {"patient": patient.pk, "visit_type": follow_up.pk, "modality": "in_office",
                                         "location": location.pk, "clinician": dr_rivera.pk,
                                         "date": monday.isoformat(), "time": "10:00"})
    assert Appointment.objects.filter(patient=patient, start_at=local(monday, 10)).exists()


@FUZZ
@given(week=days, day=days, born=days, start=st.datetimes())
@example(week="9999-12-31", day="9999-12-31", born="0001-01-01", start=datetime(9999, 12, 31, 23, 45))
@example(week="0001-01-01", day="0001-01-01", born="9999-12-31", start=datetime(1, 1, 1))
def test_the_public_booking_pages_refuse_days_outside_the_calendar(client, dr_rivera, follow_up, location, token,
                                                                   week, day, born, start):
    cache.clear()
    steps = client.get("/book/", {"modality": "in_office", "visit_type": follow_up.pk, "week": week, "day": day})
    assert steps.status_code == 200
    details = client.post("/book/details/", {
        "modality": "in_office", "visit_type": follow_up.pk, "week": week, "day": day,
        "slot": slot_value(dr_rivera.pk, start.replace(tzinfo=UTC)), "first_name": "Ana", "last_name": "Silva",
        "date_of_birth": born, "email": "ana@example.com", "phone": "617-555-0187"})
    assert details.status_code < 500
    assert not Appointment.objects.filter(start_at__year__gte=2100).exists()
    if born == "0001-01-01":
        _form_error(details, "before 1900")


def test_the_patient_form_refuses_a_birth_date_before_1900_and_takes_1900(desk_client):
    from tests.factories import PATIENT_FORM

    refused = desk_client.post("/patients/new/", {**PATIENT_FORM, "date_of_birth": "0001-01-01",
                                                  "confirm_not_duplicate": "on"})
    _form_error(refused, "before 1900")
    taken = desk_client.post("/patients/new/", {**PATIENT_FORM, "date_of_birth": "1900-01-01",
                                                "confirm_not_duplicate": "on"})
    assert taken.status_code == 302


@FUZZ
@given(onset=days)
@example(onset="0001-01-01")
def test_the_intake_refuses_an_onset_before_1900(client, token, onset):
    response = _json(client, "put", f"/api/v1/intake/{token}/steps/complaint/", {"onset_date": onset})
    assert response.status_code in (200, 400)
    if onset == "0001-01-01":
        assert "after 1900" in json.dumps(response.json())
