from django.contrib.auth.decorators import login_required
from django.http import HttpResponse, JsonResponse
from django.shortcuts import redirect, render
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_GET

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
