"""Moving a visit on the calendar by drag and drop (or M and the arrow keys): the grid says where a visit may be
dropped, and the drop goes through the panel's own move view, with its service and refusals
(static/js/calendar.js; the browser journey is in tests/e2e/test_front_desk_calendar.py)."""

import re

import pytest

from scheduling import services
from scheduling.models import Appointment, Modality
from tests.factories import PatientFactory, sign_in

from .conftest import local

pytestmark = pytest.mark.django_db
HX = {"HTTP_HX_REQUEST": "true"}


def book(clinician, visit, start, **kw):
    return services.appointment_book(patient=kw.pop("patient", None) or PatientFactory(), clinician=clinician,
                                     visit_type=visit, start=start, modality=Modality.IN_OFFICE,
                                     location=clinician.locations.first(), **kw)


def text(response):
    return re.sub(r"\s+", " ", response.content.decode())


def test_each_column_of_the_day_says_whose_it_is_for_a_drop(desk_client, dr_rivera, dr_chen, follow_up, monday):
    book(dr_rivera, follow_up, local(monday, 10))
    page = text(desk_client.get("/schedule/", {"date": monday.isoformat()}))
    assert 'data-move="/schedule/appointments/0/move/" data-movable="requested booked confirmed"' in page
    assert (f'data-drop-day="{monday.isoformat()}" data-drop-clinician="{dr_chen.pk}" '
            'data-drop-where="with Jordan Chen" data-drop-hours') in page
    assert "focus it and press M" in page and 'id="move-confirm"' in page  # the keyboard way, and the question


def test_the_week_drops_on_a_day_and_the_rooms_only_in_time(desk_client, dr_rivera, follow_up, monday):
    week = text(desk_client.get("/schedule/", {"date": monday.isoformat(), "view": "week", "clinician": dr_rivera.pk}))
    assert f'data-drop-day="{monday.isoformat()}" data-drop-date="{monday:%a, %b} {monday.day}" data-drop-hours' in week
    assert "data-drop-clinician" not in week  # the visit keeps its clinician
    rooms = text(desk_client.get("/schedule/", {"date": monday.isoformat(), "by": "room"}))
    assert "data-drop-here-only" in rooms and "data-drop-clinician" not in rooms


def test_a_drop_on_the_time_axis_moves_the_visit_and_keeps_its_clinician(desk_client, dr_rivera, follow_up, monday):
    visit = book(dr_rivera, follow_up, local(monday, 10))
    response = desk_client.post(f"/schedule/appointments/{visit.pk}/move/",
                                {"date": monday.isoformat(), "time": "11:30"}, **HX)
    assert response["HX-Trigger"] == "calendar-changed"  # what tells the script the move was made
    assert "11:30 AM with Sam Rivera" in text(response)
    visit.refresh_from_db()
    assert (visit.start_at, visit.clinician) == (local(monday, 11, 30), dr_rivera)


def test_a_refused_drop_says_why_and_does_not_tell_the_calendar_it_changed(desk_client, dr_rivera, dr_chen,
                                                                         follow_up, monday):
    book(dr_chen, follow_up, local(monday, 14))
    visit = book(dr_rivera, follow_up, local(monday, 10))
    response = desk_client.post(f"/schedule/appointments/{visit.pk}/move/",
                                {"date": monday.isoformat(), "time": "14:00", "clinician": dr_chen.pk}, **HX)
    assert "HX-Trigger" not in response  # the script puts the block back
    assert "That time is already booked: choose another." in text(response)
    visit.refresh_from_db()
    assert (visit.start_at, visit.clinician) == (local(monday, 10), dr_rivera)


def test_a_drop_on_a_clinician_who_does_not_offer_the_visit_says_so(desk_client, dr_rivera, dr_chen, follow_up,
                                                                    monday):
    dr_chen.visit_types.remove(follow_up)
    visit = book(dr_rivera, follow_up, local(monday, 10))
    response = desk_client.post(f"/schedule/appointments/{visit.pk}/move/",
                                {"date": monday.isoformat(), "time": "10:00", "clinician": dr_chen.pk}, **HX)
    assert "HX-Trigger" not in response
    assert "That clinician does not offer this kind of visit: choose another." in text(response)
    visit.refresh_from_db()
    assert visit.clinician == dr_rivera


def test_a_clinician_drops_their_own_visit_but_not_a_colleagues_onto_themselves(client, dr_rivera, dr_chen,
                                                                                follow_up, monday):
    own = book(dr_rivera, follow_up, local(monday, 10))
    colleagues = book(dr_chen, follow_up, local(monday, 10))
    sign_in(client, dr_rivera.user)
    taken = client.post(f"/schedule/appointments/{colleagues.pk}/move/",
                        {"date": monday.isoformat(), "time": "12:00", "clinician": dr_rivera.pk}, **HX)
    assert "Ask the front desk to move a colleague" in text(taken)
    moved = client.post(f"/schedule/appointments/{own.pk}/move/", {"date": monday.isoformat(), "time": "12:00"}, **HX)
    assert moved["HX-Trigger"] == "calendar-changed"
    assert Appointment.objects.get(pk=colleagues.pk).clinician == dr_chen
    assert Appointment.objects.get(pk=own.pk).start_at == local(monday, 12)
