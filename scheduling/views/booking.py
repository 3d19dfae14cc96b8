"""Booking a visit from the calendar, with the patient chooser and a quick new patient."""

from urllib.parse import urlencode

from django.core.exceptions import ValidationError
from django.shortcuts import render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.views.decorators.debug import sensitive_post_parameters
from django.views.decorators.http import require_GET, require_http_methods

from clinic.audit import request_ip
from clinic.permissions import staff_permission_required
from patients import selectors as patient_selectors
from patients import services as patient_services

from .. import services
from ..forms_staff import BookingForm, QuickPatientForm
from .appointments import done_response
from .shared import (
    add_errors,
    apply_slot,
    booking_initial,
    next_free_choices,
    patient_picker,
    render_panel,
    selected_patient,
    when_label,
)


@require_GET
@staff_permission_required("patients.view_patient", "scheduling.view_appointment")
def patient_options(request):
    picker = patient_picker(request.GET.get("q", ""), selected_patient(request.GET.get("patient")))
    return render(request, "scheduling/staff/_patient_options.html", {"picker": picker})


@sensitive_post_parameters()
@require_http_methods(["GET", "POST"])
@staff_permission_required("scheduling.view_appointment", "scheduling.add_appointment", "patients.view_patient")
def book(request):
    allow_new = request.user.has_perm("patients.add_patient")
    new_form = QuickPatientForm(prefix="new")
    taken = None
    if request.method == "GET":
        form = BookingForm(initial=booking_initial(request.GET))
        picker = patient_picker("", selected_patient(request.GET.get("patient")))
    else:
        data = apply_slot(request.POST.copy())
        query = data.get("q", "")
        if data.get("action") == "search":
            form = BookingForm(initial=data.dict())
            picker = patient_picker(query, selected_patient(data.get("patient")))
            new_form = QuickPatientForm(initial=_strip_prefix(data, "new-"), prefix="new")
        else:
            form = BookingForm(data)
            # The new-patient fields are checked only when they are the patient being booked: with an existing
            # patient chosen (or nothing typed there) their "required" errors would bury the ones that apply.
            adding = allow_new and not data.get("patient") and QuickPatientForm(data, prefix="new").filled()
            new_form = QuickPatientForm(data if adding else None, initial=_strip_prefix(data, "new-"), prefix="new")
            duplicates = []
            if not data.get("patient") and not adding:
                form.add_error("patient", _("Choose a patient, or add a new one."))
            new_patient_ok = new_form.is_valid() if adding else True  # all that applies is shown at once
            if form.is_valid() and new_patient_ok:
                patient = form.cleaned_data["patient"]
                if patient is None:
                    patient, duplicates = _create_patient(request, new_form)
                if patient is not None:
                    data["patient"] = patient.pk
                    new_form = QuickPatientForm(prefix="new")
                    try:
                        appointment = _book(request, form.cleaned_data, patient)
                    except services.SlotTaken as exc:
                        taken = exc
                    except ValidationError as exc:
                        add_errors(form, exc)
                    else:
                        return done_response(request, appointment, f"Booked {patient.full_name} for {when_label(appointment.start_at)}.")
            picker = patient_picker(query, selected_patient(data.get("patient")), duplicates=duplicates)
    context = {
        "form": form, "new_form": new_form, "allow_new": allow_new, "picker": picker,
        "taken": taken.message if taken else "", "next_free": next_free_choices(taken) if taken else [],
        "series_url": f"{reverse('scheduling:series')}?{urlencode(_series_params(form))}",
    }
    return render_panel(request, "scheduling/staff/_book.html", context, title="Book a visit",
                         status=409 if taken and not request.htmx else 200)


def _strip_prefix(data, prefix):
    return {k.removeprefix(prefix): v for k, v in data.items() if k.startswith(prefix)}


def _series_params(form):
    """Carry what was chosen in the booking panel over to the series page."""
    if form.is_bound:
        source = {k: form.data.get(k, "") for k in ("patient", "visit_type", "clinician", "location", "modality")}
        if form.data.get("date") and form.data.get("time"):
            source["start"] = f"{form.data['date']}T{form.data['time']}"
    else:
        source = {k: form.initial.get(k, "") for k in ("patient", "visit_type", "clinician", "location", "modality")}
        if form.initial.get("date"):
            source["start"] = f"{form.initial['date']}T{form.initial.get('time', '')}"
    return {k: v for k, v in source.items() if v}


def _create_patient(request, new_form):
    """A new patient from the booking panel, unless they may already be on file; returns (patient, duplicates)."""
    if not new_form.is_valid():
        return None, []
    duplicates = list(patient_selectors.possible_duplicates(
        first_name=new_form.cleaned_data["first_name"], last_name=new_form.cleaned_data["last_name"],
        date_of_birth=new_form.cleaned_data["date_of_birth"], email=new_form.cleaned_data["email"],
        mobile_phone=new_form.instance.mobile_phone,
    ))
    if duplicates and not new_form.cleaned_data["confirm_not_duplicate"]:
        new_form.add_error(None, "This may be a patient we already have: choose them above, or tick the box.")
        return None, duplicates
    patient = patient_services.patient_create(actor=request.user, ip=request_ip(request), **new_form.patient_fields())
    return patient, []


def _book(request, data, patient):
    return services.appointment_book(
        patient=patient, clinician=data["clinician"], visit_type=data["visit_type"], start=data["start"],
        modality=data["modality"], location=data["location"], room=data["room"], reason=data["reason"],
        actor=request.user, waitlist_entry=data.get("waitlist"),
    )
