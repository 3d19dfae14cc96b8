import datetime
import re

from django.db.models import Prefetch, Q, Subquery, Value, prefetch_related_objects
from django.db.models.functions import Coalesce, Lower
from django.utils import timezone

from . import care
from .models import MRN_ALPHABET, Patient, PatientDocument

_MRN_RE = re.compile(rf"^[{MRN_ALPHABET}]{{4}}-?[{MRN_ALPHABET}]{{4}}$")
_DATE_FORMATS = ("%Y-%m-%d", "%m/%d/%Y", "%m/%d/%y", "%m-%d-%Y")
_LONG_AGO = datetime.datetime(1900, 1, 1, tzinfo=datetime.UTC)


def _as_date(text):
    for fmt in _DATE_FORMATS:
        try:
            return datetime.datetime.strptime(text, fmt).date()
        except ValueError:
            continue
    return None


def patient_search(query, *, include_archived=False):
    """Patients matching what the front desk typed: a name, a date of birth, a phone or a record number."""
    patients = Patient.objects.all()
    if not include_archived:
        patients = patients.filter(status=Patient.Status.ACTIVE)
    query = " ".join((query or "").split())
    if not query:
        return patients
    upper = query.upper()
    if _MRN_RE.match(upper):
        mrn = upper if "-" in upper else f"{upper[:4]}-{upper[4:]}"
        return patients.filter(mrn=mrn)
    day = _as_date(query)
    if day:
        return patients.filter(date_of_birth=day)
    digits = re.sub(r"\D", "", query)
    if len(digits) >= 4 and len(digits) >= len(query.replace(" ", "")) - 4:
        return patients.filter(Q(mobile_phone__contains=digits[-10:]) | Q(emergency_contact_phone__contains=digits[-10:]))
    patients = patients.annotate(_first=Lower("first_name"), _last=Lower("last_name"), _pref=Lower("preferred_name"))
    for term in query.lower().replace(",", " ").split():
        patients = patients.filter(
            Q(_last__startswith=term) | Q(_first__startswith=term) | Q(_pref__startswith=term)
        )
    return patients


def possible_duplicates(*, first_name, last_name, date_of_birth, email="", mobile_phone="", exclude_pk=None):
    """Existing patients who may be the same person: same name and birth date, or same email or mobile."""
    match = Q()
    if first_name and last_name and date_of_birth:
        match |= Q(first_name__iexact=first_name.strip(), last_name__iexact=last_name.strip(), date_of_birth=date_of_birth)
    if email:
        match |= Q(email__iexact=email.strip())
    if mobile_phone:
        match |= Q(mobile_phone=mobile_phone)
    if not match:
        return Patient.objects.none()
    found = Patient.objects.filter(match)
    if exclude_pk:
        found = found.exclude(pk=exclude_pk)
    return found.order_by("last_name", "first_name")[:10]


def patient_chart(mrn, *, viewer):
    """The patient with what the chart page shows, in a fixed number of queries."""
    return fill_chart(chart_patient(mrn, viewer=viewer))


def chart_patient(mrn, *, viewer, **annotations):
    """The patient with `viewer`'s clinical access (patients.care) and any other `annotations`, in one query."""
    return Patient.objects.annotate(**care.access_annotations(viewer), **annotations).get(mrn=mrn)


def fill_chart(patient):
    """Load what the chart shows onto a patient from `chart_patient`.

    Intake forms, scores and red-flag alerts (intake app) are reached by relation name: patients does not
    import intake. All outcome scores come in one query: the intake list shows each form's, and the
    progress plots use the same list (`chart_scores`).
    """
    documents = Prefetch("documents", queryset=PatientDocument.objects.select_related("uploaded_by"))
    intake = ("intake_forms__appointment__visit_type", "red_flag_alerts")
    prefetch_related_objects([patient], documents, "consents", *intake)
    patient.chart_scores = list(patient.outcome_scores.order_by("recorded_at", "id"))
    by_form = {}
    for score in patient.chart_scores:
        by_form.setdefault(score.intake_id, []).append(score)
    for form in patient.intake_forms.all():
        form.chart_scores = by_form.get(form.pk, [])
    patient.upcoming_appointments, patient.past_appointments = _visits(patient)
    return patient


def _visits(patient, past_shown=10):
    """Upcoming visits and the most recent past ones (one more, to tell if there are older), in one query.

    The past visits kept are those starting no earlier than the (past_shown + 1)th most recent one, found by a
    subquery: a window function over the same rows cost the ORM three times as long to compile.
    The appointment model is reached through the relation, since patients does not import scheduling.
    """
    now = timezone.now()
    oldest_kept = patient.appointments.filter(end_at__lt=now).order_by("-start_at").values("start_at")[past_shown:past_shown + 1]
    rows = list(
        patient.appointments.select_related("visit_type", "clinician__user", "location")
        .filter(Q(end_at__gte=now) | Q(start_at__gte=Coalesce(Subquery(oldest_kept), Value(_LONG_AGO))))
        .order_by("start_at")
    )
    upcoming = [a for a in rows if a.end_at >= now]
    past = [a for a in reversed(rows) if a.end_at < now]
    return upcoming, past
