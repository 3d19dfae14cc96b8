"""What happened to a patient record, for other apps (notifications) to react to. Sent by patients.services inside
the service's transaction."""

from django.dispatch import Signal

# patient: their email, mobile number or reminder consents changed (the front desk's edit, the staff admin, a
# confirmed contact change), so the reminders of their coming visits are planned again.
reminder_contact_changed = Signal()
