"""What the calendar shows is always its rows as they are now: each test looks once, changes something the grid
shows in the ways the clinic changes it (services, admin saves, bare updates), and looks again."""

from datetime import time

import pytest

from clinic import roles
from intake.models import RedFlagAlert
from patients.models import Patient
from scheduling import services
from scheduling.models import Appointment, Closure, Room, TimeOff, VisitType, WorkingHours
from tests.factories import PatientFactory, sign_in

from .conftest import local
from .test_calendar import book

Status = Appointment.Status


def grid(response):
    html = response.content.decode()
    return html[html.index('<section class="cal-scroll"'):]


def block(response, appointment):
    """The visit's link on the grid, or "" when it is not drawn."""
    html = grid(response)
    start = html.find(f'id="appt-{appointment.pk}"')
    return "" if start < 0 else html[start:html.index("</a>", start)]


@pytest.fixture
def day_view(desk_client, monday):
    return lambda **params: desk_client.get("/schedule/", {"date": monday.isoformat(), **params})


@pytest.fixture
def visit(dr_rivera, follow_up, monday):
    return book(PatientFactory(first_name="Maya", last_name="Okafor"), dr_rivera, follow_up, local(monday, 9))


def _rename_patient(ctx):
    Patient.objects.filter(pk=ctx["visit"].patient_id).update(last_name="Okonkwo-Hale")  # a bare update, no signal
    return lambda r: "Okonkwo-Hale" in block(r, ctx["visit"])


def _book_another(ctx):
    other = book(PatientFactory(last_name="Quill"), ctx["dr_rivera"], ctx["follow_up"], local(ctx["monday"], 11))
    return lambda r: "Quill" in block(r, other)


def _move(ctx):
    services.appointment_move(appointment=ctx["visit"], start=local(ctx["monday"], 14))
    return lambda r: "2:00 PM" in block(r, ctx["visit"]) and "9:00 AM" not in block(r, ctx["visit"])


def _cancel(ctx):
    services.appointment_set_status(appointment=ctx["visit"], status=Status.CANCELLED, reason="Flu")
    return lambda r: f'id="appt-{ctx["visit"].pk}"' not in grid(r)


def _check_in(ctx):
    services.appointment_set_status(appointment=ctx["visit"], status=Status.CHECKED_IN)
    return lambda r: "Checked in" in block(r, ctx["visit"])


def _room(ctx):
    Appointment.objects.filter(pk=ctx["visit"].pk).update(room=Room.objects.get(name="Treatment 2"))
    return lambda r: "grid-column: 3;" in block(r, ctx["visit"])  # columns: hours, Treatment 1, Treatment 2


def _red_flag(ctx):
    RedFlagAlert.objects.create(patient_id=ctx["visit"].patient_id, appointment=ctx["visit"], urgency="emergency")
    return lambda r: "Red flag" in block(r, ctx["visit"])


def _hours(ctx):
    WorkingHours.objects.filter(clinician=ctx["dr_rivera"]).update(start_time=time(10))
    return lambda r: 'aria-label="Book with Sam Rivera at 10:00 AM, free until 5:00 PM"' in grid(r)


def _time_off(ctx):
    TimeOff.objects.create(clinician=ctx["dr_rivera"], start_at=local(ctx["monday"], 13),
                           end_at=local(ctx["monday"], 14), reason="Course")
    return lambda r: ("Sam Rivera at 2:00 PM, free until 5:00 PM" in grid(r)
                      and "free until 1:00 PM" in grid(r))


def _closure(ctx):
    Closure.objects.create(date=ctx["monday"], name="Snow day")
    return lambda r: "Closed: Snow day" in grid(r) and "Book with" not in grid(r) and "Free times" not in grid(r)


def _rename_clinician(ctx):
    user = ctx["dr_rivera"].user
    user.last_name = "Rivera-Ortiz"
    user.save()
    return lambda r: "Sam Rivera-Ortiz" in grid(r)


def _rename_visit_type(ctx):
    VisitType.objects.filter(pk=ctx["follow_up"].pk).update(name="Return visit", color="#123456")
    return lambda r: "Return visit" in block(r, ctx["visit"]) and "#123456" in block(r, ctx["visit"])


CHANGES = [_rename_patient, _book_another, _move, _cancel, _check_in, _room, _red_flag, _hours, _time_off, _closure,
           _rename_clinician, _rename_visit_type]


@pytest.mark.parametrize("change", CHANGES, ids=[c.__name__.strip("_") for c in CHANGES])
def test_a_change_shows_on_the_next_look(day_view, visit, dr_rivera, follow_up, monday, change):
    look = lambda: day_view(by="room" if change is _room else "")  # noqa: E731
    before = look()
    assert f'id="appt-{visit.pk}"' in grid(before)
    shows = change({"visit": visit, "dr_rivera": dr_rivera, "follow_up": follow_up, "monday": monday})
    assert not shows(before)
    assert shows(look())


def test_only_those_who_may_book_get_the_booking_form_free_times_and_click_to_book(
    client, day_view, visit, make_user, monday
):
    desk = grid(day_view())
    assert "Book with Sam Rivera at" in desk and 'aria-label="Book a time"' in desk and "data-book=" in desk
    viewer = make_user(roles.CLINICIAN, email="viewer@stride.test")
    assert viewer.has_perm("scheduling.view_appointment") and not viewer.has_perm("scheduling.add_appointment")
    sign_in(client, viewer)
    seen = grid(client.get("/schedule/", {"date": monday.isoformat()}))
    assert "Okafor" in seen
    assert "Book with" not in seen and 'aria-label="Book a time"' not in seen and "data-book=" not in seen


def test_the_book_a_time_form_opens_the_booking_page_without_javascript(desk_client, dr_rivera, monday):
    response = desk_client.get("/schedule/book/", {"clinician": dr_rivera.pk, "date": monday.isoformat(),
                                                   "time": "10:45"})
    page = response.content.decode()
    assert response.status_code == 200 and "<nav" in page  # a page of its own, not the panel
    assert 'value="10:45"' in page and f'value="{monday.isoformat()}"' in page
    assert f'<option value="{dr_rivera.pk}" selected>' in page
