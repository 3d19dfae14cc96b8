import sys

from django.contrib.auth.decorators import login_required
from django.db import InterfaceError, OperationalError
from django.http import HttpResponse, JsonResponse
from django.shortcuts import redirect, render
from django.template import loader
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_GET
from django.views.defaults import page_not_found

from . import roles
from .health import broker_status, database_status
from .models import WorkerHeartbeat


@require_GET
def robots_txt(request):
    """Patient data must never be indexed; also the benchmark's floor: no database, no template."""
    return HttpResponse("User-agent: *\nDisallow: /\n", content_type="text/plain")


@require_GET
@never_cache
def healthz(request):
    checks = {"database": database_status(), "broker": broker_status()}
    healthy = all(value == "ok" for value in checks.values())
    body = {"status": "ok" if healthy else "unavailable", **checks}
    if checks["database"] == "ok":
        beat = WorkerHeartbeat.objects.filter(pk=1).first()
        body["worker_last_seen"] = beat.seen_at.isoformat() if beat else None
    return JsonResponse(body, status=200 if healthy else 503)


@login_required
def home(request):
    user = request.user
    if roles.PATIENT in user.role_names and not user.is_staff:
        return render(request, "clinic/patient_home.html")
    if not (user.is_superuser or user.role_names & set(roles.STAFF_ROLES)):
        return render(request, "clinic/no_role.html", status=403)
    if user.has_perm("scheduling.view_appointment"):
        return redirect("scheduling:calendar")  # the front desk's and clinicians' home: today's calendar
    return redirect("patients:list")


DATABASE_DOWN = (OperationalError, InterfaceError)


def not_found(request, exception):
    """handler404: under /api/ the JSON body DRF answers with (a client reads `detail`), elsewhere Django's page."""
    if request.path.startswith("/api/"):
        return JsonResponse({"detail": "Not found."}, status=404)
    return page_not_found(request, exception)


def server_error(request):
    """handler500: a plain page (no database, no traceback); 503 when the database cannot be reached."""
    exc = sys.exc_info()[1]
    if isinstance(exc, DATABASE_DOWN):
        status, title = 503, "The clinic's records are unavailable for a moment"
        message = "We cannot reach the database right now. The system reconnects on its own once it is back."
    else:
        status, title = 500, "Something went wrong on our side"
        message = "The error has been logged for the team."
    headers = {"Retry-After": "30"} if status == 503 else {}
    if request.path.startswith("/api/"):
        return JsonResponse({"detail": message}, status=status, headers=headers)
    # Rendered without the request: context processors would read the session and the user from the database.
    html = loader.get_template("server_error.html").render({"title": title, "message": message})
    return HttpResponse(html, status=status, headers=headers)
