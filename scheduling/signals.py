"""What happened to an appointment, for other apps (notifications, intake) to react to.

Sent by scheduling.services after the change is saved, inside its transaction; receivers that
enqueue work should do it with transaction.on_commit.
"""

from django.dispatch import Signal

appointment_booked = Signal()  # appointment, actor
appointment_moved = Signal()  # appointment, previous_start, actor
appointment_status_changed = Signal()  # appointment, previous_status, actor, reason, notify_patient
