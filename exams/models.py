"""The clinician's exam of a visit, its addenda and attachments, and the red-flag re-screens of follow-ups.

Findings are stored as JSON per section (exams.forms defines their shape and validates it). The tables
keep the names they had under intake (a state-only move, migration 0001).
"""

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import models
from django.utils import timezone

from patients.models import Patient, PatientDocument
from scheduling.models import Appointment

from . import diagnoses


class Exam(models.Model):
    """The clinician's structured exam for one visit. Signed exams are never edited: see ExamAddendum."""

    patient = models.ForeignKey(Patient, on_delete=models.CASCADE, related_name="exams")
    appointment = models.OneToOneField(Appointment, null=True, blank=True, on_delete=models.SET_NULL, related_name="exam")
    clinician = models.ForeignKey("scheduling.Clinician", on_delete=models.PROTECT, related_name="exams")
    findings = models.JSONField(
        default=dict, blank=True,
        help_text="Sections: gait (walking and running apart), mobility (hip rotation with the position measured "
                  "in), strength, neuro, special_tests, ultrasound, plan.",
    )
    assessment_notes = models.TextField(blank=True)
    section_revisions = models.JSONField(
        default=dict, blank=True,
        help_text="Per section: how many times it was saved, by whom, when (refuses a save over a newer one).",
    )
    signed_at = models.DateTimeField(null=True, blank=True)
    signed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    red_flag_alert = models.ForeignKey(
        "intake.RedFlagAlert", null=True, blank=True, on_delete=models.SET_NULL, related_name="+",
        help_text="The latest alert the neuro findings raised: an autosave of the same findings raises no other.",
    )
    early_sign_reason = models.TextField(
        "reason for signing before the visit started", blank=True,
        help_text="Required when the exam is signed before its visit's start; shown on the signed exam.",
    )
    created_at = models.DateTimeField(default=timezone.now)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        db_table = "intake_exam"  # moved from intake without touching the table (migration 0001)
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

    def signing_is_early(self, now=None) -> bool:
        """Signing now would come before the visit has started (an exam written ahead of the patient)."""
        return self.appointment_id is not None and (now or timezone.now()) < self.appointment.start_at

    @property
    def primary_diagnosis(self):
        """The primary working diagnosis (the first listed), or None; reads the prefetched rows when there are."""
        return next(iter(self.diagnoses.all()), None)

    @property
    def signed_early(self):
        return self.is_signed and self.appointment_id is not None and self.signed_at < self.appointment.start_at


class WorkingDiagnosis(models.Model):
    """One of an exam's working diagnoses: from the clinic's table (exams.diagnoses), with its side and the ICD-10-CM
    code that follows from both. Like the exam, fixed once the exam is signed (a correction is an addendum)."""

    exam = models.ForeignKey(Exam, on_delete=models.CASCADE, related_name="diagnoses")
    # A key of exams.diagnoses.TABLE, checked by clean() (no choices here: the table changes without a migration).
    diagnosis = models.CharField(max_length=40)
    side = models.CharField(max_length=10, choices=diagnoses.SIDES, blank=True)
    icd10_code = models.CharField("ICD-10-CM code", max_length=10, blank=True)
    primary = models.BooleanField(default=False)
    note = models.CharField(max_length=500, blank=True)
    position = models.PositiveSmallIntegerField(default=0, help_text="The order the clinician listed them in.")

    class Meta:
        ordering = ["-primary", "position", "id"]
        verbose_name_plural = "working diagnoses"
        constraints = [
            models.UniqueConstraint(fields=["exam"], condition=models.Q(primary=True),
                                    name="one_primary_diagnosis_per_exam"),
        ]

    def __str__(self):
        side = f", {self.get_side_display().lower()}" if self.side else ""
        code = f" ({self.icd10_code})" if self.icd10_code else ""
        return f"{self.label}{side}{code}"

    def save(self, *args, **kwargs):
        if Exam.objects.filter(pk=self.exam_id, signed_at__isnull=False).exists():
            raise PermissionError("A signed exam's diagnoses cannot be changed; add an addendum instead.")
        super().save(*args, **kwargs)

    def delete(self, *args, **kwargs):
        if Exam.objects.filter(pk=self.exam_id, signed_at__isnull=False).exists():
            raise PermissionError("A signed exam's diagnoses cannot be changed; add an addendum instead.")
        return super().delete(*args, **kwargs)

    def clean(self):
        errors = diagnoses.check(self.diagnosis, self.side, self.icd10_code, self.note)
        if errors:
            raise ValidationError(errors)
        self.icd10_code = diagnoses.code_for(self.diagnosis, self.side, self.icd10_code)

    @property
    def entry(self):
        return diagnoses.DIAGNOSES.get(self.diagnosis)

    @property
    def label(self):
        """The diagnosis as the chart shows it: "Other" reads as what the note names."""
        if self.diagnosis == "other" and self.note:
            return self.note
        return str(self.entry.label) if self.entry else self.diagnosis


class ExamAddendum(models.Model):
    exam = models.ForeignKey(Exam, on_delete=models.CASCADE, related_name="addenda")
    author = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    text = models.TextField()
    created_at = models.DateTimeField(default=timezone.now)

    class Meta:
        db_table = "intake_examaddendum"
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

    class Meta:
        db_table = "intake_examattachment"

    def __str__(self):
        return self.caption or str(self.document)


class RedFlagScreen(models.Model):
    """A short re-screen of the red flags at a follow-up (exams.red_flag_screen): each item that alerts on its own,
    new or worsening since the last visit, yes or no, with who screened and when. The same rules as the intake
    (intake.rules) list the flags and raise the same alert. A record: never edited, a later screen follows it."""

    patient = models.ForeignKey(Patient, on_delete=models.CASCADE, related_name="red_flag_screens")
    appointment = models.ForeignKey(Appointment, null=True, blank=True, on_delete=models.SET_NULL,
                                    related_name="red_flag_screens")
    exam = models.ForeignKey(Exam, null=True, blank=True, on_delete=models.SET_NULL, related_name="red_flag_screens")
    answers = models.JSONField(default=dict, help_text="Each screened item: new or worsening (true) or not (false).")
    none_apply = models.BooleanField(default=False, help_text="“None of these” was ticked.")
    notes = models.TextField(blank=True)
    flags = models.JSONField(default=list, help_text="The flags as the rules listed them, each with its rule.")
    urgency = models.CharField(max_length=10, blank=True, help_text="The alert raised: emergency, urgent or none.")
    alert = models.ForeignKey("intake.RedFlagAlert", null=True, blank=True, on_delete=models.SET_NULL,
                              related_name="+")
    screened_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+")
    screened_at = models.DateTimeField(default=timezone.now)

    class Meta:
        ordering = ["-screened_at", "-pk"]
        indexes = [models.Index(fields=["patient", "-screened_at"])]

    def __str__(self):
        return f"Red-flag re-screen of {self.patient.full_name} on {self.screened_at:%Y-%m-%d}"

    def save(self, *args, **kwargs):
        if self.pk:
            raise PermissionError("A red-flag re-screen is a record: screen again instead of editing it.")
        super().save(*args, **kwargs)
