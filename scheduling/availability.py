"""Open appointment slots, computed from plain data (no database access here).

All instants are aware UTC datetimes. Working hours are wall-clock times in a location's time zone;
each day's block is turned into UTC through zoneinfo, so a block keeps its local hours across
daylight-saving changes, and candidate starts step through real elapsed time on a grid anchored
at the block's local start.
"""

from bisect import bisect_right
from dataclasses import dataclass, field
from datetime import UTC, date, datetime, time, timedelta
from zoneinfo import ZoneInfo


@dataclass(frozen=True)
class HoursBlock:
    weekday: int  # Monday = 0
    start: time
    end: time
    location_id: int
    time_zone: str
    effective_from: date | None = None
    effective_until: date | None = None

    def applies_on(self, day: date) -> bool:
        return (
            day.weekday() == self.weekday
            and (self.effective_from is None or day >= self.effective_from)
            and (self.effective_until is None or day <= self.effective_until)
        )


@dataclass
class ClinicianCalendar:
    clinician_id: int
    hours: list[HoursBlock]
    busy: list[tuple[datetime, datetime]] = field(default_factory=list)  # appointments (with buffers) and time off


@dataclass(frozen=True)
class VisitShape:
    duration: timedelta
    buffer_before: timedelta = timedelta(0)
    buffer_after: timedelta = timedelta(0)


@dataclass(frozen=True)
class Rules:
    now: datetime
    min_notice: timedelta = timedelta(hours=12)
    horizon: timedelta = timedelta(days=90)
    grid: timedelta = timedelta(minutes=15)


@dataclass(frozen=True, order=True)
class Slot:
    start: datetime
    clinician_id: int
    location_id: int
    end: datetime


class _Busy:
    """Sorted, merged busy intervals with a fast overlap test."""

    def __init__(self, intervals):
        merged = []
        for start, end in sorted(intervals):
            if merged and start <= merged[-1][1]:
                if end > merged[-1][1]:
                    merged[-1][1] = end
            else:
                merged.append([start, end])
        self.starts = [s for s, _ in merged]
        self.ends = [e for _, e in merged]

    def overlaps(self, start, end):
        # The first busy interval ending after `start` is the only one that can overlap [start, end).
        i = bisect_right(self.ends, start)
        return i < len(self.starts) and self.starts[i] < end


def _days(start: date, end: date):
    day = start
    while day <= end:
        yield day
        day += timedelta(days=1)


def open_slots(
    calendars: list[ClinicianCalendar],
    visit: VisitShape,
    rules: Rules,
    first_day: date,
    last_day: date,
    closures: set[tuple[date, int | None]] = frozenset(),
) -> list[Slot]:
    """Every bookable slot for the visit, for each clinician, between two local dates inclusive."""
    earliest = rules.now + rules.min_notice
    latest = rules.now + rules.horizon
    closed_everywhere = {d for d, loc in closures if loc is None}
    closed_at = {(d, loc) for d, loc in closures if loc is not None}
    slots = []
    for calendar in calendars:
        busy = _Busy(calendar.busy)
        for day in _days(first_day, last_day):
            if day in closed_everywhere:
                continue
            for block in calendar.hours:
                if not block.applies_on(day) or (day, block.location_id) in closed_at:
                    continue
                tz = ZoneInfo(block.time_zone)
                block_start = datetime.combine(day, block.start, tzinfo=tz).astimezone(UTC)
                block_end = datetime.combine(day, block.end, tzinfo=tz).astimezone(UTC)
                start = block_start
                while start + visit.duration <= block_end:
                    end = start + visit.duration
                    if start >= earliest and start <= latest and not busy.overlaps(
                        start - visit.buffer_before, end + visit.buffer_after
                    ):
                        slots.append(Slot(start, calendar.clinician_id, block.location_id, end))
                    start += rules.grid
    slots.sort()
    return slots


def first_available(slots: list[Slot]) -> list[Slot]:
    """One slot per start time across clinicians: the first clinician free at that time."""
    seen = set()
    picked = []
    for slot in sorted(slots):
        if slot.start not in seen:
            seen.add(slot.start)
            picked.append(slot)
    return picked
