"""A series of weekly visits: preview with conflicts and other times offered for them, then book the free dates
(and the other times accepted)."""

from datetime import datetime

from django.core.exceptions import ValidationError
from django.shortcuts import render
from django.views.decorators.http import require_http_methods

from clinic.permissions import staff_permission_required

from .. import formatting, services
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
            occurrences = services.series_preview(starts=starts, with_alternatives=True, **shape)
            tz = formatting.zone_for(shape["location"])
            for o in occurrences:  # each clashing date offers other times, one of which may be ticked
                o.field = f"instead-{o.start.astimezone(tz):%Y-%m-%d}"
                o.picked = data.get(o.field, "")
                o.choices = [{"value": f"{alt.astimezone(tz):%Y-%m-%dT%H:%M}", "start": alt,
                              "same_day": alt.astimezone(tz).date() == o.start.astimezone(tz).date()}
                             for alt in o.alternatives]
            if action == "book":
                free = [o.start for o in occurrences if not o.conflict]
                instead, gone = _accepted(occurrences, tz)
                try:
                    results = services.series_book(
                        patient=d["patient"], starts=sorted(free + list(instead)), actor=request.user,
                        reason=d["reason"], instead=instead, **shape
                    ) if free or instead else []
                except ValidationError as exc:
                    add_errors(form, exc)
                else:
                    booked = [r for r in results if r.appointment]
                    replaced = set(instead.values())
                    conflicts = ([o for o in occurrences if o.conflict and o.start not in replaced] + gone
                                 + [r for r in results if not r.appointment])
                    occurrences = None
    context = {"form": form, "picker": picker, "occurrences": occurrences, "booked": booked, "conflicts": conflicts,
               "free_count": sum(1 for o in occurrences or [] if not o.conflict),
               "conflict_count": sum(1 for o in occurrences or [] if o.conflict),
               "offers": any(o.alternatives for o in occurrences or [])}
    return render(request, "scheduling/staff/series.html", context)


def _accepted(occurrences, tz):
    """The other times the front desk ticked, as {start: the clashing start it replaces}, and those no longer
    offered (taken since the check) as Occurrences to report."""
    instead, gone = {}, []
    for o in occurrences:
        if not o.conflict or not o.picked:
            continue
        offered = {choice["value"]: choice["start"] for choice in o.choices}
        if o.picked in offered:
            instead[offered[o.picked]] = o.start
        else:
            try:
                start = datetime.strptime(o.picked, "%Y-%m-%dT%H:%M").replace(tzinfo=tz)
            except ValueError:
                continue  # not a time at all: as if nothing were ticked
            gone.append(services.Occurrence(start, services.JUST_TAKEN, instead_of=o.start))
    return instead, gone
