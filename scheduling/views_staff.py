"""The staff calendar: day, week and room views, booking, appointment actions, requests, series, waitlist, feeds.

Actions answer htmx requests with the side panel's new content and an `HX-Trigger: calendar-changed` header
(the calendar body then re-fetches itself); without JavaScript every form posts to the same URL and the
answer is a normal page.
"""

from datetime import timedelta
from urllib.parse import urlencode

from django.conf import settings
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import Http404, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils import dateformat, timezone
from django.views.decorators.debug import sensitive_post_parameters
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from clinic import dates
from clinic.audit import request_ip
from clinic.permissions import staff_permission_required
from patients import selectors as patient_selectors
from patients import services as patient_services
from patients.models import Patient

from . import calendar_cache, ics, selectors, services
from .forms_staff import (
    BookingForm,
    CancelForm,
    DecideForm,
    MoveForm,
    QuickPatientForm,
    SeriesForm,
    StatusForm,
    WaitlistForm,
)
from .models import Appointment, Clinician, Modality, VisitType, WaitlistEntry

Status = Appointment.Status
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
PICKER_SIZE = 8


def _int(value):
    try:
        return int(value)
    except (TypeError, ValueError):
        return None


def _day(value):
    """The date asked for, or today for anything unreadable or outside the clinic's calendar."""
    return dates.parse_day(value) or timezone.localdate()


def _local(instant):
    return timezone.localtime(instant, selectors.clinic_tz())


def _when(instant):
    """'Tue, Mar 10, 2026 · 9:30 AM', in the clinic's time zone."""
    return dateformat.format(_local(instant), "D, M j, Y · g:i A")


def calendar_url(day, **params):
    query = {"date": day.isoformat(), **{k: v for k, v in params.items() if v not in (None, "", False)}}
    return f"{reverse('scheduling:calendar')}?{urlencode(query)}"


def _add_errors(form, exc):
    """Put a service's ValidationError next to the fields it names (or on top of the form)."""
    if hasattr(exc, "error_dict"):
        for field, errors in exc.error_dict.items():
            shown = field in form.fields and not form.fields[field].widget.is_hidden
            form.add_error(field if shown else None, errors)
    else:
        form.add_error(None, exc)


def _apply_slot(data):
    """A "next free time" button posts `slot` = "<clinician id>|<local YYYY-MM-DDTHH:MM>"."""
    clinician, _, start = data.get("slot", "").partition("|")
    if clinician and start:
        data["clinician"], (data["date"], _, data["time"]) = clinician, start.partition("T")
    return data


def _next_free(exc):
    """SlotTaken's next free slots as buttons: value for `slot` and a label a person reads."""
    names = {c.pk: c.display_name for c in Clinician.objects.filter(
        pk__in={s.clinician_id for s in exc.next_free}).select_related("user")}
    return [
        {
            "value": f"{s.clinician_id}|{_local(s.start):%Y-%m-%dT%H:%M}",
            "label": f"{dateformat.format(_local(s.start), 'D, M j · g:i A')} with {names.get(s.clinician_id, '')}",
        }
        for s in exc.next_free
    ]


def _render_panel(request, inner, context, *, title, status=200):
    """The side panel's content for htmx, or the same content as a page of its own."""
    context = {**context, "inner": inner, "panel_title": title}
    template = "scheduling/staff/_panel.html" if request.htmx else "scheduling/staff/panel_page.html"
    return render(request, template, context, status=status)


# The calendar


@require_GET
@staff_permission_required("scheduling.view_appointment")
def calendar(request):
    day = _day(request.GET.get("date"))
    week = request.GET.get("view") == "week"
    by = "room" if request.GET.get("by") == "room" and not week else "clinician"
    show_cancelled = request.GET.get("cancelled") == "1"
    clinician_id = _int(request.GET.get("clinician")) if week else None
    days = [day - timedelta(days=day.weekday()) + timedelta(days=n) for n in range(7)] if week else [day]
    params = {"view": "week" if week else "", "by": by if by == "room" else "", "clinician": clinician_id,
              "cancelled": "1" if show_cancelled else ""}
    step = timedelta(days=7 if week else 1)
    context = {
        "day": day, "days": days, "today": timezone.localdate(), "week": week, "by": by, "show_cancelled": show_cancelled,
        "clinician_id": clinician_id, "compact": week and not clinician_id,
        "body_url": calendar_url(day, partial="1", **params),
        "prev_url": calendar_url(day - step, **params), "next_url": calendar_url(day + step, **params),
        "today_url": calendar_url(timezone.localdate(), **params),
        "day_url": calendar_url(day, cancelled=params["cancelled"]),
        "week_url": calendar_url(day, view="week", clinician=clinician_id, cancelled=params["cancelled"]),
        "rooms_url": calendar_url(day, by="room", cancelled=params["cancelled"]),
        "book_url": reverse("scheduling:book"),
        "requests": list(selectors.pending_requests()) if request.user.has_perm("scheduling.change_appointment")
        else [],
    }
    all_clinicians, context["grid_html"] = calendar_cache.grid_html(
        request, days=days, by=by, clinician_id=clinician_id, show_cancelled=show_cancelled, week=week,
        compact=context["compact"], book_url=context["book_url"],
    )
    if request.htmx and request.GET.get("partial"):
        return render(request, "scheduling/staff/_calendar_body.html", context)
    own = next((c for c in all_clinicians if c.user_id == request.user.pk), None)
    feed_owner = own
    if clinician_id and request.user.has_perm("scheduling.change_clinician"):
        feed_owner = next((c for c in all_clinicians if c.pk == clinician_id), own)
    context.update({
        "own_clinician": own,
        "my_week_url": calendar_url(day, view="week", clinician=own.pk) if own else "",
        "feed_owner": feed_owner,
        "feed_url": request.build_absolute_uri(reverse("scheduling:feed", args=[feed_owner.calendar_token]))
        if feed_owner else "",
        "all_clinicians": all_clinicians,
        "visit_types": list(VisitType.objects.filter(is_active=True)),
    })
    return render(request, "scheduling/staff/calendar.html", context)


# One appointment: its panel and actions


def _appointment(pk):
    try:
        return selectors.appointment_detail(pk)
    except Appointment.DoesNotExist:
        raise Http404("No such appointment.") from None


def _panel(request, appointment, *, notice="", error="", taken=None, move_form=None, cancel_form=None,
           decide_form=None, matches=None, status=200, changed=False):
    a = appointment
    user = request.user
    can_change = user.has_perm("scheduling.change_appointment")
    show_matches = a.status == Status.CANCELLED and a.start_at > timezone.now() and user.has_perm(
        "scheduling.view_waitlistentry"
    )
    if matches is None and show_matches:
        matches = list(selectors.waitlist_matches(a))
    local = _local(a.start_at)
    context = {
        "a": a,
        "when": f"{dateformat.format(local, 'D, M j, Y')} · {dateformat.format(local, 'g:i')}"
        f"–{dateformat.format(_local(a.end_at), 'g:i A T')}",
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
        "taken": taken.message if taken else "", "next_free": _next_free(taken) if taken else [],
        "book_url": reverse("scheduling:book"),
        "calendar_day_url": calendar_url(local.date()),
        "start_local": f"{local:%Y-%m-%dT%H:%M}",
    }
    response = _render_panel(request, "scheduling/staff/_appointment.html", context,
                             title=a.patient.display_name, status=status)
    if changed:
        response["HX-Trigger"] = "calendar-changed"
    return response


def _done(request, appointment, notice, **extra):
    """After a change: the refreshed panel (htmx), or back to the appointment's page with a toast."""
    if request.htmx:
        return _panel(request, _appointment(appointment.pk), notice=notice, changed=True, **extra)
    messages.success(request, notice)
    return redirect("scheduling:appointment", pk=appointment.pk)


@require_GET
@staff_permission_required("scheduling.view_appointment")
def appointment_detail(request, pk):
    return _panel(request, _appointment(pk))


@require_POST
@staff_permission_required("scheduling.view_appointment", "scheduling.change_appointment")
def appointment_status(request, pk):
    appointment = _appointment(pk)
    form = StatusForm(request.POST)
    if not form.is_valid():
        return _panel(request, appointment, error="Choose what happened to the visit.")
    status = form.cleaned_data["status"]
    try:
        services.appointment_set_status(appointment=appointment, status=status, actor=request.user)
    except ValidationError as exc:
        return _panel(request, appointment, error=" ".join(exc.messages))
    return _done(request, appointment, DONE_WORDS[status])


@require_POST
@staff_permission_required("scheduling.view_appointment", "scheduling.change_appointment")
def appointment_move(request, pk):
    appointment = _appointment(pk)
    form = MoveForm(_apply_slot(request.POST.copy()), appointment=appointment)
    if form.is_valid():
        try:
            moved = services.appointment_move(
                appointment=appointment, start=form.cleaned_data["start"], clinician=form.cleaned_data["clinician"],
                actor=request.user,
            )
        except services.SlotTaken as exc:
            return _panel(request, appointment, move_form=form, taken=exc, status=200 if request.htmx else 409)
        except ValidationError as exc:
            _add_errors(form, exc)
        else:
            return _done(request, moved, f"Moved to {_when(moved.start_at)} with {form.cleaned_data['clinician']}.")
    return _panel(request, appointment, move_form=form)


@require_POST
@staff_permission_required("scheduling.view_appointment", "scheduling.change_appointment")
def appointment_cancel(request, pk):
    appointment = _appointment(pk)
    form = CancelForm(request.POST)
    if not form.is_valid():
        return _panel(request, appointment, cancel_form=form)
    try:
        services.appointment_cancel(appointment=appointment, reason=form.cleaned_data["reason"], actor=request.user)
    except ValidationError as exc:
        return _panel(request, appointment, error=" ".join(exc.messages))
    return _done(request, appointment, "Cancelled. The time is free again.")


@require_POST
@staff_permission_required("scheduling.view_appointment", "scheduling.change_appointment")
def request_decide(request, pk):
    appointment = _appointment(pk)
    form = DecideForm(request.POST)
    if not form.is_valid():
        return _panel(request, appointment, decide_form=form)
    accept = form.cleaned_data["decision"] == "accept"
    try:
        services.request_decide(
            appointment=appointment, accept=accept, actor=request.user, reason=form.cleaned_data["reason"]
        )
    except ValidationError as exc:
        if hasattr(exc, "error_dict"):
            _add_errors(form, exc)
            return _panel(request, appointment, decide_form=form)
        return _panel(request, appointment, error=" ".join(exc.messages))
    patient = appointment.patient
    told = f"We are emailing {patient.first_name}." if patient.email else (
        f"No email address on file: please call {patient.first_name} on {patient.mobile_phone_display or 'their phone'}."
    )
    return _done(request, appointment, f"Request {'accepted' if accept else 'declined'}. {told}")


# Booking


def _picker(query, selected=None, *, duplicates=()):
    """The patient chooser: the chosen patient, then up to eight who match what was typed."""
    options = list(patient_selectors.patient_search(query)[:PICKER_SIZE]) if query.strip() else []
    if selected is not None and selected.pk not in {p.pk for p in options}:
        options.insert(0, selected)
    return {"q": query, "options": options, "selected": selected.pk if selected else None,
            "duplicates": list(duplicates)}


def _selected_patient(value):
    pk = _int(value)
    return Patient.objects.filter(pk=pk, status=Patient.Status.ACTIVE).first() if pk else None


@require_GET
@staff_permission_required("patients.view_patient", "scheduling.view_appointment")
def patient_options(request):
    picker = _picker(request.GET.get("q", ""), _selected_patient(request.GET.get("patient")))
    return render(request, "scheduling/staff/_patient_options.html", {"picker": picker})


def _booking_initial(params):
    initial = {key: params[key] for key in ("patient", "visit_type", "clinician", "location", "room", "waitlist",
                                            "modality", "reason") if params.get(key)}
    start = params.get("start", "")
    if "T" in start:
        initial["date"], _, initial["time"] = start.partition("T")
    clinician = Clinician.objects.filter(pk=_int(initial.get("clinician"))).prefetch_related("locations").first()
    if "location" not in initial and clinician:
        places = list(clinician.locations.all())
        if len(places) == 1:
            initial["location"] = places[0].pk
    return initial


@sensitive_post_parameters()
@require_http_methods(["GET", "POST"])
@staff_permission_required("scheduling.view_appointment", "scheduling.add_appointment", "patients.view_patient")
def book(request):
    allow_new = request.user.has_perm("patients.add_patient")
    new_form = QuickPatientForm(prefix="new")
    taken = None
    if request.method == "GET":
        form = BookingForm(initial=_booking_initial(request.GET))
        picker = _picker("", _selected_patient(request.GET.get("patient")))
    else:
        data = _apply_slot(request.POST.copy())
        query = data.get("q", "")
        if data.get("action") == "search":
            form = BookingForm(initial=data.dict())
            picker = _picker(query, _selected_patient(data.get("patient")))
            new_form = QuickPatientForm(initial=_strip_prefix(data, "new-"), prefix="new")
        else:
            form = BookingForm(data)
            new_form = QuickPatientForm(data, prefix="new") if allow_new else new_form
            duplicates = []
            if form.is_valid():
                patient = form.cleaned_data["patient"]
                if patient is None and allow_new and new_form.filled():
                    patient, duplicates = _create_patient(request, new_form)
                elif patient is None:
                    form.add_error("patient", "Choose a patient, or add a new one.")
                if patient is not None:
                    data["patient"] = patient.pk
                    new_form = QuickPatientForm(prefix="new")
                    try:
                        appointment = _book(request, form.cleaned_data, patient)
                    except services.SlotTaken as exc:
                        taken = exc
                    except ValidationError as exc:
                        _add_errors(form, exc)
                    else:
                        return _done(request, appointment, f"Booked {patient.full_name} for {_when(appointment.start_at)}.")
            picker = _picker(query, _selected_patient(data.get("patient")), duplicates=duplicates)
    context = {
        "form": form, "new_form": new_form, "allow_new": allow_new, "picker": picker,
        "taken": taken.message if taken else "", "next_free": _next_free(taken) if taken else [],
        "series_url": f"{reverse('scheduling:series')}?{urlencode(_series_params(form))}",
    }
    return _render_panel(request, "scheduling/staff/_book.html", context, title="Book a visit",
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


# Series and waitlist


@require_http_methods(["GET", "POST"])
@staff_permission_required("scheduling.view_appointment", "scheduling.add_appointment", "patients.view_patient")
def series(request):
    occurrences, booked, conflicts = None, None, None
    if request.method == "GET":
        form = SeriesForm(initial={**_booking_initial(request.GET), "weeks": 6})
        picker = _picker("", _selected_patient(request.GET.get("patient")))
    else:
        data = request.POST.copy()
        action = data.get("action")
        picker = _picker(data.get("q", ""), _selected_patient(data.get("patient")))
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
                    _add_errors(form, exc)
                else:
                    booked = [r for r in results if r.appointment]
                    conflicts = [o for o in occurrences if o.conflict] + [r for r in results if not r.appointment]
                    occurrences = None
    context = {"form": form, "picker": picker, "occurrences": occurrences, "booked": booked, "conflicts": conflicts,
               "free_count": sum(1 for o in occurrences or [] if not o.conflict),
               "conflict_count": sum(1 for o in occurrences or [] if o.conflict)}
    return render(request, "scheduling/staff/series.html", context)


@require_http_methods(["GET", "POST"])
@staff_permission_required("scheduling.view_waitlistentry", "patients.view_patient")
def waitlist(request):
    can_add = request.user.has_perm("scheduling.add_waitlistentry")
    form = WaitlistForm(initial={"earliest_date": timezone.localdate(),
                                 "latest_date": timezone.localdate() + timedelta(days=28)})
    picker = _picker("", _selected_patient(request.GET.get("patient")))
    if request.method == "POST":
        if not can_add:
            raise PermissionDenied
        data = request.POST
        picker = _picker(data.get("q", ""), _selected_patient(data.get("patient")))
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
                    _add_errors(form, exc)
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


# Clinicians' calendar feeds


@require_GET
def feed(request, token):
    """A clinician's private iCalendar feed: initials and visit type only, found by its secret token."""
    clinician, appointments = selectors.clinician_feed(token)
    if clinician is None:
        raise Http404("No such calendar.")
    body = ics.calendar(
        [ics.appointment_event(a, for_patient=False) for a in appointments],
        name=f"{settings.CLINIC_NAME}: {clinician.display_name}",
    )
    response = HttpResponse(body, content_type="text/calendar; charset=utf-8")
    response["Cache-Control"] = "private, max-age=300"
    response["X-Robots-Tag"] = "noindex, nofollow"
    return response


@require_POST
@login_required
def feed_reset(request, pk):
    """A new feed link for a clinician (their own, or any for an admin); the old link stops working."""
    clinician = get_object_or_404(Clinician, pk=pk)
    if clinician.user_id != request.user.pk and not request.user.has_perm("scheduling.change_clinician"):
        raise PermissionDenied
    services.clinician_feed_reset(clinician=clinician)
    messages.success(request, "New calendar feed link made. The old link no longer works: update your calendar app.")
    week = calendar_url(timezone.localdate(), view="week", clinician=clinician.pk)
    return redirect(f"{week}#feed")
