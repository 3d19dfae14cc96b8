"""The calendar grid as HTML, cached under a fingerprint of every row it is drawn from.

Drawing the grid (the layout, some 800 free cells and 200 visit blocks for a day of 20 clinicians) is most
of the calendar's time, and the front desk reloads the same day all day long while it changes now and then.
The cache key holds an md5, computed by PostgreSQL in one query, of the rows the drawing reads: the visits
with every column shown (patient names, visit type, status, intake, red-flag count), the clinicians with
their names, working hours, time off, closures and rooms. A booking, move, cancellation, check-in, rename or
change of hours changes a row and so the key: nothing needs invalidating, and no grid outlives its rows.
The fingerprint and the drawing read one snapshot (REPEATABLE READ), so the HTML stored under a key is drawn
from exactly those rows. The key also holds what the request adds: the days and view, whether the viewer
may book, today and the now-line's five minutes. On SQLite (the demo) the grid is drawn every time.
"""

import hashlib
from contextlib import contextmanager
from pathlib import Path

from django.conf import settings
from django.core.cache import cache
from django.db import connection, transaction
from django.db.models import Q
from django.template.loader import render_to_string
from django.utils import timezone
from django.utils.safestring import mark_safe

from . import selectors
from .models import Clinician, Closure, Room, TimeOff, WorkingHours

TEMPLATE = "scheduling/staff/_calendar_grid.html"
TIMEOUT = 15 * 60
_CODE = Path(__file__).parent


def _code_version():
    """Changes with the code that draws the grid, so a deploy never serves HTML drawn by the old code."""
    parts = [_CODE / name for name in ("calendar_cache.py", "calendar_html.py", "calendar_layout.py", "selectors.py",
                                       "models.py")]
    parts.append(Path(settings.BASE_DIR) / "templates" / TEMPLATE)
    return hashlib.md5(b"".join(p.read_bytes() for p in parts), usedforsecurity=False).hexdigest()[:12]


CODE_VERSION = _code_version()


def enabled():
    return connection.vendor == "postgresql"


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
    """One query: an md5 of each source's rows as text, in the source's order (should PostgreSQL ever feed the
    rows in another order, the key differs and the grid is drawn again: never a wrong grid)."""
    parts, params = [], []
    for queryset in _sources(days, by, clinician_id, show_cancelled):
        sql, query_params = queryset.query.sql_with_params()
        parts.append(f"(SELECT md5(coalesce(string_agg(t::text, '|'), '')) FROM ({sql}) t)")
        params.extend(query_params)
    with connection.cursor() as cursor:
        cursor.execute("SELECT " + " || ".join(parts), params)
        return cursor.fetchone()[0]


@contextmanager
def _snapshot():
    """One snapshot for the fingerprint and the drawing (inside a caller's transaction, that one).

    psycopg2 opens the transaction with BEGIN ISOLATION LEVEL REPEATABLE READ: no statement of its own.
    """
    if connection.in_atomic_block:
        yield
        return
    connection.ensure_connection()
    raw = connection.connection
    previous = raw.isolation_level
    raw.set_session(isolation_level="REPEATABLE READ")
    try:
        with transaction.atomic():
            yield
    finally:
        if not raw.closed:
            raw.set_session(isolation_level="DEFAULT" if previous is None else previous)


def grid_html(request, *, days, by, clinician_id, show_cancelled, week, compact, book_url, clinicians):
    """The grid's HTML for these days: from the cache when its rows have not changed, else drawn and kept."""
    can_book = request.user.has_perm("scheduling.add_appointment")
    today, now = timezone.localdate(), timezone.localtime()

    def draw():
        grid = selectors.calendar_grid(days=days, by=by, clinician_id=clinician_id, show_cancelled=show_cancelled,
                                       clinicians=clinicians)
        return render_to_string(TEMPLATE, {
            "grid": grid, "week": week, "by": by, "compact": compact, "today": today, "book_url": book_url,
            "can_book": can_book,
        })

    if not enabled():
        return mark_safe(draw())  # noqa: S308
    with _snapshot():
        now_slot = (now.hour * 60 + now.minute) // 5 if days[0] <= today <= days[-1] else ""
        key = "calendar-grid:" + hashlib.md5("|".join(str(part) for part in (
            CODE_VERSION, fingerprint(days, by, clinician_id, show_cancelled), days[0], days[-1], by, clinician_id,
            show_cancelled, week, compact, can_book, book_url, today, now_slot, settings.TIME_ZONE,
        )).encode(), usedforsecurity=False).hexdigest()
        html = cache.get(key)
        if html is None:
            html = draw()
            cache.set(key, str(html), TIMEOUT)
    return mark_safe(html)  # noqa: S308  (drawn by our template, which escapes every value)
