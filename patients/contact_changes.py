"""The block that shows staff the contact details typed online that wait for confirmation (the chart's contact card,
a visit's side panel): one context, one template (patients/_contact_changes.html), one route to decide."""

from . import selectors

DECIDE = ["patients.change_patient", "patients.change_contactchange"]


def contact_changes_context(request, patient, **extra) -> dict:
    """The waiting changes for those who may confirm them (no query for anyone else)."""
    may_decide = request.user.has_perms(DECIDE)
    return {
        "contact_patient": patient,
        "contact_changes": selectors.pending_contact_changes(patient) if may_decide else [],
        "contact_next": request.get_full_path(),
        **extra,
    }
