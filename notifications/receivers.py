"""React to the schedule: scheduling.signals are sent inside the service's transaction, so the outbox rows
planned here commit with the change to the visit."""

from scheduling import signals

from . import services


def on_booked(sender, appointment, **kwargs):
    services.appointment_booked(appointment=appointment)


def on_moved(sender, appointment, previous_start=None, **kwargs):
    services.appointment_moved(appointment=appointment, previous_start=previous_start)


def on_status_changed(sender, appointment, previous_status=None, **kwargs):
    services.appointment_status_changed(appointment=appointment, previous_status=previous_status)


def connect():
    signals.appointment_booked.connect(on_booked, dispatch_uid="notifications.booked")
    signals.appointment_moved.connect(on_moved, dispatch_uid="notifications.moved")
    signals.appointment_status_changed.connect(on_status_changed, dispatch_uid="notifications.status")
