"""The patient's intake questionnaire, outcome scores, red-flag alerts and the clinician's exam.

Answers and findings are stored as JSON per step or section (the forms define their shape and
validate it); what the clinic queries across patients (scores, alerts, status) has its own columns.
"""

from django.conf import settings
from django.db import models
from django.utils import timezone

from patients.models import Patient, PatientDocument
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
    instrument_versions = models.JSONField(default=dict, blank=True)
    signed_name = models.CharField(max_length=200, blank=True)
    signed_at = models.DateTimeField(null=True, blank=True)
    signed_ip = models.GenericIPAddressField(null=True, blank=True)
    submitted_at = models.DateTimeField(null=True, blank=True)
    filled_in_clinic = models.BooleanField(default=False)
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

    patient = models.ForeignKey(Patient, on_delete=models.CASCADE, related_name="red_flag_alerts")
    appointment = models.ForeignKey(
        Appointment, null=True, blank=True, on_delete=models.SET_NULL, related_name="red_flag_alerts"
    )
    intake = models.ForeignKey(IntakeForm, null=True, blank=True, on_delete=models.CASCADE, related_name="alerts")
    urgency = models.CharField(max_length=10, choices=Urgency.choices)
    flags = models.JSONField(default=list, help_text="Each flag: category, item, label, urgency, note.")
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


class Exam(models.Model):
    """The clinician's structured exam for one visit. Signed exams are never edited: see ExamAddendum."""

    class Diagnosis(models.TextChoices):
        DEEP_GLUTEAL = "deep_gluteal_syndrome", "Deep gluteal syndrome"
        PIRIFORMIS = "piriformis_syndrome", "Piriformis syndrome"
        SI_JOINT = "si_joint_dysfunction", "SI joint dysfunction"
        SCIATICA = "sciatica", "Sciatica"
        LUMBAR_DISC = "lumbar_disc", "Lumbar disc problem"
        TRAUMA = "trauma", "Trauma"
        OTHER = "other", "Other"

    patient = models.ForeignKey(Patient, on_delete=models.CASCADE, related_name="exams")
    appointment = models.OneToOneField(Appointment, null=True, blank=True, on_delete=models.SET_NULL, related_name="exam")
    clinician = models.ForeignKey("scheduling.Clinician", on_delete=models.PROTECT, related_name="exams")
    findings = models.JSONField(
        default=dict, blank=True,
        help_text="Sections: gait, mobility, strength, neuro, special_tests, ultrasound, plan.",
    )
    working_diagnosis = models.CharField(max_length=30, choices=Diagnosis.choices, blank=True)
    icd10_code = models.CharField("ICD-10 code", max_length=10, blank=True)
    assessment_notes = models.TextField(blank=True)
    section_revisions = models.JSONField(
        default=dict, blank=True,
        help_text="Per section: how many times it was saved, by whom, when (refuses a save over a newer one).",
    )
    signed_at = models.DateTimeField(null=True, blank=True)
    signed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    created_at = models.DateTimeField(default=timezone.now)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        ordering = ["-created_at"]
        indexes = [models.Index(fields=["patient", "-created_at"])]

    def __str__(self):
        return f"Exam of {self.patient.full_name} on {self.created_at:%Y-%m-%d}"

    def save(self, *args, **kwargs):
        if self.pk and type(self).objects.filter(pk=self.pk, signed_at__isnull=False).exists():
            raise PermissionError("A signed exam cannot be changed; add an addendum instead.")
        super().save(*args, **kwargs)

    def revision_of(self, section):
        return self.section_revisions.get(section, {}).get("revision", 0)

    @property
    def is_signed(self):
        return self.signed_at is not None


class ExamAddendum(models.Model):
    exam = models.ForeignKey(Exam, on_delete=models.CASCADE, related_name="addenda")
    author = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    text = models.TextField()
    created_at = models.DateTimeField(default=timezone.now)

    class Meta:
        ordering = ["created_at"]
        verbose_name_plural = "exam addenda"

    def __str__(self):
        return f"Addendum by {self.author} on {self.created_at:%Y-%m-%d}"

    def save(self, *args, **kwargs):
        if self.pk:
            raise PermissionError("Addenda are never edited.")
        super().save(*args, **kwargs)


class ExamAttachment(models.Model):
    """A gait video or report, or an ultrasound still, attached to an exam (stored as a patient document)."""

    exam = models.ForeignKey(Exam, on_delete=models.CASCADE, related_name="attachments")
    document = models.ForeignKey(PatientDocument, on_delete=models.CASCADE, related_name="+")
    caption = models.CharField(max_length=200, blank=True)

    def __str__(self):
        return self.caption or str(self.document)
