"""The calendar grid served from the cache (scheduling.calendar_cache) is never older than its rows.

Each test looks at the calendar once (which stores the grid), changes something the grid shows, in the
ways the clinic changes it (services, admin saves, bare updates), and looks again.
"""

from datetime import time

import pytest
from django.core.cache import cache
from django.db import connection
from django.test.utils import CaptureQueriesContext
from psycopg import IsolationLevel

from clinic import roles
from intake.models import RedFlagAlert
from patients.models import Patient
from scheduling import calendar_cache, selectors, services
from scheduling.models import Appointment, Closure, Room, TimeOff, VisitType, WorkingHours
from tests.factories import PatientFactory, sign_in

from .conftest import local
from .test_calendar import book

pytestmark = pytest.mark.postgres
Status = Appointment.Status


@pytest.fixture(autouse=True)
def _empty_cache():
    cache.clear()


def grid(response):
    html = response.content.decode()
    return html[html.index('<section class="cal-scroll"'):html.index("</section>", html.index('class="cal-scroll"'))]


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


def test_the_same_day_again_comes_from_the_cache_in_fewer_queries(day_view, visit):
    with CaptureQueriesContext(connection) as drawn:
        first = day_view()
    with CaptureQueriesContext(connection) as cached:
        again = day_view()
    assert grid(again) == grid(first)
    assert "Okafor" in grid(again)
    assert len(cached) <= len(drawn) - 4  # visits, working hours, time off and closures are not read again


def _rename_patient(ctx):
    Patient.objects.filter(pk=ctx["visit"].patient_id).update(last_name="Okonkwo-Hale")  # a bare update, no signal
    return lambda r: "Okonkwo-Hale" in block(r, ctx["visit"])


def _book_another(ctx):
    other = book(PatientFactory(last_name="Quill"), ctx["dr_rivera"], ctx["follow_up"], local(ctx["monday"], 11))
    return lambda r: "Quill" in block(r, other)


def _move(ctx):
    services.appointment_move(appointment=ctx["visit"], start=local(ctx["monday"], 14))
    return lambda r: block(r, ctx["visit"]).count("2:00 PM") >= 1 and "9:00 AM" not in block(r, ctx["visit"])


def _move_and_back(ctx):
    services.appointment_move(appointment=ctx["visit"], start=local(ctx["monday"], 14))
    ctx["look"]()  # the grid with the visit at 2 PM is now cached too
    services.appointment_move(appointment=ctx["visit"], start=local(ctx["monday"], 9))
    return lambda r: "9:00 AM" in block(r, ctx["visit"]) and "2:00 PM" not in block(r, ctx["visit"])


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
    return lambda r: "with Sam Rivera at 9:45 AM (outside working hours)" in grid(r)


def _time_off(ctx):
    TimeOff.objects.create(clinician=ctx["dr_rivera"], start_at=local(ctx["monday"], 13),
                           end_at=local(ctx["monday"], 14), reason="Course")
    return lambda r: "with Sam Rivera at 1:00 PM (outside working hours)" in grid(r)


def _closure(ctx):
    Closure.objects.create(date=ctx["monday"], name="Snow day")
    return lambda r: "Closed: Snow day" in grid(r)


def _rename_clinician(ctx):
    user = ctx["dr_rivera"].user
    user.last_name = "Rivera-Ortiz"
    user.save()
    return lambda r: "Sam Rivera-Ortiz" in grid(r)


def _rename_visit_type(ctx):
    VisitType.objects.filter(pk=ctx["follow_up"].pk).update(name="Return visit", color="#123456")
    return lambda r: "Return visit" in block(r, ctx["visit"]) and "#123456" in block(r, ctx["visit"])


CHANGES = [_rename_patient, _book_another, _move, _move_and_back, _cancel, _check_in, _room, _red_flag, _hours,
           _time_off, _closure, _rename_clinician, _rename_visit_type]


@pytest.mark.parametrize("change", CHANGES, ids=[c.__name__.strip("_") for c in CHANGES])
def test_a_change_shows_on_the_next_look(day_view, visit, dr_rivera, follow_up, monday, change):
    by = "room" if change is _room else ""
    look = lambda: day_view(by=by)  # noqa: E731
    before = look()
    assert f'id="appt-{visit.pk}"' in grid(before)
    shows = change({"visit": visit, "dr_rivera": dr_rivera, "follow_up": follow_up, "monday": monday, "look": look})
    assert shows(before) == (change is _move_and_back)  # back where it was: the first grid is right again
    assert shows(look())


def test_who_may_book_is_part_of_the_key(client, day_view, visit, make_user, monday):
    assert "Book with Sam Rivera" in grid(day_view())  # the front desk's grid, with booking links, is cached
    viewer = make_user(roles.CLINICIAN, email="viewer@stride.test")
    assert viewer.has_perm("scheduling.view_appointment") and not viewer.has_perm("scheduling.add_appointment")
    sign_in(client, viewer)
    seen = grid(client.get("/schedule/", {"date": monday.isoformat()}))
    assert "Okafor" in seen and "Book with" not in seen


def test_the_cache_is_off_outside_postgresql_and_the_page_is_the_same(day_view, visit, monkeypatch):
    cached = grid(day_view())
    monkeypatch.setattr(calendar_cache.render_cache, "enabled", lambda: False)
    assert grid(day_view()) == cached


@pytest.mark.django_db(transaction=True)
def test_outside_a_transaction_the_grid_reads_one_snapshot_and_leaves_the_connection_as_it_was(
    day_view, visit, dr_rivera, follow_up, monday, monkeypatch
):
    """As in production (no test transaction around the request): fingerprint and drawing in REPEATABLE READ,
    the clinicians drawn included (read before it, a clinician renamed meanwhile would be drawn under the new key)."""
    levels = []
    read = selectors.active_calendar_clinicians
    monkeypatch.setattr(selectors, "active_calendar_clinicians",
                        lambda: levels.append(connection.connection.isolation_level) or read())
    assert "Okafor" in grid(day_view())
    assert levels == [IsolationLevel.REPEATABLE_READ]
    assert connection.connection.isolation_level is None  # back to the server's default, READ COMMITTED
    later = book(PatientFactory(last_name="Snapshot"), dr_rivera, follow_up, local(monday, 15))
    assert "Snapshot" in block(day_view(), later)
