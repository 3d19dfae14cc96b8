import secrets
from pathlib import PurePath

from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.validators import FileExtensionValidator
from django.db import models
from django.db.models.functions import Lower
from django.urls import reverse
from django.utils import timezone

from clinic import dates

from . import phone

# Crockford-style alphabet: no 0/O, 1/I/L, so a record number read over the phone is unambiguous.
MRN_ALPHABET = "23456789ABCDEFGHJKMNPQRSTVWXYZ"


def new_mrn():
    body = "".join(secrets.choice(MRN_ALPHABET) for _ in range(8))
    return f"{body[:4]}-{body[4:]}"


class Patient(models.Model):
    class Sex(models.TextChoices):
        FEMALE = "female", "Female"
        MALE = "male", "Male"
        INTERSEX = "intersex", "Intersex"
        UNKNOWN = "unknown", "Prefer not to say"

    class Channel(models.TextChoices):
        EMAIL = "email", "Email"
        SMS = "sms", "Text message"
        PHONE = "phone", "Phone call"

    class Status(models.TextChoices):
        ACTIVE = "active", "Active"
        ARCHIVED = "archived", "Archived"

    mrn = models.CharField("record number", max_length=9, unique=True, default=new_mrn, editable=False)
    first_name = models.CharField("legal first name", max_length=100)
    last_name = models.CharField("legal last name", max_length=100)
    preferred_name = models.CharField(max_length=100, blank=True)
    date_of_birth = models.DateField()
    sex = models.CharField("sex assigned at birth", max_length=10, choices=Sex.choices, default=Sex.UNKNOWN)
    gender_identity = models.CharField(max_length=60, blank=True)
    pronouns = models.CharField(max_length=30, blank=True)

    email = models.EmailField(blank=True)
    mobile_phone = models.CharField(max_length=16, blank=True, help_text="Stored in E.164, e.g. +16175550134.")
    address_line1 = models.CharField("address", max_length=200, blank=True)
    address_line2 = models.CharField("address line 2", max_length=200, blank=True)
    city = models.CharField(max_length=100, blank=True)
    state = models.CharField("state / region", max_length=100, blank=True)
    postal_code = models.CharField(max_length=20, blank=True)
    country = models.CharField(max_length=2, default="US")

    emergency_contact_name = models.CharField(max_length=200, blank=True)
    emergency_contact_relationship = models.CharField(max_length=60, blank=True)
    emergency_contact_phone = models.CharField(max_length=16, blank=True)

    preferred_channel = models.CharField(max_length=5, choices=Channel.choices, default=Channel.EMAIL)
    reminder_email_consent = models.BooleanField("email reminders", default=True)
    reminder_sms_consent = models.BooleanField("text reminders", default=False)

    insurance_carrier = models.CharField(max_length=120, blank=True)
    insurance_member_id = models.CharField("member ID", max_length=60, blank=True)
    insurance_group_number = models.CharField("group number", max_length=60, blank=True)
    referring_physician = models.CharField(max_length=200, blank=True)
    occupation = models.CharField(max_length=120, blank=True)
    sport_activity = models.CharField("sport or activity", max_length=200, blank=True)

    status = models.CharField(max_length=10, choices=Status.choices, default=Status.ACTIVE, db_index=True)
    user = models.OneToOneField(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="patient"
    )
    created_at = models.DateTimeField(default=timezone.now, editable=False)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        ordering = ["last_name", "first_name", "id"]
        permissions = [("archive_patient", "Can archive and restore a patient")]
        indexes = [
            models.Index(Lower("last_name"), Lower("first_name"), name="patient_name_idx"),
            models.Index(fields=["date_of_birth"], name="patient_dob_idx"),
            models.Index(fields=["mobile_phone"], name="patient_phone_idx"),
            models.Index(Lower("email"), name="patient_email_idx"),
        ]

    def __str__(self):
        return f"{self.full_name} ({self.mrn})"

    def save(self, *args, **kwargs):
        if self.email:
            self.email = self.email.strip().lower()
        super().save(*args, **kwargs)

    def get_absolute_url(self):
        return reverse("patients:chart", kwargs={"mrn": self.mrn})

    def clean(self):
        if self.date_of_birth and dates.birth_date_error(self.date_of_birth):
            raise ValidationError({"date_of_birth": dates.birth_date_error(self.date_of_birth)})
        for field in ("mobile_phone", "emergency_contact_phone"):
            try:
                setattr(self, field, phone.to_e164(getattr(self, field)))
            except ValidationError as exc:
                raise ValidationError({field: exc.messages}) from None
        if self.reminder_sms_consent and not self.mobile_phone:
            raise ValidationError({"mobile_phone": "Add a mobile number to send text reminders."})
        if self.preferred_channel == self.Channel.EMAIL and not self.email:
            raise ValidationError({"email": "Add an email address, or choose another preferred channel."})

    @property
    def full_name(self):
        return f"{self.first_name} {self.last_name}"

    @property
    def display_name(self):
        return patient_display_name(self.first_name, self.preferred_name, self.last_name)

    @property
    def is_archived(self):
        return self.status == self.Status.ARCHIVED

    @property
    def mobile_phone_display(self):
        return phone.pretty(self.mobile_phone)

    @property
    def emergency_contact_phone_display(self):
        return phone.pretty(self.emergency_contact_phone)

    def age_on(self, day):
        years = day.year - self.date_of_birth.year
        return years - ((day.month, day.day) < (self.date_of_birth.month, self.date_of_birth.day))

    @property
    def age(self):
        return self.age_on(timezone.localdate())


DOCUMENT_EXTENSIONS = ["pdf", "jpg", "jpeg", "png", "heic", "tif", "tiff", "dcm", "mp4", "mov"]


def _isobmff(head):  # MP4, MOV, HEIC: a box size, then "ftyp" (or an older QuickTime atom)
    return head[4:8] in (b"ftyp", b"moov", b"mdat", b"wide", b"free", b"skip")


# What each allowed type starts with: a file is what its bytes say, not what its name says.
SIGNATURES = {
    "pdf": lambda h: h.startswith(b"%PDF-"),
    "jpg": lambda h: h.startswith(b"\xff\xd8\xff"),
    "jpeg": lambda h: h.startswith(b"\xff\xd8\xff"),
    "png": lambda h: h.startswith(b"\x89PNG\r\n\x1a\n"),
    "tif": lambda h: h[:4] in (b"II*\x00", b"MM\x00*"),
    "tiff": lambda h: h[:4] in (b"II*\x00", b"MM\x00*"),
    "dcm": lambda h: h[128:132] == b"DICM",
    "heic": _isobmff,
    "mp4": _isobmff,
    "mov": _isobmff,
}
_MARKUP = (b"<svg", b"<html", b"<!doctype", b"<script", b"<?xml", b"<body", b"<iframe")


def validate_document_content(file):
    """Refuse a file whose bytes do not match its extension; say so plainly when it is a web page or SVG.

    The signature decides: real PDFs and photos often carry XML metadata (XMP) near the start, so markup
    only shapes the message for a file that is not what its name says.
    """
    position = file.tell() if hasattr(file, "tell") else 0
    file.seek(0)
    head = file.read(2048)
    file.seek(position)
    extension = (file.name or "").rsplit(".", 1)[-1].lower()
    check = SIGNATURES.get(extension)
    if check is None or check(head):
        return  # the extension validator refuses unknown types
    if any(tag in head.lower() for tag in _MARKUP):
        raise ValidationError("Web pages and SVG images cannot be uploaded; save it as a PDF or PNG first.")
    raise ValidationError(f"This file is not a real .{extension} file: its contents do not match its name.")


def document_path(instance, filename):
    suffix = PurePath(filename).suffix.lower()
    return f"patients/{instance.patient.mrn}/{secrets.token_hex(12)}{suffix}"


def validate_document_size(file):
    limit = settings.PATIENT_DOCUMENT_MAX_BYTES
    if file.size > limit:
        raise ValidationError(
            f"That file is {file.size / 1_048_576:.1f} MB; the limit is {limit / 1_048_576:.0f} MB."
        )


class PatientDocument(models.Model):
    class Kind(models.TextChoices):
        REFERRAL = "referral", "Referral letter"
        IMAGING = "imaging", "Imaging report"
        ULTRASOUND = "ultrasound", "Ultrasound still"
        GAIT = "gait", "Gait report or video"
        INSURANCE = "insurance", "Insurance card"
        OTHER = "other", "Other"

    patient = models.ForeignKey(Patient, on_delete=models.CASCADE, related_name="documents")
    kind = models.CharField(max_length=12, choices=Kind.choices)
    title = models.CharField(max_length=200)
    file = models.FileField(
        upload_to=document_path,
        validators=[FileExtensionValidator(DOCUMENT_EXTENSIONS), validate_document_size, validate_document_content],
    )
    original_name = models.CharField(max_length=255, blank=True)
    size_bytes = models.PositiveBigIntegerField(default=0)
    uploaded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    uploaded_at = models.DateTimeField(default=timezone.now)
    clinical = models.BooleanField(
        default=False,
        help_text="Part of the clinical record (an exam's attachment): shown only to who may read that record.",
    )

    class Meta:
        ordering = ["-uploaded_at", "-id"]

    def __str__(self):
        return f"{self.get_kind_display()}: {self.title}"

    def get_absolute_url(self):
        return reverse("patients:document", kwargs={"mrn": self.patient.mrn, "pk": self.pk})


class Consent(models.Model):
    class Kind(models.TextChoices):
        TREATMENT = "treatment", "Consent to evaluation and treatment"
        PRIVACY = "privacy", "Notice of privacy practices acknowledged"
        TELEHEALTH = "telehealth", "Consent to telehealth visits"
        SMS = "sms", "Consent to text messages"
        FINANCIAL = "financial", "Financial policy"

    patient = models.ForeignKey(Patient, on_delete=models.CASCADE, related_name="consents")
    kind = models.CharField("what", max_length=12, choices=Kind.choices)
    signed_name = models.CharField(max_length=200)
    signed_at = models.DateTimeField(default=timezone.now)
    ip_address = models.GenericIPAddressField(null=True, blank=True)
    recorded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    text = models.ForeignKey(
        "clinic.ClinicText", null=True, blank=True, on_delete=models.PROTECT, related_name="+",
        help_text="The version of the clinic's wording agreed to (empty: recorded before texts were versioned).",
    )

    # Which of the clinic's texts each kind of consent agrees to (clinic.ClinicText.Kind).
    TEXT_KINDS = {Kind.TREATMENT: "treatment_consent", Kind.PRIVACY: "privacy_notice",
                  Kind.TELEHEALTH: "telehealth_consent"}

    class Meta:
        ordering = ["-signed_at", "-id"]

    def __str__(self):
        return f"{self.get_kind_display()} signed by {self.signed_name}"


def patient_display_name(first_name, preferred_name, last_name):
    """'Sam (Samantha) Rivera' when a preferred name differs, else 'Samantha Rivera'."""
    if preferred_name and preferred_name != first_name:
        return f"{preferred_name} ({first_name}) {last_name}"
    return f"{first_name} {last_name}"


class EmergencyAccess(models.Model):
    """A clinician opening the clinical record of a patient outside their care: a stated reason, a time
    limit, an audit row and a notice to the admins (HIPAA's emergency access procedure)."""

    patient = models.ForeignKey(Patient, on_delete=models.CASCADE, related_name="emergency_accesses")
    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    reason = models.TextField()
    opened_at = models.DateTimeField(default=timezone.now)
    expires_at = models.DateTimeField()
    ip_address = models.GenericIPAddressField(null=True, blank=True)

    class Meta:
        ordering = ["-opened_at"]
        verbose_name_plural = "emergency accesses"
        indexes = [models.Index(fields=["user", "patient", "expires_at"], name="emergency_access_open")]

    def __str__(self):
        return f"{self.user} opened {self.patient} at {self.opened_at:%Y-%m-%d %H:%M}"


class ContactChange(models.Model):
    """A contact detail typed online that differs from the patient's record, held until the front desk confirms it.

    Anyone can book in anyone's name (name, birth date and one matching contact find the record), so a typed address
    never replaces the one on file by itself: messages keep going to the record's address until a member of staff
    who knows the patient confirms the new one (patients.services.contact_change_decide, audited)."""

    class Field(models.TextChoices):
        EMAIL = "email", "Email"
        MOBILE_PHONE = "mobile_phone", "Mobile phone"

    class Status(models.TextChoices):
        PENDING = "pending", "To confirm"
        CONFIRMED = "confirmed", "Confirmed"
        REJECTED = "rejected", "Kept the one on file"

    patient = models.ForeignKey(Patient, on_delete=models.CASCADE, related_name="contact_changes")
    field = models.CharField(max_length=12, choices=Field.choices)
    value = models.CharField("new value", max_length=254)
    status = models.CharField(max_length=9, choices=Status.choices, default=Status.PENDING)
    source = models.CharField(max_length=100, default="Typed when booking online")
    requested_at = models.DateTimeField(default=timezone.now)
    requested_ip = models.GenericIPAddressField(null=True, blank=True)
    decided_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    decided_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["-requested_at", "-id"]
        constraints = [
            models.UniqueConstraint(fields=["patient", "field"], condition=models.Q(status="pending"),
                                    name="one_pending_contact_change_per_field"),
        ]

    def __str__(self):
        return f"{self.get_field_display()} change for {self.patient.mrn} ({self.get_status_display().lower()})"

    @property
    def value_display(self):
        return phone.pretty(self.value) if self.field == self.Field.MOBILE_PHONE else self.value
