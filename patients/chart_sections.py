"""The patient record's own sections of the chart: contact, insurance, documents and consents."""

from django.utils.translation import gettext_lazy as _

from .chart import Section, register
from .contact_changes import contact_changes_context
from .selectors import chart_consents, chart_documents


def _documents(chart):
    # An exam's gait video or ultrasound still is part of the clinical record: listed only to its readers.
    shown = [d for d in chart_documents(chart.patient) if chart.reads_clinical or not d.clinical]
    return {"documents": shown}


def _consents(chart):
    return {"consents": chart_consents(chart.patient)}


def _can(permission):
    return lambda chart: chart.viewer.has_perm(permission)


register(Section("contact", "summary", 10, "patients/_section_contact.html", title=_("Contact"),
                 load=lambda chart: contact_changes_context(chart.request, chart.patient)))
register(Section("insurance", "summary", 20, "patients/_section_insurance.html", title=_("Insurance and referral"),
                 load=lambda chart: {}))
register(Section("documents", "records", 10, "patients/_section_documents.html", title=_("Documents"), load=_documents,
                 visible=_can("patients.view_patientdocument")))
register(Section("consents", "records", 20, "patients/_section_consents.html", title=_("Consents"), load=_consents,
                 visible=_can("patients.view_consent")))
