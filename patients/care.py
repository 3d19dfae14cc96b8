"""Who may read a patient's clinical record (intake answers, exams, scores).

Admins may read every record. A clinician reads the records of the patients in their care: anyone with a
visit with them that the clinic booked, past or future (booked, confirmed, checked in, completed or missed;
not a mere online request, nor one declined or cancelled, which anyone can make, nor one the clinician
booked with themselves), and anyone whose exam they wrote. Any other record opens only through emergency access (a stated reason, for
EMERGENCY_ACCESS_MINUTES), which is audited and reported to the admins. Visits and exams are reached by
relation name: patients does not import scheduling, intake or exams.
"""

from dataclasses import dataclass
from datetime import datetime

from django.apps import apps
from django.core.exceptions import PermissionDenied
from django.db.models import Exists, OuterRef, Subquery
from django.urls import reverse
from django.utils import timezone

from clinic import roles

from .models import EmergencyAccess, Patient

# Appointment statuses (scheduling.Appointment.Status values) that put a patient in a clinician's care.
CARE_VISIT_STATUSES = ("booked", "confirmed", "checked_in", "completed", "no_show")


@dataclass(frozen=True)
class ClinicalAccess:
    allowed: bool
    emergency_until: datetime | None = None  # set when access comes from emergency access only


def reads_every_record(user):
    return user.is_superuser or roles.ADMIN in user.role_names


def access_annotations(user, *, patient_field="pk", now=None):
    """Annotations `in_care` and `emergency_until` for `user`, on a queryset of patients or of rows whose
    `patient_field` is a patient id (an exam: "patient_id"), so the check rides on a query already made."""
    now = now or timezone.now()
    # Looked up by name: patients does not import scheduling, intake or exams.
    Appointment, Exam = apps.get_model("scheduling", "Appointment"), apps.get_model("exams", "Exam")
    visits = Appointment.objects.filter(
        patient_id=OuterRef(patient_field), clinician__user=user, status__in=CARE_VISIT_STATUSES
    ).exclude(created_by=user)  # a visit a clinician books with themselves opens nothing by itself
    exams = Exam.objects.filter(patient_id=OuterRef(patient_field), clinician__user=user)
    emergency = EmergencyAccess.objects.filter(patient=OuterRef(patient_field), user=user, expires_at__gt=now)
    return {
        "in_care": Exists(visits) | Exists(exams),
        "emergency_until": Subquery(emergency.order_by("-expires_at").values("expires_at")[:1]),
    }


def access_from(annotated, user):
    """The access of `user` read off a row loaded with `access_annotations(user)`."""
    if reads_every_record(user) or annotated.in_care:
        return ClinicalAccess(True)
    return ClinicalAccess(annotated.emergency_until is not None, annotated.emergency_until)


def clinical_access(user, patient_id) -> ClinicalAccess:
    """One query (none for admins)."""
    if reads_every_record(user):
        return ClinicalAccess(True)
    patient = Patient.objects.filter(pk=patient_id).annotate(**access_annotations(user)).only("pk").first()
    return access_from(patient, user) if patient else ClinicalAccess(False)


class NotInCare(PermissionDenied):
    """Raised by `require`; the 403 page links to the chart, where emergency access is offered."""

    def __init__(self, patient):
        self.chart_url = reverse("patients:chart", args=[patient.mrn])
        super().__init__(
            "This patient is not in your care, so their clinical record is closed to you. "
            "From their chart you can open it with emergency access."
        )


def require(user, patient, *, annotated=None) -> ClinicalAccess:
    """The user's access to `patient`'s clinical record, or NotInCare. Reads the annotations of
    `annotated` (default: the patient) when it was loaded with `access_annotations`, else one query."""
    annotated = annotated if annotated is not None else patient
    if hasattr(annotated, "in_care"):
        access = access_from(annotated, user)
    else:
        access = clinical_access(user, patient.pk)
    if not access.allowed:
        raise NotInCare(patient)
    return access
