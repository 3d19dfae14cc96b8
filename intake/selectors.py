"""Reads for the intake form: the form behind a link, the visit that needs one, a patient's intakes."""

from datetime import datetime, time
from zoneinfo import ZoneInfo

from django.conf import settings
from django.db.models import Prefetch
from django.utils import timezone

from patients import care
from patients.models import Patient
from scheduling.models import Appointment

from .models import IntakeForm, OutcomeScore, RedFlagAlert

# A visit still open for intake: not cancelled, missed or finished (checked in: filled in at the clinic).
OPEN_FOR_INTAKE = (*Appointment.MOVABLE, Appointment.Status.CHECKED_IN)


def intake_for_link(pk: int) -> IntakeForm | None:
    """The form a patient's link points at, with what its pages show, in one query."""
    return (
        IntakeForm.objects.select_related(
            "patient", "appointment__location", "appointment__visit_type", "appointment__clinician__user"
        )
        .filter(pk=pk)
        .first()
    )


def next_appointment_needing_intake(*, patient: Patient, now=None) -> Appointment | None:
    """The patient's next visit (today or later) whose type needs an intake form not yet completed."""
    tz = ZoneInfo(settings.TIME_ZONE)
    today = timezone.localtime(now or timezone.now(), tz).date()
    start_of_today = datetime.combine(today, time.min, tzinfo=tz)
    return (
        Appointment.objects.filter(
            patient=patient,
            visit_type__needs_intake=True,
            intake_completed_at__isnull=True,
            status__in=OPEN_FOR_INTAKE,
            start_at__gte=start_of_today,
        )
        .select_related("location", "visit_type", "clinician__user")
        .order_by("start_at")
        .first()
    )


def _intakes_with_scores():
    return Prefetch(
        "intake_forms",
        queryset=IntakeForm.objects.select_related("appointment__visit_type", "appointment__clinician__user")
        .prefetch_related(
            Prefetch("scores", queryset=OutcomeScore.objects.order_by("instrument")),
            Prefetch("alerts", queryset=RedFlagAlert.objects.select_related("acknowledged_by")),
        ),
    )


def patient_intakes(*, mrn: str, viewer) -> Patient:
    """The patient with every intake form, its visit, scores and alerts, in a fixed number of queries; with
    `viewer`'s clinical access to it (patients.care) in the same query."""
    return Patient.objects.annotate(**care.access_annotations(viewer)).prefetch_related(_intakes_with_scores()).get(mrn=mrn)


def intake_summary(*, pk: int, viewer) -> IntakeForm:
    """One intake form with what its printable summary shows, and `viewer`'s access to it (patients.care)."""
    return (
        IntakeForm.objects.annotate(**care.access_annotations(viewer, patient_field="patient_id"))
        .select_related(
            "patient", "appointment__location", "appointment__visit_type", "appointment__clinician__user"
        )
        .prefetch_related(
            Prefetch("scores", queryset=OutcomeScore.objects.order_by("instrument")),
            Prefetch("alerts", queryset=RedFlagAlert.objects.select_related("acknowledged_by")),
        )
        .get(pk=pk)
    )


# --- The chart's intake sections (intake.chart_sections) ---------------------------------------------------


def chart_intake_forms(patient) -> list[IntakeForm]:
    """The patient's intake forms with their visit (one query)."""
    return list(IntakeForm.objects.filter(patient=patient).select_related("appointment__visit_type"))


def chart_red_flag_alerts(patient) -> list[RedFlagAlert]:
    """The patient's red-flag alerts not yet acknowledged (one query)."""
    return list(RedFlagAlert.objects.filter(patient=patient, acknowledged_at__isnull=True))


def chart_scores(patient) -> list[OutcomeScore]:
    """Every outcome score of the patient in time order (one query): the intake list shows each form's, the
    progress plots the series."""
    return list(OutcomeScore.objects.filter(patient=patient).order_by("recorded_at", "id"))
