"""Every write of the patient's intake form: start, save a step, submit, send the link, alerts.

Plain functions with keyword-only arguments, one transaction each; email goes out through Celery
tasks queued on commit. `actor` is the signed-in staff user (None for a patient on their link) and
`ip` the address the request came from; both go to the audit trail.
"""

import logging
from datetime import timedelta
from decimal import Decimal

from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.mail import send_mail
from django.db import IntegrityError, transaction
from django.urls import reverse
from django.utils import dateformat, timezone

from clinic.audit import acting_as
from patients import services as patient_services
from patients.models import Consent

from . import forms_intake, links, rules, scoring, selectors
from .models import INTAKE_STEPS, IntakeForm, OutcomeScore, RedFlagAlert

log = logging.getLogger(__name__)


class IntakeError(Exception):
    """The action cannot be done; the message says why in words for the person who asked."""

    def __init__(self, message):
        super().__init__(message)
        self.message = message


class AlreadySubmitted(IntakeError):
    def __init__(self):
        super().__init__("This form has already been submitted. Thank you.")


class IntakeIncomplete(IntakeError):
    """Required answers are missing or invalid; `errors` is {step: {field: [messages]}}."""

    def __init__(self, errors):
        super().__init__("Some answers are missing.")
        self.errors = errors


def _queue(task_name, *args):
    """Queue an intake task once the surrounding transaction commits."""
    from . import tasks

    task = getattr(tasks, task_name)
    transaction.on_commit(lambda: task.delay(*args))


def _lock(intake: IntakeForm) -> IntakeForm:
    """Lock the form's row and refresh the fields the services change, keeping loaded relations."""
    locked = IntakeForm.objects.select_for_update().get(pk=intake.pk)
    for name in ("status", "current_step", "answers", "filled_in_clinic", "submitted_at"):
        setattr(intake, name, getattr(locked, name))
    return intake


@transaction.atomic
def intake_start(*, appointment, filled_in_clinic=False, actor=None, ip=None) -> IntakeForm:
    """Return the visit's intake form, creating it if it does not exist yet."""
    intake = IntakeForm.objects.filter(appointment=appointment).first()
    with acting_as(actor, ip):
        if intake is None:
            try:
                with transaction.atomic():
                    intake = IntakeForm.objects.create(
                        patient_id=appointment.patient_id, appointment=appointment, filled_in_clinic=filled_in_clinic
                    )
            except IntegrityError:  # another request created it a moment ago
                intake = IntakeForm.objects.get(appointment=appointment)
        if filled_in_clinic and not intake.filled_in_clinic and not intake.is_submitted:
            intake.filled_in_clinic = True
            intake.save(update_fields=["filled_in_clinic", "updated_at"])
    return intake


def intake_link_for(*, appointment, base_url="", actor=None, ip=None) -> str:
    """The patient's link to the visit's intake form (absolute if `base_url` is given), creating the form."""
    intake = intake_start(appointment=appointment, actor=actor, ip=ip)
    return f"{base_url.rstrip('/')}{links.intake_path(intake)}"


@transaction.atomic
def intake_send(*, patient, base_url, actor=None, ip=None) -> IntakeForm:
    """Create the form for the patient's next visit needing one and email them its link."""
    if not patient.email:
        raise IntakeError("Add the patient's email address first, or use Fill in clinic.")
    appointment = selectors.next_appointment_needing_intake(patient=patient)
    if appointment is None:
        raise IntakeError("No upcoming visit of this patient needs an intake form.")
    intake = intake_start(appointment=appointment, actor=actor, ip=ip)
    _queue("send_intake_link", intake.pk, base_url)
    return intake


def _first_unsaved(answers) -> str:
    return next((step for step in INTAKE_STEPS if step not in answers), INTAKE_STEPS[-1])


@transaction.atomic
def intake_save_step(*, intake, step, answers, actor=None, ip=None) -> IntakeForm:
    """Save one step's (already validated) answers as a draft; the form resumes at the first unsaved step."""
    if step not in INTAKE_STEPS:
        raise ValueError(f"unknown intake step {step!r}")
    _lock(intake)
    if intake.is_submitted:
        raise AlreadySubmitted()
    intake.answers = {**intake.answers, step: answers}
    intake.current_step = _first_unsaved(intake.answers)
    intake.status = IntakeForm.Status.IN_PROGRESS
    with acting_as(actor, ip):
        intake.save(update_fields=["answers", "current_step", "status", "updated_at"])
    return intake


def _visit_day(intake, now):
    if intake.appointment_id:
        return timezone.localtime(intake.appointment.start_at, intake.appointment.local_tz).date()
    return timezone.localtime(now).date()


def _scores(intake, forms_by_step, answers, versions, now):
    outcomes, complaint = forms_by_step["outcomes"], answers["complaint"]
    odi = scoring.odi_score(outcomes.odi_answers(answers["outcomes"]))
    activities = outcomes.psfs_answers(answers["outcomes"])
    psfs = scoring.psfs_score([a["rating"] for a in activities])
    common = {"patient_id": intake.patient_id, "appointment_id": intake.appointment_id, "intake": intake,
              "recorded_at": now}
    return [
        OutcomeScore(
            instrument="odi", instrument_version=versions["odi"], value=Decimal(str(odi.percent)), band=odi.band,
            details={"points": odi.points, "sections_answered": odi.sections_answered,
                     "low_confidence": odi.low_confidence}, **common,
        ),
        OutcomeScore(
            instrument="nprs", instrument_version=versions["nprs"], value=Decimal(complaint["pain_now"]),
            band=scoring.nprs_band(complaint["pain_now"]),
            details={"best": complaint["pain_best"], "worst": complaint["pain_worst"]}, **common,
        ),
        OutcomeScore(
            instrument="psfs", instrument_version=versions["psfs"], value=Decimal(str(psfs.mean)), band="",
            details={"activities": activities, "few_activities": psfs.few_activities}, **common,
        ),
    ]


def screen_red_flags(*, answers, age) -> list[rules.RedFlag]:
    """The red flags in a submitted form's answers (the screen, plus osteoporosis from the history)."""
    screen = forms_intake.RedFlagForm.red_flag_answers(answers["red_flags"])
    screen["osteoporosis"] = "osteoporosis" in (answers["history"].get("health_conditions") or [])
    return rules.red_flags(screen, age=age)


@transaction.atomic
def intake_submit(*, intake, actor=None, ip=None) -> IntakeForm:
    """Complete the form: check every answer and the signature, store scores, raise red-flag alerts.

    Raises IntakeIncomplete ({step: {field: [messages]}}) or AlreadySubmitted. The patient's record
    takes the contact details they confirmed, and their consents are recorded with the signature.
    """
    _lock(intake)
    if intake.is_submitted:
        raise AlreadySubmitted()
    patient = intake.patient
    forms_by_step, errors = forms_intake.validate_all(intake.answers, patient=patient)
    if errors:
        raise IntakeIncomplete(errors)
    answers = {step: form.to_answers() for step, form in forms_by_step.items()}
    now = timezone.now()
    consent = answers["consent"]

    history = answers["history"]
    contact_fields = forms_by_step["contact"].patient_fields(answers["contact"])
    if history.get("occupation"):
        contact_fields["occupation"] = history["occupation"]
    if history.get("sports"):
        contact_fields["sport_activity"] = history["sports"][:200]
    try:
        patient_services.patient_update(patient=patient, actor=actor, ip=ip, **contact_fields)
    except ValidationError as exc:
        raise IntakeIncomplete({"contact": exc.message_dict}) from None
    for kind in (Consent.Kind.TREATMENT, Consent.Kind.PRIVACY):
        patient_services.consent_record(patient=patient, kind=kind, signed_name=consent["signed_name"], actor=actor,
                                        ip=ip)

    instruments = forms_intake.current_instruments()
    versions = {key: instrument.version for key, instrument in instruments.items()}
    with acting_as(actor, ip):
        intake.answers = answers
        intake.status = IntakeForm.Status.SUBMITTED
        intake.current_step = INTAKE_STEPS[-1]
        intake.submitted_at = now
        intake.signed_name = consent["signed_name"]
        intake.signed_at = now
        intake.signed_ip = ip
        intake.instrument_versions = versions
        intake.save()
        for score in _scores(intake, forms_by_step, answers, versions, now):
            score.save()

        flags = screen_red_flags(answers=answers, age=patient.age_on(_visit_day(intake, now)))
        urgency = rules.highest_urgency(flags)
        if urgency in (rules.EMERGENCY, rules.URGENT):
            alert = RedFlagAlert.objects.create(
                patient=patient, appointment_id=intake.appointment_id, intake=intake, urgency=urgency, raised_at=now,
                flags=[{"category": f.category, "item": f.item, "label": f.label, "urgency": f.urgency,
                        "note": f.note, "source": f.source} for f in flags],
            )
            _queue("send_red_flag_alert", alert.pk)

        if intake.appointment_id:
            appointment = intake.appointment
            appointment.intake_completed_at = now
            appointment.save(update_fields=["intake_completed_at", "updated_at"])
    return intake


@transaction.atomic
def red_flag_acknowledge(*, alert, actor, ip=None) -> RedFlagAlert:
    """Record that a clinician has seen and acted on the alert (once; later clicks change nothing)."""
    locked = RedFlagAlert.objects.select_for_update().get(pk=alert.pk)
    if locked.acknowledged_at is None:
        locked.acknowledged_by = actor
        locked.acknowledged_at = timezone.now()
        with acting_as(actor, ip):
            locked.save(update_fields=["acknowledged_by", "acknowledged_at"])
    return locked


# --- Email (run by the tasks) --------------------------------------------------------------------


def _when(appointment) -> str:
    local = timezone.localtime(appointment.start_at, appointment.local_tz)
    return f"{dateformat.format(local, 'D, M j, Y')} at {dateformat.format(local, 'g:i A T')}"


def intake_link_email(*, intake_id: int, base_url: str) -> bool:
    """Email the patient the link to their form; False if there is nothing to send any more."""
    intake = selectors.intake_for_link(intake_id)
    if intake is None or intake.is_submitted or links.is_expired(intake) or not intake.patient.email:
        return False
    patient = intake.patient
    link = f"{base_url.rstrip('/')}{links.intake_path(intake)}"
    visit = f" before your visit on {_when(intake.appointment)}" if intake.appointment_id else ""
    last_day = dateformat.format(timezone.localtime(links.expires_at(intake)) - timedelta(seconds=1), "D, M j")
    body = (
        f"Hello {patient.preferred_name or patient.first_name},\n\n"
        f"Please fill in your intake form{visit}. It takes about 15 minutes and works on your phone. "
        f"Your answers are saved as you go, so you can stop and come back to this link.\n\n{link}\n\n"
        f"The link works until the end of {last_day}. "
        "Do not share it: anyone with it can see your answers.\n\n"
        f"{settings.CLINIC_NAME}\n"
    )
    send_mail(f"Your intake form{visit}", body, None, [patient.email])
    return True


def red_flag_alert_email(*, alert_id: int) -> bool:
    """Email the visit's clinician that a red flag was reported; the answers stay in the chart."""
    alert = selectors.alert_for_notification(alert_id)
    if alert is None or alert.appointment_id is None:
        log.warning("Red-flag alert %s has no visit; no clinician to email", alert_id)
        return False
    clinician = alert.appointment.clinician
    patient = alert.patient
    chart = f"{getattr(settings, 'SITE_URL', '').rstrip('/')}{reverse('patients:chart', kwargs={'mrn': patient.mrn})}"
    level = alert.get_urgency_display()
    action = "Call the patient now" if alert.urgency == RedFlagAlert.Urgency.EMERGENCY else "Contact the patient today"
    phone = patient.mobile_phone_display or "no mobile number on file"
    body = (
        f"{clinician.display_name},\n\n"
        f"{patient.full_name} (record {patient.mrn}) reported a red flag ({level.lower()}) on the intake form for "
        f"their {alert.appointment.visit_type} on {_when(alert.appointment)}.\n\n"
        f"{action}: {phone}.\n"
        f"Open the chart to see what was reported and acknowledge the alert: {chart}\n\n"
        "This email leaves out the answers on purpose; they are in the chart.\n"
    )
    send_mail(f"Red flag ({level}): {patient.full_name}'s intake form", body, None, [clinician.user.email])
    return True
