"""When messages are due: offsets on the clinic's clock, quiet hours, backoff. Plain data, no database."""

from datetime import UTC, datetime, timedelta
from zoneinfo import ZoneInfo

import pytest

from notifications import timing

NY = ZoneInfo("America/New_York")


def ny(*args):
    return datetime(*args, tzinfo=NY).astimezone(UTC)


def test_offsets_are_read_from_the_setting_text():
    offsets = timing.parse_offsets("email:48h, sms:2h,email:1d, 30m")
    assert [(o.channel, o.delta, o.label) for o in offsets] == [
        ("email", timedelta(hours=48), "48h"), ("sms", timedelta(hours=2), "2h"),
        ("email", timedelta(days=1), "1d"), ("email", timedelta(minutes=30), "30m"),
    ]
    with pytest.raises(ValueError, match="email:48h"):
        timing.parse_offsets("email:two days")


def test_a_48h_reminder_keeps_the_local_hour_across_spring_forward():
    # Clocks go forward on Sun Mar 14, 2027: Monday 10:00 EDT -> Saturday 10:00 EST (47 real hours).
    due = timing.due_before(ny(2027, 3, 15, 10), timedelta(hours=48), NY)
    assert due.astimezone(NY).replace(tzinfo=None) == datetime(2027, 3, 13, 10)
    assert ny(2027, 3, 15, 10) - due == timedelta(hours=47)


def test_a_48h_reminder_keeps_the_local_hour_across_fall_back():
    # Clocks go back on Sun Nov 7, 2027: Monday 10:00 EST -> Saturday 10:00 EDT (49 real hours).
    due = timing.due_before(ny(2027, 11, 8, 10), timedelta(hours=48), NY)
    assert due.astimezone(NY).replace(tzinfo=None) == datetime(2027, 11, 6, 10)
    assert ny(2027, 11, 8, 10) - due == timedelta(hours=49)


def test_hours_below_a_day_are_real_hours_even_on_the_night_of_the_change():
    # 2 hours before 03:30 EDT on the spring-forward night is 00:30 EST (01:30 would be only 1 real hour).
    due = timing.due_before(ny(2027, 3, 14, 3, 30), timedelta(hours=2), NY)
    assert due.astimezone(NY).strftime("%H:%M %Z") == "00:30 EST"


def test_a_wall_time_skipped_by_spring_forward_moves_on_by_the_gap():
    # A day before Monday 02:30 is Sunday 02:30, a time the clocks skip: it goes at 03:30 EDT.
    due = timing.due_before(ny(2027, 3, 15, 2, 30), timedelta(days=1), NY)
    assert due.astimezone(NY).strftime("%a %H:%M %Z") == "Sun 03:30 EDT"


def test_quiet_hours_hold_a_text_until_8am_unless_the_visit_is_sooner():
    quiet = timing.parse_quiet_hours("21-08")
    visit = ny(2027, 1, 12, 10)
    held = timing.outside_quiet_hours(ny(2027, 1, 11, 22, 15), visit_start=visit, tz=NY, quiet=quiet)
    assert held == ny(2027, 1, 12, 8)
    # 2h before a 07:30 visit is 05:30: waiting until 08:00 would be after the visit, so it goes at 05:30.
    early = ny(2027, 1, 12, 5, 30)
    assert timing.outside_quiet_hours(early, visit_start=ny(2027, 1, 12, 7, 30), tz=NY, quiet=quiet) == early
    daytime = ny(2027, 1, 12, 8)
    assert timing.outside_quiet_hours(daytime, visit_start=visit, tz=NY, quiet=quiet) == daytime
    assert timing.parse_quiet_hours("off") is None
    assert timing.outside_quiet_hours(ny(2027, 1, 12, 2), visit_start=visit, tz=NY, quiet=None) == ny(2027, 1, 12, 2)


def test_retry_backoff_doubles_and_is_capped():
    assert [timing.retry_delay(n, 60).total_seconds() for n in (1, 2, 3, 4)] == [60, 120, 240, 480]
    assert timing.retry_delay(20, 60) == timedelta(hours=1)


def test_manage_py_check_reports_a_mistyped_setting(settings):
    from notifications.checks import outbox_settings

    assert outbox_settings(None) == []
    settings.NOTIFICATION_REMINDER_OFFSETS = "email:48h,fax:2h"
    settings.NOTIFICATION_QUIET_HOURS = "9pm-8am"
    settings.SMS_BACKEND = "twilio"
    settings.TWILIO_ACCOUNT_SID = ""
    assert [p.id for p in outbox_settings(None)] == ["notifications.E002", "notifications.E003", "notifications.W001"]
