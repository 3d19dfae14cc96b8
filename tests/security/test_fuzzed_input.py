"""Bad input of every shape gets a 4xx with a message, never a 500 (property tests with Hypothesis).

Future birth dates, a visit that ends before it starts, the 02:30 that does not exist on the spring-
forward day, emoji, control characters and megabyte strings, against the patient form, the public
booking API and the intake API. The test client re-raises any exception a view lets escape.
"""

import itertools
import json
from datetime import date, timedelta

from hypothesis import HealthCheck, example, given, settings
from hypothesis import strategies as st

from clinic.dates import FIRST_DAY, LAST_DAY, VISIT_RANGE
from tests.factories import PATIENT_FORM

FUZZ = settings(max_examples=40, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
HUGE = "x" * (1024 * 1024)
anything = st.recursive(
    st.none() | st.booleans() | st.integers() | st.floats(allow_nan=False) | st.text(max_size=60),
    lambda inner: st.lists(inner, max_size=4) | st.dictionaries(st.text(max_size=12), inner, max_size=4),
    max_leaves=12,
)
texts = st.one_of(st.text(max_size=300), st.sampled_from(["🦵🏽 Ana 💥", "\x00\x1b[31m", "<script>x</script>", HUGE]))
addresses = itertools.count(1)
# Every answer the app documents for a form post: the form again (with messages), a redirect on success, 400 for a
# request it cannot read, 413 for a body over DATA_UPLOAD_MAX_MEMORY_SIZE (three 1 MB fields are one).
FORM_ANSWERS = (200, 302, 400, 413)


@FUZZ
@given(first=texts, last=texts, dob=st.one_of(st.dates(), texts), phone=texts)
@example(first="Ana", last="Silva", dob=date.today() + timedelta(days=1), phone="617-555-0134")
@example(first=HUGE, last=HUGE, dob=HUGE, phone="617-555-0134")  # 3 MB: always tried, whatever the draw
def test_the_patient_form_answers_any_input_with_a_page_not_a_crash(desk_client, first, last, dob, phone):
    data = {**PATIENT_FORM, "first_name": first, "last_name": last, "date_of_birth": str(dob), "mobile_phone": phone,
            "confirm_not_duplicate": "on"}
    response = desk_client.post("/patients/new/", data)
    assert response.status_code in FORM_ANSWERS
    if response.status_code == 413:
        assert b"larger than the 2.5 MB" in response.content
    if isinstance(dob, date) and dob > date.today():
        assert response.status_code != 302 and b"cannot be in the future" in response.content


@FUZZ
@given(body=st.one_of(anything, st.fixed_dictionaries({
    "visit_type": anything, "clinician": anything, "start": st.one_of(st.datetimes().map(str), texts),
    "modality": st.sampled_from(["in_office", "telehealth", "", "🦵"]), "location": anything,
    "patient": st.one_of(anything, st.fixed_dictionaries({
        "first_name": texts, "last_name": texts, "date_of_birth": st.one_of(st.dates().map(str), texts),
        "email": texts, "phone": texts,
    })),
})))
def test_the_booking_api_answers_any_body_with_a_4xx_and_a_json_error(client, dr_rivera, follow_up, body):
    response = client.post("/api/v1/bookings/", json.dumps(body), content_type="application/json",
                           REMOTE_ADDR=f"10.77.{next(addresses) % 250}.{next(addresses) % 250}")
    assert response.status_code < 500
    if response.status_code >= 400:
        assert isinstance(response.json(), dict) and response.json()


def test_the_missing_half_hour_of_the_spring_forward_day_is_refused_with_a_message(client, desk_client, dr_rivera,
                                                                                   follow_up, location, patient):
    patient_body = {"first_name": "Ana", "last_name": "Silva", "date_of_birth": "1987-05-14",
                    "email": "ana@example.com", "phone": "617-555-0187"}
    online = {"visit_type": follow_up.pk, "clinician": dr_rivera.pk, "start": "2027-03-14T02:30:00",
              "modality": "in_office", "location": location.pk, "patient": patient_body}
    staff = {"patient": patient.pk, "clinician": dr_rivera.pk, "visit_type": follow_up.pk,
             "start": "2027-03-14T02:30", "modality": "in_office", "location": location.pk}
    for who, body, url in ((client, online, "/api/v1/bookings/"), (desk_client, staff, "/api/v1/appointments/")):
        response = who.post(url, json.dumps(body), content_type="application/json")
        assert response.status_code == 400, response.json()
        assert "2:30 AM does not exist on Mar 14, 2027" in response.json()["start"][0]
    staff["start"] = "2027-03-14T03:30"  # the same Sunday, an hour later, is a real time (outside hours: staff may)
    assert desk_client.post("/api/v1/appointments/", json.dumps(staff), content_type="application/json").status_code == 201


@FUZZ
@given(step=st.sampled_from(["contact", "history", "complaint", "red_flags", "outcomes", "goals", "consent"]),
       answers=anything)
def test_the_intake_api_answers_any_step_body_with_a_4xx_or_a_save(client, token, step, answers):
    response = client.put(f"/api/v1/intake/{token}/steps/{step}/", json.dumps(answers),
                          content_type="application/json")
    assert response.status_code in (200, 400)
    if response.status_code == 400:
        assert response.json()


def test_a_megabyte_in_one_field_is_refused_next_to_the_field(desk_client):
    response = desk_client.post("/patients/new/", {**PATIENT_FORM, "last_name": HUGE, "first_name": "Ana 🦵🏽"})
    assert response.status_code in (200, 400)
    assert "at most 100 characters" in " ".join(response.context["form"].errors["last_name"])
    assert "Ana 🦵🏽" in response.content.decode()  # what was typed elsewhere is kept


TEN_MB = "x" * (10 * 1024 * 1024)


def test_ten_megabytes_in_a_field_get_a_4xx_with_a_json_error_from_the_apis(client, token, dr_rivera, follow_up):
    booking = client.post("/api/v1/bookings/", {"clinician": dr_rivera.pk, "visit_type": follow_up.pk,
                                                "patient": {"first_name": TEN_MB}}, content_type="application/json")
    assert 400 <= booking.status_code < 500 and booking.json()
    step = client.put(f"/api/v1/intake/{token}/steps/complaint/", {"onset_details": TEN_MB},
                      content_type="application/json")
    assert 400 <= step.status_code < 500 and step.json()


def test_ten_megabytes_posted_to_a_page_are_refused_as_too_large_not_a_crash(desk_client):
    response = desk_client.post("/patients/new/", {**PATIENT_FORM, "last_name": TEN_MB})
    assert response.status_code == 413 and b"larger than the 2.5 MB" in response.content


@FUZZ
@given(start=st.dates(min_value=date(1900, 1, 1), max_value=date(2200, 1, 1)), days=st.integers(-4000, 4000))
def test_a_range_that_ends_before_it_starts_is_refused_on_the_end_field(desk_client, dr_rivera, follow_up, start, days):
    end = start + timedelta(days=days)
    for url, params in (("/api/v1/availability/", {"visit_type": follow_up.pk}), ("/api/v1/appointments/", {})):
        response = desk_client.get(url, {**params, "start": start.isoformat(), "end": end.isoformat()})
        assert response.status_code in (200, 400), (url, start, end, response.status_code)
        outside = [name for name, day in (("start", start), ("end", end)) if not FIRST_DAY <= day <= LAST_DAY]
        if outside:  # a day outside the bookable years is refused on its own field first
            assert response.status_code == 400
            assert all(response.json()[name] == [str(VISIT_RANGE)] for name in outside), response.json()
        elif end < start:
            assert response.status_code == 400
            assert response.json()["end"] == ["The end date must be on or after the start date."]
        elif (end - start).days + 1 > 31:
            assert response.status_code == 400 and response.json()["end"] == ["Ask for at most 31 days at a time."]
        else:
            assert response.status_code == 200
