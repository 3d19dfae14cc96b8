"""A small clinic for scheduling tests: one location with two rooms, two clinicians working Mon-Fri 9-17."""

from datetime import UTC, date, datetime, time, timedelta
from zoneinfo import ZoneInfo

import icalendar
import pytest
from django.utils import timezone

from clinic import roles
from scheduling.defaults import ensure_default_visit_types
from scheduling.models import Clinician, ClinicSettings, Location, Room, VisitType, WorkingHours

NY = ZoneInfo("America/New_York")


def assert_calendar_lines(raw):
    """Every line ends in CRLF, none carries a bare CR or LF, and icalendar reads the document back."""
    assert raw.endswith(b"\r\n")
    for line in raw[:-2].split(b"\r\n"):
        assert b"\r" not in line and b"\n" not in line, line
        assert len(line) <= 75
    return icalendar.Calendar.from_ical(raw)


def local(day, hour, minute=0, tz=NY):
    """An aware UTC instant for a wall-clock time at the clinic."""
    return datetime.combine(day, time(hour, minute), tzinfo=tz).astimezone(UTC)


def next_weekday(weekday=0, *, after_days=3):
    """A date at least `after_days` from today falling on `weekday` (Monday = 0)."""
    day = timezone.localdate() + timedelta(days=after_days)
    return day + timedelta(days=(weekday - day.weekday()) % 7)


@pytest.fixture
def clinic_settings(db):
    settings = ClinicSettings.load()
    settings.min_notice_hours = 12
    settings.booking_horizon_days = 90
    settings.auto_confirm_online_bookings = True
    settings.save()
    return settings


@pytest.fixture
def location(db):
    place = Location.objects.create(
        name="Back Bay", address_line1="200 Boylston St", city="Boston", state="MA", postal_code="02116",
        time_zone="America/New_York", arrival_notes="Suite 4B.",
    )
    Room.objects.create(location=place, name="Treatment 1")
    Room.objects.create(location=place, name="Treatment 2")
    return place


@pytest.fixture
def visit_types(db):
    ensure_default_visit_types(VisitType)  # a transactional test's flush removes the migration's rows
    return {v.name: v for v in VisitType.objects.all()}


@pytest.fixture
def follow_up(visit_types):
    return visit_types["Follow-up"]


@pytest.fixture
def telehealth_consult(visit_types):
    return visit_types["Telehealth consult"]


def _clinician(make_user, location, visit_types, email, first, last):
    user = make_user(roles.CLINICIAN, email=email, first_name=first, last_name=last)
    clinician = Clinician.objects.create(user=user, credentials="PT, DPT")
    clinician.visit_types.set(visit_types.values())
    clinician.locations.set([location])
    for weekday in range(5):
        WorkingHours.objects.create(
            clinician=clinician, location=location, weekday=weekday, start_time=time(9), end_time=time(17),
            effective_from=date(2020, 1, 1),
        )
    return clinician


@pytest.fixture
def dr_rivera(make_user, location, visit_types, clinic_settings):
    return _clinician(make_user, location, visit_types, "rivera@stride.test", "Sam", "Rivera")


@pytest.fixture
def dr_chen(make_user, location, visit_types, clinic_settings):
    return _clinician(make_user, location, visit_types, "chen@stride.test", "Jordan", "Chen")


@pytest.fixture
def monday():
    """A Monday at least five days ahead: past every notice period and 72-hour reminder."""
    return next_weekday(0, after_days=5)
