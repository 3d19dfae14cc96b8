"""A series of weekly visits: preview with conflicts, then book the free dates."""

from django.core.exceptions import ValidationError
from django.shortcuts import render
from django.views.decorators.http import require_http_methods

from clinic.permissions import staff_permission_required

from .. import services
from ..forms_staff import SeriesForm
from ..models import Modality
from .shared import add_errors, booking_initial, patient_picker, selected_patient


@require_http_methods(["GET", "POST"])
@staff_permission_required("scheduling.view_appointment", "scheduling.add_appointment", "patients.view_patient")
def series(request):
    occurrences, booked, conflicts = None, None, None
    if request.method == "GET":
        form = SeriesForm(initial={**booking_initial(request.GET), "weeks": 6})
        picker = patient_picker("", selected_patient(request.GET.get("patient")))
    else:
        data = request.POST.copy()
        action = data.get("action")
        picker = patient_picker(data.get("q", ""), selected_patient(data.get("patient")))
        form = SeriesForm(data)
        if action == "search":
            form = SeriesForm(initial={**data.dict(), "weekdays": data.getlist("weekdays")})
        if action != "search" and form.is_valid():
            d = form.cleaned_data
            shape = dict(clinician=d["clinician"], visit_type=d["visit_type"], modality=d["modality"],
                         location=d["location"] if d["modality"] == Modality.IN_OFFICE else None)
            starts = services.series_occurrences(first_start=d["start"], weekdays=d["weekdays"], weeks=d["weeks"])
            occurrences = services.series_preview(starts=starts, **shape)
            if action == "book":
                free = [o.start for o in occurrences if not o.conflict]
                try:
                    results = services.series_book(
                        patient=d["patient"], starts=free, actor=request.user, reason=d["reason"], **shape
                    ) if free else []
                except ValidationError as exc:
                    add_errors(form, exc)
                else:
                    booked = [r for r in results if r.appointment]
                    conflicts = [o for o in occurrences if o.conflict] + [r for r in results if not r.appointment]
                    occurrences = None
    context = {"form": form, "picker": picker, "occurrences": occurrences, "booked": booked, "conflicts": conflicts,
               "free_count": sum(1 for o in occurrences or [] if not o.conflict),
               "conflict_count": sum(1 for o in occurrences or [] if o.conflict)}
    return render(request, "scheduling/staff/series.html", context)
