"""How patients read times and visits: in the location's time zone (the clinic's for telehealth),
"Tue, Mar 10, 2026" and "9:30 AM" with the zone's abbreviation."""

from zoneinfo import ZoneInfo

from django.conf import settings
from django.utils import dateformat, timezone

from patients import phone

from . import links


def zone_for(location) -> ZoneInfo:
    return ZoneInfo(location.time_zone if location is not None else settings.TIME_ZONE)


def day_label(instant, tz) -> str:
    return dateformat.format(instant.astimezone(tz), "D, M j, Y")


def date_label(day) -> str:
    return dateformat.format(day, "D, M j, Y")


def short_day_label(day) -> str:
    return dateformat.format(day, "D, M j")


def time_label(instant, tz) -> str:
    return dateformat.format(instant.astimezone(tz), "g:i A")


def zone_label(instant, tz) -> str:
    return dateformat.format(instant.astimezone(tz), "T")


def status_word(status) -> str:
    from .models import Appointment

    return Appointment.Status(status).label.lower()


def appointment_summary(appointment) -> dict:
    """What the patient's pages and email show about one visit (includes the video link: patients only)."""
    tz = appointment.local_tz
    location = appointment.location
    return {
        "visit_type": appointment.visit_type.name,
        "clinician": appointment.clinician.display_name,
        "modality": appointment.get_modality_display(),
        "is_telehealth": appointment.is_telehealth,
        "day": day_label(appointment.start_at, tz),
        "time": time_label(appointment.start_at, tz),
        "end_time": time_label(appointment.end_at, tz),
        "zone": zone_label(appointment.start_at, tz),
        "status": appointment.status,
        "status_word": status_word(appointment.status),
        "location_name": location.name if location else "",
        "address": location.address if location else "",
        "arrival_notes": appointment.arrival_notes,
        "phone": phone.pretty(location.phone) if location else "",
        # The room's address only while it is open to the patient (15 minutes before until the end); before that
        # the pages and messages say when it opens and lead to the visit's page.
        "video_url": appointment.video_url if appointment.video_open() else "",
        "video_opens": time_label(appointment.video_opens_at, tz) if appointment.is_telehealth else "",
        "video_ended": appointment.is_telehealth and timezone.now() >= appointment.end_at,
        "video_path": links.video_path(appointment) if appointment.is_telehealth else "",
        "duration": appointment.visit_type.duration_minutes,
    }
