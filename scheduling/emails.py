"""Email to patients about their online bookings: plain text and HTML, with the visit as an .ics file."""

from django.conf import settings
from django.core.mail import EmailMultiAlternatives
from django.template.loader import render_to_string
from django.urls import reverse

from . import formatting, ics, links
from .models import Appointment, ClinicSettings


def _subject(summary):
    when = f"{summary['day']} at {summary['time']} {summary['zone']}"
    if summary["status"] == Appointment.Status.CANCELLED:
        return f"Cancelled: your {summary['visit_type']} on {when}"
    if summary["status"] == Appointment.Status.REQUESTED:
        return f"Request received: {summary['visit_type']} on {when}"
    return f"Booked: {summary['visit_type']} on {when}"


def booking_confirmation_send(appointment) -> bool:
    """Send the patient the details, the manage link and an .ics; False if they have no email address."""
    if not appointment.patient.email:
        return False
    summary = formatting.appointment_summary(appointment)
    context = {
        "v": summary,
        "patient_name": appointment.patient.first_name,
        "manage_url": links.manage_url(appointment),
        "book_url": f"{settings.SITE_URL}{reverse('booking:start')}",
        "CLINIC_NAME": settings.CLINIC_NAME,
        "cutoff_hours": ClinicSettings.load().patient_change_cutoff_hours,
    }
    message = EmailMultiAlternatives(
        subject=_subject(summary),
        body=render_to_string("scheduling/public/email_confirmation.txt", context),
        to=[appointment.patient.email],
    )
    message.attach_alternative(render_to_string("scheduling/public/email_confirmation.html", context), "text/html")
    cancelled = appointment.status == Appointment.Status.CANCELLED
    method = "CANCEL" if cancelled else "REQUEST"
    message.attach(
        "visit.ics", ics.calendar([ics.appointment_event(appointment)], method=method), f"text/calendar; method={method}"
    )
    message.send()
    return True

