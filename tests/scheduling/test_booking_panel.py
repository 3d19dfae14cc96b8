"""The booking panel from a free cell: only the errors that apply, each beside its field, and the location taken
from where the clinician works at that time (or from the room's column)."""

import re
from datetime import date, time, timedelta

import pytest

from scheduling.models import Appointment, Location, Room, WorkingHours

HX = {"HTTP_HX_REQUEST": "true"}


def text(response):
    return re.sub(r"\s+", " ", response.content.decode())


def field_block(page, name):
    """The HTML of one crispy field's wrapper, from its label to the next field."""
    start = page.index(f'id="div_id_{name}"')
    following = page.find('id="div_id_', start + 1)
    return page[start:following if following != -1 else None]


@pytest.fixture
def cambridge(db, dr_rivera):
    """A second location where Dr Rivera works on Tuesdays (Back Bay the other weekdays)."""
    place = Location.objects.create(name="Cambridge", address_line1="15 Brattle St", city="Cambridge",
                                    time_zone="America/New_York")
    Room.objects.create(location=place, name="Treatment A")
    dr_rivera.locations.add(place)
    dr_rivera.working_hours.filter(weekday=1).update(location=place)
    return place


def test_booking_without_a_location_shows_only_the_errors_that_apply_beside_their_fields(
    desk_client, dr_rivera, follow_up, monday, patient
):
    response = desk_client.post("/schedule/book/", {
        "action": "book", "patient": patient.pk, "visit_type": follow_up.pk, "modality": "in_office", "location": "",
        "clinician": dr_rivera.pk, "date": monday.isoformat(), "time": "10:30", "reason": "Piriformis pain",
        "new-first_name": "", "new-last_name": "", "new-date_of_birth": "", "new-email": "", "new-mobile_phone": "",
    }, **HX)
    page = text(response)
    assert response.status_code == 200 and not Appointment.objects.exists()
    assert "Choose the location for an in-office visit." in field_block(page, "location")
    assert page.count("invalid-feedback") == 1  # no "first name required" and the like from the new-patient fields
    assert "This field is required" not in page
    assert '<details class="mb-3">' in page  # the new-patient fields stay folded
    assert "Piriformis pain" in page and f'value="{patient.pk}" checked' in page  # nothing typed or chosen is lost

    # A new patient half typed instead: their errors apply, and show with the booking's.
    page = text(desk_client.post("/schedule/book/", {
        "action": "book", "visit_type": follow_up.pk, "modality": "in_office", "location": "",
        "clinician": dr_rivera.pk, "date": monday.isoformat(), "time": "10:30", "new-last_name": "Kowalski",
    }, **HX))
    assert "This field is required" in field_block(page, "new-first_name")
    assert "Choose the location for an in-office visit." in field_block(page, "location")
    assert 'value="Kowalski"' in page and "<details class=\"mb-3\" open>" in page
    assert "Choose a patient, or add a new one." not in page


def test_no_patient_at_all_is_said_once_with_the_other_errors(desk_client, dr_rivera, follow_up, monday):
    page = text(desk_client.post("/schedule/book/", {
        "action": "book", "visit_type": follow_up.pk, "modality": "in_office", "location": "",
        "clinician": dr_rivera.pk, "date": monday.isoformat(), "time": "10:30",
    }, **HX))
    assert page.count("Choose a patient, or add a new one.") == 1
    assert "Choose the location for an in-office visit." in page and "This field is required" not in page


def test_a_free_cell_prefills_the_location_where_the_clinicians_hours_put_them(desk_client, dr_rivera, location,
                                                                             cambridge, monday):
    def initial_location(day, clock):
        response = desk_client.get("/schedule/book/", {"clinician": dr_rivera.pk, "start": f"{day}T{clock}"}, **HX)
        return response.context["form"].initial.get("location")

    tuesday = monday + timedelta(days=1)
    assert initial_location(monday, "10:30") == location.pk
    assert initial_location(tuesday, "10:30") == cambridge.pk
    assert initial_location(tuesday, "18:00") is None  # after hours, with two locations: the desk chooses
    page = text(desk_client.get("/schedule/book/", {"clinician": dr_rivera.pk, "start": f"{tuesday}T10:30"}, **HX))
    assert f'<option value="{cambridge.pk}" selected>Cambridge</option>' in page

    # Hours that have ended no longer count.
    WorkingHours.objects.filter(clinician=dr_rivera, weekday=1).update(effective_until=date(2021, 1, 1))
    WorkingHours.objects.create(clinician=dr_rivera, location=location, weekday=1, start_time=time(9),
                                end_time=time(17), effective_from=date(2021, 1, 2))
    assert initial_location(tuesday, "10:30") == location.pk


def test_a_room_columns_cell_prefills_the_rooms_location(desk_client, dr_rivera, cambridge, monday):
    room = cambridge.rooms.get()
    response = desk_client.get("/schedule/book/", {"room": room.pk, "start": f"{monday}T10:30"}, **HX)
    assert response.context["form"].initial["location"] == cambridge.pk
