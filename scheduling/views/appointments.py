"""One appointment's side panel and its actions (status, move, cancel)."""

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.http import Http404
from django.shortcuts import redirect
from django.urls import reverse
from django.utils import dateformat, timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_POST

from clinic.permissions import staff_permission_required
from patients.contact_changes import contact_changes_context

from .. import panel_sections, selectors, services
from ..forms_staff import CancelForm, DecideForm, MoveForm, StatusForm
from ..models import Appointment
from .shared import (
    Status,
    add_errors,
    apply_slot,
    calendar_url,
    clinic_local,
    next_free_choices,
    render_panel,
    when_label,
)

# The workflow buttons of an appointment panel, in order; each shows only when the status may follow.
STATUS_ACTIONS = [
    (Status.CONFIRMED, "Confirm"),
    (Status.CHECKED_IN, "Check in"),
    (Status.COMPLETED, "Complete"),
    (Status.NO_SHOW, "No-show"),
]
UNDO_LABELS = {Status.CHECKED_IN: "Undo check-in", Status.NO_SHOW: "Undo no-show"}
DONE_WORDS = {
    Status.CONFIRMED: "Confirmed.", Status.CHECKED_IN: "Checked in.", Status.COMPLETED: "Completed.",
    Status.NO_SHOW: "Marked as no-show.", Status.BOOKED: "Back to booked.",
}


def get_appointment(pk):
    try:
        return selectors.appointment_detail(pk)
    except Appointment.DoesNotExist:
        raise Http404("No such appointment.") from None


def policy_acceptance(a) -> dict:
    """The panel's line on the cancellation policy: the version the patient accepted online and when, or why none."""
    if a.cancellation_policy_id:
        return {"text": _("v%(version)s accepted %(when)s") % {
            "version": a.cancellation_policy.version, "when": when_label(a.cancellation_policy_accepted_at)},
            "url": a.cancellation_policy.get_absolute_url()}
    if a.source == Appointment.Source.FRONT_DESK:
        return {"text": _("not asked (booked by staff)"), "url": ""}
    return {"text": _("not asked when booked online (no policy was in force)"), "url": ""}


def panel_response(request, appointment, *, notice="", error="", taken=None, move_form=None, cancel_form=None,
           decide_form=None, matches=None, status=200, changed=False):
    a = appointment
    user = request.user
    can_change = user.has_perm("scheduling.change_appointment")
    show_matches = a.status == Status.CANCELLED and a.start_at > timezone.now() and user.has_perm(
        "scheduling.view_waitlistentry"
    )
    if matches is None and show_matches:
        matches = list(selectors.waitlist_matches(a))
    local = clinic_local(a.start_at)
    context = {
        "a": a,
        "when": f"{dateformat.format(local, 'D, M j, Y')} · {dateformat.format(local, 'g:i')}"
        f"–{dateformat.format(clinic_local(a.end_at), 'g:i A T')}",
        # The video room is the clinician's and the patient's, never anyone else's (not the front desk's).
        "video_url": a.video_url if a.is_telehealth and a.clinician.user_id == user.pk else "",
        "can_change": can_change,
        "actions": [(s, label) for s, label in STATUS_ACTIONS if a.can_become(s)] if can_change else [],
        "undo": (Status.BOOKED, UNDO_LABELS[a.status]) if can_change and a.status in UNDO_LABELS else None,
        "move_form": move_form or (
            MoveForm(appointment=a, initial={"date": local.date(), "time": local.time(), "clinician": a.clinician_id})
            if can_change and a.status in Appointment.MOVABLE else None
        ),
        # A request is declined instead (the patient is then told), not cancelled.
        "cancel_form": cancel_form or (
            CancelForm() if can_change and a.can_become(Status.CANCELLED) and a.status != Status.REQUESTED else None
        ),
        "decide_form": decide_form or (DecideForm() if can_change and a.status == Status.REQUESTED else None),
        "matches": matches or [], "show_matches": show_matches,
        "notice": notice, "error": error,
        "taken": taken.message if taken else "", "next_free": next_free_choices(taken) if taken else [],
        "book_url": reverse("scheduling:book"),
        "calendar_day_url": calendar_url(local.date()),
        "start_local": f"{local:%Y-%m-%dT%H:%M}",
        "policy": policy_acceptance(a),
        "sections": panel_sections.compose(request, a),
        **contact_changes_context(request, a.patient),
    }
    response = render_panel(request, "scheduling/staff/_appointment.html", context,
                             title=a.patient.display_name, status=status)
    if changed:
        response["HX-Trigger"] = "calendar-changed"
    return response


def done_response(request, appointment, notice, **extra):
    """After a change: the refreshed panel (htmx), or back to the appointment's page with a toast."""
    if request.htmx:
        return panel_response(request, get_appointment(appointment.pk), notice=notice, changed=True, **extra)
    messages.success(request, notice)
    return redirect("scheduling:appointment", pk=appointment.pk)


@require_GET
@staff_permission_required("scheduling.view_appointment")
def appointment_detail(request, pk):
    return panel_response(request, get_appointment(pk))


@require_POST
@staff_permission_required("scheduling.view_appointment", "scheduling.change_appointment")
def appointment_status(request, pk):
    appointment = get_appointment(pk)
    form = StatusForm(request.POST)
    if not form.is_valid():
        return panel_response(request, appointment, error="Choose what happened to the visit.")
    status = form.cleaned_data["status"]
    try:
        services.appointment_set_status(appointment=appointment, status=status, actor=request.user)
    except ValidationError as exc:
        return panel_response(request, appointment, error=" ".join(exc.messages))
    return done_response(request, appointment, DONE_WORDS[status])


@require_POST
@staff_permission_required("scheduling.view_appointment", "scheduling.change_appointment")
def appointment_move(request, pk):
    appointment = get_appointment(pk)
    data = apply_slot(request.POST.copy())
    if not data.get("clinician"):  # a drop on the calendar's time axis keeps the visit's clinician
        data["clinician"] = appointment.clinician_id
    form = MoveForm(data, appointment=appointment)
    if form.is_valid():
        try:
            moved = services.appointment_move(
                appointment=appointment, start=form.cleaned_data["start"], clinician=form.cleaned_data["clinician"],
                actor=request.user,
            )
        except services.SlotTaken as exc:
            return panel_response(request, appointment, move_form=form, taken=exc, status=200 if request.htmx else 409)
        except ValidationError as exc:
            add_errors(form, exc)
        else:
            return done_response(request, moved, f"Moved to {when_label(moved.start_at)} with {form.cleaned_data['clinician']}.")
    return panel_response(request, appointment, move_form=form)


@require_POST
@staff_permission_required("scheduling.view_appointment", "scheduling.change_appointment")
def appointment_cancel(request, pk):
    appointment = get_appointment(pk)
    form = CancelForm(request.POST)
    if not form.is_valid():
        return panel_response(request, appointment, cancel_form=form)
    notify = form.cleaned_data["notify_patient"]
    try:
        services.appointment_cancel(appointment=appointment, reason=form.cleaned_data["details"],
                                    because=form.picked(), notify_patient=notify, actor=request.user)
    except ValidationError as exc:
        return panel_response(request, appointment, error=" ".join(exc.messages))
    notice = _("Cancelled. The time is free again.")
    if not notify:
        notice = f"{notice} {_('The patient was not sent a message.')}"
    return done_response(request, appointment, notice)
