"""What the staff scheduling screens share: request parsing, the side panel, the patient chooser, links."""

from datetime import time
from urllib.parse import urlencode

from django.shortcuts import render
from django.urls import reverse
from django.utils import dateformat, timezone

from clinic import dates
from patients import selectors as patient_selectors
from patients.models import Patient

from .. import selectors
from ..forms_staff import clinic_instant
from ..models import Appointment, Clinician

Status = Appointment.Status
PICKER_SIZE = 8


def to_int(value):
    try:
        return int(value)
    except (TypeError, ValueError):
        return None


def day_param(value):
    """The date asked for, or today for anything unreadable or outside the clinic's calendar."""
    return dates.parse_day(value) or timezone.localdate()


def clinic_local(instant):
    return timezone.localtime(instant, selectors.clinic_tz())


def when_label(instant):
    """'Tue, Mar 10, 2026 · 9:30 AM', in the clinic's time zone."""
    return dateformat.format(clinic_local(instant), "D, M j, Y · g:i A")


def calendar_url(day, **params):
    query = {"date": day.isoformat(), **{k: v for k, v in params.items() if v not in (None, "", False)}}
    return f"{reverse('scheduling:calendar')}?{urlencode(query)}"


def add_errors(form, exc):
    """Put a service's ValidationError next to the fields it names (or on top of the form)."""
    if hasattr(exc, "error_dict"):
        for field, errors in exc.error_dict.items():
            shown = field in form.fields and not form.fields[field].widget.is_hidden
            form.add_error(field if shown else None, errors)
    else:
        form.add_error(None, exc)


def apply_slot(data):
    """A "next free time" button posts `slot` = "<clinician id>|<local YYYY-MM-DDTHH:MM>"."""
    clinician, _, start = data.get("slot", "").partition("|")
    if clinician and start:
        data["clinician"], (data["date"], _, data["time"]) = clinician, start.partition("T")
    return data


def next_free_choices(exc):
    """SlotTaken's next free slots as buttons: value for `slot` and a label a person reads."""
    names = {c.pk: c.display_name for c in Clinician.objects.filter(
        pk__in={s.clinician_id for s in exc.next_free}).select_related("user")}
    return [
        {
            "value": f"{s.clinician_id}|{clinic_local(s.start):%Y-%m-%dT%H:%M}",
            "label": f"{dateformat.format(clinic_local(s.start), 'D, M j · g:i A')} with {names.get(s.clinician_id, '')}",
        }
        for s in exc.next_free
    ]


def render_panel(request, inner, context, *, title, status=200):
    """The side panel's content for htmx, or the same content as a page of its own."""
    context = {**context, "inner": inner, "panel_title": title}
    template = "scheduling/staff/_panel.html" if request.htmx else "scheduling/staff/panel_page.html"
    return render(request, template, context, status=status)


def patient_picker(query, selected=None, *, duplicates=()):
    """The patient chooser: the chosen patient, then up to eight who match what was typed."""
    options = list(patient_selectors.patient_search(query)[:PICKER_SIZE]) if query.strip() else []
    if selected is not None and selected.pk not in {p.pk for p in options}:
        options.insert(0, selected)
    return {"q": query, "options": options, "selected": selected.pk if selected else None,
            "duplicates": list(duplicates)}


def selected_patient(value):
    pk = to_int(value)
    return Patient.objects.filter(pk=pk, status=Patient.Status.ACTIVE).first() if pk else None


def booking_initial(params):
    initial = {key: params[key] for key in ("patient", "visit_type", "clinician", "location", "room", "waitlist",
                                            "modality", "reason") if params.get(key)}
    start = params.get("start", "")
    if "T" in start:
        initial["date"], _, initial["time"] = start.partition("T")
    elif params.get("date"):  # the calendar's "Book a time" form
        initial["date"], initial["time"] = params["date"], params.get("time", "")
    if "location" not in initial:
        location = _location_for(initial)
        if location:
            initial["location"] = location
    return initial


def _location_for(initial):
    """The location a free cell's booking form starts with (scheduling.selectors.booking_location)."""
    day, clock = dates.parse_day(initial.get("date")), _clock(initial.get("time"))
    return selectors.booking_location(
        room_id=to_int(initial.get("room")), clinician_id=to_int(initial.get("clinician")),
        start=clinic_instant(day, clock) if day and clock else None,
    )


def _clock(value):
    try:
        return time.fromisoformat(value or "")
    except ValueError:
        return None
