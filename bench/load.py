"""Pages under load: gunicorn on loopback, driven by wrk from a second process."""

import json
import os
import shutil
import signal
import subprocess
import time
import urllib.error
import urllib.request
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
PORT = 8765
STAFF_FLOOR = "trivial view, signed in (staff floor)"


def peak_rss_mb(pid):
    try:
        for line in Path(f"/proc/{pid}/status").read_text().splitlines():
            if line.startswith("VmHWM:"):
                return round(int(line.split()[1]) / 1024, 1)
    except OSError:
        return None
    return None


def _children(pid):
    try:
        return [int(p) for p in Path(f"/proc/{pid}/task/{pid}/children").read_text().split()]
    except OSError:
        return []


def _staff_cookie():
    from importlib import import_module

    from django.conf import settings
    from django.contrib.auth import BACKEND_SESSION_KEY, HASH_SESSION_KEY, SESSION_KEY
    from django.contrib.auth.models import Group
    from django_otp.plugins.otp_totp.models import TOTPDevice

    from clinic import roles, two_factor
    from clinic.models import User

    user, _ = User.objects.get_or_create(email="bench.desk@stride.test", defaults={"first_name": "Bench"})
    # Admin too: the chart measured is the whole chart (a clinician outside the care team gets less of it).
    user.groups.add(*Group.objects.filter(name__in=[roles.FRONT_DESK, roles.CLINICIAN, roles.ADMIN]))
    session = import_module(settings.SESSION_ENGINE).SessionStore()  # the engine the pages read
    session[SESSION_KEY] = str(user.pk)
    session[BACKEND_SESSION_KEY] = "clinic.backends.RoleBackend"
    session[HASH_SESSION_KEY] = user.get_session_auth_hash()
    device, _ = TOTPDevice.objects.get_or_create(user=user, confirmed=True, defaults={"name": "bench"})
    session[two_factor.VERIFIED_DEVICE] = device.pk  # signed in through both steps
    session.set_expiry(3600)
    session.create()
    return f"sessionid={session.session_key}"


def _targets():
    from django.utils import timezone

    from bench.seed import BENCH_VISIT
    from intake import links, services
    from patients.models import Patient
    from scheduling.models import Appointment

    today = timezone.localdate()
    patient = Patient.objects.filter(mrn__startswith="B").order_by("id")[100]
    upcoming = Appointment.objects.filter(visit_type__name=BENCH_VISIT, start_at__gt=timezone.now()).order_by("start_at").first()
    intake = services.intake_start(appointment=upcoming)
    token = links.token_for(intake)
    return [
        ("trivial view (floor)", "GET", "/robots.txt", None, False),
        # The same view with a staff session: what any signed-in page pays before it does anything (the
        # session, the user with their roles, the two-factor check), the floor for the staff pages.
        (STAFF_FLOOR, "GET", "/robots.txt", None, True),
        ("calendar day", "GET", f"/schedule/?date={today.isoformat()}", None, True),
        ("calendar week", "GET", f"/schedule/?view=week&date={today.isoformat()}", None, True),
        ("patient search", "GET", "/patients/?q=rive", None, True),
        ("patient chart", "GET", f"/patients/{patient.mrn}/", None, True),
        ("intake step save", "PUT", f"/api/v1/intake/{token}/steps/goals/", json.dumps({"goals": "Run 5 km again"}), False),
        ("public booking page", "GET", "/book/?modality=in_office", None, False),
    ]


def load_figures(database_url, *, duration=10, connections=8, workers=3, think_ms=250):
    """Latency and requests per second for each page, next to the trivial view's floor, at two loads.

    Moderate: `connections` people each pausing about `think_ms` between requests (about half of what
    this machine serves for the heavier pages). Saturated: the same connections with no pause, which
    gives the most requests per second; latency there is mostly waiting in the queue. Gunicorn's gthread
    workers keep connections alive, as they are behind a proxy in production; sync workers close each
    one, and wrk then counts its pause into the next request's latency.
    """
    if not shutil.which("wrk"):
        return {"error": "wrk is not installed (apt-get install wrk)"}
    # A shared cache, as in production: sessions and signed-in users are kept in it (clinic.sessions, signed_in).
    env = {**os.environ, "DATABASE_URL": database_url, "DEBUG": "false",
           "CACHE_URL": os.environ.get("BENCH_CACHE_URL", "rediscache://127.0.0.1:6379/15"), "HTTPS": "false", "CONN_MAX_AGE": "60",
           "NUM_PROXIES": "1",  # each simulated patient sends its own X-Forwarded-For address
           "ALLOWED_HOSTS": "127.0.0.1,localhost", "LOG_LEVEL": "WARNING"}
    server = subprocess.Popen(
        [str(ROOT / ".venv/bin/gunicorn"), "clinic.wsgi", "--bind", f"127.0.0.1:{PORT}", "--workers", str(workers),
         "--worker-class", "gthread", "--threads", "2", "--log-level", "warning"], cwd=ROOT, env=env, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE,
    )
    try:
        base = f"http://127.0.0.1:{PORT}"
        deadline = time.time() + 30
        while time.time() < deadline:
            try:
                urllib.request.urlopen(base + "/robots.txt", timeout=1)
                break
            except OSError:
                time.sleep(0.3)
        cookie = _staff_cookie()
        rows, targets = {}, _targets()
        for _, method, path, body, staff in targets:  # warm every worker: templates, connections, caches
            for _ in range(workers * 5):
                request = urllib.request.Request(base + path, data=body.encode() if body else None, method=method,
                                                 headers={"Cookie": cookie, "Content-Type": "application/json"}
                                                 if staff else {"Content-Type": "application/json"})
                urllib.request.urlopen(request, timeout=30).read()
        for mode, think in (("moderate", think_ms), ("saturated", 0)):
            for label, method, path, body, staff in targets:
                wrk_env = {**os.environ, "WRK_METHOD": method, "WRK_THINK_MS": str(think)}
                if body:
                    wrk_env["WRK_BODY"] = body
                seconds = duration * 2 if think else duration  # a paused load needs longer for as many samples
                command = ["wrk", "-t2", f"-c{connections}", f"-d{seconds}s", "-s", str(ROOT / "bench/report.lua"),
                           base + path]
                if staff:
                    command[1:1] = ["-H", f"Cookie: {cookie}"]
                out = subprocess.run(command, env=wrk_env, capture_output=True, text=True, timeout=seconds + 30)
                line = next((ln for ln in out.stdout.splitlines() if ln.startswith("{")), None)
                rows[f"{label}, {mode}"] = json.loads(line) if line else {"error": out.stdout[-200:] + out.stderr[-200:]}
            floor = rows.get(f"trivial view (floor), {mode}", {}).get("p95_ms")
            staff_floor = rows.get(f"{STAFF_FLOOR}, {mode}", {}).get("p95_ms")
            for (label, *_, staff) in targets:
                data = rows.get(f"{label}, {mode}", {})
                if floor and data.get("p95_ms"):
                    data["p95_vs_floor"] = round(data["p95_ms"] / floor, 1)
                if staff and staff_floor and data.get("p95_ms"):
                    data["p95_vs_staff_floor"] = round(data["p95_ms"] / staff_floor, 1)
        rows.update(booking_figures_http(base))
        rows["peak memory of a web worker (MB)"] = {"mb": max(filter(None, map(peak_rss_mb, _children(server.pid))),
                                                             default=None)}
        return rows
    finally:
        server.send_signal(signal.SIGTERM)
        try:
            server.wait(timeout=15)
        except subprocess.TimeoutExpired:
            server.kill()


def _post_json(url, body, forwarded_for):
    request = urllib.request.Request(url, data=json.dumps(body).encode(), method="POST", headers={
        "Content-Type": "application/json", "X-Forwarded-For": forwarded_for})
    try:
        with urllib.request.urlopen(request, timeout=30) as response:
            return response.status
    except urllib.error.HTTPError as exc:
        return exc.code


def booking_figures_http(base, *, clients=8):
    """Concurrent online bookings over HTTP: distinct slots (bookings per second), then a race for few slots."""
    from concurrent.futures import ThreadPoolExecutor
    from datetime import timedelta

    from django.utils import timezone

    from bench.seed import BENCH_VISIT
    from scheduling import selectors
    from scheduling.models import Appointment, Clinician, VisitType

    visit = VisitType.objects.get(name=BENCH_VISIT)
    clinician = Clinician.objects.filter(user__email__startswith="bench.").order_by("-sort_order").first()
    location = clinician.locations.first()
    day = timezone.localdate() + timedelta(days=80)
    slots = selectors.open_slots(visit, day, day + timedelta(days=20), clinician_ids=[clinician.pk])[0]
    slots = [s for s in slots if s.start.minute in (0, 30)]

    def body(i, slot):
        return {"visit_type": visit.pk, "clinician": clinician.pk, "start": slot.start.isoformat(),
                "modality": "in_office", "location": location.pk, "reason": "bench",
                "patient": {"first_name": "Bench", "last_name": f"Racer{i}", "date_of_birth": "1980-01-01",
                            "email": f"racer{i}@example.com", "phone": f"+1617555{1000 + i % 9000:04d}"},
                "accepts_cancellation_policy": True}

    url = base + "/api/v1/bookings/"
    distinct = slots[: clients * 5]
    started = time.perf_counter()
    with ThreadPoolExecutor(clients) as pool:
        codes = list(pool.map(lambda p: _post_json(url, body(p[0], p[1]), f"10.9.{p[0] // 250}.{p[0] % 250 + 1}"),
                              enumerate(distinct)))
    elapsed = time.perf_counter() - started
    rows = {"bookings over HTTP, distinct slots": {
        "bookings": codes.count(201), "other": len(codes) - codes.count(201), "clients": clients,
        "per_second": round(codes.count(201) / elapsed, 1)}}

    contested = slots[clients * 5: clients * 5 + 3]
    attempts = [(1000 + i, contested[i % len(contested)]) for i in range(clients * 6)]
    with ThreadPoolExecutor(clients) as pool:
        codes = list(pool.map(lambda p: _post_json(url, body(p[0], p[1]), f"10.8.{p[0] // 250}.{p[0] % 250 + 1}"),
                              attempts))
    spans = sorted(Appointment.objects.filter(
        clinician=clinician, status__in=Appointment.OCCUPYING, start_at__gte=contested[0].start - timedelta(hours=1),
        start_at__lte=contested[-1].end).values_list("start_at", "end_at"))
    overlaps = sum(1 for (_, end), (start, _) in zip(spans, spans[1:], strict=False) if start < end)
    rows["bookings over HTTP, racing for 3 slots"] = {
        "attempts": len(attempts), "booked": codes.count(201), "refused_409": codes.count(409),
        "other": len(codes) - codes.count(201) - codes.count(409),
        "double_bookings": overlaps, "verdict": "no double booking" if overlaps == 0 and codes.count(201) <= 3
        else "DOUBLE BOOKING"}
    return rows
