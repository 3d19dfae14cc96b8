from celery import shared_task

from .models import Appointment


@shared_task(ignore_result=True)
def send_booking_confirmation(appointment_id):
    """Email the patient what their online booking now is (booked, requested, moved or cancelled)."""
    from . import emails

    appointment = (
        Appointment.objects.select_related("patient", "clinician__user", "visit_type", "location")
        .filter(pk=appointment_id)
        .first()
    )
    if appointment is not None:
        emails.booking_confirmation_send(appointment)
