from django.conf import settings
from django.contrib import messages
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import FileResponse, Http404
from django.shortcuts import get_object_or_404, redirect, render
from django.utils import timezone
from django.utils.http import url_has_allowed_host_and_scheme
from django.utils.translation import gettext as _
from django.views.decorators.debug import sensitive_post_parameters
from django.views.decorators.http import require_GET, require_POST

from clinic.audit import record_view, request_ip
from clinic.permissions import staff_permission_required

from . import care, chart, selectors, services
from .contact_changes import contact_changes_context
from .forms import ConsentForm, DocumentForm, EmergencyAccessForm, PatientForm
from .models import ContactChange, Patient, PatientDocument

PAGE_SIZE = 25


@require_GET
@staff_permission_required("patients.view_patient")
def patient_list(request):
    query = request.GET.get("q", "").strip()
    include_archived = request.GET.get("archived") == "1"
    patients = selectors.patient_search(query, include_archived=include_archived)
    page = selectors.SearchPaginator(patients, PAGE_SIZE).get_page(request.GET.get("page"))
    template = "patients/_results.html" if request.htmx else "patients/list.html"
    return render(request, template, {"page": page, "query": query, "include_archived": include_archived})


def _form_fields(form):
    return {name: value for name, value in form.cleaned_data.items() if name != "confirm_not_duplicate"}


@sensitive_post_parameters()
@staff_permission_required("patients.add_patient")
def patient_create(request):
    form = PatientForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        duplicates = selectors.possible_duplicates(
            first_name=form.cleaned_data["first_name"],
            last_name=form.cleaned_data["last_name"],
            date_of_birth=form.cleaned_data["date_of_birth"],
            email=form.cleaned_data["email"],
            mobile_phone=form.instance.mobile_phone,
        )
        if duplicates and not request.POST.get("confirm_not_duplicate"):
            form = PatientForm(request.POST, duplicates=duplicates)
            form.is_valid()
        else:
            fields = _form_fields(form)
            fields["mobile_phone"] = form.instance.mobile_phone
            fields["emergency_contact_phone"] = form.instance.emergency_contact_phone
            patient = services.patient_create(actor=request.user, ip=request_ip(request), **fields)
            messages.success(request, f"{patient.full_name} added with record number {patient.mrn}.")
            return redirect(patient)
    return render(request, "patients/form.html", {"form": form, "creating": True})


def _chart_page(request, mrn, *, status=200, **forms_):
    """The chart: the patient with the viewer's clinical access, and each app's sections this viewer may see
    (patients.chart). Every drawing of it is a read of the record, audited with the sections it showed."""
    try:
        patient = selectors.chart_patient(mrn, viewer=request.user)
    except Patient.DoesNotExist:
        raise Http404("No patient with that record number.") from None
    access = care.access_from(patient, request.user)
    page = chart.Chart(request=request, patient=patient, access=access)
    slots = chart.compose(page)
    record_view(instance=patient, actor=request.user, ip=request_ip(request), details={"sections": chart.shown(slots)})
    context = {
        "patient": patient,
        "slots": slots,
        "index": chart.index(slots, clinical_locked=page.clinical_locked),
        "document_form": DocumentForm(),
        "consent_form": ConsentForm(),
        "emergency_form": EmergencyAccessForm(),
        "clinical_access": access,
        "clinical_locked": page.clinical_locked,
        "emergency_minutes": settings.EMERGENCY_ACCESS_MINUTES,
        **forms_,
    }
    return render(request, "patients/chart.html", context, status=status)


@require_GET
@staff_permission_required("patients.view_patient")
def patient_chart(request, mrn):
    return _chart_page(request, mrn)


@require_POST
@sensitive_post_parameters("reason")
@staff_permission_required("patients.view_patient", "intake.view_clinical")
def emergency_access(request, mrn):
    """Break the glass: open a record outside the clinician's care, with a reason, for a limited time."""
    patient = get_object_or_404(Patient, mrn=mrn)
    access = care.clinical_access(request.user, patient.pk)
    if access.allowed and access.emergency_until is None:
        return redirect(patient)  # in their care already: nothing to open
    form = EmergencyAccessForm(request.POST)
    if not form.is_valid():
        return _chart_page(request, mrn, status=400, emergency_form=form)
    access = services.emergency_access_open(
        patient=patient, reason=form.cleaned_data["reason"], actor=request.user, ip=request_ip(request)
    )
    until = timezone.localtime(access.expires_at)
    messages.warning(request, f"Emergency access open until {until:%-I:%M %p %Z} today. The admins have been told.")
    return redirect(patient)


@sensitive_post_parameters()
@staff_permission_required("patients.change_patient")
def patient_edit(request, mrn):
    patient = get_object_or_404(Patient, mrn=mrn)
    form = PatientForm(request.POST or None, instance=patient)
    if request.method == "POST" and form.is_valid():
        # The form has already applied and normalised the values on the instance; the service saves it.
        services.patient_update(patient=form.instance, actor=request.user, ip=request_ip(request))
        messages.success(request, "Changes saved.")
        return redirect(patient)
    return render(request, "patients/form.html", {"form": form, "patient": patient, "creating": False})


@require_POST
@staff_permission_required("patients.archive_patient")
def patient_archive(request, mrn):
    patient = get_object_or_404(Patient, mrn=mrn)
    restore = request.POST.get("restore") == "1"
    status = Patient.Status.ACTIVE if restore else Patient.Status.ARCHIVED
    services.patient_set_status(patient=patient, status=status, actor=request.user, ip=request_ip(request))
    messages.success(request, f"{patient.full_name} {'restored' if restore else 'archived'}.")
    return redirect(patient)


@require_POST
@staff_permission_required("patients.add_patientdocument")
def document_upload(request, mrn):
    patient = get_object_or_404(Patient, mrn=mrn)
    form = DocumentForm(request.POST, request.FILES)
    if form.is_valid():
        services.document_attach(
            patient=patient,
            actor=request.user,
            ip=request_ip(request),
            kind=form.cleaned_data["kind"],
            title=form.cleaned_data["title"],
            file=form.cleaned_data["file"],
        )
        messages.success(request, "Document uploaded.")
        return redirect(patient)
    return _chart_page(request, mrn, status=400, document_form=form)


@require_GET
@staff_permission_required("patients.view_patientdocument")
def document_download(request, mrn, pk):
    document = get_object_or_404(PatientDocument.objects.select_related("patient"), pk=pk, patient__mrn=mrn)
    if document.clinical:  # an exam's gait video or ultrasound still: the clinical record's rules
        if not request.user.has_perm("intake.view_clinical"):
            raise PermissionDenied
        care.require(request.user, document.patient)
    record_view(instance=document, actor=request.user, ip=request_ip(request))
    # Always a download, never rendered as a page of ours: an uploaded file cannot run script on this origin.
    response = FileResponse(document.file.open("rb"), as_attachment=True, filename=document.original_name or None)
    response["X-Content-Type-Options"] = "nosniff"
    return response


@require_POST
@staff_permission_required("patients.add_consent")
def consent_add(request, mrn):
    patient = get_object_or_404(Patient, mrn=mrn)
    form = ConsentForm(request.POST)
    if form.is_valid():
        services.consent_record(
            patient=patient, actor=request.user, ip=request_ip(request), **form.cleaned_data
        )
        messages.success(request, "Consent recorded.")
        return redirect(patient)
    return _chart_page(request, mrn, status=400, consent_form=form)


@require_POST
@staff_permission_required("patients.change_patient", "patients.change_contactchange")
def contact_change_decide(request, mrn, pk):
    """One click: use the new email or mobile the patient typed online, or keep the one on file (audited)."""
    change = get_object_or_404(ContactChange.objects.select_related("patient"), pk=pk, patient__mrn=mrn)
    confirm = request.POST.get("decision") == "confirm"
    notice = error = ""
    try:
        services.contact_change_decide(change=change, confirm=confirm, actor=request.user, ip=request_ip(request))
    except ValidationError as exc:
        error = " ".join(exc.messages)
    else:
        field = change.get_field_display().lower()
        notice = (_("New %(field)s saved: messages go there from now on.") if confirm
                  else _("Kept the %(field)s on file.")) % {"field": field}
    if request.htmx:
        patient = Patient.objects.get(pk=change.patient_id)  # as it is now, the new value saved
        context = contact_changes_context(request, patient, contact_notice=notice, contact_error=error)
        context["contact_next"] = request.POST.get("next", "")
        return render(request, "patients/_contact_changes.html", context)  # htmx swaps 200s only: the error shows
    (messages.error if error else messages.success)(request, error or notice)
    target = request.POST.get("next", "")
    if not url_has_allowed_host_and_scheme(target, allowed_hosts={request.get_host()},
                                           require_https=request.is_secure()):
        target = change.patient.get_absolute_url()
    return redirect(target)
