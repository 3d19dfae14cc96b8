"""Benchmark the reminder outbox on PostgreSQL and Redis: how long the sweep takes at scale, and how many
reminders one worker delivers per minute to the memory backends.

    python bench/notifications_bench.py --appointments 200000 --due 5000
    python bench/notifications_bench.py --appointments 1000000 --due 5000

Seeds (once per size, with COPY) 20 clinicians, up to 50,000 patients and N appointments, each with its
confirmation and two reminders (email 48h, text 2h) in the outbox: past ones sent, future ones queued.
Each run then makes --due reminders due, times the sweep (claim with SKIP LOCKED, commit, queue a task
per row on Redis), and starts one `celery worker` process that delivers them.

Needs PostgreSQL (BENCH_DATABASE_URL, default postgres://postgres@127.0.0.1:5432/stride_bench_notify_<N>)
and Redis (BENCH_BROKER_URL, default redis://127.0.0.1:6379/14). Prints a Markdown report and saves it
under bench/results/ (git-ignored).
"""

import argparse
import json
import os
import platform
import random
import statistics
import subprocess
import sys
import time
import uuid
from datetime import timedelta
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))
from bench.load import peak_rss_mb  # noqa: E402  (after the path is set)

CLINICIANS = 20


def _setup(appointments):
    default = f"postgres://postgres@127.0.0.1:5432/stride_bench_notify_{appointments // 1000}k"
    url = os.environ.get("BENCH_DATABASE_URL", default)
    broker = os.environ.get("BENCH_BROKER_URL", "redis://127.0.0.1:6379/14")
    os.environ.update(CELERY_BROKER_URL=broker, NOTIFICATION_QUEUE="stride-bench-notifications",
                      NOTIFICATION_EMAIL_BACKEND="memory", SMS_BACKEND="memory", NOTIFICATION_QUIET_HOURS="off")
    from bench.database import prepare_database

    return prepare_database(url), broker


def copy_rows(model, rows, label, total):
    """COPY rows with the shared seeder, showing rows per second as it goes."""
    from bench.seed import Progress
    from bench.seed import copy_rows as copy

    return copy(model, rows, Progress(label, total), batch=100_000)


def seed(appointments):
    """Clinicians, patients, appointments and their outbox rows; skipped if already there."""
    from django.contrib.auth.models import Group
    from django.db import connection
    from django.utils import timezone

    from clinic import roles
    from clinic.models import User
    from notifications.models import Notification
    from patients.demo import demo_patient
    from patients.models import Patient
    from scheduling.models import Appointment, Clinician, Location, VisitType

    existing = Appointment.objects.count()
    if existing >= appointments:
        return {"skipped": f"already seeded ({existing:,} appointments)"}
    timings = {}
    started = time.perf_counter()
    location, _ = Location.objects.get_or_create(name="Bench site", defaults=dict(address_line1="1 Main St",
                                                                                   city="Boston", arrival_notes="Suite 2."))
    visit, _ = VisitType.objects.get_or_create(name="Bench visit (30 min)", defaults=dict(duration_minutes=30))
    group = Group.objects.get(name=roles.CLINICIAN)
    clinicians = []
    for i in range(CLINICIANS):
        user, _ = User.objects.get_or_create(email=f"bench.clinician{i}@stride.test", defaults={"last_name": f"Bench{i}"})
        user.groups.add(group)
        clinician, _ = Clinician.objects.get_or_create(user=user, defaults={"sort_order": i})
        clinicians.append(clinician)
    patients = min(50_000, max(1_000, appointments // 20))
    now = timezone.now()

    def patient_rows():
        for i in range(patients):
            p = demo_patient(500_000 + i)
            row = {f.attname: getattr(p, f.attname) for f in p._meta.concrete_fields if not f.primary_key}
            row.update(mrn=f"N{i:08d}", email=f"bench{i}@example.com", created_at=now, updated_at=now)
            yield row

    copy_rows(Patient, patient_rows(), "patients", patients)
    patient_ids = list(Patient.objects.filter(mrn__startswith="N").values_list("id", flat=True))
    timings["patients_s"] = round(time.perf_counter() - started, 1)

    # Back-to-back 30-minute visits per clinician, ending 40 days from now: most are history.
    started = time.perf_counter()
    per_clinician = appointments // CLINICIANS
    end = now.replace(minute=0, second=0, microsecond=0) + timedelta(days=40)
    rng = random.Random(7)

    def appointment_rows():
        for clinician in clinicians:
            for slot in range(per_clinician):
                start = end - timedelta(minutes=30 * (per_clinician - slot))
                status = "completed" if start < now else "booked"
                yield dict(patient_id=rng.choice(patient_ids), clinician_id=clinician.pk, visit_type_id=visit.pk,
                           modality="in_office", location_id=location.pk, room_id=None, start_at=start,
                           end_at=start + timedelta(minutes=30), busy_start_at=start,
                           busy_end_at=start + timedelta(minutes=30), status=status, source="front_desk",
                           reason="", cancellation_reason="", video_token="", series_id=None,
                           intake_completed_at=None, created_at=start - timedelta(days=10), updated_at=start,
                           created_by_id=None, updated_by_id=None)

    copy_rows(Appointment, appointment_rows(), "appointments", per_clinician * CLINICIANS)
    timings["appointments_s"] = round(time.perf_counter() - started, 1)

    started = time.perf_counter()
    with connection.cursor() as cursor:
        cursor.execute("SELECT id, patient_id, start_at FROM scheduling_appointment")
        visits = cursor.fetchall()

    def outbox_rows():
        for pk, patient_id, start in visits:
            for kind, channel, occasion, due in (
                ("booking_confirmation", "email", "", start - timedelta(days=10)),
                ("reminder", "email", "48h", start - timedelta(hours=48)),
                ("reminder", "sms", "2h", start - timedelta(hours=2)),
            ):
                past = due <= now
                yield dict(patient_id=patient_id, appointment_id=pk, kind=kind, channel=channel, occasion=occasion,
                           recipient_user_id=None, due_at=due, status="sent" if past else "queued",
                           attempts=1 if past else 0, idempotency_key=uuid.uuid4(), visit_start_at=start, payload={},
                           sent_at=due if past else None, created_at=start - timedelta(days=10),
                           updated_at=due if past else start - timedelta(days=10),
                           to_address=f"bench{patient_id}@example.com" if past else "")

    copy_rows(Notification, outbox_rows(), "outbox rows", len(visits) * 3)
    timings["outbox_s"] = round(time.perf_counter() - started, 1)
    with connection.cursor() as cursor:
        cursor.execute("ANALYZE scheduling_appointment; ANALYZE notifications_notification; ANALYZE patients_patient")
    return timings


def arm(due):
    """Make `due` future reminders (of patients who take that channel) due in the last five minutes: half email,
    half text."""
    from django.db import connection
    from django.utils import timezone

    from notifications.models import Notification

    now = timezone.now()
    picked = []
    for channel, consent in (("email", "patient__reminder_email_consent"), ("sms", "patient__reminder_sms_consent")):
        picked += list(Notification.objects.filter(status="queued", kind="reminder", channel=channel,
                                                   due_at__gt=now + timedelta(days=1), **{consent: True})
                       .order_by("due_at").values_list("pk", flat=True)[: due // 2])
    with connection.cursor() as cursor:
        cursor.execute(
            "UPDATE notifications_notification SET due_at = %s - (id %% 300) * interval '1 second' WHERE id = ANY(%s)",
            [now, picked],
        )
    return picked


def explain_sweep():
    from django.db import connection, transaction
    from django.utils import timezone

    from notifications.models import Notification

    due = Notification.objects.filter(status="queued", due_at__lte=timezone.now()).order_by("due_at")
    with transaction.atomic(), connection.cursor() as cursor:
        sql, params = due.select_for_update(skip_locked=True).values_list("pk", flat=True)[:500].query.sql_with_params()
        cursor.execute("EXPLAIN (ANALYZE, BUFFERS) " + sql, params)
        return [row[0] for row in cursor.fetchall()]


def purge_queue():
    from clinic.celery import app

    with app.connection_for_write() as conn:
        conn.default_channel.queue_purge(os.environ["NOTIFICATION_QUEUE"])


def main():
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--appointments", type=int, default=200_000)
    parser.add_argument("--due", type=int, default=5_000)
    parser.add_argument("--pool", default="solo", help="worker pool: solo (one process) or prefork")
    parser.add_argument("--concurrency", type=int, default=1)
    parser.add_argument("--json", help="also write the figures to this file (bench/run.py reads it)")
    args = parser.parse_args()
    url, broker = _setup(args.appointments)
    from django.db import connection
    from django.utils import timezone

    from notifications import services
    from notifications.models import CapturedMessage, Notification

    seeded = seed(args.appointments)
    rows = Notification.objects.count()
    purge_queue()

    # The steady state: the sweep every minute with nothing due.
    empty = []
    for _ in range(20):
        started = time.perf_counter()
        services.notifications_sweep()
        empty.append((time.perf_counter() - started) * 1000)

    picked = arm(args.due)
    plan = explain_sweep()
    started = time.perf_counter()
    swept = services.notifications_sweep(max_batches=10_000)
    sweep_s = time.perf_counter() - started
    assert swept["queued"] == len(picked), swept

    CapturedMessage.objects.all().delete()
    env = {**os.environ, "CONN_MAX_AGE": "60"}
    log = open(ROOT / "var" / "bench-notifications-worker.log", "w")  # noqa: SIM115
    worker = subprocess.Popen(
        [sys.executable, "-m", "celery", "-A", "clinic", "worker", f"--pool={args.pool}",
         f"--concurrency={args.concurrency}", "-Q", os.environ["NOTIFICATION_QUEUE"], "--without-heartbeat",
         "--without-mingle", "--without-gossip", "--loglevel=WARNING"],
        cwd=ROOT, env=env, stdout=log, stderr=subprocess.STDOUT, start_new_session=True,
    )
    worker_peak_mb = None
    try:
        first = last = None
        deadline = time.monotonic() + 1800
        while time.monotonic() < deadline:
            done = Notification.objects.filter(pk__in=picked).exclude(status__in=["queued", "sending"]).count()
            if done and first is None:
                first = time.perf_counter()
            if done == len(picked):
                last = time.perf_counter()
                break
            time.sleep(0.25)
        worker_peak_mb = peak_rss_mb(worker.pid)
        connection.close()
    finally:
        worker.terminate()
        worker.wait(timeout=30)
        log.close()
    from django.db.models import Count

    outcomes = {r["status"]: r["n"] for r in Notification.objects.filter(pk__in=picked).values("status")
                .annotate(n=Count("id"))}
    duplicates = CapturedMessage.objects.filter(deliveries__gt=1).count()
    span = (last - first) if (first and last) else None
    per_minute = round((len(picked) - 1) / span * 60) if span else None
    ends = Notification.objects.filter(pk__in=picked, status="sent").order_by("sent_at")
    sent_span = (ends.last().sent_at - ends.first().sent_at).total_seconds() if ends.exists() else None
    per_minute_db = round((ends.count() - 1) / sent_span * 60) if sent_span else None

    machine = f"{platform.node()} · {os.cpu_count()} cores · Python {platform.python_version()}"
    with connection.cursor() as cursor:
        cursor.execute("SELECT pg_size_pretty(pg_total_relation_size('notifications_notification'))")
        size = cursor.fetchone()[0]
    lines = [
        f"# Outbox benchmark: {args.appointments:,} appointments, {args.due:,} due reminders",
        "", f"Machine: {machine} · {timezone.now():%Y-%m-%d %H:%M} UTC", f"Database: {url.rsplit('@', 1)[-1]} · broker {broker}",
        f"Seeding: {seeded}", f"Outbox rows: {rows:,} ({size})", "",
        "| figure | value |", "|---|---|",
        f"| sweep with nothing due (median of 20) | {statistics.median(empty):.2f} ms |",
        f"| sweep of {swept['queued']:,} due rows (claim + commit + queue on Redis) | {sweep_s:.2f} s "
        f"({swept['queued'] / sweep_s:,.0f} rows/s) |",
        f"| one worker ({args.pool}, concurrency {args.concurrency}) delivering to the memory backends | "
        f"{per_minute_db:,} reminders/minute (first to last sent_at); {per_minute:,}/minute observed |"
        if per_minute_db and per_minute else "| delivery | did not finish |",
        f"| outcomes | {outcomes} · duplicate deliveries: {duplicates} |",
        f"| peak memory of the worker | {worker_peak_mb} MB |",
        "", "## Sweep query plan (EXPLAIN ANALYZE, first batch)", "```", *plan, "```",
    ]
    report = "\n".join(lines)
    print(report)
    out = ROOT / "bench" / "results"
    out.mkdir(parents=True, exist_ok=True)
    (out / f"notifications-{args.appointments // 1000}k-{time.strftime('%Y%m%d-%H%M%S')}.md").write_text(report)
    if args.json:
        Path(args.json).write_text(json.dumps({
            "appointments": args.appointments, "outbox_rows": rows, "empty_sweep_median_ms": round(statistics.median(empty), 2),
            "empty_sweep_p95_ms": round(sorted(empty)[int(0.95 * (len(empty) - 1))], 2),
            "due": swept["queued"], "due_sweep_s": round(sweep_s, 2), "pool": args.pool,
            "concurrency": args.concurrency, "per_minute": per_minute_db, "per_minute_observed": per_minute,
            "outcomes": outcomes, "duplicate_deliveries": duplicates, "worker_peak_mb": worker_peak_mb,
        }))


if __name__ == "__main__":
    main()
