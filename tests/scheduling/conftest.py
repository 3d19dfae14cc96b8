"""The scheduling tests' clinic is tests/fixtures/clinic.py (a plugin every test folder sees); its helpers
stay importable from here (`from .conftest import local`)."""

import icalendar

from tests.fixtures.clinic import NY, _clinician, local, next_weekday  # noqa: F401


def assert_calendar_lines(raw):
    """Every line ends in CRLF, none carries a bare CR or LF, and icalendar reads the document back."""
    assert raw.endswith(b"\r\n")
    for line in raw[:-2].split(b"\r\n"):
        assert b"\r" not in line and b"\n" not in line, line
        assert len(line) <= 75
    return icalendar.Calendar.from_ical(raw)
