"""The outbox: one row per message to a patient or clinician, claimed before it is sent."""

import uuid

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils import timezone

from patients.models import Patient
from scheduling.models import Appointment


class Notification(models.Model):
    class Kind(models.TextChoices):
        BOOKING_CONFIRMATION = "booking_confirmation", "Booking confirmation"
        REQUEST_ACCEPTED = "request_accepted", "Request accepted"
        REQUEST_DECLINED = "request_declined", "Request declined"
        MOVED = "moved", "Visit moved"
        REMINDER = "reminder", "Reminder"
        INTAKE_INVITATION = "intake_invitation", "Intake invitation"
        INTAKE_NUDGE = "intake_nudge", "Intake nudge"
        INTAKE_COPY = "intake_copy", "Copy of the intake form"
        CANCELLATION = "cancellation", "Cancellation notice"
        RED_FLAG = "red_flag", "Red-flag alert"

    class Channel(models.TextChoices):
        EMAIL = "email", "Email"
        SMS = "sms", "Text message"

    class Status(models.TextChoices):
        QUEUED = "queued", "Queued"
        SENDING = "sending", "Sending"
        SENT = "sent", "Sent"
        FAILED = "failed", "Failed"
        CANCELLED = "cancelled", "Cancelled"

    # Kinds that remind the patient of a coming visit: they respect the reminder opt-outs and move with the visit.
    TIMED = (Kind.REMINDER, Kind.INTAKE_NUDGE)

    patient = models.ForeignKey(Patient, on_delete=models.CASCADE, related_name="notifications", db_index=False)
    appointment = models.ForeignKey(
        Appointment, null=True, blank=True, on_delete=models.CASCADE, related_name="notifications", db_index=False
    )
    kind = models.CharField(max_length=24, choices=Kind.choices)
    channel = models.CharField(max_length=5, choices=Channel.choices)
    occasion = models.CharField(
        max_length=60, blank=True, default="",
        help_text="Tells apart messages of one kind and channel for one visit, e.g. the 48h and the 24h reminder.",
    )
    recipient_user = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+",
        help_text="A staff recipient (red-flag alerts); blank: the patient.",
    )
    due_at = models.DateTimeField()
    status = models.CharField(max_length=10, choices=Status.choices, default=Status.QUEUED)
    attempts = models.PositiveSmallIntegerField(default=0)
    last_error = models.TextField(blank=True)
    note = models.CharField(max_length=200, blank=True, help_text="Why it was cancelled, deferred or resent.")
    provider_message_id = models.CharField(max_length=200, blank=True)
    idempotency_key = models.UUIDField(default=uuid.uuid4, unique=True, editable=False)
    visit_start_at = models.DateTimeField(null=True, blank=True, help_text="The visit time this message is about.")
    payload = models.JSONField(default=dict, blank=True)
    to_address = models.CharField(max_length=254, blank=True, help_text="Where it was sent.")
    subject = models.CharField(max_length=200, blank=True)
    claimed_at = models.DateTimeField(null=True, blank=True, help_text="When the sweep handed it to a worker.")
    attempt_started_at = models.DateTimeField(null=True, blank=True, help_text="When a worker last began sending.")
    sent_at = models.DateTimeField(null=True, blank=True)
    created_at = models.DateTimeField(default=timezone.now, editable=False)
    updated_at = models.DateTimeField(default=timezone.now)

    class Meta:
        ordering = ["-due_at", "-id"]
        constraints = [
            # A message is sent at most once per appointment, kind and channel (and occasion).
            models.UniqueConstraint(
                fields=["appointment", "kind", "channel", "occasion"], condition=Q(appointment__isnull=False),
                name="notification_once_per_appointment",
            ),
            models.UniqueConstraint(
                fields=["patient", "kind", "channel", "occasion"], condition=Q(appointment__isnull=True),
                name="notification_once_per_patient",
            ),
        ]
        indexes = [
            # The sweep reads only due queued rows, and leases that ran out; both sets are small.
            models.Index(fields=["due_at"], condition=Q(status="queued"), name="notification_due_idx"),
            models.Index(fields=["claimed_at"], condition=Q(status="sending"), name="notification_inflight_idx"),
            models.Index(fields=["updated_at"], condition=Q(status="failed"), name="notification_failed_idx"),
            models.Index(fields=["patient", "-due_at"], name="notification_patient_idx"),
            models.Index(fields=["-updated_at"], name="notification_recent_idx"),
        ]

    def __str__(self):
        return f"{self.label} by {self.get_channel_display().lower()} for {self.patient_id} ({self.status})"

    def save(self, *args, **kwargs):
        self.updated_at = timezone.now()
        super().save(*args, **kwargs)

    @property
    def label(self):
        occasion = self.occasion.split("@", 1)[0] if self.kind in self.TIMED else ""
        return f"{self.get_kind_display()} ({occasion})" if occasion else self.get_kind_display()

    @property
    def is_for_staff(self):
        return self.kind == self.Kind.RED_FLAG


class CapturedMessage(models.Model):
    """A message the memory backends kept instead of sending (development and tests).

    Keyed by the notification's idempotency key, like a provider that refuses a duplicate request,
    and stored in the database so a test can see what a worker in another process delivered.
    """

    channel = models.CharField(max_length=5)
    to = models.CharField(max_length=254)
    subject = models.CharField(max_length=200, blank=True)
    body = models.TextField(blank=True)
    idempotency_key = models.CharField(max_length=64, unique=True)
    attachments = models.JSONField(default=list, blank=True)
    deliveries = models.PositiveIntegerField(
        default=1, help_text="How many times it was handed over; more than 1 would be a duplicate send."
    )
    created_at = models.DateTimeField(default=timezone.now)

    class Meta:
        ordering = ["-created_at", "-id"]

    def __str__(self):
        return f"{self.channel} to {self.to}: {self.subject or self.body[:40]}"

    @property
    def provider_id(self):
        return f"memory-{self.pk}"
