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


class Instrument(models.Model):
    """A questionnaire loaded from a definition file (intake.instruments, docs/instrument-files.md): the ODI's
    licensed wording, LEFS, any summed measure. Versions are kept (every response names the one it was answered
    on); at most one version per code is active, and the active one is what the intake form asks."""

    code = models.CharField(max_length=20)
    version = models.CharField(max_length=40)
    title = models.CharField(max_length=200)
    copyright_notice = models.TextField(blank=True)
    demo_wording = models.BooleanField(
        default=False, help_text="Placeholder statements, not the licensed text: its scores are marked demo wording "
                                 "and never banded or presented as this instrument's score.")
    definition = models.JSONField(help_text="The validated definition (items, options, scoring rule).")
    source_name = models.CharField(max_length=200, blank=True, help_text="The file it was loaded from.")
    loaded_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL,
                                  related_name="+")
    loaded_at = models.DateTimeField(default=timezone.now)
    active = models.BooleanField(default=True, help_text="Asked on the intake form (one active version per code).")

    class Meta:
        ordering = ["code", "-loaded_at", "-id"]
        constraints = [
            models.UniqueConstraint(fields=["code", "version"], name="instrument_version_once"),
            models.UniqueConstraint(fields=["code"], condition=models.Q(active=True),
                                    name="one_active_instrument_per_code"),
        ]

    def __str__(self):
        wording = " (demo wording)" if self.demo_wording else ""
        return f"{self.title}, version {self.version}{wording}"

    @property
    def parsed(self):
        """The definition as an intake.instruments.Instrument (cached on the row)."""
        if not hasattr(self, "_parsed"):
            from .instruments import from_stored

            self._parsed = from_stored(self.definition)
        return self._parsed


class OutcomeScore(models.Model):
    """One scored measure (ODI, NPRS, PSFS, LEFS...) at one time, for plots over visits."""

    patient = models.ForeignKey(Patient, on_delete=models.CASCADE, related_name="outcome_scores")
    appointment = models.ForeignKey(Appointment, null=True, blank=True, on_delete=models.SET_NULL, related_name="+")
    intake = models.ForeignKey(IntakeForm, null=True, blank=True, on_delete=models.CASCADE, related_name="scores")
    instrument = models.CharField(max_length=20)
    instrument_version = models.CharField(max_length=40)
    value = models.DecimalField(max_digits=6, decimal_places=1)
    band = models.CharField(max_length=40, blank=True)
    # The loaded definition it was answered on (None for the shipped NPRS/PSFS and for older ODI scores).
    definition = models.ForeignKey(Instrument, null=True, blank=True, on_delete=models.PROTECT, related_name="scores")
    demo_wording = models.BooleanField(
        default=False, help_text="Answered on placeholder (demo) wording: never shown as the instrument's score.")
    details = models.JSONField(default=dict, blank=True)
    recorded_at = models.DateTimeField(default=timezone.now)

    class Meta:
        ordering = ["recorded_at", "id"]
        indexes = [models.Index(fields=["patient", "instrument", "recorded_at"])]

    def __str__(self):
        demo = " (demo wording)" if self.demo_wording else ""
        return f"{self.instrument.upper()}{demo} {self.value} for {self.patient.full_name}"


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
