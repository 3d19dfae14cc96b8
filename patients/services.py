from django.db import transaction

from clinic.audit import acting_as

from .models import Consent, Patient, PatientDocument


@transaction.atomic
def patient_create(*, actor, ip=None, **fields) -> Patient:
    patient = Patient(**fields)
    patient.full_clean()
    with acting_as(actor, ip):
        patient.save()
    return patient


@transaction.atomic
def patient_update(*, patient: Patient, actor, ip=None, **fields) -> Patient:
    for name, value in fields.items():
        setattr(patient, name, value)
    patient.full_clean()
    with acting_as(actor, ip):
        patient.save()
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
def document_attach(*, patient: Patient, kind: str, title: str, file, actor, ip=None) -> PatientDocument:
    document = PatientDocument(
        patient=patient,
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
    consent = Consent(patient=patient, kind=kind, signed_name=signed_name.strip(), ip_address=ip, recorded_by=actor)
    consent.full_clean()
    with acting_as(actor, ip):
        consent.save()
    return consent
