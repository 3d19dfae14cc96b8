"""What happened to an intake form, for other apps (notifications) to react to; intake imports none of them.

Sent by intake.services inside its transaction; receivers plan their work so it commits (or rolls back)
with the change, and enqueue anything with transaction.on_commit.
"""

from django.dispatch import Signal

red_flag_raised = Signal()  # alert
intake_invited = Signal()  # appointment, link (absolute URL)
intake_copy_requested = Signal()  # intake, link (absolute URL of the signed, expiring copy page)
intake_submitted = Signal()  # intake (its patient's record already holds the contact and reminder answers)
