"""The patient's intake questionnaire, outcome scores and red-flag alerts (the clinician's exam is in exams).

Answers and findings are stored as JSON per step or section (the forms define their shape and
validate it); what the clinic queries across patients (scores, alerts, status) has its own columns.
"""

from django.conf import settings
from django.db import models
from django.utils import timezone

from patients.models import Patient
from scheduling.models import Appointment

INTAKE_STEPS = ("contact", "history", "complaint", "red_flags", "outcomes", "goals", "consent")


class IntakeForm(models.Model):
    class Status(models.TextChoices):
        NOT_STARTED = "not_started", "Not started"
        IN_PROGRESS = "in_progress", "In progress"
        SUBMITTED = "submitted", "Submitted"

    patient = models.ForeignKey(Patient, on_delete=models.CASCADE, related_name="intake_forms")
    appointment = models.OneToOneField(
        Appointment, null=True, blank=True, on_delete=models.SET_NULL, related_name="intake_form"
    )
    status = models.CharField(max_length=12, choices=Status.choices, default=Status.NOT_STARTED)
    current_step = models.CharField(max_length=20, default=INTAKE_STEPS[0])
    answers = models.JSONField(default=dict, blank=True, help_text="Saved answers, keyed by step.")
    step_drafts = models.JSONField(
        default=dict, blank=True,
        help_text="What the patient entered on a step that was not complete yet, keyed by step (form data, not "
                  "validated): shown again when they come back to it; cleared when the step is saved.",
    )
    instrument_versions = models.JSONField(default=dict, blank=True)
    signed_name = models.CharField(max_length=200, blank=True)
    signed_at = models.DateTimeField(null=True, blank=True)
    signed_ip = models.GenericIPAddressField(null=True, blank=True)
    submitted_at = models.DateTimeField(null=True, blank=True)
    filled_in_clinic = models.BooleanField(default=False)
    copies_emailed = models.PositiveSmallIntegerField(
        default=0, help_text="Links to a copy of the answers emailed to the patient after submitting."
    )
    created_at = models.DateTimeField(default=timezone.now)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        ordering = ["-created_at"]
        indexes = [models.Index(fields=["patient", "-created_at"]), models.Index(fields=["status"])]
        permissions = [("view_clinical", "Can read clinical intake answers and exams")]

    def __str__(self):
        return f"Intake for {self.patient.full_name} ({self.get_status_display().lower()})"

    @property
    def is_submitted(self):
        return self.status == self.Status.SUBMITTED


class IntakeSignature(models.Model):
    """The signature a patient drew on the consent step (a PNG, intake.signatures), kept with their form but apart
    from its answers: private, so it is stored in the database and served only by the views that check who asks,
    never as a file with an address of its own. The printed name is the form's signed_name."""

    intake = models.OneToOneField(IntakeForm, on_delete=models.CASCADE, primary_key=True,
                                  related_name="drawn_signature")
    png = models.BinaryField(editable=False)
    drawn_at = models.DateTimeField(default=timezone.now)

    def __str__(self):
        return f"Drawn signature on intake {self.intake_id}"


class OutcomeScore(models.Model):
    """One scored measure (ODI, NPRS, PSFS...) at one time, for plots over visits."""

    patient = models.ForeignKey(Patient, on_delete=models.CASCADE, related_name="outcome_scores")
    appointment = models.ForeignKey(Appointment, null=True, blank=True, on_delete=models.SET_NULL, related_name="+")
    intake = models.ForeignKey(IntakeForm, null=True, blank=True, on_delete=models.CASCADE, related_name="scores")
    instrument = models.CharField(max_length=20)
    instrument_version = models.CharField(max_length=40)
    value = models.DecimalField(max_digits=6, decimal_places=1)
    band = models.CharField(max_length=40, blank=True)
    details = models.JSONField(default=dict, blank=True)
    recorded_at = models.DateTimeField(default=timezone.now)

    class Meta:
        ordering = ["recorded_at", "id"]
        indexes = [models.Index(fields=["patient", "instrument", "recorded_at"])]

    def __str__(self):
        return f"{self.instrument.upper()} {self.value} for {self.patient.full_name}"


class RedFlagAlert(models.Model):
    class Urgency(models.TextChoices):
        EMERGENCY = "emergency", "Emergency"
        URGENT = "urgent", "Urgent"

    class Source(models.TextChoices):
        """Where the flags were found: the same rules (intake.rules) raise the alert from each."""

        INTAKE = "intake", "the intake form"
        EXAM = "exam", "the exam"
        RESCREEN = "rescreen", "a red-flag re-screen"

    patient = models.ForeignKey(Patient, on_delete=models.CASCADE, related_name="red_flag_alerts")
    appointment = models.ForeignKey(
        Appointment, null=True, blank=True, on_delete=models.SET_NULL, related_name="red_flag_alerts"
    )
    intake = models.ForeignKey(IntakeForm, null=True, blank=True, on_delete=models.CASCADE, related_name="alerts")
    urgency = models.CharField(max_length=10, choices=Urgency.choices)
    source = models.CharField(max_length=10, choices=Source.choices, default=Source.INTAKE)
    flags = models.JSONField(default=list, help_text="Each flag: category, item, label, urgency, note, rule.")
    raised_at = models.DateTimeField(default=timezone.now)
    acknowledged_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    acknowledged_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["-raised_at"]
        indexes = [models.Index(fields=["patient", "acknowledged_at"])]

    def __str__(self):
        return f"{self.get_urgency_display()} red flag for {self.patient.full_name}"
