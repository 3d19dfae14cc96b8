"""The waitlist: who waits for which visit, added and removed by the front desk."""

from datetime import timedelta

from django.contrib import messages
from django.core.exceptions import PermissionDenied, ValidationError
from django.shortcuts import get_object_or_404, redirect, render
from django.utils import timezone
from django.views.decorators.http import require_http_methods, require_POST

from clinic.permissions import staff_permission_required

from .. import selectors, services
from ..forms_staff import WaitlistForm
from ..models import WaitlistEntry
from .shared import add_errors, patient_picker, selected_patient


@require_http_methods(["GET", "POST"])
@staff_permission_required("scheduling.view_waitlistentry", "patients.view_patient")
def waitlist(request):
    can_add = request.user.has_perm("scheduling.add_waitlistentry")
    form = WaitlistForm(initial={"earliest_date": timezone.localdate(),
                                 "latest_date": timezone.localdate() + timedelta(days=28)})
    picker = patient_picker("", selected_patient(request.GET.get("patient")))
    if request.method == "POST":
        if not can_add:
            raise PermissionDenied
        data = request.POST
        picker = patient_picker(data.get("q", ""), selected_patient(data.get("patient")))
        if data.get("action") == "search":
            form = WaitlistForm(initial=data)
        else:
            form = WaitlistForm(data)
            if form.is_valid():
                d = form.cleaned_data
                try:
                    entry = services.waitlist_add(
                        patient=d["patient"], visit_type=d["visit_type"], clinician=d["clinician"],
                        earliest_date=d["earliest_date"], latest_date=d["latest_date"], notes=d["notes"],
                    )
                except ValidationError as exc:
                    add_errors(form, exc)
                else:
                    messages.success(request, f"{entry.patient.full_name} is on the waitlist.")
                    return redirect("scheduling:waitlist")
    context = {"form": form, "picker": picker, "can_add": can_add, "entries": list(selectors.waiting_list())}
    return render(request, "scheduling/staff/waitlist.html", context)


@require_POST
@staff_permission_required("scheduling.change_waitlistentry")
def waitlist_remove(request, pk):
    entry = get_object_or_404(WaitlistEntry.objects.select_related("patient"), pk=pk)
    services.waitlist_close(entry=entry, status=WaitlistEntry.Status.REMOVED, actor=request.user)
    messages.success(request, f"{entry.patient.full_name} is off the waitlist.")
    return redirect("scheduling:waitlist")
