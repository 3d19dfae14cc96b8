import hashlib
from dataclasses import dataclass
from datetime import UTC, datetime, time, timedelta
from zoneinfo import ZoneInfo

from django.conf import settings
from django.core.cache import cache
from django.db.models import Count, Exists, OuterRef, Prefetch, Q, Subquery, Value
from django.db.models.functions import Coalesce
from django.utils import timezone

from patients.models import patient_display_name

from . import availability, calendar_setup, intake_progress
from .models import (
    Appointment,
    Clinician,
    ClinicSettings,
    Closure,
    Location,
    Modality,
    Room,
    TimeOff,
    VisitType,
    WaitlistEntry,
    WorkingHours,
    clinician_display_name,
    intake_missing,
)


def clinic_tz():
    return ZoneInfo(settings.TIME_ZONE)


def visits_in_care(user, patient_ref):
    """patients.care source: a visit with `user` that a member of staff other than `user` vouched for."""
    visits = Appointment.objects.filter(
        patient_id=patient_ref, clinician__user=user, status__in=Appointment.IN_CARE, vouched_by__isnull=False
    ).exclude(vouched_by=user)
    return Exists(visits)


def day_bounds(first_day, last_day, tz=None):
    """UTC instants covering local days first_day..last_day, with a day's margin for other time zones."""
    tz = tz or clinic_tz()
    start = datetime.combine(first_day, time.min, tzinfo=tz).astimezone(UTC) - timedelta(days=1)
    end = datetime.combine(last_day + timedelta(days=1), time.min, tzinfo=tz).astimezone(UTC) + timedelta(days=1)
    return start, end


def rooms_fitting(visit_type):
    """Active rooms with every piece of equipment `visit_type` needs (all rooms when it needs none)."""
    has = Room.equipment.through.objects.filter(room_id=OuterRef(OuterRef("pk")), equipment_id=OuterRef("equipment_id"))
    lacking = VisitType.equipment_needed.through.objects.filter(visittype_id=visit_type.pk).filter(~Exists(has))
    return Room.objects.filter(is_active=True).filter(~Exists(lacking))


def equipped_for(visit_type, location_ref):
    """A condition on a location: the visit needs no equipment, or a room there has all it needs."""
    needs_any = VisitType.equipment_needed.through.objects.filter(visittype_id=visit_type.pk)
    return ~Exists(needs_any) | Exists(rooms_fitting(visit_type).filter(location=location_ref))


def bookable_clinicians(visit_type, *, clinician_ids=None, location_id=None, modality=None):
    clinicians = Clinician.objects.filter(is_active=True, visit_types=visit_type)
    if clinician_ids:
        clinicians = clinicians.filter(pk__in=clinician_ids)
    if location_id and modality != Modality.TELEHEALTH:
        clinicians = clinicians.filter(locations=location_id)
    # Each join matches one visit type and at most one location, so no clinician comes twice (no DISTINCT).
    return clinicians.select_related("user")


def open_slots(
    visit_type, first_day, last_day, *, clinician_ids=None, location_id=None, modality=None, now=None, exclude=None,
    min_notice=None, clinicians=None, horizon=None,
):
    """Free slots for a visit type over local days, fetched in a few queries and computed in memory.

    `exclude` is an appointment being moved: its own time does not count as busy. `min_notice`, `horizon`: instead
    of the online booking rules (staff book today and up to two years ahead). `clinicians`: the Clinician
    rows already loaded (a booking has its one): no query for them, and whether each offers this visit type
    there is asked with the hours instead (one who does not has no hours, so no slots).
    """
    rules = ClinicSettings.load()
    if clinicians is None:
        clinicians = list(
            bookable_clinicians(visit_type, clinician_ids=clinician_ids, location_id=location_id, modality=modality)
        )
        offers = Q()
    else:
        clinicians = [c for c in clinicians if c.is_active]
        offers = Q(clinician__visit_types=visit_type)
        if location_id and modality != Modality.TELEHEALTH:
            offers &= Q(clinician__locations=location_id)
    if not clinicians:
        return [], {}
    ids = [c.pk for c in clinicians]
    start, end = day_bounds(first_day, last_day)
    hours = WorkingHours.objects.filter(offers, clinician__in=ids).filter(
        Q(effective_until__isnull=True) | Q(effective_until__gte=first_day), effective_from__lte=last_day
    ).order_by()  # the engine sorts the slots; ordering by clinician would join clinicians and users
    if location_id and modality != Modality.TELEHEALTH:
        hours = hours.filter(location=location_id)
    if modality == Modality.IN_OFFICE or visit_type.modality == VisitType.Offered.IN_OFFICE:
        hours = hours.filter(equipped_for(visit_type, OuterRef("location_id")))  # no gait analysis without a treadmill
    busy = Appointment.objects.filter(
        clinician__in=ids,
        status__in=Appointment.OCCUPYING,
        busy_start_at__gte=start - Appointment.LONGEST_SPAN,  # lets the index stop at the window
        busy_start_at__lt=end,
        busy_end_at__gt=start,
    )
    if exclude is not None:
        busy = busy.exclude(pk=exclude.pk)
    off = TimeOff.objects.filter(clinician__in=ids, start_at__lt=end, end_at__gt=start)
    closures = Closure.objects.filter(date__range=(first_day, last_day))

    calendars = {c.pk: availability.ClinicianCalendar(c.pk, []) for c in clinicians}
    for clinician_id, *block in hours.values_list(
        "clinician_id", "weekday", "start_time", "end_time", "location_id", "location__time_zone", "effective_from",
        "effective_until",
    ):
        calendars[clinician_id].hours.append(availability.HoursBlock(*block))
    # Visits and time off are both busy time: one round trip for the two.
    busy_and_off = busy.order_by().values_list("clinician_id", "busy_start_at", "busy_end_at").union(
        off.order_by().values_list("clinician_id", "start_at", "end_at"), all=True
    )
    for clinician_id, s, e in busy_and_off:
        calendars[clinician_id].busy.append((s, e))

    slots = availability.open_slots(
        list(calendars.values()),
        availability.VisitShape(
            timedelta(minutes=visit_type.duration_minutes),
            timedelta(minutes=visit_type.buffer_before_minutes),
            timedelta(minutes=visit_type.buffer_after_minutes),
        ),
        availability.Rules(
            now=now or timezone.now(),
            min_notice=timedelta(hours=rules.min_notice_hours) if min_notice is None else min_notice,
            horizon=timedelta(days=rules.booking_horizon_days) if horizon is None else horizon,
            grid=timedelta(minutes=rules.slot_grid_minutes),
        ),
        first_day,
        last_day,
        {(c.date, c.location_id) for c in closures},
    )
    return slots, {c.pk: c for c in clinicians}


def working_location(*, clinician_id, start):
    """The location where the clinician's working hours put them at `start` (an aware instant), or None when they
    do not work then. Hours are in their location's local time; one query."""
    blocks = WorkingHours.objects.filter(clinician_id=clinician_id).filter(
        Q(effective_until__isnull=True) | Q(effective_until__gte=start.date() - timedelta(days=1))
    ).values_list("location_id", "location__time_zone", "weekday", "start_time", "end_time", "effective_from",
                  "effective_until")
    for location_id, zone, weekday, opens, closes, effective_from, effective_until in blocks:
        local = start.astimezone(ZoneInfo(zone))
        day = local.date()
        if (local.weekday() == weekday and opens <= local.time() < closes and effective_from <= day
                and (effective_until is None or day <= effective_until)):
            return location_id
    return None


def booking_location(*, room_id=None, clinician_id=None, start=None):
    """Where a visit booked from a free cell takes place: the room's location (a room column), else where the
    clinician's hours put them at `start`, else the clinician's only location; None when none of these says."""
    if room_id:
        at = Room.objects.filter(pk=room_id, is_active=True).values_list("location_id", flat=True).first()
        if at:
            return at
    if not clinician_id:
        return None
    if start is not None:
        at_work = working_location(clinician_id=clinician_id, start=start)
        if at_work:
            return at_work
    places = list(Clinician.locations.through.objects.filter(clinician_id=clinician_id)
                  .values_list("location_id", flat=True)[:2])
    return places[0] if len(places) == 1 else None


def online_visit_types():
    return VisitType.objects.filter(is_active=True, bookable_online=True)


# Intake's red-flag alerts on a visit, counted by relation name (scheduling does not import intake).
RED_FLAG_COUNT = {"red_flag_count": Count("red_flag_alerts")}


@dataclass(frozen=True, slots=True)
class CalendarVisit:
    """What one block on the calendar shows. A busy week holds about 1,700 visits: plain rows are
    several times quicker to load than five model instances per visit."""

    pk: int
    status: str
    start_at: datetime
    end_at: datetime
    updated_at: datetime
    modality: str
    intake_completed_at: datetime | None
    needs_intake: bool
    intake_steps_saved: int
    red_flag_count: int
    clinician_id: int
    room_id: int | None
    location_id: int | None
    patient_first_name: str
    patient_last_name: str
    patient_preferred_name: str
    visit_type_name: str
    visit_type_color: str
    clinician_first_name: str
    clinician_last_name: str
    clinician_email: str
    clinician_credentials: str

    COLUMNS = {  # field: the lookup that fills it
        "pk": "pk", "status": "status", "start_at": "start_at", "end_at": "end_at", "updated_at": "updated_at",
        "modality": "modality",
        "intake_completed_at": "intake_completed_at", "needs_intake": "visit_type__needs_intake",
        "intake_steps_saved": "intake_steps_saved", "red_flag_count": "red_flag_count", "clinician_id": "clinician_id",
        "room_id": "room_id", "location_id": "location_id",
        "patient_first_name": "patient__first_name", "patient_last_name": "patient__last_name",
        "patient_preferred_name": "patient__preferred_name", "visit_type_name": "visit_type__name",
        "visit_type_color": "visit_type__color", "clinician_first_name": "clinician__user__first_name",
        "clinician_last_name": "clinician__user__last_name", "clinician_email": "clinician__user__email",
        "clinician_credentials": "clinician__credentials",
    }

    @classmethod
    def from_rows(cls, rows):
        """From rows of COLUMNS values (`grid_visits`)."""
        return [cls(**dict(zip(cls.COLUMNS, row, strict=True))) for row in rows]

    @property
    def status_label(self):
        return Appointment.Status(self.status).label

    @property
    def is_telehealth(self):
        return self.modality == Modality.TELEHEALTH

    @property
    def intake_missing(self):
        return intake_missing(self.needs_intake, self.intake_completed_at, self.status)

    @property
    def intake_label(self):
        return intake_progress.label(needs_intake=self.needs_intake, completed=self.intake_completed_at is not None,
                                     steps_saved=self.intake_steps_saved, upcoming=self.status in Appointment.MOVABLE)

    @property
    def patient_full_name(self):
        return f"{self.patient_first_name} {self.patient_last_name}"

    @property
    def patient_display_name(self):
        return patient_display_name(self.patient_first_name, self.patient_preferred_name, self.patient_last_name)

    @property
    def clinician_name(self):
        name = f"{self.clinician_first_name} {self.clinician_last_name}".strip() or self.clinician_email
        return clinician_display_name(name, self.clinician_credentials)


def calendar_appointments(start, end, *, clinician_ids=None):
    """Appointments shown on the front-desk calendar between two instants, with all they display."""
    appointments = (
        Appointment.objects.filter(
            start_at__gte=start - Appointment.LONGEST_SPAN,  # bounds the index range; history is never scanned
            start_at__lt=end,
            end_at__gt=start,
        )
        .select_related("patient", "visit_type", "clinician__user", "location", "room")
        .annotate(**RED_FLAG_COUNT, intake_steps_saved=intake_progress.steps_saved())
    )
    if clinician_ids:
        appointments = appointments.filter(clinician__in=clinician_ids)
    return appointments.order_by("start_at")


def active_clinicians():
    return Clinician.objects.filter(is_active=True).select_related("user").prefetch_related(
        Prefetch("locations"), Prefetch("visit_types")
    )


def pending_requests():
    return Appointment.objects.filter(status=Appointment.Status.REQUESTED, start_at__gte=timezone.now()).select_related(
        "patient", "visit_type", "clinician__user", "location"
    )


def waitlist_matches(appointment):
    """Patients waiting for a slot like this one (same visit type, this clinician or any, date in window)."""
    day = timezone.localtime(appointment.start_at, appointment.local_tz).date()
    return (
        WaitlistEntry.objects.filter(
            status=WaitlistEntry.Status.WAITING,
            visit_type=appointment.visit_type_id,
            earliest_date__lte=day,
            latest_date__gte=day,
        )
        .filter(Q(clinician__isnull=True) | Q(clinician=appointment.clinician_id))
        .select_related("patient", "clinician__user", "visit_type")
    )


def _local_minutes(instant, day, tz):
    """Minutes from local midnight of `day` to `instant` on the wall clock, clamped to the day."""
    wall = instant.astimezone(tz).replace(tzinfo=None) - datetime.combine(day, time.min)
    return max(0, min(24 * 60, int(wall.total_seconds() // 60)))


def calendar_window(days):
    tz = clinic_tz()
    return (datetime.combine(days[0], time.min, tzinfo=tz),
            datetime.combine(days[-1] + timedelta(days=1), time.min, tzinfo=tz))


@dataclass(frozen=True, slots=True)
class CalendarLocation:
    """A location as the calendar's filter, legend and visit blocks show it."""

    pk: int
    name: str
    color: str  # a plain CSS colour (calendar_layout.location_colors)
    tag: str  # the name as the blocks' CSS string


def active_locations():
    """The active locations with their calendar colours, from the cache: every calendar page and refresh asks,
    and they change only in the staff admin, whose saves forget the list (Location.save)."""
    from . import calendar_layout as cl
    from .models import Location

    found = cache.get(Location.CACHE_KEY)
    if found is None:
        rows = list(Location.objects.filter(is_active=True).order_by("name", "pk").values_list("pk", "name", "color"))
        colors = cl.location_colors([color for _, _, color in rows])
        found = [CalendarLocation(pk, name, color, cl.location_tag(name))
                 for (pk, name, _), color in zip(rows, colors, strict=True)]
        cache.set(Location.CACHE_KEY, found, 60)
    return found


def active_calendar_clinicians():
    """Active clinicians with `has_hours`: whether any working hours apply today or later (without, they are
    never bookable, and the calendar says so above their column)."""
    current = WorkingHours.objects.filter(clinician=OuterRef("pk")).filter(
        Q(effective_until__isnull=True) | Q(effective_until__gte=timezone.localdate()))
    return list(Clinician.objects.filter(is_active=True).select_related("user").annotate(has_hours=Exists(current)))


def _grid_appointments(days, clinician_id=None, show_cancelled=False, location_id=None):
    start, end = calendar_window(days)
    appointments = calendar_appointments(start, end, clinician_ids=[clinician_id] if clinician_id else None)
    if not show_cancelled:
        appointments = appointments.exclude(status=Appointment.Status.CANCELLED)
    if location_id:
        appointments = appointments.filter(Q(location_id=location_id) | Q(location__isnull=True))
    return appointments


def grid_visits(days, clinician_id=None, show_cancelled=False, location_id=None):
    """The visits a calendar grid draws (a query of CalendarVisit rows). With `location_id`: the visits there, and
    the video visits, which take their clinician's time wherever the clinician is."""
    return _grid_appointments(days, clinician_id, show_cancelled, location_id).values_list(
        *CalendarVisit.COLUMNS.values())


# What of a visit the calendar shows can change: any save (status, time, clinician, intake submitted) moves
# `updated_at`; a patient saving an intake step changes the steps counted; an alert adds a red flag.
VERSION_FIELDS = ("pk", "updated_at", "intake_steps_saved", "red_flag_count")


def calendar_fingerprint(visits, requests=(), setup=None):
    """A short fingerprint of what a calendar shows: `visits` as VERSION_FIELDS tuples, `requests` (the online
    requests waiting, listed above the grid) as (pk, updated_at), `setup` the hours, rooms and names around them
    (calendar_setup.current). Equal fingerprints, same calendar."""
    digest = hashlib.blake2b(digest_size=8)
    digest.update(f"s{calendar_setup.current() if setup is None else setup};".encode())
    for row in sorted(visits):
        digest.update(f"v{row[0]}|{row[1].timestamp():.6f}|{row[2]}|{row[3]};".encode())
    for pk, updated_at in sorted(requests):
        digest.update(f"r{pk}|{updated_at.timestamp():.6f};".encode())
    return digest.hexdigest()


def calendar_version(days, *, clinician_id=None, show_cancelled=False, location_id=None, with_requests=False):
    """The fingerprint of a calendar as it would be drawn now (the page polls it to know when to redraw): the
    same visits as `grid_visits`, and the waiting requests for those who see them; one or two small queries."""
    visits = _grid_appointments(days, clinician_id, show_cancelled, location_id).values_list(*VERSION_FIELDS)
    requests = pending_requests().values_list("pk", "updated_at") if with_requests else ()
    return calendar_fingerprint(list(visits), list(requests))


def calendar_grid(*, days, by="clinician", clinician_id=None, show_cancelled=False, clinicians=None, location_id=None,
                  locations=None):
    """The staff calendar for local days as grid data (columns, rows, visit blocks, working and free time), in a
    fixed few queries.

    `clinicians`: the active clinicians (with their users) when the caller has them already; `locations`: the
    active locations (`active_locations`), whose colours mark the visits when there are several.
    `location_id`: one location's calendar: its visits (and video visits), the working hours there, the
    clinicians who work there those days or have visits there, its rooms.

    One day: a column per clinician (or per room with by="room"). Several days: a column per day, for one
    clinician (with working and free time) or for everyone compactly (a lane per clinician, no free time).
    """
    from collections import defaultdict

    from . import calendar_layout as cl
    from .models import Room

    tz = clinic_tz()
    first, last = days[0], days[-1]
    start, end = calendar_window(days)
    clinicians = active_calendar_clinicians() if clinicians is None else list(clinicians)
    if clinician_id:
        clinicians = [c for c in clinicians if c.pk == clinician_id]
    appointments = CalendarVisit.from_rows(grid_visits(days, clinician_id, show_cancelled, location_id))
    version_rows = [(a.pk, a.updated_at, a.intake_steps_saved, a.red_flag_count) for a in appointments]
    known = {c.pk for c in clinicians}
    missing = {a.clinician_id for a in appointments if a.location_id or not location_id} - known
    if missing:  # an inactive clinician's remaining visits still get a column
        clinicians += list(Clinician.objects.filter(pk__in=missing).select_related("user"))
    ids = [c.pk for c in clinicians]
    hours = WorkingHours.objects.filter(clinician__in=ids, effective_from__lte=last).filter(
        Q(effective_until__isnull=True) | Q(effective_until__gte=first)
    ).order_by("clinician_id", "weekday", "start_time").values_list(  # plain rows, no clinician join
        "clinician_id", "location_id", "location__time_zone", "weekday", "start_time", "end_time", "effective_from",
        "effective_until", named=True,
    )
    if location_id:
        hours = hours.filter(location_id=location_id)
    closures = list(Closure.objects.filter(date__range=(first, last)))
    working, holes = defaultdict(list), defaultdict(list)
    for block in hours:
        block_tz = ZoneInfo(block.location__time_zone)
        for day in days:
            applies = block.weekday == day.weekday() and block.effective_from <= day and (
                block.effective_until is None or day <= block.effective_until
            )
            if applies and not any(c.date == day and c.location_id in (None, block.location_id) for c in closures):
                working[(block.clinician_id, day)].append((
                    _local_minutes(datetime.combine(day, block.start_time, tzinfo=block_tz), day, tz),
                    _local_minutes(datetime.combine(day, block.end_time, tzinfo=block_tz), day, tz),
                ))
    for clinician_id_, s, e in TimeOff.objects.filter(
        clinician__in=ids, start_at__lt=end, end_at__gt=start
    ).values_list("clinician_id", "start_at", "end_at"):
        for day in days:
            holes[(clinician_id_, day)].append((_local_minutes(s, day, tz), _local_minutes(e, day, tz)))
    closed_all = {c.date: c.name for c in closures if c.location_id is None}
    if location_id and not clinician_id:  # who is at this location: working there these days, or seeing someone
        there = {key[0] for key, blocks in working.items() if blocks} | {
            a.clinician_id for a in appointments if a.location_id == location_id}
        clinicians = [c for c in clinicians if c.pk in there]
        appointments = [a for a in appointments if a.clinician_id in there]  # their video visits, not others'

    def spans(clinician_pk, day):
        return cl.subtract(working[(clinician_pk, day)], holes[(clinician_pk, day)])

    def item(a, key, day, lane=None):
        local_day = timezone.localtime(a.start_at, tz).date()
        start_min = _local_minutes(a.start_at, day, tz) if local_day >= day else 0
        return cl.Item(key, start_min, max(start_min + 1, _local_minutes(a.end_at, day, tz)), a, lane)

    columns, items, hours, hint = [], [], True, []
    at = f"&location={location_id}" if location_id else ""  # a booking from a free time is at the location shown
    if len(days) == 1 and by == "room":
        day = first
        rooms = Room.objects.filter(is_active=True, location__is_active=True).select_related("location")
        rooms = list(rooms.filter(location_id=location_id) if location_id else rooms)
        closed_at = {c.location_id: c.name for c in closures if c.location_id}
        room_ids = {r.pk for r in rooms}
        columns = [
            cl.Column(r.pk, r.name, r.location.name, day, None, closed_all.get(day) or closed_at.get(r.location_id, ""),
                      {"room": r, "location": r.location}, f"location={r.location_id}&room={r.pk}", f"in {r.name}")
            for r in rooms
        ]
        items = [item(a, a.room_id if a.room_id in room_ids else None, day) for a in appointments]
        hint = [s for c in clinicians for s in spans(c.pk, day)]
        if any(i.column_key is None for i in items):
            columns.append(cl.Column(None, "No room", "Telehealth and unassigned", day, None, closed_all.get(day, ""),
                                     where="with no room"))
    elif len(days) == 1:
        day = first
        columns = [
            cl.Column(c.pk, name, c.credentials, day, spans(c.pk, day), closed_all.get(day, ""), {"clinician": c},
                      f"clinician={c.pk}{at}", f"with {name}",
                      warning="" if getattr(c, "has_hours", True) else "No working hours set: not bookable")
            for c in clinicians
            for name in [c.user.get_full_name() or c.user.email]
        ]
        items = [item(a, a.clinician_id, day) for a in appointments]
    else:
        lanes = {c.pk: n for n, c in enumerate(clinicians)}
        compact = clinician_id is None
        hours = not compact
        one = clinicians[0] if not compact and clinicians else None
        for day in days:
            day_spans = [s for c in clinicians for s in spans(c.pk, day)]
            columns.append(cl.Column(day, f"{day:%a}", f"{day:%b} {day.day}", day, day_spans, closed_all.get(day, ""),
                                     {"clinician": one} if one else {}, f"clinician={one.pk}{at}" if one else "",
                                     f"{day:%a, %b} {day.day}"))
        for a in appointments:
            day = timezone.localtime(a.start_at, tz).date()
            if first <= day <= last:
                items.append(item(a, day, day, (lanes[a.clinician_id], len(lanes)) if compact else None))
    grid = cl.layout(columns, items, hours=hours, hint=hint)
    labels = {status: str(label) for status, label in Appointment.Status.choices}
    locations = active_locations() if locations is None else locations
    marks = {place.pk: place for place in locations} if len(locations) > 1 else {}
    grid.blocks = [
        cl.visit_block(it, it.payload, it.payload.start_at.astimezone(tz), it.payload.end_at.astimezone(tz),
                       labels[it.payload.status], marks.get(it.payload.location_id))
        for it in grid.items
    ]
    grid.locations = locations if marks else []
    grid.version_rows = version_rows  # calendar_fingerprint's visits: what calendar_version counts
    today = timezone.localdate(timezone=tz)
    # Where the now-line goes (static/js/calendar.js places it on the clock): the whole day, or today's column.
    grid.now_col = ("2 / -1" if len(days) == 1 else next((c.index for c in columns if c.key == today), None)) \
        if first <= today <= last else None
    grid.hours = hours
    grid.any_free = any(c.free for c in columns)
    grid.clinicians = clinicians
    grid.days = days
    return grid


def waiting_list():
    """Everyone waiting for a slot, soonest window first."""
    return WaitlistEntry.objects.filter(status=WaitlistEntry.Status.WAITING).select_related(
        "patient", "visit_type", "clinician__user"
    ).order_by("earliest_date", "created_at")


def clinician_feed(token, *, days_back=30, days_ahead=180):
    """The clinician owning an iCal feed token and their appointments around today, or (None, [])."""
    clinician = Clinician.objects.filter(calendar_token=token, is_active=True).select_related("user").first()
    if clinician is None or not token:
        return None, []
    now = timezone.now()
    appointments = Appointment.objects.filter(
        clinician=clinician, start_at__gte=now - timedelta(days=days_back), start_at__lt=now + timedelta(days=days_ahead)
    ).select_related("patient", "visit_type", "location").order_by("start_at")
    return clinician, list(appointments)


def appointment_detail(pk):
    """One appointment with everything its panel shows."""
    return (
        Appointment.objects.select_related(
            "patient", "visit_type", "clinician__user", "location", "room", "series", "created_by", "cancellation_policy"
        )
        .annotate(**RED_FLAG_COUNT, intake_steps_saved=intake_progress.steps_saved())
        .get(pk=pk)
    )


def visit_for_exam(pk, *, annotations):
    """One visit with what opening its exam needs (patient, clinician, visit type, location), annotated with the
    caller's `annotations` (the viewer's clinical access, patients.care) so the check rides on this query."""
    return (
        Appointment.objects.select_related("patient", "clinician__user", "visit_type", "location")
        .annotate(**annotations)
        .get(pk=pk)
    )


def clinician_of(user) -> Clinician | None:
    """The signed-in user's clinician profile, or None (one query)."""
    return Clinician.objects.filter(user_id=user.pk).select_related("user").first()


def clinician_home_location(clinician_id):
    """The first active location a clinician works at (a report's letterhead when its visit has none), or None."""
    return Location.objects.filter(clinicians=clinician_id, is_active=True).order_by("name").first()


def clinician_day(clinician_id, day) -> list[Appointment]:
    """One clinician's visits on a local day, in time order, cancelled ones left out (one query)."""
    start = datetime.combine(day, time.min, tzinfo=clinic_tz())
    return list(
        Appointment.objects.filter(clinician_id=clinician_id, start_at__gte=start, start_at__lt=start + timedelta(days=1))
        .exclude(status=Appointment.Status.CANCELLED)
        .select_related("patient", "visit_type", "location", "room")
        .order_by("start_at", "pk")
    )


def follow_up_visit_type():
    """The visit type a plan of care's series books by default (the clinic's active "Follow-up"), or None."""
    return VisitType.objects.filter(is_active=True, name="Follow-up").first()


_LONG_AGO = datetime(1900, 1, 1, tzinfo=UTC)


def patient_visits(patient, *, past_shown=10):
    """A patient's upcoming visits and their most recent past ones (one more, to tell if there are older),
    in one query, for the chart.

    The past visits kept are those starting no earlier than the (past_shown + 1)th most recent one, found by a
    subquery: a window function over the same rows cost the ORM three times as long to compile.
    """
    now = timezone.now()
    visits = Appointment.objects.filter(patient=patient)
    oldest_kept = visits.filter(end_at__lt=now).order_by("-start_at").values("start_at")[past_shown:past_shown + 1]
    rows = list(
        visits.select_related("visit_type", "clinician__user", "location")
        .annotate(intake_steps_saved=intake_progress.steps_saved())
        .filter(Q(end_at__gte=now) | Q(start_at__gte=Coalesce(Subquery(oldest_kept), Value(_LONG_AGO))))
        .order_by("start_at")
    )
    upcoming = [a for a in rows if a.end_at >= now]
    past = [a for a in reversed(rows) if a.end_at < now]
    return upcoming, past


def patient_upcoming_visits(*, patient, now=None):
    """A patient's own visits that have not ended (online requests included, cancelled and missed ones not),
    soonest first, with what their home page shows, in one query."""
    return list(
        Appointment.objects.filter(patient=patient, status__in=Appointment.UPCOMING, end_at__gt=now or timezone.now())
        .select_related("visit_type", "clinician__user", "location")
        .order_by("start_at", "id")
    )
