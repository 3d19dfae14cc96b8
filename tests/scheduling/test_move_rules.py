"""Moves obey the rules bookings obey (grid, horizon, sane years) on every path, instants come back with a real
offset, and a visit's room is at the visit's location."""

import json
import re
from datetime import timedelta

import pytest
from django.core.exceptions import ValidationError

from scheduling import links, services
from scheduling.models import Appointment, Location, Room

from .conftest import NY, local

pytestmark = pytest.mark.django_db

OFFSET = re.compile(r"[+-]\d\d:\d\d$")  # whole minutes: never local mean time such as -04:56:02


def _move(client, appointment, start, **extra):
    return client.post(f"/api/v1/appointments/{appointment.pk}/move/", json.dumps({"start": start, **extra}),
                       content_type="application/json")


@pytest.mark.parametrize("start, message", [
    ("9999-12-31T23:45:00-05:00", "between 2000-01-01 and 2099-12-31"),
    ("0217-05-01T10:00:00-04:56", "between 2000-01-01 and 2099-12-31"),
    ("0001-01-01T00:00:00", "between 2000-01-01 and 2099-12-31"),
])
def test_the_move_api_refuses_years_outside_the_calendar(desk_client, appointment, start, message):
    response = _move(desk_client, appointment, start)
    assert response.status_code == 400 and message in response.json()["start"][0]
    appointment.refresh_from_db()
    assert appointment.start_at.year < 2100


def test_the_move_api_refuses_a_start_off_the_grid_or_past_the_horizon(desk_client, appointment, monday):
    off_grid = _move(desk_client, appointment, local(monday, 14, 7).isoformat())
    assert off_grid.status_code == 400 and "15-minute grid" in off_grid.json()["start"][0]
    far = local(monday, 14) + services.STAFF_HORIZON + timedelta(days=7)
    too_far = _move(desk_client, appointment, far.isoformat())
    assert too_far.status_code == 400 and "within 730 days" in too_far.json()["start"][0]
    moved = _move(desk_client, appointment, local(monday, 14, 15).isoformat())
    assert moved.status_code == 200
    assert moved.json()["start"] == local(monday, 14, 15).astimezone(NY).isoformat()
    assert OFFSET.search(moved.json()["start"]) and OFFSET.search(moved.json()["end"])


def test_staff_create_obeys_the_grid_too(desk_client, dr_rivera, follow_up, location, patient, monday):
    body = {"patient": patient.pk, "clinician": dr_rivera.pk, "visit_type": follow_up.pk, "modality": "in_office",
            "location": location.pk}
    off = desk_client.post("/api/v1/appointments/", {**body, "start": local(monday, 10, 5).isoformat()},
                           content_type="application/json")
    assert off.status_code == 400 and "15-minute grid" in off.json()["start"][0]
    on = desk_client.post("/api/v1/appointments/", {**body, "start": local(monday, 10, 45).isoformat()},
                          content_type="application/json")
    assert on.status_code == 201 and OFFSET.search(on.json()["start"])


def test_the_service_refuses_what_the_api_refuses(appointment, monday):
    with pytest.raises(ValidationError, match="15-minute grid"):
        services.appointment_move(appointment=appointment, start=local(monday, 14, 1))
    assert services.appointment_move(appointment=appointment, start=local(monday, 14, 30)).start_at == local(
        monday, 14, 30)


def test_after_a_refused_move_to_9999_the_patients_links_still_open(client, desk_client, appointment, token):
    assert _move(desk_client, appointment, "9999-12-31T23:45:00").status_code == 400
    manage = links.manage_token(appointment)
    assert client.get(f"/book/manage/{manage}/").status_code == 200
    ics = client.get(f"/book/manage/{manage}/visit.ics")
    assert ics.status_code == 200 and b"BEGIN:VEVENT" in ics.content
    assert client.get(f"/intake/{token}/").status_code in (200, 302)
    followed = client.get(f"/intake/{token}/", follow=True)
    assert followed.status_code == 200


# A room belongs to the visit's location ---------------------------------------------------------------------


@pytest.fixture
def other_room(db):
    elsewhere = Location.objects.create(name="Cambridge", address_line1="1 Main St", city="Cambridge",
                                        time_zone="America/New_York")
    return Room.objects.create(location=elsewhere, name="Gym")


def test_staff_create_refuses_a_room_at_another_location(desk_client, dr_rivera, follow_up, location, patient,
                                                         monday, other_room):
    body = {"patient": patient.pk, "clinician": dr_rivera.pk, "visit_type": follow_up.pk, "modality": "in_office",
            "location": location.pk, "start": local(monday, 10).isoformat()}
    refused = desk_client.post("/api/v1/appointments/", {**body, "room": other_room.pk},
                               content_type="application/json")
    assert refused.status_code == 400 and "Gym is not at Back Bay" in refused.json()["room"][0]
    here = location.rooms.last()
    booked = desk_client.post("/api/v1/appointments/", {**body, "room": here.pk}, content_type="application/json")
    assert booked.status_code == 201 and booked.json()["room"]["id"] == here.pk


def test_the_move_api_refuses_a_room_at_another_location(desk_client, appointment, monday, other_room, location):
    refused = _move(desk_client, appointment, local(monday, 14).isoformat(), room=other_room.pk)
    assert refused.status_code == 400 and "Gym is not at Back Bay" in refused.json()["room"][0]
    appointment.refresh_from_db()
    assert appointment.room is None or appointment.room.location_id == location.pk
    here = location.rooms.last()
    moved = _move(desk_client, appointment, local(monday, 14).isoformat(), room=here.pk)
    assert moved.status_code == 200 and moved.json()["room"]["id"] == here.pk


def test_the_staff_booking_form_refuses_a_room_at_another_location(desk_client, dr_rivera, follow_up, location,
                                                                   patient, monday, other_room):
    form = {"patient": patient.pk, "visit_type": follow_up.pk, "modality": "in_office", "location": location.pk,
            "clinician": dr_rivera.pk, "date": monday.isoformat(), "time": "10:00"}
    refused = desk_client.post("/schedule/book/", {**form, "room": other_room.pk})
    assert "Gym is not at Back Bay" in refused.content.decode()
    assert not Appointment.objects.filter(patient=patient).exists()
    desk_client.post("/schedule/book/", {**form, "room": location.rooms.first().pk})
    assert Appointment.objects.get(patient=patient).room == location.rooms.first()


def test_the_model_refuses_a_room_at_another_location(appointment, other_room, location):
    appointment.room = other_room
    with pytest.raises(ValidationError, match="not at this visit's location"):
        appointment.full_clean()
    appointment.room = location.rooms.first()
    appointment.full_clean()
