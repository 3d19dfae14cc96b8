import datetime
import re
from functools import cached_property

from django.core.paginator import Paginator
from django.db.models import Q
from django.db.models.functions import Lower

from . import care
from .models import MRN_ALPHABET, ContactChange, Patient

_MRN_RE = re.compile(rf"^[{MRN_ALPHABET}]{{4}}-?[{MRN_ALPHABET}]{{4}}$")
_DATE_FORMATS = ("%Y-%m-%d", "%m/%d/%Y", "%m/%d/%y", "%m-%d-%Y")


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


class SearchPaginator(Paginator):
    """Pages of search results that count at most COUNT_CAP matches.

    An exact COUNT over every match costs as much as the search itself (a one-letter search over a chain's
    50,000 patients); past the cap the page says "more than" and asks for a narrower search instead.
    """

    COUNT_CAP = 500

    @cached_property
    def _counted(self):
        return self.object_list[: self.COUNT_CAP + 1].count()  # SELECT COUNT(*) FROM (... LIMIT 501)

    @property
    def capped(self):
        return self._counted > self.COUNT_CAP

    @property
    def count(self):
        return min(self._counted, self.COUNT_CAP)


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


def chart_patient(mrn, *, viewer):
    """The patient with `viewer`'s clinical access (patients.care), in one query. Raises Patient.DoesNotExist."""
    return Patient.objects.annotate(**care.access_annotations(viewer)).get(mrn=mrn)


def chart_documents(patient):
    """The patient's documents with who uploaded them (one query)."""
    return list(patient.documents.select_related("uploaded_by"))


def chart_consents(patient):
    """The patient's consents with the version of the clinic's wording each agreed to (one query)."""
    return list(patient.consents.select_related("text"))


def pending_contact_changes(patient) -> list[ContactChange]:
    """The contact details typed online that wait for the front desk's confirmation, oldest first."""
    return list(ContactChange.objects.filter(patient=patient, status=ContactChange.Status.PENDING)
                .order_by("requested_at", "pk"))

