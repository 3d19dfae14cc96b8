"""The public booking pages (no login) and the patient's private manage pages, reached by a signed link."""

from functools import wraps

from django.contrib import messages
from django.core import signing
from django.core.exceptions import ValidationError
from django.http import Http404, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.cache import never_cache
from django.views.decorators.debug import sensitive_post_parameters
from django.views.decorators.http import require_GET, require_http_methods

from clinic import texts
from clinic.audit import request_ip
from clinic.models import ClinicText

from . import availability, formatting, ics, links, selectors, services, throttle
from .booking_wizard import day_strip, parse_slot, resolve_flow, slot_value
from .forms_public import DetailsForm, PatientCancelForm, RescheduleForm
from .models import Appointment, ClinicSettings
from .services import SlotTaken

STEP_TEMPLATES = {
    "landing": "scheduling/public/landing.html",
    "when": "scheduling/public/when.html",
}


def _private(view):
    """Pages behind a patient's link: never cached, never indexed, the link never sent to other sites.

    "same-origin", not "no-referrer": with no-referrer browsers send `Origin: null` and CSRF refuses the forms.
    """

    @wraps(view)
    def wrapped(request, *args, **kwargs):
        response = view(request, *args, **kwargs)
        response["Referrer-Policy"] = "same-origin"
        response["X-Robots-Tag"] = "noindex, nofollow"
        return response

    return never_cache(wrapped)


def _throttled(request):
    return render(request, "scheduling/public/throttled.html", status=429)


def _by_link(view):
    """A page behind the manage link: the view gets the visit the link was made for. A tampered or foreign link
    is a 404; a genuine one past its end (the visit's day is over) is the "link expired" page, without the visit."""

    @wraps(view)
    def wrapped(request, token, **kwargs):
        try:
            pk = links.appointment_id_from_token(token)
        except signing.SignatureExpired:
            return _expired(request, None)
        if pk is None:
            raise Http404("This link is not valid.")
        appointment = get_object_or_404(
            Appointment.objects.select_related("patient", "clinician__user", "visit_type", "location"), pk=pk
        )
        if links.is_expired(appointment):
            return _expired(request, appointment)
        return view(request, appointment, token=token, **kwargs)

    return wrapped


def _expired(request, appointment):
    phone = formatting.appointment_summary(appointment)["phone"] if appointment is not None else ""
    return render(request, "scheduling/public/expired.html", {"phone": phone}, status=410)


def _unique(slots):
    seen, unique = set(), []
    for slot in slots:
        if (slot.clinician_id, slot.start) not in seen:
            seen.add((slot.clinician_id, slot.start))
            unique.append(slot)
    return unique


def _picker(strip, *, tz, base, slot_item):
    """Template data for the 7-day strip and the chosen day's times."""
    days = [
        {
            "date": day,
            "weekday": day.strftime("%a"),
            "label": formatting.short_day_label(day),
            "count": len(found),
            "href": f"{base}week={strip.week:%Y-%m-%d}&day={day:%Y-%m-%d}",
            "selected": day == strip.day,
        }
        for day, found in strip.days
    ]
    return {
        "days": days,
        "day_label": formatting.date_label(strip.day) if strip.day else "",
        "zone": formatting.zone_label(strip.slots[0].start, tz) if strip.slots else "",
        "slots": [slot_item(slot) for slot in strip.slots],
        "previous_href": f"{base}week={strip.previous_week:%Y-%m-%d}" if strip.previous_week else "",
        "next_href": f"{base}week={strip.next_week:%Y-%m-%d}" if strip.next_week else "",
    }


def _flow_strip(flow):
    tz = formatting.zone_for(flow.location)

    def slots_for(first_day, last_day):
        slots, _ = selectors.open_slots(
            flow.visit_type, first_day, last_day,
            clinician_ids=[flow.clinician.pk] if flow.clinician else None,
            location_id=flow.location.pk if flow.location else None, modality=flow.modality,
        )
        if flow.location is not None:
            slots = [s for s in slots if s.location_id == flow.location.pk]
        return availability.first_available(slots) if flow.clinician is None else _unique(slots)

    strip = day_strip(
        slots_for, tz=tz, week=flow.week, day=flow.day, horizon_days=ClinicSettings.load().booking_horizon_days
    )
    return strip, tz


@require_GET
def book(request):
    """Every step before the patient's details: how, what, where, with whom, which day and time."""
    flow = resolve_flow(request.GET)
    context = {"flow": flow}
    if flow.step == "when":
        strip, tz = _flow_strip(flow)
        details = reverse("booking:details")

        def slot_item(slot):
            # Who: the details page says (for "first available" it is the first clinician free then).
            extra = {"week": strip.week.isoformat(), "day": strip.day.isoformat() if strip.day else None}
            return {
                "time": formatting.time_label(slot.start, tz),
                "href": f"{details}?{flow.query(**extra, slot=slot_value(slot.clinician_id, slot.start))}",
            }

        context["picker"] = _picker(strip, tz=tz, base=f"?{flow.query()}&", slot_item=slot_item)
        if request.htmx and not request.htmx.boosted:
            return render(request, "scheduling/public/_picker.html", context)
    template = STEP_TEMPLATES.get(flow.step, "scheduling/public/step.html")
    return render(request, template, context)


def _apply_service_errors(form, exc):
    fields = {"mobile_phone": "phone", "phone": "phone"}
    if not hasattr(exc, "error_dict"):
        form.add_error(None, exc.messages)
        return
    for key, errors in exc.message_dict.items():
        name = fields.get(key, key)
        form.add_error(name if name in form.fields and name != "slot" else None, errors)


@sensitive_post_parameters()
@require_http_methods(["GET", "POST"])
def details(request):
    """The patient's name, birth date, contacts and reason; confirming books the chosen time."""
    data = request.POST if request.method == "POST" else request.GET
    flow = resolve_flow(data)
    if flow.step != "when":
        return redirect(f"{reverse('booking:start')}?{flow.query()}")
    by_id = {c.pk: c for c in flow.clinicians}
    taken = None
    policy = texts.current(ClinicText.Kind.CANCELLATION_POLICY)  # asked only while the clinic has one
    if request.method == "POST":
        if not throttle.allow(request):
            return _throttled(request)
        posted = request.POST.copy()
        if posted.get("pick"):
            posted["slot"] = posted["pick"]
        form = DetailsForm(posted, policy=policy)
        if form.is_robot:
            return render(request, "scheduling/public/received.html")
        if form.is_valid():
            clinician_id, start = form.cleaned_data["slot"]
            if clinician_id not in by_id:
                form.add_error(None, "That clinician does not offer this visit here; choose another time.")
            else:
                try:
                    appointment = services.online_booking_create(
                        visit_type=flow.visit_type, clinician=by_id[clinician_id], start=start,
                        modality=flow.modality, location=flow.location, reason=form.cleaned_data["reason"],
                        **{k: form.cleaned_data[k] for k in ("first_name", "last_name", "date_of_birth", "email")},
                        phone=form.cleaned_data["phone"], ip=request_ip(request),
                        accepts_cancellation_policy=form.cleaned_data.get("accepts_cancellation_policy", False),
                        cancellation_policy_version=form.cleaned_data.get("cancellation_policy_version"),
                    )
                except SlotTaken as exc:
                    taken = exc
                except ValidationError as exc:
                    _apply_service_errors(form, exc)
                else:
                    return redirect("booking:confirmed", token=links.manage_token(appointment))
    else:
        form = DetailsForm(initial={"slot": request.GET.get("slot", "")}, policy=policy)

    parsed = parse_slot(form["slot"].value() or "")
    if parsed is None or parsed[0] not in by_id:
        if request.method == "GET":
            return redirect(f"{reverse('booking:start')}?{flow.query()}")
        parsed = None
    tz = formatting.zone_for(flow.location)
    chosen = None
    if parsed:
        clinician_id, start = parsed
        chosen = {
            "clinician": by_id[clinician_id].display_name,
            "day": formatting.day_label(start, tz),
            "time": formatting.time_label(start, tz),
            "zone": formatting.zone_label(start, tz),
        }
    alternatives = []
    if taken is not None:
        names = {c.pk: c.display_name for c in flow.clinicians}
        for s in taken.next_free:
            if s.clinician_id in names:
                alternatives.append({
                    "value": slot_value(s.clinician_id, s.start),
                    "label": f"{formatting.day_label(s.start, tz)}, {formatting.time_label(s.start, tz)} "
                             f"{formatting.zone_label(s.start, tz)} with {names[s.clinician_id]}",
                })
    extra = {"week": flow.week.isoformat() if flow.week else None, "day": flow.day.isoformat() if flow.day else None}
    hidden = [(k, v) for k, v in {**flow.params, **extra}.items() if v not in (None, "")]
    context = {
        "flow": flow, "form": form, "chosen": chosen, "taken": taken, "alternatives": alternatives,
        "hidden": hidden, "back_href": f"{reverse('booking:start')}?{flow.query(**extra)}",
        "modality_label": "Video visit (telehealth)" if flow.modality == "telehealth" else "In-office visit",
        "auto_confirm": ClinicSettings.load().auto_confirm_online_bookings, "policy": policy,
    }
    flow.step = "details"
    status = 200 if request.method == "GET" else 409 if taken is not None else 400
    return render(request, "scheduling/public/details.html", context, status=status)


def _visit_context(request, appointment):
    return {
        "appointment": appointment,
        "v": formatting.appointment_summary(appointment),
        "token": links.manage_token(appointment),
        "manage_url": links.manage_url(appointment, request),
        "refusal": services.patient_change_refusal(appointment),
        "clinic_phone": services.clinic_phone(appointment),
        "cutoff_hours": ClinicSettings.load().patient_change_cutoff_hours,
        "needs_intake": appointment.visit_type.needs_intake and appointment.intake_completed_at is None,
        "calendar_file": appointment.belongs_in_patients_calendar,
        "can_confirm": appointment.status == Appointment.Status.BOOKED and appointment.start_at > timezone.now(),
    }


@_private
@require_GET
@_by_link
def confirmed(request, appointment, token):
    return render(request, "scheduling/public/confirmed.html", _visit_context(request, appointment))


@_private
@require_GET
@_by_link
def manage(request, appointment, token):
    return render(request, "scheduling/public/manage.html", _visit_context(request, appointment))


@_private
@require_http_methods(["POST"])
@_by_link
def confirm_visit(request, appointment, token):
    """"Yes, I'll be there" on the visit's page (the one link every text message carries)."""
    if not throttle.allow(request, scope="manage"):
        return _throttled(request)
    try:
        services.online_booking_confirm(appointment=appointment)
    except ValidationError as exc:
        messages.warning(request, " ".join(exc.messages))
    else:
        messages.success(request, _("Thank you: your visit is confirmed."))
    return redirect("booking:manage", token=token)


@_private
@require_GET
@_by_link
def video(request, appointment, token):
    """The patient's way into a video visit (linked from messages and the calendar file): the room's link from 15
    minutes before the start until the end, before that the time it opens (the page reloads itself then)."""
    if not appointment.is_telehealth:
        return redirect("booking:manage", token=token)
    context = _visit_context(request, appointment)
    wait = (appointment.video_opens_at - timezone.now()).total_seconds()
    context["reload_in"] = int(wait) + 1 if 0 < wait <= 3600 else None
    return render(request, "scheduling/public/video.html", context)


@_private
@require_GET
@_by_link
def calendar_file(request, appointment, token):
    if not appointment.belongs_in_patients_calendar:
        raise Http404("This visit is not confirmed.")
    body = ics.calendar([ics.appointment_event(appointment)], method="PUBLISH")
    response = HttpResponse(body, content_type="text/calendar; charset=utf-8")
    response["Content-Disposition"] = 'attachment; filename="visit.ics"'
    return response


def _reschedule_picker(request, appointment, token):
    tz = appointment.local_tz
    week_day = resolve_flow(request.GET)  # only week and day are read here

    def slots_for(first_day, last_day):
        slots, _ = selectors.open_slots(
            appointment.visit_type, first_day, last_day, clinician_ids=[appointment.clinician_id],
            location_id=appointment.location_id, modality=appointment.modality, exclude=appointment,
        )
        return [
            s for s in _unique(slots)
            if s.start != appointment.start_at and (appointment.location_id is None or s.location_id == appointment.location_id)
        ]

    strip = day_strip(
        slots_for, tz=tz, week=week_day.week, day=week_day.day,
        horizon_days=ClinicSettings.load().booking_horizon_days,
    )

    def slot_item(slot):
        return {"time": formatting.time_label(slot.start, tz), "value": slot_value(slot.clinician_id, slot.start)}

    return _picker(strip, tz=tz, base=f"{reverse('booking:reschedule', kwargs={'token': token})}?", slot_item=slot_item)


@_private
@require_http_methods(["GET", "POST"])
@_by_link
def reschedule(request, appointment, token):
    """Pick another time with the same clinician; refused after the cut-off."""
    context = _visit_context(request, appointment)
    status = 200
    if request.method == "POST" and not context["refusal"]:
        if not throttle.allow(request, scope="manage"):
            return _throttled(request)
        form = RescheduleForm(request.POST)
        if form.is_valid() and request.POST.get("confirm") != "yes":
            # One tap picks a time; a second says "yes, move it": a visit is never moved by a slip of the thumb.
            _, start = form.cleaned_data["slot"]
            tz = appointment.local_tz
            context["proposed"] = {"value": request.POST["slot"], "day": formatting.day_label(start, tz),
                                   "time": formatting.time_label(start, tz), "zone": formatting.zone_label(start, tz)}
            return render(request, "scheduling/public/reschedule_confirm.html", context)
        if form.is_valid():
            _, start = form.cleaned_data["slot"]
            try:
                appointment = services.online_booking_move(appointment=appointment, start=start)
            except SlotTaken as exc:
                tz = appointment.local_tz
                context["taken"] = exc
                context["alternatives"] = [
                    {"value": slot_value(s.clinician_id, s.start),
                     "label": f"{formatting.day_label(s.start, tz)}, {formatting.time_label(s.start, tz)}"}
                    for s in exc.next_free
                ]
                status = 409
            except ValidationError as exc:
                context["error"] = " ".join(exc.messages)
                status = 400
            else:
                summary = formatting.appointment_summary(appointment)
                messages.success(request, f"Your visit is now {summary['day']} at {summary['time']} {summary['zone']}.")
                return redirect("booking:manage", token=token)
        else:
            context["error"] = "Choose a new time."
            status = 400
    elif request.method == "POST":
        status = 400
    if not context["refusal"]:
        context["picker"] = _reschedule_picker(request, appointment, token)
        if request.htmx and not request.htmx.boosted and request.method == "GET":
            return render(request, "scheduling/public/_picker.html", context)
    return render(request, "scheduling/public/reschedule.html", context, status=status)


@_private
@require_http_methods(["GET", "POST"])
@_by_link
def cancel(request, appointment, token):
    """Ask once, with the reason, then cancel; refused after the cut-off. The links in messages lead here too."""
    context = _visit_context(request, appointment)
    form = PatientCancelForm(request.POST or None)
    status = 200
    if request.method == "POST":
        if not throttle.allow(request, scope="manage"):
            return _throttled(request)
        if context["refusal"]:
            status = 400
        elif form.is_valid():
            try:
                services.online_booking_cancel(appointment=appointment, reason=form.reason_text())
            except ValidationError as exc:
                context["refusal"] = " ".join(exc.messages)
                status = 400
            else:
                messages.success(request, _("Your visit is cancelled. We are sending you a confirmation."))
                return redirect("booking:manage", token=token)
        else:
            status = 400
    context["form"] = form
    return render(request, "scheduling/public/cancel.html", context, status=status)
