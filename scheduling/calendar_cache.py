"""The calendar grid as HTML, cached under a fingerprint of every row it is drawn from (clinic.render_cache).

Drawing the grid (the layout, some 800 free cells and 200 visit blocks for a day of 20 clinicians) is most
of the calendar's time, and the front desk reloads the same day all day long while it changes now and then.
The fingerprint covers the visits with every column shown (patient names, visit type, status, intake,
red-flag count), the clinicians with their names, working hours, time off, closures and rooms. The key also
holds what the request adds: the days and view, whether the viewer may book, today and the now-line's five
minutes. On SQLite (the demo) the grid is drawn every time.
"""

from pathlib import Path

from django.conf import settings
from django.db.models import Q
from django.template.loader import render_to_string
from django.utils import timezone
from django.utils.safestring import mark_safe

from clinic import render_cache

from . import selectors
from .models import Clinician, Closure, Room, TimeOff, WorkingHours

TEMPLATE = "scheduling/staff/_calendar_grid.html"
_HERE = Path(__file__).parent
CODE_VERSION = render_cache.code_version(
    *(_HERE / name for name in ("calendar_cache.py", "calendar_html.py", "calendar_layout.py", "selectors.py",
                                "models.py", "templatetags/stride_calendar.py", "../patients/models.py")),
    Path(settings.BASE_DIR) / "templates" / TEMPLATE,
)


def _sources(days, by, clinician_id, show_cancelled):
    """Every row the grid can read (a superset where that is simpler: all clinicians, all hours in range)."""
    first, last = days[0], days[-1]
    start, end = selectors.calendar_window(days)
    sources = [
        selectors.grid_visits(days, clinician_id, show_cancelled),
        Clinician.objects.order_by("pk").values_list(
            "pk", "is_active", "sort_order", "credentials", "user__first_name", "user__last_name", "user__email"),
        WorkingHours.objects.filter(effective_from__lte=last).filter(
            Q(effective_until__isnull=True) | Q(effective_until__gte=first)
        ).order_by("pk").values_list(
            "pk", "clinician_id", "location_id", "location__time_zone", "weekday", "start_time", "end_time",
            "effective_from", "effective_until"),
        TimeOff.objects.filter(start_at__lt=end, end_at__gt=start).order_by("pk").values_list(
            "pk", "clinician_id", "start_at", "end_at"),
        Closure.objects.filter(date__range=(first, last)).order_by("pk").values_list("pk", "date", "name", "location_id"),
    ]
    if by == "room":
        sources.append(Room.objects.order_by("pk").values_list(
            "pk", "name", "is_active", "location_id", "location__name", "location__is_active"))
    return sources


def fingerprint(days, by, clinician_id, show_cancelled):
    return render_cache.fingerprint(
        queryset.query.sql_with_params() for queryset in _sources(days, by, clinician_id, show_cancelled)
    )


def grid_html(request, *, days, by, clinician_id, show_cancelled, week, compact, book_url):
    """The active clinicians and the grid's HTML for these days: the grid from the cache when its rows have not
    changed, else drawn and kept. The clinicians are read in the grid's snapshot, as the grid draws them."""
    can_book = request.user.has_perm("scheduling.add_appointment")
    today, now = timezone.localdate(), timezone.localtime()

    def draw(clinicians):
        grid = selectors.calendar_grid(days=days, by=by, clinician_id=clinician_id, show_cancelled=show_cancelled,
                                       clinicians=clinicians)
        return render_to_string(TEMPLATE, {
            "grid": grid, "week": week, "by": by, "compact": compact, "today": today, "book_url": book_url,
            "can_book": can_book,
        })

    if not render_cache.enabled():
        clinicians = selectors.active_calendar_clinicians()
        return clinicians, mark_safe(draw(clinicians))  # noqa: S308  (drawn by our template, which escapes)
    with render_cache.snapshot():
        clinicians = selectors.active_calendar_clinicians()
        now_slot = (now.hour * 60 + now.minute) // 5 if days[0] <= today <= days[-1] else ""
        key = render_cache.key_for(
            "calendar-grid", CODE_VERSION, fingerprint(days, by, clinician_id, show_cancelled), days[0], days[-1],
            by, clinician_id, show_cancelled, week, compact, can_book, book_url, today, now_slot, settings.TIME_ZONE,
        )
        html = render_cache.get(key)
        if html is None:
            html = render_cache.put(key, draw(clinicians))
    return clinicians, html
