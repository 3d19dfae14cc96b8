"""Where things sit on the calendar grid, from plain data (no database access here).

Times are minutes since local midnight of a column's day. Rows are fixed steps (15 minutes) from the
earliest working hour to the latest, widened to whole hours and to every appointment shown; a day
with no working hours at all shows the default 7:00-19:00. Overlapping blocks in one column share
its width in lanes. Working hours are one block per span (the grid lines are CSS); the free time of a
column, in working hours and not under a visit, is a short list of spans (booked by keyboard or screen
reader; a click books at the position clicked, static/js/calendar.js).
"""

import functools
import re
from dataclasses import dataclass, field

DEFAULT_RANGE = (7 * 60, 19 * 60)


@dataclass
class Column:
    key: object
    label: str
    sublabel: str = ""
    day: object = None
    working: list | None = None  # [(start, end)] minutes; None: no working hours apply (rooms)
    closed: str = ""  # why the whole column is closed, e.g. a public holiday
    payload: dict = field(default_factory=dict)
    book_query: str = ""  # who the booking panel is opened for, e.g. "clinician=3"
    where: str = ""  # the same in words, e.g. "with Sam Rivera"
    index: int = 0  # CSS grid column
    work: list = field(default_factory=list)  # Spans of working hours, each one block on the grid
    free: list = field(default_factory=list)  # Spans of free working time, for the list of free times
    narrow: bool = False  # nobody works and nothing is booked: drawn slim
    lanes: int = 1  # the most blocks side by side: a crowded column is drawn wider
    warning: str = ""  # something staff must fix, e.g. a clinician with no working hours


@dataclass
class Item:
    column_key: object
    start: int
    end: int
    payload: object = None
    fixed_lane: tuple | None = None  # (lane, lanes) instead of packing overlaps
    row: int = 0  # CSS grid row
    span: int = 1
    col: int = 0
    lane: int = 0
    lanes: int = 1


@dataclass(frozen=True)
class Span:
    row: int  # CSS grid row of its start
    span: int  # rows
    start: int  # minutes
    end: int

    @property
    def start_label(self):
        return clock(self.start)

    @property
    def end_label(self):
        return clock(self.end)

    @property
    def hhmm(self):
        return hhmm(self.start)


@dataclass(frozen=True)
class Row:
    row: int
    minute: int
    is_hour: bool


@dataclass
class Layout:
    columns: list
    items: list
    rows: list
    first_minute: int
    last_minute: int
    step: int

    def row_for(self, minute):
        if minute is None or not self.first_minute <= minute < self.last_minute:
            return None
        return (minute - self.first_minute) // self.step + 2


def _range(columns, items, default, hint=()):
    spans = [span for c in columns for span in (c.working or []) if not c.closed] + list(hint)
    lo, hi = (min(s for s, _ in spans), max(e for _, e in spans)) if spans else default
    for item in items:
        lo, hi = min(lo, item.start), max(hi, item.end)
    lo = max(0, lo - lo % 60)
    hi = min(24 * 60, hi + (-hi) % 60)
    return lo, max(hi, lo + 60)


def _pack(items):
    """Give overlapping items side-by-side lanes; each cluster of overlaps shares one lane count."""
    cluster, cluster_end, lane_ends = [], -1, []

    def close():
        for it in cluster:
            it.lanes = len(lane_ends)

    for item in sorted(items, key=lambda i: (i.start, i.end)):
        if cluster and item.start >= cluster_end:
            close()
            cluster, lane_ends = [], []
        for lane, end in enumerate(lane_ends):
            if end <= item.start:
                lane_ends[lane] = item.end
                break
        else:
            lane = len(lane_ends)
            lane_ends.append(item.end)
        item.lane = lane
        cluster.append(item)
        cluster_end = max(cluster_end, item.end)
    if cluster:
        close()


def _runs(rows, step, lo):
    """Consecutive grid rows as Spans."""
    out, run = [], []
    for row in sorted(rows):
        if run and row != run[-1] + 1:
            out.append(run)
            run = []
        run.append(row)
    if run:
        out.append(run)
    return [Span(r[0], len(r), lo + (r[0] - 2) * step, lo + (r[-1] - 1) * step) for r in out]


def layout(columns, items, *, step=15, default=DEFAULT_RANGE, hours=True, hint=()):
    """Place columns, rows and blocks, and (with `hours`) each column's working and free spans; returns a
    Layout with CSS grid positions.

    `hint`: working spans that set the rows' range without shading any column (the room view).
    """
    lo, hi = _range(columns, items, default, hint)
    rows = [Row(i + 2, m, m % 60 == 0) for i, m in enumerate(range(lo, hi, step))]
    by_key = {}
    for number, column in enumerate(columns):
        column.index = number + 2
        by_key[column.key] = column
    shown = [i for i in items if i.column_key in by_key]
    covered = {key: set() for key in by_key}
    for item in shown:
        first = (max(item.start, lo) - lo) // step
        last = -(-(min(item.end, hi) - lo) // step)
        item.row, item.span, item.col = first + 2, max(1, last - first), by_key[item.column_key].index
        covered[item.column_key].update(range(item.row, item.row + item.span))
        if item.fixed_lane:
            item.lane, item.lanes = item.fixed_lane
    for key, column in by_key.items():
        _pack([i for i in shown if i.column_key == key and not i.fixed_lane])
        column.narrow = column.working is not None and not column.working and not covered[key]
        column.lanes = max([i.lanes for i in shown if i.column_key == key and not i.fixed_lane] or [1])
    if hours:
        all_rows = {r.row for r in rows}
        for column in columns:
            if column.closed:
                continue
            if column.working is None:  # a room: open whenever anyone works
                working = all_rows
            else:
                working = {r.row for r in rows if any(s <= r.minute < e for s, e in column.working)}
                column.work = _runs(working, step, lo)
            column.free = _runs(working - covered[column.key], step, lo)
    return Layout(columns, shown, rows, lo, hi, step)


def subtract(spans, holes):
    """Minute spans minus holes (time off), e.g. [(540, 1020)] - [(720, 780)] = [(540, 720), (780, 1020)]."""
    out = list(spans)
    for h0, h1 in holes:
        nxt = []
        for s, e in out:
            if h1 <= s or h0 >= e:
                nxt.append((s, e))
                continue
            if s < h0:
                nxt.append((s, h0))
            if h1 < e:
                nxt.append((h1, e))
        out = nxt
    return out


def hhmm(minute):
    """'09:30' for 570, as a booking link's start time."""
    return f"{minute // 60:02d}:{minute % 60:02d}"


def clock(minute):
    """'9:30 AM' for 570."""
    hour, mins = divmod(minute % (24 * 60), 60)
    return f"{(hour % 12) or 12}:{mins:02d} {'AM' if hour < 12 else 'PM'}"


# Visit type and location colours are typed by admins; only plain CSS colours reach a style attribute.
CSS_COLOR = r"^(#[0-9a-fA-F]{3,8}|[a-zA-Z]{3,20}|(rgb|hsl)a?\([0-9.,%\s]+\))$"
_COLOR = re.compile(CSS_COLOR)
FALLBACK_COLOR = "#6c757d"


@functools.lru_cache(maxsize=256)  # a few visit types, each on hundreds of blocks
def visit_type_color(value):
    value = (value or "").strip()
    return value if _COLOR.match(value) else FALLBACK_COLOR


# Locations' colours when an admin has not chosen one: far from the visit types' defaults.
LOCATION_PALETTE = ["#6f42c1", "#d63384", "#0d6efd", "#fd7e14", "#198754", "#6610f2"]


def location_colors(chosen):
    """Each location's colour: its own when it is a plain CSS colour, else the next palette colour no other
    location has chosen. `chosen`: the typed colours, in the locations' order."""
    taken = {c.strip().lower() for c in chosen if _COLOR.match((c or "").strip())}
    spare = [c for c in LOCATION_PALETTE if c not in taken] or LOCATION_PALETTE
    out, n = [], 0
    for value in chosen:
        value = (value or "").strip()
        if _COLOR.match(value):
            out.append(value)
        else:
            out.append(spare[n % len(spare)])
            n += 1
    return out


_TAG_UNSAFE = re.compile(r"[^\w .&'-]+")


def location_tag(name):
    """A location's name as a CSS string (the block's tag is drawn by the stylesheet from it): no quotes,
    backslashes or anything else that could end the string."""
    return _TAG_UNSAFE.sub("", name).replace("'", "\u2019")[:24].strip()


def visit_block(item, visit, start, end, status_label, where=None):
    """What a visit's block on the grid shows, as text for the template to escape and place. A dict of strings:
    the template finds each value at its first try, and formats no numbers (a busy week has 1,700 blocks).
    `start`, `end`: local times. `where`: the visit's location (colour and tag) when the clinic has several."""
    start_label, end_label = clock(start.hour * 60 + start.minute), clock(end.hour * 60 + end.minute)
    clinician, intake, red_flag = visit.clinician_name, visit.intake_label, visit.red_flag_count
    return {
        "pk": str(visit.pk), "status": visit.status, "status_label": status_label,
        "place": f"grid-row: {item.row} / span {item.span}; grid-column: {item.col}; "
                 f"--lane: {item.lane}; --lanes: {item.lanes}"
                 + (f'; --loc: {where.color}; --loc-tag: "{where.tag}"' if where else ""),
        "color": visit_type_color(visit.visit_type_color),
        "start": start_label,
        "hour": start_label[:-3], "meridiem": start_label[-2:],
        "name": visit.patient_display_name, "last_name": visit.patient_last_name, "visit": visit.visit_type_name,
        "clinician_last_name": visit.clinician_last_name,
        # "Intake 3 of 7", "Intake done" (drawn calm), or "" when the visit needs no form or is past.
        "intake": intake, "intake_class": "cal-done" if visit.intake_completed_at is not None else "cal-flag",
        "red_flag": red_flag, "tele": visit.is_telehealth,
        # Whole sentences, each one value for the template (a block has many; each costs a few microseconds).
        "title": f"{start_label}–{end_label} {visit.patient_full_name} · {visit.visit_type_name} · {clinician} · "
                 f"{status_label}{f' · {intake}' if intake else ''}{' · RED FLAG' if red_flag else ''}",
        "spoken": f"{visit.visit_type_name}, {clinician}, {status_label}{f', {intake}' if intake else ''}",
    }
