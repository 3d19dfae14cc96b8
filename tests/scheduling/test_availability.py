"""The slot engine on plain data: no database."""

from datetime import UTC, date, datetime, time, timedelta
from zoneinfo import ZoneInfo

from scheduling.availability import (
    ClinicianCalendar,
    HoursBlock,
    Rules,
    VisitShape,
    first_available,
    open_slots,
)

NY = ZoneInfo("America/New_York")
MON_TO_FRI_9_TO_5 = [HoursBlock(d, time(9), time(17), 1, "America/New_York") for d in range(5)]
THIRTY = VisitShape(timedelta(minutes=30))
LONG_AGO = Rules(now=datetime(2020, 1, 1, tzinfo=UTC), horizon=timedelta(days=10_000))


def at(day, hour, minute=0):
    return datetime.combine(day, time(hour, minute), tzinfo=NY).astimezone(UTC)


def local_starts(slots):
    return [s.start.astimezone(NY).strftime("%H:%M") for s in slots]


def test_a_free_working_day_offers_every_quarter_hour_that_fits():
    day = date(2026, 3, 2)  # a Monday
    slots = open_slots([ClinicianCalendar(1, MON_TO_FRI_9_TO_5)], THIRTY, LONG_AGO, day, day)
    starts = local_starts(slots)
    assert starts[0] == "09:00" and starts[1] == "09:15" and starts[-1] == "16:30"
    assert len(starts) == 31  # 9:00 .. 16:30 on a 15-minute grid


def test_weekends_and_days_outside_effective_dates_have_no_slots():
    block = HoursBlock(0, time(9), time(12), 1, "America/New_York", date(2026, 3, 9), date(2026, 3, 16))
    calendar = ClinicianCalendar(1, [block])
    slots = open_slots([calendar], THIRTY, LONG_AGO, date(2026, 3, 1), date(2026, 3, 31))
    assert sorted({s.start.astimezone(NY).date() for s in slots}) == [date(2026, 3, 9), date(2026, 3, 16)]


def test_existing_visits_and_time_off_block_overlapping_starts_only():
    day = date(2026, 3, 2)
    calendar = ClinicianCalendar(
        1, MON_TO_FRI_9_TO_5, busy=[(at(day, 10), at(day, 11)), (at(day, 13), at(day, 17))]
    )
    starts = local_starts(open_slots([calendar], THIRTY, LONG_AGO, day, day))
    assert "09:30" in starts  # ends exactly when the 10:00 visit starts
    assert "09:45" not in starts and "10:30" not in starts
    assert "11:00" in starts and "12:30" in starts
    assert "12:45" not in starts and starts[-1] == "12:30"


def test_buffers_keep_the_turnover_time_free():
    day = date(2026, 3, 2)
    calendar = ClinicianCalendar(1, MON_TO_FRI_9_TO_5, busy=[(at(day, 11), at(day, 12))])
    gait = VisitShape(timedelta(minutes=90), buffer_after=timedelta(minutes=15))
    starts = local_starts(open_slots([calendar], gait, LONG_AGO, day, day))
    assert "09:15" in starts  # 9:15-10:45, buffer to 11:00
    assert "09:30" not in starts  # buffer would run into the 11:00 visit
    assert "12:00" in starts and starts[-1] == "15:30"


def test_minimum_notice_and_horizon():
    day = date(2026, 3, 2)
    now = at(day, 0)
    rules = Rules(now=now, min_notice=timedelta(hours=12), horizon=timedelta(days=3))
    slots = open_slots([ClinicianCalendar(1, MON_TO_FRI_9_TO_5)], THIRTY, rules, day, day + timedelta(days=7))
    first = slots[0].start.astimezone(NY)
    assert (first.date(), first.strftime("%H:%M")) == (day, "12:00")
    assert max(s.start for s in slots) <= now + timedelta(days=3)


def test_closures_close_one_location_or_all():
    mon, tue = date(2026, 3, 2), date(2026, 3, 3)
    hours = [HoursBlock(0, time(9), time(12), 1, "America/New_York"), HoursBlock(1, time(9), time(12), 2, "America/New_York")]
    closures = {(mon, None), (tue, 1)}
    slots = open_slots([ClinicianCalendar(1, hours)], THIRTY, LONG_AGO, mon, tue, closures)
    assert {s.location_id for s in slots} == {2}
    assert open_slots([ClinicianCalendar(1, hours)], THIRTY, LONG_AGO, mon, tue, {(tue, 2)})[0].start.date() == mon


def test_spring_forward_day_keeps_local_working_hours():
    sunday = date(2026, 3, 8)  # US clocks jump 2:00 -> 3:00
    hours = [HoursBlock(6, time(9), time(17), 1, "America/New_York")]
    slots = open_slots([ClinicianCalendar(1, hours)], THIRTY, LONG_AGO, sunday, sunday)
    assert local_starts(slots)[0] == "09:00" and local_starts(slots)[-1] == "16:30"
    assert slots[0].start == datetime(2026, 3, 8, 13, 0, tzinfo=UTC)  # EDT, UTC-4
    saturday = open_slots([ClinicianCalendar(1, [HoursBlock(5, time(9), time(17), 1, "America/New_York")])],
                          THIRTY, LONG_AGO, date(2026, 3, 7), date(2026, 3, 7))
    assert saturday[0].start == datetime(2026, 3, 7, 14, 0, tzinfo=UTC)  # EST, UTC-5


def test_fall_back_day_keeps_local_working_hours():
    sunday = date(2026, 11, 1)  # US clocks fall back 2:00 -> 1:00
    slots = open_slots([ClinicianCalendar(1, [HoursBlock(6, time(9), time(17), 1, "America/New_York")])],
                       THIRTY, LONG_AGO, sunday, sunday)
    assert len(slots) == 31
    assert slots[0].start == datetime(2026, 11, 1, 14, 0, tzinfo=UTC)


def test_hours_spanning_the_spring_gap_step_through_real_time():
    sunday = date(2026, 3, 8)
    night = [HoursBlock(6, time(1), time(4), 1, "America/New_York")]  # 1:00-4:00 local is only 2 real hours
    starts = local_starts(open_slots([ClinicianCalendar(1, night)], THIRTY, LONG_AGO, sunday, sunday))
    assert "02:00" not in starts and "02:30" not in starts
    assert starts[0] == "01:00" and starts[-1] == "03:30"
    assert len(starts) == 7


def test_many_clinicians_and_first_available_picks_one_per_time():
    day = date(2026, 3, 2)
    busy_one = ClinicianCalendar(1, MON_TO_FRI_9_TO_5, busy=[(at(day, 9), at(day, 12))])
    free_two = ClinicianCalendar(2, MON_TO_FRI_9_TO_5)
    slots = open_slots([busy_one, free_two], THIRTY, LONG_AGO, day, day)
    assert {s.clinician_id for s in slots if s.start == at(day, 9)} == {2}
    assert {s.clinician_id for s in slots if s.start == at(day, 14)} == {1, 2}
    picked = first_available(slots)
    assert len(picked) == len({s.start for s in slots})
    assert [s.clinician_id for s in picked if s.start == at(day, 14)] == [1]


def test_a_clinician_in_another_time_zone_gets_their_own_local_hours():
    day = date(2026, 3, 2)
    denver = ClinicianCalendar(3, [HoursBlock(0, time(9), time(10), 9, "America/Denver")])
    slots = open_slots([denver], THIRTY, LONG_AGO, day, day)
    assert slots[0].start == datetime(2026, 3, 2, 16, 0, tzinfo=UTC)
