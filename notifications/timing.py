"""When messages go out: reminder offsets, quiet hours and retry backoff. Pure functions, no Django.

Offsets are wall-clock days plus real hours: "48h" before a Monday 10:00 visit is Saturday 10:00 on the
clinic's clock even when a daylight-saving change falls in between; "2h" is two real hours.
"""

import re
from dataclasses import dataclass
from datetime import UTC, datetime, time, timedelta, tzinfo

_OFFSET = re.compile(r"^\s*(?:(?P<channel>[a-z]+)\s*:)?\s*(?P<amount>\d+)\s*(?P<unit>[dhm])\s*$")
_UNITS = {"d": timedelta(days=1), "h": timedelta(hours=1), "m": timedelta(minutes=1)}


@dataclass(frozen=True)
class Offset:
    """A time before the visit, e.g. email 48 hours before ("48h")."""

    channel: str
    delta: timedelta
    label: str


def parse_offsets(text, *, default_channel="email"):
    """Parse "email:48h,sms:2h" (units d, h, m) into Offsets; raise ValueError on a malformed item."""
    offsets = []
    for item in (text or "").split(","):
        if not item.strip():
            continue
        match = _OFFSET.match(item.lower())
        if not match:
            raise ValueError(f"Cannot read the reminder offset {item.strip()!r}; write e.g. email:48h or sms:2h.")
        amount, unit = int(match["amount"]), match["unit"]
        offsets.append(Offset(match["channel"] or default_channel, amount * _UNITS[unit], f"{amount}{unit}"))
    return offsets


def localize(wall: datetime, tz: tzinfo) -> datetime:
    """An aware datetime for a wall-clock time; a time skipped by spring-forward moves on by the gap,
    a time repeated at fall-back means its first occurrence."""
    return wall.replace(tzinfo=tz, fold=0).astimezone(UTC)


def due_before(start: datetime, delta: timedelta, tz: tzinfo) -> datetime:
    """The UTC instant `delta` before `start`: whole days on the local clock, the rest in real time."""
    days, rest = divmod(delta, timedelta(days=1))
    wall = start.astimezone(tz).replace(tzinfo=None) - timedelta(days=days)
    return localize(wall, tz) - rest


def parse_quiet_hours(text):
    """ "21-08" -> (21, 8); "" or "off" -> None."""
    text = (text or "").strip().lower()
    if text in ("", "off", "none"):
        return None
    first, _, last = text.partition("-")
    begin, end = int(first), int(last)
    if not (0 <= begin <= 23 and 0 <= end <= 23):
        raise ValueError(f"Quiet hours {text!r} must be two hours 0-23, e.g. 21-08.")
    return begin, end


def in_quiet_hours(instant: datetime, tz: tzinfo, quiet) -> bool:
    if not quiet:
        return False
    begin, end = quiet
    hour_of_day = instant.astimezone(tz).time()
    if begin > end:  # spans midnight
        return hour_of_day >= time(begin) or hour_of_day < time(end)
    return time(begin) <= hour_of_day < time(end)


def quiet_hours_end(instant: datetime, tz: tzinfo, quiet) -> datetime:
    """The first moment after `instant` when quiet hours are over (UTC)."""
    begin, end = quiet
    local = instant.astimezone(tz)
    day = local.date() if local.time() < time(end) else local.date() + timedelta(days=1)
    return localize(datetime.combine(day, time(end)), tz)


def outside_quiet_hours(due: datetime, *, visit_start: datetime | None, tz: tzinfo, quiet) -> datetime:
    """Move a text message due in quiet hours to when they end, unless the visit comes sooner than that."""
    if not in_quiet_hours(due, tz, quiet):
        return due
    wake = quiet_hours_end(due, tz, quiet)
    if visit_start is not None and wake >= visit_start:
        return due
    return wake


def retry_delay(attempt: int, base: float, cap: float = 3600.0) -> timedelta:
    """Exponential backoff after the `attempt`-th failed try: base, 2 x base, 4 x base... capped."""
    return timedelta(seconds=min(cap, base * 2 ** max(0, attempt - 1)))
