"""Reads for the front desk: a visit's or patient's messages, recent activity, today's failures."""

from datetime import datetime, time, timedelta

from django.utils import timezone

from scheduling.models import Appointment
from scheduling.selectors import clinic_tz, waitlist_matches

from .models import Notification

Status = Notification.Status
PATIENT_CANCELLED = "by the patient"  # how scheduling and our cancel page word a patient's own cancellation


def message_history(*, appointment=None, patient=None, limit=100):
    """Messages about one visit or one patient, newest first."""
    rows = Notification.objects.select_related("appointment__visit_type", "recipient_user")
    if appointment is not None:
        rows = rows.filter(appointment=appointment)
    if patient is not None:
        rows = rows.filter(patient=patient)
    return list(rows.order_by("-due_at", "-id")[:limit])


def recent_messages(*, status="", limit=50):
    rows = Notification.objects.select_related("patient", "appointment__visit_type", "recipient_user")
    if status:
        rows = rows.filter(status=status)
    return list(rows.order_by("-updated_at", "-id")[:limit])


def failures_today(*, now=None):
    """How many messages failed since midnight at the clinic."""
    tz = clinic_tz()
    midnight = datetime.combine(timezone.localtime(now or timezone.now(), tz).date(), time.min, tzinfo=tz)
    return Notification.objects.filter(status=Status.FAILED, updated_at__gte=midnight).count()


def patient_cancellations(*, now=None, days=7, limit=10):
    """Coming visits that patients cancelled themselves lately, each with the waitlist entries that could take it."""
    now = now or timezone.now()
    visits = (
        Appointment.objects.filter(
            status=Appointment.Status.CANCELLED, start_at__gte=now, updated_at__gte=now - timedelta(days=days),
            cancellation_reason__icontains=PATIENT_CANCELLED,
        )
        .select_related("patient", "visit_type", "clinician__user", "location")
        .order_by("start_at")[:limit]
    )
    return [(visit, list(waitlist_matches(visit))) for visit in visits]
