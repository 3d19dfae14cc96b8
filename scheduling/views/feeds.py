"""Clinicians' private iCalendar feeds and their reset."""

from django.conf import settings
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.http import Http404, HttpResponse
from django.shortcuts import get_object_or_404, redirect
from django.utils import timezone
from django.views.decorators.http import require_GET, require_POST

from .. import ics, selectors, services
from ..models import Clinician
from .shared import calendar_url


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
