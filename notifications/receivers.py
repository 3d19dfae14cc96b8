"""React to the schedule and the intake form: scheduling.signals and intake.signals are sent inside the
service's transaction, so the outbox rows planned here commit with the change."""

from django.conf import settings
from django.utils import timezone

from intake import signals as intake_signals
from patients import signals as patient_signals
from scheduling import signals

from . import services


def on_booked(sender, appointment, **kwargs):
    services.messages_plan_for_booking(appointment=appointment)


def on_moved(sender, appointment, previous_start=None, **kwargs):
    services.messages_replan_after_move(appointment=appointment, previous_start=previous_start)


def on_status_changed(sender, appointment, previous_status=None, notify_patient=True, **kwargs):
    services.messages_replan_after_status_change(appointment=appointment, previous_status=previous_status,
                                                 notify_patient=notify_patient)


def on_red_flag_raised(sender, alert, **kwargs):
    services.notify_red_flag(alert)


def on_intake_invited(sender, appointment, link, **kwargs):
    if link.startswith("/"):  # a path: the intake service had no base URL
        link = f"{settings.SITE_URL.rstrip('/')}{link}"
    # Only the front desk's "send intake" raises this signal: each click is a message of its own.
    services.notify_intake_invitation(appointment, link, occasion=f"sent {timezone.now():%Y-%m-%d %H:%M:%S.%f}")


def on_intake_submitted(sender, intake, **kwargs):
    services.messages_replan_for_patient(patient=intake.patient)


def on_reminder_contact_changed(sender, patient, **kwargs):
    services.messages_replan_for_patient(patient=patient)


def on_intake_copy_requested(sender, intake, link, number, **kwargs):
    services.notify_intake_copy(intake, link, number=number)


def connect():
    signals.appointment_booked.connect(on_booked, dispatch_uid="notifications.booked")
    signals.appointment_moved.connect(on_moved, dispatch_uid="notifications.moved")
    signals.appointment_status_changed.connect(on_status_changed, dispatch_uid="notifications.status")
    intake_signals.red_flag_raised.connect(on_red_flag_raised, dispatch_uid="notifications.red_flag")
    intake_signals.intake_invited.connect(on_intake_invited, dispatch_uid="notifications.intake_invited")
    intake_signals.intake_copy_requested.connect(on_intake_copy_requested, dispatch_uid="notifications.intake_copy")
    intake_signals.intake_submitted.connect(on_intake_submitted, dispatch_uid="notifications.intake_submitted")
    patient_signals.reminder_contact_changed.connect(on_reminder_contact_changed,
                                                     dispatch_uid="notifications.reminder_contact")
