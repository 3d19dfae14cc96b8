"""Every write to the schedule: book, move, cancel, change status, series, waitlist."""

from dataclasses import dataclass, field
from datetime import timedelta

from django.core.exceptions import ValidationError
from django.db import DatabaseError, IntegrityError, transaction
from django.db.models import Count, Q
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from clinic import dates, roles
from clinic.audit import acting_as
from clinic.models import ClinicText
from clinic.races import is_lost_race, lock_all_for_transaction

from . import formatting, online_offer, selectors, signals
from .models import Appointment, AppointmentSeries, ClinicSettings, Modality, WaitlistEntry

Status = Appointment.Status


class SlotTaken(Exception):
    """The time overlaps another visit of the clinician or the room; `next_free` offers other times."""

    def __init__(self, message, next_free=()):
        super().__init__(message)
        self.message = message
        self.next_free = list(next_free)


def _overlapping(*, clinician_id, busy_start, busy_end, room_id, start, end, exclude_pk=None):
    span = Appointment.LONGEST_SPAN  # lower bounds keep the index scans off the years of history
    clash = Appointment.objects.filter(status__in=Appointment.OCCUPYING).filter(
        Q(clinician_id=clinician_id, busy_start_at__gte=busy_start - span, busy_start_at__lt=busy_end,
          busy_end_at__gt=busy_start)
        | (Q(room_id=room_id, start_at__gte=start - span, start_at__lt=end, end_at__gt=start) if room_id
           else Q(pk__in=[]))
    )
    if exclude_pk:
        clash = clash.exclude(pk=exclude_pk)
    return clash.exists()


def next_free_slots(*, visit_type, clinician, modality, location, after, count=3, exclude=None, for_staff=False):
    """The next few open slots for the same visit with the same clinician, then with anyone. `for_staff`: without
    the online minimum notice, so the front desk is offered this afternoon, not the day after tomorrow."""
    day = timezone.localtime(after).date()
    location_id = location.pk if location else None
    for clinician_ids in ([clinician.pk], None):
        slots, _ = selectors.open_slots(
            visit_type, day, day + timedelta(days=14), clinician_ids=clinician_ids,
            location_id=location_id, modality=modality, exclude=exclude, min_notice=timedelta(0) if for_staff else None,
        )
        upcoming = [s for s in slots if s.start >= after][:count]
        if upcoming:
            return upcoming
    return []


def _free_room(location, start, end, visit_type, exclude_pk=None):
    """The free room that has all the equipment the visit needs and, of those, the least else (a follow-up goes
    to a plain treatment room, not the gait lab, whose treadmill stays free for gait analyses). One query.

    Raises SlotTaken when the visit needs equipment and no room with it is free; a visit that needs none may
    go without a room when every room is taken (as before rooms had equipment)."""
    taken = Appointment.objects.filter(
        room__location=location, status__in=Appointment.OCCUPYING,
        start_at__gte=start - Appointment.LONGEST_SPAN, start_at__lt=end, end_at__gt=start,
    )
    if exclude_pk:
        taken = taken.exclude(pk=exclude_pk)
    room = (
        selectors.rooms_fitting(visit_type).filter(location=location).exclude(pk__in=taken.values("room_id"))
        .annotate(kit=Count("equipment")).order_by("kit", "name").first()
    )
    if room is None and visit_type.equipment_needed.exists():
        needed = ", ".join(e.name.lower() for e in visit_type.equipment_needed.all())
        raise SlotTaken(_("No room with the %(equipment)s is free at that time.") % {"equipment": needed})
    return room


# The front desk books courses of care months ahead; a start further out than this is a typo, not a plan.
STAFF_HORIZON = timedelta(days=730)


def _check_start(start, *, tz, on_open_slot=False):
    """A visit starts inside the clinic's calendar, on its slot grid (local time), and within the staff horizon:
    the same for every path, so no request can store an instant the links, feeds and messages cannot show. A start
    already matched to an open slot (online) is on that slot's grid and inside the online horizon."""
    dates.check_instant(start)
    if on_open_slot:
        return
    grid = ClinicSettings.load().slot_grid_minutes
    local = start.astimezone(tz)
    if local.second or local.microsecond or (local.hour * 60 + local.minute) % grid:
        raise ValidationError({"start": _("Choose a start time on the clinic's %(grid)s-minute grid (%(minutes)s).") % {
            "grid": grid, "minutes": ", ".join(f":{m:02d}" for m in range(0, 60, grid))}})
    if start > timezone.now() + STAFF_HORIZON:
        raise ValidationError({"start": _("Choose a time within %(days)s days from today.") % {
            "days": STAFF_HORIZON.days}})


def _check_room(room, location):
    if room is not None and (location is None or room.location_id != location.pk):
        raise ValidationError({"room": _("%(room)s is not at %(location)s: choose a room at the visit's location.") % {
            "room": room.name, "location": location or _("a telehealth visit")}})


def _check_offer(*, clinician, visit_type, modality, location, ask_database=True):
    """Does the clinician offer this visit there? `ask_database=False` checks only what needs no query (an online
    booking's open slot already proves the rest, and asks again only to explain a missing slot)."""
    errors = {}
    if not visit_type.offers(modality):
        errors["modality"] = f"{visit_type} is offered {visit_type.get_modality_display().lower()}."
    if modality == Modality.IN_OFFICE and location is None:
        errors["location"] = "Choose the location for an in-office visit."
    if ask_database and not clinician.visit_types.filter(pk=visit_type.pk).exists():
        errors["clinician"] = f"{clinician} does not offer {visit_type}."
    elif (ask_database and modality == Modality.IN_OFFICE and location is not None
          and not clinician.locations.filter(pk=location.pk).exists()):
        errors["location"] = f"{clinician} does not see patients at {location}."
    if errors:
        raise ValidationError(errors)


# Advisory lock namespaces: a clinician's calendar, a location's rooms.
_CLINICIAN_LOCK, _LOCATION_LOCK = 7301, 7302


def _lock_calendars(*, clinician_id, location_id):
    """Queue writers of one clinician's calendar (then of one location's rooms, always in this order) until the
    transaction ends. Without it, two inserts of overlapping visits each find the other's row in the exclusion
    constraint's index and wait for each other: PostgreSQL's deadlock detector then kills one, which psycopg reports
    like an unreachable database. Queued, the second writer's overlap check simply sees the first one's visit."""
    lock_all_for_transaction((_CLINICIAN_LOCK, clinician_id), *([(_LOCATION_LOCK, location_id)] if location_id else []))


ALREADY_BOOKED = "That time is already booked: choose another."
JUST_TAKEN = "That time was just taken."


def _save_guarded(appointment, *, actor, exclude_pk=None, matched_open_slot=False):
    """Save unless the time is taken; the caller holds the calendar locks, the exclusion constraints are the net.

    "Just taken" only for a lost race: a time that was open a moment ago (`matched_open_slot`), or a writer that
    got past the locks. A time that was simply booked already says so."""
    taken = SlotTaken(JUST_TAKEN)
    if _overlapping(
        clinician_id=appointment.clinician_id,
        busy_start=appointment.start_at - timedelta(minutes=appointment.visit_type.buffer_before_minutes),
        busy_end=appointment.end_at + timedelta(minutes=appointment.visit_type.buffer_after_minutes),
        room_id=appointment.room_id,
        start=appointment.start_at,
        end=appointment.end_at,
        exclude_pk=exclude_pk,
    ):
        raise taken if matched_open_slot else SlotTaken(ALREADY_BOOKED)
    try:
        with transaction.atomic(), acting_as(actor):
            appointment.save()
    except IntegrityError as exc:
        if "overlap" in str(exc) or getattr(exc.__cause__, "pgcode", "") == "23P01":
            raise taken from exc
        raise
    except DatabaseError as exc:
        if is_lost_race(exc):  # a writer that skipped the locks (the admin, a script): a lost race all the same
            raise taken from exc
        raise


def _vouch(appointment, actor):
    """Record that a member of staff stands behind the visit (see patients.care for why it matters).

    Someone other than the visit's clinician replaces the clinician's own word, never the other way round:
    the clinician confirming or checking in a visit later does not take away a colleague's vouching.
    """
    if actor is None or not any(roles.has_role(actor, role) for role in roles.STAFF_ROLES):
        return
    if appointment.vouched_by_id is None or appointment.vouched_by_id == appointment.clinician.user_id:
        appointment.vouched_by = actor


def _with_next_free(exc, appointment, exclude=None, for_staff=False):
    exc.next_free = next_free_slots(
        visit_type=appointment.visit_type, clinician=appointment.clinician, modality=appointment.modality,
        location=appointment.location, after=appointment.start_at, exclude=exclude,
        for_staff=for_staff,
    )
    return exc


def appointment_book(
    *, patient, clinician, visit_type, start, modality, location=None, room=None,
    source=Appointment.Source.FRONT_DESK, reason="", actor=None, check_hours=False, series=None, waitlist_entry=None,
    cancellation_policy=None,
) -> Appointment:
    """Book a visit; raise SlotTaken (with next free times) if the time overlaps, ValidationError if invalid.

    Online bookings (`check_hours`) must also fall on an open slot: within hours, notice and horizon. A booking
    made for the patient's waitlist entry takes the entry off the list in the same transaction. The
    `cancellation_policy` the patient accepted (online_booking_create) is kept with the time it was accepted.
    """
    if modality == Modality.TELEHEALTH:
        location, room = None, None
    _check_offer(clinician=clinician, visit_type=visit_type, modality=modality, location=location,
                 ask_database=not check_hours)
    _check_room(room, location)
    _check_start(start, tz=formatting.zone_for(location), on_open_slot=check_hours)
    end = start + timedelta(minutes=visit_type.duration_minutes)
    status = Status.BOOKED
    if source == Appointment.Source.ONLINE and not ClinicSettings.load().auto_confirm_online_bookings:
        status = Status.REQUESTED
    appointment = Appointment(
        patient=patient, clinician=clinician, visit_type=visit_type, modality=modality, location=location,
        start_at=start, end_at=end, status=status, source=source, reason=reason, series=series,
        created_by=actor, updated_by=actor, cancellation_policy=cancellation_policy,
        cancellation_policy_accepted_at=timezone.now() if cancellation_policy else None,
    )
    _vouch(appointment, actor)
    if check_hours:
        day = timezone.localtime(start).date()
        slots, _ = selectors.open_slots(
            visit_type, day, day, clinicians=[clinician],
            location_id=location.pk if location else None, modality=modality,
        )
        if not any(s.start == start and (location is None or s.location_id == location.pk) for s in slots):
            _check_offer(clinician=clinician, visit_type=visit_type, modality=modality, location=location)
            raise _with_next_free(SlotTaken("That time is no longer available."), appointment)
    # No savepoint of its own (two statements fewer per booking): a taken time is caught inside and raised after
    # the block, so it never marks the caller's transaction for rollback (a series books on after a clash); the
    # save itself keeps its savepoint (_save_guarded), the net for a writer that skipped the locks.
    refused = None
    with transaction.atomic(savepoint=False):
        _lock_calendars(clinician_id=clinician.pk, location_id=location.pk if location else None)
        try:
            if modality == Modality.IN_OFFICE:
                appointment.room = room or _free_room(location, start, end, visit_type)
            _save_guarded(appointment, actor=actor, matched_open_slot=check_hours)
        except SlotTaken as exc:
            refused = _with_next_free(exc, appointment, for_staff=not check_hours)
        else:
            if waitlist_entry is not None and waitlist_entry.patient_id == patient.pk:
                waitlist_close(entry=waitlist_entry, status=WaitlistEntry.Status.BOOKED, actor=actor)
            signals.appointment_booked.send(Appointment, appointment=appointment, actor=actor)
    if refused is not None:
        raise refused
    return appointment


def _takes_over_a_colleagues_visit(actor, appointment, clinician):
    """A clinician (not front desk or admin) moving someone else's visit onto their own calendar."""
    if actor is None or clinician.pk == appointment.clinician_id or clinician.user_id != actor.pk:
        return False
    return not (roles.has_role(actor, roles.FRONT_DESK) or roles.has_role(actor, roles.ADMIN))


@transaction.atomic
def appointment_move(*, appointment, start, clinician=None, room=None, actor=None, on_open_slot=False) -> Appointment:
    """Move to another time and/or clinician, with the same checks as booking (`on_open_slot`: the caller matched
    the start to an open slot, as online bookings do)."""
    appointment = (
        Appointment.objects.select_for_update(of=("self",))
        .select_related("visit_type", "clinician", "location")
        .get(pk=appointment.pk)
    )
    if appointment.status not in Appointment.MOVABLE:
        raise ValidationError(f"A {appointment.get_status_display().lower()} appointment cannot be moved.")
    clinician = clinician or appointment.clinician
    if _takes_over_a_colleagues_visit(actor, appointment, clinician):
        raise ValidationError({"clinician": "Ask the front desk to move a colleague's visit to you: it would open "
                                            "the patient's clinical record to you without emergency access."})
    _check_offer(
        clinician=clinician, visit_type=appointment.visit_type, modality=appointment.modality,
        location=appointment.location,
    )
    _check_room(room, appointment.location)
    _check_start(start, tz=appointment.local_tz, on_open_slot=on_open_slot)
    previous_start = appointment.start_at
    moved_to_another = clinician.pk != appointment.clinician_id
    appointment.clinician = clinician
    if moved_to_another:  # staff giving the visit to a colleague vouch for it with them
        _vouch(appointment, actor)
    appointment.start_at = start
    appointment.end_at = start + timedelta(minutes=appointment.visit_type.duration_minutes)
    appointment.updated_by = actor
    _lock_calendars(clinician_id=clinician.pk, location_id=appointment.location_id)
    try:
        if appointment.modality == Modality.IN_OFFICE:
            appointment.room = room or _free_room(
                appointment.location, appointment.start_at, appointment.end_at, appointment.visit_type,
                exclude_pk=appointment.pk,
            )
        _save_guarded(appointment, actor=actor, exclude_pk=appointment.pk, matched_open_slot=on_open_slot)
    except SlotTaken as exc:
        raise _with_next_free(exc, appointment, exclude=appointment, for_staff=not on_open_slot) from None
    signals.appointment_moved.send(Appointment, appointment=appointment, previous_start=previous_start, actor=actor)
    return appointment


# An online request is answered, so the patient hears "accepted" or "declined" (never a bare "cancelled"), and
# answered once: these hold on every path (staff pages, the staff API, anything else calling the services).
REQUEST_NEEDS_DECISION = "Accept or decline the request, so the patient is told."
REQUEST_NOT_CANCELLED = "Decline the request instead, so the patient is told."
REQUEST_DECIDED = "This request was already decided."
DECLINE_NEEDS_REASON = "Say why, so the patient knows what to do next, e.g. “Dr Rivera is away”."


def _refuse_undecided_request(appointment, status):
    if appointment.status == Status.REQUESTED:
        raise ValidationError(REQUEST_NOT_CANCELLED if status == Status.CANCELLED else REQUEST_NEEDS_DECISION)


def _refuse_decided(appointment, status):
    if appointment.status != Status.REQUESTED:
        raise ValidationError(REQUEST_DECIDED)


@transaction.atomic
def appointment_set_status(*, appointment, status, actor=None, reason="", because=None, notify_patient=True,
                           _guard=_refuse_undecided_request) -> Appointment:
    """Check in, complete, mark no-show, confirm or cancel: the workflow decides. A request is only answered through
    request_decide (or withdrawn by its patient); the guard runs on the locked row, so two answers cannot both win.

    `notify_patient=False`: the patient is not sent the message this change would send (a cancellation the front
    desk has already told them about on the phone)."""
    appointment = Appointment.objects.select_for_update(of=("self",)).select_related("clinician").get(pk=appointment.pk)
    if _guard is not None:
        _guard(appointment, status)
    previous_status = appointment.status
    appointment.transition_to(status)
    if status in Appointment.VOUCHING:
        _vouch(appointment, actor)
    if status == Status.CANCELLED:
        words = (reason or "").strip()
        if because is not None:
            words = f"{because.name}: {words}" if words else because.name
        appointment.cancellation_reason = (words or "No reason given")[:200]
        appointment.cancelled_because = because
    appointment.updated_by = actor
    with acting_as(actor):
        appointment.save()
    signals.appointment_status_changed.send(
        Appointment, appointment=appointment, previous_status=previous_status, actor=actor,
        reason=appointment.cancellation_reason if status == Status.CANCELLED else reason,
        notify_patient=notify_patient,
    )
    return appointment


def appointment_cancel(*, appointment, reason, actor=None, by_patient=False, because=None, notify_patient=True):
    """Cancel and free the slot; returns the waitlist entries that match the freed time. Staff decline a request
    instead; its patient may withdraw it (`by_patient`).

    `because`: the clinic's CancellationReason picked from the list (its name leads the stored words, `reason` adds
    details), or None when `reason` says it all. `notify_patient=False` sends the patient no cancellation message
    (what was pending, such as reminders, is called off either way)."""
    appointment = appointment_set_status(appointment=appointment, status=Status.CANCELLED, actor=actor, reason=reason,
                                         because=because, notify_patient=notify_patient,
                                         _guard=None if by_patient else _refuse_undecided_request)
    return appointment, list(selectors.waitlist_matches(appointment))


def request_decide(*, appointment, accept, actor, reason=""):
    """Accept an online request (it becomes booked) or decline it (cancelled, with the reason), once."""
    if accept:
        return appointment_set_status(appointment=appointment, status=Status.BOOKED, actor=actor,
                                      _guard=_refuse_decided)
    if not (reason or "").strip():
        raise ValidationError({"reason": DECLINE_NEEDS_REASON})
    return appointment_set_status(
        appointment=appointment, status=Status.CANCELLED, actor=actor, reason=f"Request declined: {reason.strip()}",
        _guard=_refuse_decided,
    )


@dataclass
class Occurrence:
    start: object
    conflict: str = ""
    appointment: Appointment | None = field(default=None)
    alternatives: list = field(default_factory=list)  # free starts offered instead of a clashing date
    instead_of: object = None  # the clashing start this one replaces


ALTERNATIVES_PER_DATE = 2


def _rank_alternatives(wanted, slots, *, tz, taken, count=ALTERNATIVES_PER_DATE):
    """Up to `count` of `slots` ((start, busy start, busy end), free for the clinician) to offer instead of `wanted`:
    the same day first, the nearest time first; then the day before or after, nearest to the same time of day.
    `taken` is (busy spans already spoken for, days that already have a visit of the series): an offer overlaps no
    span and lands on no such day, and its own span is then spoken for. Pure."""
    spans, days = taken
    day = wanted.astimezone(tz).date()
    clock = wanted.astimezone(tz).hour * 60 + wanted.astimezone(tz).minute

    def minutes(start):
        local = start.astimezone(tz)
        return local.hour * 60 + local.minute

    same = sorted((s for s in slots if s[0].astimezone(tz).date() == day), key=lambda s: abs(s[0] - wanted))
    near = sorted(
        (s for s in slots if abs((s[0].astimezone(tz).date() - day).days) == 1 and s[0].astimezone(tz).date() not in days),
        key=lambda s: (abs(minutes(s[0]) - clock), s[0]),
    )
    chosen = []
    for start, busy_start, busy_end in same + near:
        if any(busy_start < e and s < busy_end for s, e in spans):
            continue
        chosen.append(start)
        spans.append((busy_start, busy_end))
        if len(chosen) == count:
            break
    return chosen


def series_alternatives(*, clinician, visit_type, modality, location, occurrences):
    """For each clashing occurrence of a series, one or two free times to offer instead (`alternatives`): the same
    day first, then the day before or after, with the same clinician and visit type, from the availability engine
    (working hours, time off, closures, other visits). None overlaps the series' free dates or another date's
    offer, and none lands on a day the series already has a visit. One availability search for the whole series."""
    clashing = [o for o in occurrences if o.conflict]
    if not clashing:
        return occurrences
    tz = formatting.zone_for(location)
    before, after = timedelta(minutes=visit_type.buffer_before_minutes), timedelta(minutes=visit_type.buffer_after_minutes)
    length = timedelta(minutes=visit_type.duration_minutes)
    first = min(o.start for o in clashing).astimezone(tz).date() - timedelta(days=1)
    last = max(o.start for o in clashing).astimezone(tz).date() + timedelta(days=1)
    slots, _ = selectors.open_slots(
        visit_type, first, last, clinician_ids=[clinician.pk], location_id=location.pk if location else None,
        modality=modality, min_notice=timedelta(0), horizon=STAFF_HORIZON,
    )
    free = [o.start for o in occurrences if not o.conflict]
    taken = ([(s - before, s + length + after) for s in free], {s.astimezone(tz).date() for s in free})
    candidates = [(s.start, s.start - before, s.start + length + after) for s in slots
                  if location is None or s.location_id == location.pk]
    for occurrence in clashing:
        occurrence.alternatives = _rank_alternatives(occurrence.start, candidates, tz=tz, taken=taken)
    return occurrences


def series_occurrences(*, first_start, weekdays, weeks):
    """Start times for a repeating visit: the first start's time of day on the given weekdays for N weeks."""
    local = timezone.localtime(first_start)
    monday = local.date() - timedelta(days=local.date().weekday())
    starts = []
    for week in range(weeks):
        for weekday in sorted(weekdays):
            day = monday + timedelta(weeks=week, days=weekday)
            if day < local.date():
                continue
            naive = local.replace(tzinfo=None).replace(year=day.year, month=day.month, day=day.day)
            starts.append(timezone.make_aware(naive, local.tzinfo))
    return starts


def series_preview(*, clinician, visit_type, modality, location, starts, with_alternatives=False):
    """Which occurrences of a series would conflict, without booking anything; `with_alternatives`: with other
    times offered for each clashing date (series_alternatives)."""
    occurrences = []
    for start in starts:
        try:
            _check_start(start, tz=formatting.zone_for(location))
        except ValidationError as exc:
            occurrences.append(Occurrence(start, " ".join(exc.messages)))
            continue
        end = start + timedelta(minutes=visit_type.duration_minutes)
        clash = _overlapping(
            clinician_id=clinician.pk,
            busy_start=start - timedelta(minutes=visit_type.buffer_before_minutes),
            busy_end=end + timedelta(minutes=visit_type.buffer_after_minutes),
            room_id=None, start=start, end=end,
        )
        occurrences.append(Occurrence(start, "Clinician already booked" if clash else ""))
    if not with_alternatives:
        return occurrences
    return series_alternatives(clinician=clinician, visit_type=visit_type, modality=modality, location=location,
                               occurrences=occurrences)


@transaction.atomic
def series_book(*, patient, clinician, visit_type, modality, location, starts, actor, reason="", instead=None
                ) -> list[Occurrence]:
    """Book every free occurrence of a series; occurrences that conflict are reported, not booked. `instead`: for
    a start that replaces a clashing date (an alternative the front desk accepted), that date's start."""
    instead = instead or {}
    series = AppointmentSeries.objects.create(
        description=f"{visit_type} x{len(starts)} for {patient.full_name}", created_by=actor
    )
    results = []
    for start in starts:
        try:
            with transaction.atomic():
                appointment = appointment_book(
                    patient=patient, clinician=clinician, visit_type=visit_type, start=start, modality=modality,
                    location=location, actor=actor, reason=reason, series=series,
                )
            results.append(Occurrence(start, "", appointment, instead_of=instead.get(start)))
        except SlotTaken as exc:
            results.append(Occurrence(start, exc.message, instead_of=instead.get(start)))
        except ValidationError as exc:  # off the grid or past the horizon: reported like a clash, not booked
            results.append(Occurrence(start, " ".join(exc.messages), instead_of=instead.get(start)))
    return results


def waitlist_add(*, patient, visit_type, earliest_date, latest_date, clinician=None, notes="") -> WaitlistEntry:
    entry = WaitlistEntry(
        patient=patient, visit_type=visit_type, clinician=clinician,
        earliest_date=earliest_date, latest_date=latest_date, notes=notes,
    )
    entry.full_clean()
    entry.save()
    return entry


@transaction.atomic
def waitlist_close(*, entry, status, actor=None) -> WaitlistEntry:
    """Take a waiting entry off the list: it got a slot (booked) or is no longer wanted (removed)."""
    if status not in (WaitlistEntry.Status.BOOKED, WaitlistEntry.Status.REMOVED):
        raise ValueError(f"Cannot close a waitlist entry as {status}.")
    entry = WaitlistEntry.objects.select_for_update().get(pk=entry.pk)
    if entry.status == WaitlistEntry.Status.WAITING:
        entry.status = status
        with acting_as(actor):
            entry.save(update_fields=["status"])
    return entry


def clinician_feed_reset(*, clinician):
    """Give a clinician a new calendar feed link; the old link stops working at once."""
    from .models import new_token

    clinician.calendar_token = new_token()
    clinician.save(update_fields=["calendar_token"])
    return clinician


# Online booking by patients (public pages and API) -------------------------------------------------------


POLICY_NOT_ACCEPTED = gettext_lazy("Tick the box to say you have read and accept the cancellation policy.")
POLICY_CHANGED = gettext_lazy(
    "The cancellation policy changed while you were booking: read the new version, then tick the box again."
)


def cancellation_policy_accepted(*, accepts: bool, version: int | None = None) -> ClinicText | None:
    """The cancellation policy in force that the patient accepts by booking online; None when the clinic has none.

    ValidationError (on `accepts_cancellation_policy`) when they did not accept it, or when `version`, the one they
    were shown, is no longer the one in force: what is stored must be the words they read."""
    policy = online_offer.cancellation_policy()
    if policy is None:
        return None
    if version is not None and version != policy.version:
        raise ValidationError({"accepts_cancellation_policy": POLICY_CHANGED})
    if not accepts:
        raise ValidationError({"accepts_cancellation_policy": POLICY_NOT_ACCEPTED})
    return policy


def online_booking_create(
    *, visit_type, clinician, start, modality, location=None, first_name, last_name, date_of_birth, email, phone,
    reason="", ip=None, accepts_cancellation_policy=False, cancellation_policy_version=None,
) -> Appointment:
    """A patient books online: match or create the patient, book an open slot (the outbox sends the confirmation).

    When the clinic has a cancellation policy the patient must accept it (`accepts_cancellation_policy`; the
    version they were shown, if known, in `cancellation_policy_version`); the visit keeps the version accepted.
    Raises SlotTaken (with next free times) or ValidationError; nothing is saved then.
    """
    from patients.services import patient_match_or_create

    policy = cancellation_policy_accepted(accepts=accepts_cancellation_policy, version=cancellation_policy_version)
    if not (visit_type.is_active and visit_type.bookable_online):
        raise ValidationError({"visit_type": f"{visit_type} cannot be booked online; please call the clinic."})
    if not clinician.is_active:
        raise ValidationError({"clinician": f"{clinician} is not taking online bookings."})
    if location is not None and not location.is_active and modality == Modality.IN_OFFICE:
        raise ValidationError({"location": f"{location} is not taking bookings."})
    with transaction.atomic():
        patient, _ = patient_match_or_create(
            first_name=first_name, last_name=last_name, date_of_birth=date_of_birth, email=email, phone=phone, ip=ip,
        )
        appointment = appointment_book(
            patient=patient, clinician=clinician, visit_type=visit_type, start=start, modality=modality,
            location=location, source=Appointment.Source.ONLINE, reason=(reason or "").strip(), check_hours=True,
            cancellation_policy=policy,
        )
    return appointment


def clinic_phone(appointment) -> str:
    """The number a patient calls about this visit: its location's, or (telehealth) the first location's with one."""
    from patients.phone import pretty

    from .models import Location

    location = appointment.location or Location.objects.filter(is_active=True).exclude(phone="").first()
    return pretty(location.phone) if location and location.phone else ""


def inside_change_cutoff(appointment, *, now=None) -> bool:
    """The visit starts sooner than the clinic's cut-off (ClinicSettings), so the patient changes it by phone."""
    cutoff = ClinicSettings.load().patient_change_cutoff_hours
    return appointment.start_at - (now or timezone.now()) < timedelta(hours=cutoff)


def patient_change_refusal(appointment, *, now=None) -> str:
    """Why the patient may not change this visit online any more, or "" if they may.

    The same words on the manage pages, the confirmation page and in messages: a visit booked inside the cut-off
    is told at once to call, never promised online changes that the manage page then refuses."""
    if appointment.status not in Appointment.MOVABLE:
        return _("This visit is %(status)s and can no longer be changed online.") % {
            "status": appointment.get_status_display().lower()}
    if inside_change_cutoff(appointment, now=now):
        phone = clinic_phone(appointment)
        hours = ClinicSettings.load().patient_change_cutoff_hours
        if phone:
            return _("This visit starts within %(hours)s hours, so it can no longer be changed online. To change or "
                     "cancel it, please call us at %(phone)s.") % {"hours": hours, "phone": phone}
        return _("This visit starts within %(hours)s hours, so it can no longer be changed online. To change or "
                 "cancel it, please call the clinic.") % {"hours": hours}
    return ""


def online_booking_move(*, appointment, start) -> Appointment:
    """The patient moves their visit to another open slot with the same clinician, before the cut-off."""
    refusal = patient_change_refusal(appointment)
    if refusal:
        raise ValidationError(refusal)
    day = timezone.localtime(start, appointment.local_tz).date()
    slots, _ = selectors.open_slots(
        appointment.visit_type, day, day, clinician_ids=[appointment.clinician_id],
        location_id=appointment.location_id, modality=appointment.modality, exclude=appointment,
    )
    if not any(s.start == start and (appointment.location_id is None or s.location_id == appointment.location_id)
               for s in slots):
        same_clinician = next_free_slots(
            visit_type=appointment.visit_type, clinician=appointment.clinician, modality=appointment.modality,
            location=appointment.location, after=start, exclude=appointment,
        )
        raise SlotTaken(
            "That time was just taken.", [s for s in same_clinician if s.clinician_id == appointment.clinician_id]
        )
    with transaction.atomic():
        appointment = appointment_move(appointment=appointment, start=start, on_open_slot=True)
    return appointment


def online_booking_confirm(*, appointment) -> Appointment:
    """The patient says they will come (the visit's page, linked from every text): until the visit starts, even
    inside the change cut-off. Confirming again changes nothing."""
    if appointment.status == Status.CONFIRMED:
        return appointment
    if appointment.status != Status.BOOKED or appointment.start_at <= timezone.now():
        raise ValidationError(_("This visit is %(status)s and cannot be confirmed any more.") % {
            "status": appointment.get_status_display().lower()})
    return appointment_set_status(appointment=appointment, status=Status.CONFIRMED)


def online_booking_cancel(*, appointment, reason="") -> Appointment:
    """The patient cancels their visit before the cut-off; the front desk sees their reason."""
    refusal = patient_change_refusal(appointment)
    if refusal:
        raise ValidationError(refusal)
    text = f"Cancelled online by the patient: {(reason or '').strip() or 'no reason given'}"
    with transaction.atomic():
        appointment, _ = appointment_cancel(appointment=appointment, reason=text, by_patient=True)
    return appointment
