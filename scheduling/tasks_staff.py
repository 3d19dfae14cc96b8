"""Tasks queued by the front-desk calendar: tell a patient their online request was accepted or declined.

Celery autodiscovery imports only `tasks.py`; SchedulingConfig.ready() imports this module so workers
register the task under its explicit name. The reminders issue will move this onto the outbox.
"""

import logging

from celery import shared_task
from django.conf import settings
from django.core.mail import send_mail
from django.db import transaction
from django.utils import dateformat, timezone

from .models import Appointment

log = logging.getLogger(__name__)
DECLINED_PREFIX = "Request declined:"


def queue_request_decision_email(appointment, *, accepted):
    """Send the patient the decision once the surrounding transaction commits."""
    pk = appointment.pk
    transaction.on_commit(lambda: send_request_decision_email.delay(pk, accepted))


def request_decision_message(appointment, *, accepted):
    """Subject and plain-text body telling the patient the front desk's decision."""
    local = timezone.localtime(appointment.start_at, appointment.local_tz)
    when = f"{dateformat.format(local, 'D, M j, Y')} at {dateformat.format(local, 'g:i A T')}"
    visit = f"{appointment.visit_type} with {appointment.clinician.display_name}"
    greeting = f"Hello {appointment.patient.preferred_name or appointment.patient.first_name},"
    phone = appointment.location.phone if appointment.location_id else ""
    if accepted:
        if appointment.is_telehealth:
            where = f"This is a video visit. Join it here at the time of your visit: {appointment.video_url}"
        else:
            where = f"Where: {appointment.location.name}, {appointment.location.address}."
            if appointment.location.arrival_notes:
                where += f"\n{appointment.location.arrival_notes}"
        subject = f"Your appointment is booked: {when}"
        body = f"{greeting}\n\nWe have accepted your request: {visit} on {when}.\n\n{where}\n"
    else:
        reason = appointment.cancellation_reason.removeprefix(DECLINED_PREFIX).strip()
        subject = f"We could not book your request for {dateformat.format(local, 'D, M j')}"
        body = (
            f"{greeting}\n\nWe are sorry: we could not accept your request for {visit} on {when}."
            + (f"\nReason: {reason}" if reason else "")
            + "\n\nPlease choose another time online"
            + (f" or call us at {phone}" if phone else "")
            + ".\n"
        )
    return subject, f"{body}\n{settings.CLINIC_NAME}\n"


@shared_task(name="scheduling.send_request_decision_email", ignore_result=True)
def send_request_decision_email(appointment_id, accepted):
    """Email the patient whether their online request was accepted; skip if the decision no longer holds."""
    appointment = (
        Appointment.objects.select_related("patient", "visit_type", "clinician__user", "location")
        .filter(pk=appointment_id)
        .first()
    )
    if appointment is None or not appointment.patient.email:
        return
    declined = appointment.status == Appointment.Status.CANCELLED
    if accepted == declined:  # changed again since the decision: the newer change sends its own news
        log.info("Request %s changed since the decision; no email sent", appointment_id)
        return
    subject, body = request_decision_message(appointment, accepted=accepted)
    send_mail(subject, body, None, [appointment.patient.email])
