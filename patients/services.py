import logging
from datetime import timedelta

from django.conf import settings
from django.contrib.auth import get_user_model
from django.core.exceptions import ValidationError
from django.core.mail import send_mail
from django.db import transaction
from django.db.models import Case, Q, When
from django.utils import timezone
from django.utils.translation import gettext as _

from clinic import roles, texts
from clinic.audit import acting_as

from . import signals
from .models import Consent, ContactChange, EmergencyAccess, Patient, PatientDocument

logger = logging.getLogger(__name__)


@transaction.atomic
def patient_create(*, actor, ip=None, patient: Patient | None = None, **fields) -> Patient:
    """A new record from `fields`, or `patient` already filled in by a form (the staff admin's)."""
    patient = patient if patient is not None else Patient(**fields)
    patient.full_clean()
    with acting_as(actor, ip):
        patient.save()
    return patient


# Where and whether the patient's reminders go: a change re-plans the reminders of their coming visits.
REMINDER_CONTACT = ("email", "mobile_phone", "reminder_email_consent", "reminder_sms_consent")


@transaction.atomic
def patient_update(*, patient: Patient, actor, ip=None, **fields) -> Patient:
    """Save `patient` with `fields` (or as a form already filled it in)."""
    stored = Patient.objects.filter(pk=patient.pk).values(*REMINDER_CONTACT).first() or {}
    for name, value in fields.items():
        setattr(patient, name, value)
    patient.full_clean()
    with acting_as(actor, ip):
        patient.save()
    if any(stored.get(name) != getattr(patient, name) for name in REMINDER_CONTACT):
        signals.reminder_contact_changed.send(sender=Patient, patient=patient)
    return patient


@transaction.atomic
def patient_set_status(*, patient: Patient, status: str, actor, ip=None) -> Patient:
    """Archive or restore a patient; records are never deleted from the pages."""
    if patient.status != status:
        patient.status = status
        with acting_as(actor, ip):
            patient.save(update_fields=["status", "updated_at"])
    return patient


@transaction.atomic
def document_attach(*, patient: Patient, kind: str, title: str, file, actor, ip=None, clinical=False) -> PatientDocument:
    document = PatientDocument(
        patient=patient,
        clinical=clinical,
        kind=kind,
        title=title or file.name,
        file=file,
        original_name=file.name[:255],
        size_bytes=file.size,
        uploaded_by=actor,
    )
    document.full_clean()
    with acting_as(actor, ip):
        document.save()
    return document


@transaction.atomic
def consent_record(*, patient: Patient, kind: str, signed_name: str, actor, ip=None) -> Consent:
    """Record a signed consent with the version of the clinic's wording in force now (what was read)."""
    text_kind = Consent.TEXT_KINDS.get(kind)
    consent = Consent(patient=patient, kind=kind, signed_name=signed_name.strip(), ip_address=ip, recorded_by=actor,
                      text=texts.current(text_kind) if text_kind else None)
    consent.full_clean()
    with acting_as(actor, ip):
        consent.save()
    return consent


def patient_match_or_create(*, first_name, last_name, date_of_birth, email, phone, ip=None) -> tuple[Patient, bool]:
    """The patient with this name and birth date and the same email or mobile, or a new one; (patient, created).

    Active records are preferred to archived ones, then the oldest. A match is not edited: contact details
    that differ wait as ContactChanges for the front desk to confirm (contact_change_propose).
    """
    from . import phone as phones

    try:
        mobile = phones.to_e164(phone)
    except ValidationError as exc:
        raise ValidationError({"phone": exc.messages}) from None
    email = (email or "").strip().lower()
    same_contact = Q(pk__in=[])
    if email:
        same_contact |= Q(email__iexact=email)
    if mobile:
        same_contact |= Q(mobile_phone=mobile)
    match = (
        Patient.objects.filter(
            same_contact,
            first_name__iexact=first_name.strip(),
            last_name__iexact=last_name.strip(),
            date_of_birth=date_of_birth,
        )
        .order_by(Case(When(status=Patient.Status.ACTIVE, then=0), default=1), "pk")
        .first()
    )
    if match is not None:
        contact_change_propose(patient=match, email=email, mobile_phone=mobile, ip=ip)
        return match, False
    patient = patient_create(
        actor=None, ip=ip, first_name=first_name.strip(), last_name=last_name.strip(),
        date_of_birth=date_of_birth, email=email, mobile_phone=mobile,
        preferred_channel=Patient.Channel.EMAIL if email else Patient.Channel.PHONE,
    )
    return patient, True


def contact_change_propose(*, patient: Patient, email="", mobile_phone="", ip=None,
                           source="Typed when booking online") -> list[ContactChange]:
    """Hold the typed email or mobile that differ from the record as changes for the front desk to confirm.

    The record is not touched: whoever typed them may not be the patient. One change waits per detail; a newer
    value replaces the one waiting, and typing what is on file again leaves it alone. Normalised values
    (lower-case email, E.164 mobile), as stored on the record."""
    typed = {ContactChange.Field.EMAIL: (email or "").strip().lower(),
             ContactChange.Field.MOBILE_PHONE: (mobile_phone or "").strip()}
    differing = {field: value for field, value in typed.items() if value and value != getattr(patient, field)}
    if not differing:  # the usual case: no statement at all (a booking's statements are counted)
        return []
    held = []
    with transaction.atomic(), acting_as(None, ip):
        for field, value in differing.items():
            change = ContactChange.objects.update_or_create(
                patient=patient, field=field, status=ContactChange.Status.PENDING,
                defaults={"value": value, "source": source[:100], "requested_at": timezone.now(), "requested_ip": ip},
            )[0]
            held.append(change)
    return held


@transaction.atomic
def contact_change_decide(*, change: ContactChange, confirm: bool, actor, ip=None) -> ContactChange:
    """The front desk confirms a waiting contact change (the record takes the new value, so messages go there from
    now on) or keeps the one on file; both are audited with who decided. A change is decided once."""
    change = ContactChange.objects.select_for_update().select_related("patient").get(pk=change.pk)
    if change.status != ContactChange.Status.PENDING:
        raise ValidationError(_("This change was already decided (%(status)s).") % {
            "status": change.get_status_display().lower()})
    if confirm:
        patient = Patient.objects.select_for_update().get(pk=change.patient_id)
        patient_update(patient=patient, actor=actor, ip=ip, **{change.field: change.value})
    change.status = ContactChange.Status.CONFIRMED if confirm else ContactChange.Status.REJECTED
    change.decided_by, change.decided_at = actor, timezone.now()
    with acting_as(actor, ip):
        change.save(update_fields=["status", "decided_by", "decided_at"])
    return change


def emergency_access_open(*, patient: Patient, reason: str, actor, ip=None, now=None) -> EmergencyAccess:
    """Open `patient`'s clinical record to `actor` for EMERGENCY_ACCESS_MINUTES and tell every admin."""
    now = now or timezone.now()
    with transaction.atomic(), acting_as(actor, ip):
        access = EmergencyAccess.objects.create(
            patient=patient, user=actor, reason=reason.strip(), opened_at=now, ip_address=ip,
            expires_at=now + timedelta(minutes=settings.EMERGENCY_ACCESS_MINUTES),
        )
        transaction.on_commit(lambda: _tell_admins(access))
    return access


def _tell_admins(access):
    User = get_user_model()
    admins = User.objects.filter(is_active=True).filter(Q(groups__name=roles.ADMIN) | Q(is_superuser=True))
    recipients = sorted({email for email in admins.values_list("email", flat=True) if email})
    if not recipients:
        return
    opened, until = timezone.localtime(access.opened_at), timezone.localtime(access.expires_at)
    # The reason may hold health details: it stays in the staff admin and the audit log, not in an email.
    body = (
        f"{access.user} ({access.user.email}) used emergency access to open the clinical record of "
        f"patient {access.patient.mrn} on {opened:%b %-d, %Y at %-I:%M %p %Z}, until {until:%-I:%M %p %Z}.\n\n"
        "Read the reason they gave, and review the access, in the staff admin under Patients > Emergency "
        "accesses; every page they open is in the audit log."
    )
    try:
        send_mail(f"Emergency access to record {access.patient.mrn}", body, None, recipients)
    except Exception:  # the access is recorded and audited; a mail outage must not undo it
        logger.exception("Could not email the admins about emergency access %s", access.pk)
