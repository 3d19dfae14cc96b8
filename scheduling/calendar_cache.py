"""The calendar grid as HTML, drawn on every view (its fingerprint cache went with clinic.render_cache)."""

from django.template.loader import render_to_string
from django.utils import timezone
from django.utils.safestring import mark_safe

from . import selectors

TEMPLATE = "scheduling/staff/_calendar_grid.html"


def grid_html(request, *, days, by, clinician_id, show_cancelled, week, compact, book_url):
    """The active clinicians and the grid's HTML for these days."""
    can_book = request.user.has_perm("scheduling.add_appointment")
    today = timezone.localdate()

    def draw(clinicians):
        grid = selectors.calendar_grid(days=days, by=by, clinician_id=clinician_id, show_cancelled=show_cancelled,
                                       clinicians=clinicians)
        return render_to_string(TEMPLATE, {
            "grid": grid, "week": week, "by": by, "compact": compact, "today": today, "book_url": book_url,
            "can_book": can_book,
        })

    clinicians = selectors.active_calendar_clinicians()
    return clinicians, mark_safe(draw(clinicians))  # noqa: S308  (drawn by our template, which escapes)
