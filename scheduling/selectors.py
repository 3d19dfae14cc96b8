from datetime import UTC, datetime, time, timedelta
from zoneinfo import ZoneInfo

from django.conf import settings
from django.db.models import Prefetch, Q
from django.utils import timezone

from . import availability
from .models import (
    Appointment,
    Clinician,
    ClinicSettings,
    Closure,
    Modality,
    TimeOff,
    VisitType,
    WaitlistEntry,
    WorkingHours,
)


def clinic_tz():
    return ZoneInfo(settings.TIME_ZONE)


def day_bounds(first_day, last_day, tz=None):
    """UTC instants covering local days first_day..last_day, with a day's margin for other time zones."""
    tz = tz or clinic_tz()
    start = datetime.combine(first_day, time.min, tzinfo=tz).astimezone(UTC) - timedelta(days=1)
    end = datetime.combine(last_day + timedelta(days=1), time.min, tzinfo=tz).astimezone(UTC) + timedelta(days=1)
    return start, end


def bookable_clinicians(visit_type, *, clinician_ids=None, location_id=None, modality=None):
    clinicians = Clinician.objects.filter(is_active=True, visit_types=visit_type)
    if clinician_ids:
        clinicians = clinicians.filter(pk__in=clinician_ids)
    if location_id and modality != Modality.TELEHEALTH:
        clinicians = clinicians.filter(locations=location_id)
    return clinicians.select_related("user").distinct()


def open_slots(
    visit_type, first_day, last_day, *, clinician_ids=None, location_id=None, modality=None, now=None, exclude=None
):
    """Free slots for a visit type over local days, fetched in a few queries and computed in memory.

    `exclude` is an appointment being moved: its own time does not count as busy.
    """
    rules = ClinicSettings.load()
    clinicians = list(
        bookable_clinicians(visit_type, clinician_ids=clinician_ids, location_id=location_id, modality=modality)
    )
    if not clinicians:
        return [], {}
    ids = [c.pk for c in clinicians]
    start, end = day_bounds(first_day, last_day)
    hours = WorkingHours.objects.filter(clinician__in=ids).filter(
        Q(effective_until__isnull=True) | Q(effective_until__gte=first_day), effective_from__lte=last_day
    ).select_related("location")
    if location_id and modality != Modality.TELEHEALTH:
        hours = hours.filter(location=location_id)
    busy = Appointment.objects.filter(
        clinician__in=ids, status__in=Appointment.OCCUPYING, busy_start_at__lt=end, busy_end_at__gt=start
    )
    if exclude is not None:
        busy = busy.exclude(pk=exclude.pk)
    off = TimeOff.objects.filter(clinician__in=ids, start_at__lt=end, end_at__gt=start)
    closures = Closure.objects.filter(date__range=(first_day, last_day))

    calendars = {c.pk: availability.ClinicianCalendar(c.pk, []) for c in clinicians}
    for block in hours:
        calendars[block.clinician_id].hours.append(
            availability.HoursBlock(
                block.weekday, block.start_time, block.end_time, block.location_id,
                block.location.time_zone, block.effective_from, block.effective_until,
            )
        )
    for clinician_id, s, e in busy.values_list("clinician_id", "busy_start_at", "busy_end_at"):
        calendars[clinician_id].busy.append((s, e))
    for clinician_id, s, e in off.values_list("clinician_id", "start_at", "end_at"):
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
            min_notice=timedelta(hours=rules.min_notice_hours),
            horizon=timedelta(days=rules.booking_horizon_days),
            grid=timedelta(minutes=rules.slot_grid_minutes),
        ),
        first_day,
        last_day,
        {(c.date, c.location_id) for c in closures},
    )
    return slots, {c.pk: c for c in clinicians}


def online_visit_types():
    return VisitType.objects.filter(is_active=True, bookable_online=True)


def calendar_appointments(start, end, *, clinician_ids=None):
    """Appointments shown on the front-desk calendar between two instants, with all they display."""
    appointments = Appointment.objects.filter(start_at__lt=end, end_at__gt=start).select_related(
        "patient", "visit_type", "clinician__user", "location", "room"
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
