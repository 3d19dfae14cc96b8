"""The calendar page: day, week and room views, and its body re-fetched by htmx after a change."""

from datetime import timedelta

from django.shortcuts import render
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET

from clinic.permissions import staff_permission_required

from .. import selectors
from ..models import Appointment, VisitType
from .shared import calendar_url, day_param, to_int


@require_GET
@staff_permission_required("scheduling.view_appointment")
def calendar(request):
    day = day_param(request.GET.get("date"))
    week = request.GET.get("view") == "week"
    by = "room" if request.GET.get("by") == "room" and not week else "clinician"
    show_cancelled = request.GET.get("cancelled") == "1"
    clinician_id = to_int(request.GET.get("clinician")) if week else None
    days = [day - timedelta(days=day.weekday()) + timedelta(days=n) for n in range(7)] if week else [day]
    # With several locations the calendar can show one of them (remembered in the URL, like the view).
    locations = selectors.active_locations()
    location_id = to_int(request.GET.get("location")) if len(locations) > 1 else None
    location_id = location_id if any(place.pk == location_id for place in locations) else None
    params = {"view": "week" if week else "", "by": by if by == "room" else "", "clinician": clinician_id,
              "cancelled": "1" if show_cancelled else "", "location": location_id}
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
        "requests": list(selectors.pending_requests()) if request.user.has_perm("scheduling.change_appointment")
        else [],
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
