"""The calendar page: day, week and room views, its body re-fetched by htmx after a change, and the version the
page polls to know when something changed."""

from dataclasses import dataclass, field
from datetime import date, timedelta

from django.http import JsonResponse
from django.shortcuts import render
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET

from clinic import sessions
from clinic.permissions import staff_permission_required

from .. import selectors
from ..models import Appointment, VisitType
from .shared import calendar_url, day_param, to_int

POLL_SECONDS = 5  # how often an open calendar asks whether it changed
BACKGROUND = "X-Stride-Background"  # sent by the page on requests it makes by itself (static/js/calendar.js)


@dataclass
class Shown:
    """Which calendar the address asks for: the page, its refresh and its version all read it the same way."""

    day: date
    week: bool
    by: str
    show_cancelled: bool
    clinician_id: int | None
    location_id: int | None
    locations: list
    days: list = field(init=False)

    def __post_init__(self):
        self.days = [self.day - timedelta(days=self.day.weekday()) + timedelta(days=n) for n in range(7)] \
            if self.week else [self.day]

    @classmethod
    def from_request(cls, request):
        week = request.GET.get("view") == "week"
        # With several locations the calendar can show one of them (remembered in the URL, like the view).
        locations = selectors.active_locations()
        location_id = to_int(request.GET.get("location")) if len(locations) > 1 else None
        return cls(
            day=day_param(request.GET.get("date")), week=week,
            by="room" if request.GET.get("by") == "room" and not week else "clinician",
            show_cancelled=request.GET.get("cancelled") == "1",
            clinician_id=to_int(request.GET.get("clinician")) if week else None,
            location_id=location_id if any(place.pk == location_id for place in locations) else None,
            locations=locations,
        )

    @property
    def params(self):
        return {"view": "week" if self.week else "", "by": self.by if self.by == "room" else "",
                "clinician": self.clinician_id, "cancelled": "1" if self.show_cancelled else "",
                "location": self.location_id}


def _sees_requests(user):
    return user.has_perm("scheduling.change_appointment")


@require_GET
@staff_permission_required("scheduling.view_appointment")
def calendar(request):
    shown = Shown.from_request(request)
    day, week, by, show_cancelled = shown.day, shown.week, shown.by, shown.show_cancelled
    clinician_id, location_id, locations, days, params = (shown.clinician_id, shown.location_id, shown.locations,
                                                          shown.days, shown.params)
    if request.headers.get(BACKGROUND):  # the page redrawing itself after a change it polled for
        sessions.not_activity(request)
    step = timedelta(days=7 if week else 1)
    context = {
        "day": day, "days": days, "today": timezone.localdate(), "week": week, "by": by, "show_cancelled": show_cancelled,
        "clinician_id": clinician_id, "compact": week and not clinician_id,
        "body_url": calendar_url(day, partial="1", **params),
        "prev_url": calendar_url(day - step, **params), "next_url": calendar_url(day + step, **params),
        "today_url": calendar_url(timezone.localdate(), **params),
        "day_url": calendar_url(day, cancelled=params["cancelled"], location=location_id),
        "week_url": calendar_url(day, view="week", clinician=clinician_id, cancelled=params["cancelled"],
                                 location=location_id),
        "rooms_url": calendar_url(day, by="room", cancelled=params["cancelled"], location=location_id),
        "location_id": location_id,
        "location_links": [
            {"label": label, "url": calendar_url(day, **{**params, "location": pk}), "current": pk == location_id,
             "color": color}
            for pk, label, color in [(None, _("All locations"), "")]
            + [(place.pk, place.name, place.color) for place in locations]
        ] if len(locations) > 1 else [],
        "book_url": reverse("scheduling:book"),
        "requests": list(selectors.pending_requests()) if _sees_requests(request.user) else [],
        "version_url": calendar_url(day, **params).replace(reverse("scheduling:calendar"),
                                                           reverse("scheduling:calendar-version"), 1),
        "poll_seconds": POLL_SECONDS,
    }
    all_clinicians = selectors.active_calendar_clinicians()
    context.update({
        "grid": selectors.calendar_grid(days=days, by=by, clinician_id=clinician_id, show_cancelled=show_cancelled,
                                        clinicians=all_clinicians, location_id=location_id, locations=locations),
        "can_book": request.user.has_perm("scheduling.add_appointment"),
        # Visits are moved by dragging them (or with M and the arrow keys), through the panel's move view.
        "can_move": request.user.has_perm("scheduling.change_appointment"),
        "move_url": reverse("scheduling:appointment-move", args=[0]),
        "movable": " ".join(Appointment.MOVABLE),
        # A visit's link is this and its id (a reverse() per block would cost more than drawing it).
        "appointment_url": reverse("scheduling:appointment", args=[0]).removesuffix("0/"),
        "time_zone": selectors.clinic_tz().key,
    })
    context["version"] = selectors.calendar_fingerprint(
        context["grid"].version_rows, [(r.pk, r.updated_at) for r in context["requests"]])
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


@require_GET
@staff_permission_required("scheduling.view_appointment")
def calendar_version(request):
    """The fingerprint of the calendar the address asks for, as the page would draw it now: an open calendar polls
    it every few seconds and redraws only when it changed (an online booking, a colleague's cancellation).

    Polling is the page's doing, not the person's: it does not hold the session open past its idle timeout."""
    shown = Shown.from_request(request)
    sessions.not_activity(request)
    return JsonResponse({"version": selectors.calendar_version(
        shown.days, clinician_id=shown.clinician_id, show_cancelled=shown.show_cancelled,
        location_id=shown.location_id, with_requests=_sees_requests(request.user))})
