"""Stride benchmark: seed a synthetic practice into PostgreSQL and print the figures.

    python bench/run.py --size small        # a single clinic, about a minute
    python bench/run.py --size large        # a chain: 20 clinicians, 50k patients, 1M appointments

Needs PostgreSQL (BENCH_DATABASE_URL, default postgres://postgres@127.0.0.1:5432/stride_bench_<size>).
Results are printed and saved as JSON and Markdown under bench/results/ (git-ignored).
"""

import argparse
import json
import os
import platform
import statistics
import sys
import time
from datetime import timedelta
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))


def _setup(size):
    from bench.database import prepare_database

    return prepare_database(
        os.environ.get("BENCH_DATABASE_URL", f"postgres://postgres@127.0.0.1:5432/stride_bench_{size}")
    )


def timed(fn, repeat):
    """Run fn `repeat` times; median and p95 in ms, and the SQL query count of one run."""
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    fn()  # warm caches and connections
    samples = []
    for _ in range(repeat):
        started = time.perf_counter()
        fn()
        samples.append((time.perf_counter() - started) * 1000)
    with CaptureQueriesContext(connection) as captured:
        fn()
    samples.sort()
    p95 = samples[min(len(samples) - 1, int(round(0.95 * (len(samples) - 1))))]
    return {"median_ms": round(statistics.median(samples), 2), "p95_ms": round(p95, 2), "queries": len(captured)}


def availability_figures(repeat):
    from django.test import Client
    from django.utils import timezone

    from bench.seed import BENCH_VISIT
    from scheduling import selectors
    from scheduling.models import Clinician, VisitType

    visit = VisitType.objects.get(name=BENCH_VISIT)
    clinicians = list(Clinician.objects.filter(user__email__startswith="bench.").order_by("sort_order"))
    first = timezone.localdate() + timedelta(days=1)
    while first.weekday() != 0:
        first += timedelta(days=1)
    client = Client()
    rows = {}
    for label, count, days in [("1 clinician x 1 day", 1, 1), ("1 clinician x 28 days", 1, 28),
                               (f"{len(clinicians)} clinicians x 7 days", len(clinicians), 7),
                               (f"{len(clinicians)} clinicians x 28 days", len(clinicians), 28)]:
        ids = [c.pk for c in clinicians[:count]]
        last = first + timedelta(days=days - 1)
        slots = []

        def engine(ids=ids, last=last, slots=slots):
            slots[:] = selectors.open_slots(visit, first, last, clinician_ids=ids)[0]

        rows[f"availability engine: {label}"] = {**timed(engine, repeat), "slots": len(slots)}
        params = {"visit_type": visit.pk, "start": first.isoformat(), "end": last.isoformat()}
        if count == 1:
            params["clinician"] = ids[0]

        def api(params=params):
            response = client.get("/api/v1/availability/", params)
            assert response.status_code == 200, response.content[:300]

        try:
            rows[f"availability API: {label}"] = timed(api, repeat)
        except AssertionError as exc:
            rows[f"availability API: {label}"] = {"error": str(exc)[:120]}
    return rows


def booking_figures(repeat):
    from django.db import transaction
    from django.utils import timezone

    from bench.seed import BENCH_VISIT
    from patients.models import Patient
    from scheduling import selectors, services
    from scheduling.models import Clinician, Modality, VisitType

    visit = VisitType.objects.get(name=BENCH_VISIT)
    clinician = Clinician.objects.filter(user__email__startswith="bench.").order_by("sort_order").first()
    patient = Patient.objects.filter(mrn__startswith="B").first()
    day = timezone.localdate() + timedelta(days=70)
    slots = selectors.open_slots(visit, day, day + timedelta(days=14), clinician_ids=[clinician.pk])[0]
    free = iter(slots)
    samples = []

    class Rollback(Exception):
        pass

    for _ in range(min(repeat, len(slots))):
        slot = next(free)
        started = time.perf_counter()
        try:
            with transaction.atomic():
                services.appointment_book(patient=patient, clinician=clinician, visit_type=visit, start=slot.start,
                                          modality=Modality.IN_OFFICE, location=clinician.locations.first())
                samples.append((time.perf_counter() - started) * 1000)
                raise Rollback
        except Rollback:
            pass
    samples.sort()
    return {"booking through the service": {
        "median_ms": round(statistics.median(samples), 2),
        "p95_ms": round(samples[int(0.95 * (len(samples) - 1))], 2), "queries": "-"}}


def explain_hot_queries():
    """EXPLAIN the queries the hot pages depend on, to show they use indexes."""
    from django.db import connection
    from django.utils import timezone

    from bench.seed import BENCH_VISIT
    from patients.selectors import patient_search
    from scheduling.models import Appointment, Clinician, VisitType

    visit = VisitType.objects.get(name=BENCH_VISIT)
    ids = list(Clinician.objects.filter(visit_types=visit).values_list("pk", flat=True))
    now = timezone.now()
    plans = {}
    queries = {
        "availability busy scan": Appointment.objects.filter(
            clinician__in=ids, status__in=Appointment.OCCUPYING, busy_start_at__gte=now - timedelta(hours=12),
            busy_start_at__lt=now + timedelta(days=28), busy_end_at__gt=now).values_list("clinician_id", "busy_start_at"),
        "calendar day": Appointment.objects.filter(start_at__lt=now + timedelta(days=1), end_at__gt=now),
        "patient search by name": patient_search("rive")[:25],
        "patient search by phone": patient_search("6170001234")[:25],
        "patient chart appointments": Appointment.objects.filter(patient_id=1).order_by("-start_at")[:50],
    }
    for label, qs in queries.items():
        sql, params = qs.query.sql_with_params()
        with connection.cursor() as cursor:
            cursor.execute("EXPLAIN " + sql, params)
            plan = [row[0] for row in cursor.fetchall()]
        plans[label] = plan
    return plans


REMINDER_APPOINTMENTS = {"small": 50_000, "year": 200_000, "large": 1_000_000}


def reminder_figures(size, due=5_000):
    """The outbox at scale, from bench/notifications_bench.py in its own process and database (its own seed:
    every appointment with its confirmation and two reminders): sweep time, one worker's deliveries per
    minute to the memory backends, and that worker's peak memory."""
    import subprocess
    import tempfile

    with tempfile.NamedTemporaryFile(suffix=".json") as out:
        done = subprocess.run(
            [sys.executable, str(ROOT / "bench" / "notifications_bench.py"), "--appointments",
             str(REMINDER_APPOINTMENTS[size]), "--due", str(due), "--json", out.name],
            cwd=ROOT, env={k: v for k, v in os.environ.items() if k not in ("DATABASE_URL", "DJANGO_SETTINGS_MODULE", "BENCH_DATABASE_URL")},
        )
        text = Path(out.name).read_text()
        if done.returncode or not text:
            return {"error": f"notifications_bench exited with {done.returncode}"}
        return json.loads(text)


def main():
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--size", choices=["small", "year", "large"], default="small")
    parser.add_argument("--repeat", type=int, default=30)
    parser.add_argument("--duration", type=int, default=10, help="seconds of load per page")
    args = parser.parse_args()
    url = _setup(args.size)
    from bench.seed import seed

    started = time.perf_counter()
    seeded = seed(args.size)
    seeded["total_seconds"] = round(time.perf_counter() - started, 1)
    if "counts" in seeded:
        rows = sum(seeded["counts"].values())
        seeded["rows_per_second"] = round(rows / max(0.001, sum(seeded["seconds"].values())))
    figures = {}
    figures.update(availability_figures(args.repeat))
    figures.update(booking_figures(args.repeat))
    plans = explain_hot_queries()
    from bench.load import load_figures

    load = load_figures(url, duration=args.duration)
    reminders = reminder_figures(args.size)

    machine = f"{platform.node()} · {os.cpu_count()} cores · Python {platform.python_version()} · {platform.platform()}"
    lines = [f"# Stride benchmark ({args.size})", "", f"Machine: {machine}", "", f"Seeding: {seeded}", "",
             "| figure | median ms | p95 ms | queries | notes |", "|---|---|---|---|---|"]
    for name, data in figures.items():
        notes = data.get("error") or (f"{data['slots']} slots" if "slots" in data else "")
        lines.append(f"| {name} | {data.get('median_ms', '-')} | {data.get('p95_ms', '-')} | {data.get('queries', '-')} | {notes} |")
    lines += ["", "## Pages under load (gunicorn, 3 gthread workers x 2 threads; wrk, 2 threads, 8 connections; "
              "moderate: each connection pauses about 250 ms between requests)", "",
              "| page | requests/s | p50 ms | p95 ms | p99 ms | p95 / floor | p95 / signed-in floor | errors |",
              "|---|---|---|---|---|---|---|---|"]
    for name, data in load.items():
        if "mb" in data:
            lines.append(f"| {name} | {data['mb']} MB | | | | | | |")
        elif "rps" not in data and "error" not in data:
            lines.append(f"| {name} | {', '.join(f'{k}: {v}' for k, v in data.items())} | | | | | | |")
        elif "error" in data:
            lines.append(f"| {name} | {data['error']} | | | | | | |")
        else:
            lines.append(f"| {name} | {data['rps']} | {data['p50_ms']} | {data['p95_ms']} | {data['p99_ms']} | "
                         f"{data.get('p95_vs_floor', '-')} | {data.get('p95_vs_staff_floor', '-')} | {data['errors']} |")
    lines += ["", f"## Reminders ({reminders.get('appointments', 0):,} appointments, "
              f"{reminders.get('outbox_rows', 0):,} outbox rows)", ""]
    if "error" in reminders:
        lines.append(reminders["error"])
    else:
        lines += [
            "| figure | value |", "|---|---|",
            f"| due-message sweep, nothing due (median / p95 of 20) | {reminders['empty_sweep_median_ms']} / "
            f"{reminders['empty_sweep_p95_ms']} ms |",
            f"| sweep of {reminders['due']:,} due messages (claim, commit, queue on Redis) | {reminders['due_sweep_s']} s |",
            f"| one worker ({reminders['pool']}) delivering to the memory backends | {reminders['per_minute']:,} a minute |",
            f"| outcomes | {reminders['outcomes']}, duplicate deliveries: {reminders['duplicate_deliveries']} |",
            f"| peak memory of the Celery worker | {reminders['worker_peak_mb']} MB |",
        ]
    lines += ["", "## Query plans", ""]
    for label, plan in plans.items():
        lines += [f"**{label}**", "```", *plan, "```", ""]
    report = "\n".join(lines)
    print(report)
    out = ROOT / "bench" / "results"
    out.mkdir(parents=True, exist_ok=True)
    stamp = time.strftime("%Y%m%d-%H%M%S")
    (out / f"{args.size}-{stamp}.md").write_text(report)
    (out / f"{args.size}-{stamp}.json").write_text(json.dumps(
        {"size": args.size, "machine": machine, "database": url.rsplit("@", 1)[-1], "seeding": seeded,
         "figures": figures, "load": load, "reminders": reminders, "plans": plans}, indent=2, default=str))


if __name__ == "__main__":
    main()
