"""Online requests: accept or decline (the rules live in services.request_decide)."""

from django.core.exceptions import ValidationError
from django.views.decorators.http import require_POST

from clinic.permissions import staff_permission_required

from .. import services
from ..forms_staff import DecideForm
from .appointments import done_response, get_appointment, panel_response
from .shared import add_errors


@require_POST
@staff_permission_required("scheduling.view_appointment", "scheduling.change_appointment")
def request_decide(request, pk):
    appointment = get_appointment(pk)
    form = DecideForm(request.POST)
    if not form.is_valid():
        return panel_response(request, appointment, decide_form=form)
    accept = form.cleaned_data["decision"] == "accept"
    try:
        services.request_decide(
            appointment=appointment, accept=accept, actor=request.user, reason=form.cleaned_data["reason"]
        )
    except ValidationError as exc:
        if hasattr(exc, "error_dict"):
            add_errors(form, exc)
            return panel_response(request, appointment, decide_form=form)
        return panel_response(request, appointment, error=" ".join(exc.messages))
    patient = appointment.patient
    told = f"We are emailing {patient.first_name}." if patient.email else (
        f"No email address on file: please call {patient.first_name} on {patient.mobile_phone_display or 'their phone'}."
    )
    return done_response(request, appointment, f"Request {'accepted' if accept else 'declined'}. {told}")
