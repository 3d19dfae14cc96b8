"""Who may read a patient's clinical record (intake answers, exams, scores).

Admins may read every record. A clinician reads the records of the patients in their care; any other
record opens only through emergency access (a stated reason, for EMERGENCY_ACCESS_MINUTES), which is
audited and reported to the admins.

Care comes from what the clinic did, never from what anyone on the internet can do. A patient is in a
clinician's care when
- a visit with that clinician (booked, confirmed, checked in, completed or missed) was vouched for by a
  member of staff other than that clinician: staff booked it, accepted or confirmed the online request,
  or checked the patient in (scheduling records who, in `Appointment.vouched_by`); or
- the clinician wrote an exam of the patient (which needs the record open already).
So an online booking that nobody at the clinic has acted on opens nothing, even auto-confirmed as booked:
anyone who knows a patient's name, birth date and phone can make one, the clinician included, from a
private window. Nor does a visit the clinician booked, confirmed or checked in themselves. Once the front
desk confirms or checks in that visit, or when the patient is already in the clinician's care through
another visit or an exam, the record is open as before. Why staff and not the patient's own confirmation:
the patient's "confirm" link is reached by whoever booked, so it proves nothing about the clinic's care.

The apps above patients say what counts (scheduling its visits, the exam app its exams) by registering a
source from their AppConfig.ready(): patients imports neither, and the check is one EXISTS per source on
a query already made.
"""

from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime
from functools import reduce
from operator import or_

from django.core.exceptions import PermissionDenied
from django.db.models import BooleanField, Expression, OuterRef, Q, Subquery, Value
from django.urls import reverse
from django.utils import timezone

from clinic import roles

from .models import EmergencyAccess, Patient

# fn(user, patient_ref) -> an Exists (or Q) that is true when that source puts the patient in user's care.
CareSource = Callable[[object, OuterRef], Expression | Q]
_sources: list[CareSource] = []


def register_care_source(source: CareSource) -> CareSource:
    """Add a reason a patient is in a clinician's care; called from an AppConfig.ready(), safe twice."""
    if source not in _sources:
        _sources.append(source)
    return source


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
    reasons = [source(user, OuterRef(patient_field)) for source in _sources]
    emergency = EmergencyAccess.objects.filter(patient=OuterRef(patient_field), user=user, expires_at__gt=now)
    return {
        "in_care": reduce(or_, reasons) if reasons else Value(False, output_field=BooleanField()),
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
