"""Seed a synthetic practice into PostgreSQL fast, with COPY. All people are made up."""

import csv
import io
import json
import random
import sys
import time
from datetime import UTC, date, datetime, timedelta
from datetime import time as dtime
from zoneinfo import ZoneInfo

from django.conf import settings
from django.contrib.auth.models import Group
from django.db import connection
from django.utils import timezone

SIZES = {
    # clinicians, patients, years of history, history appointments target, intake/exam share
    "small": dict(clinicians=5, patients=2_000, years=1, appointments=20_000, clinical=0.8),
    "year": dict(clinicians=20, patients=10_000, years=1, appointments=50_000, clinical=0.5),
    "large": dict(clinicians=20, patients=50_000, years=5, appointments=1_000_000, clinical=0.8),
}
NULL = "\\N"
BENCH_VISIT = "Bench visit (30 min)"


class Progress:
    def __init__(self, label, total):
        self.label, self.total, self.done, self.started = label, total, 0, time.perf_counter()

    def advance(self, n):
        self.done += n
        if sys.stderr.isatty() or self.done >= self.total or self.done % max(1, self.total // 10) < n:
            width = 30
            filled = int(width * self.done / max(1, self.total))
            sys.stderr.write(f"\r  {self.label:<14} [{'#' * filled}{'.' * (width - filled)}] {self.done:,}/{self.total:,}")
            if self.done >= self.total:
                sys.stderr.write("\n")
            sys.stderr.flush()


def _cell(value):
    if value is None:
        return NULL
    if isinstance(value, bool):
        return "t" if value else "f"
    if isinstance(value, (datetime, date)):
        return value.isoformat()
    if isinstance(value, (dict, list)):
        return json.dumps(value)
    return value


def copy_rows(model, rows, progress=None, batch=50_000):
    """COPY dicts of field attnames into the model's table; missing fields take their defaults."""
    fields = [f for f in model._meta.concrete_fields if not f.primary_key]
    columns = ", ".join(f'"{f.column}"' for f in fields)
    defaults = {f.attname: f.get_default() for f in fields}
    count = 0

    def flush(buffer):
        buffer.seek(0)
        with connection.cursor() as cursor:
            sql = f'COPY "{model._meta.db_table}" ({columns}) FROM STDIN WITH (FORMAT csv, NULL \'{NULL}\')'
            with cursor.cursor.copy(sql) as copy:  # psycopg 3's COPY
                while data := buffer.read(1 << 20):
                    copy.write(data)

    buffer, writer, pending = io.StringIO(), None, 0
    writer = csv.writer(buffer)
    for row in rows:
        writer.writerow([_cell(row[f.attname] if f.attname in row else defaults[f.attname]) for f in fields])
        pending += 1
        if pending == batch:
            flush(buffer)
            count += pending
            if progress:
                progress.advance(pending)
            buffer, pending = io.StringIO(), 0
            writer = csv.writer(buffer)
    if pending:
        flush(buffer)
        count += pending
        if progress:
            progress.advance(pending)
    return count


def seed(size, *, rng_seed=42):
    """Seed one size; returns a dict of rows per table and seconds taken."""
    from clinic import roles
    from clinic.models import User
    from exams.models import Exam
    from intake.models import IntakeForm, OutcomeScore
    from patients.demo import demo_patient
    from scheduling.models import Appointment, Clinician, ClinicSettings, Location, Room, VisitType, WorkingHours

    spec = SIZES[size]
    rng = random.Random(rng_seed)
    tz = ZoneInfo(settings.TIME_ZONE)
    today = timezone.localdate()
    timings, counts = {}, {}

    started = time.perf_counter()
    rules = ClinicSettings.load()
    rules.min_notice_hours, rules.booking_horizon_days, rules.auto_confirm_online_bookings = 0, 365, True
    rules.save()
    locations = [
        Location.objects.get_or_create(name=f"Bench site {i}", defaults=dict(address_line1=f"{i} Main St", city="Boston"))[0]
        for i in range(1, 5 if spec["clinicians"] > 5 else 2)
    ]
    for location in locations:
        for r in range(3):
            Room.objects.get_or_create(location=location, name=f"Room {r + 1}")
    visit, _ = VisitType.objects.get_or_create(
        name=BENCH_VISIT, defaults=dict(modality="either", duration_minutes=30, bookable_online=True, sort_order=99)
    )
    group = Group.objects.get(name=roles.CLINICIAN)
    clinicians = []
    for i in range(spec["clinicians"]):
        user, _ = User.objects.get_or_create(email=f"bench.clinician{i}@stride.test", defaults={"last_name": f"Bench{i}"})
        user.groups.add(group)
        clinician, created = Clinician.objects.get_or_create(user=user, defaults={"sort_order": i})
        clinician.visit_types.add(visit)
        clinician.locations.add(locations[i % len(locations)])
        if created:
            history_start = today - timedelta(days=365 * spec["years"])
            for weekday in range(7):  # the chain used to run long days, every day
                WorkingHours.objects.create(clinician=clinician, location=locations[i % len(locations)], weekday=weekday,
                                            start_time=dtime(7), end_time=dtime(21), effective_from=history_start,
                                            effective_until=today - timedelta(days=1))
            for weekday in range(5):  # now: Mon-Fri 9-17
                WorkingHours.objects.create(clinician=clinician, location=locations[i % len(locations)], weekday=weekday,
                                            start_time=dtime(9), end_time=dtime(17), effective_from=today)
        clinicians.append(clinician)
    timings["setup"] = time.perf_counter() - started

    started = time.perf_counter()
    existing = Appointment.objects.filter(clinician__in=clinicians).count()
    if existing:
        return {"skipped": f"already seeded ({existing:,} appointments)"}
    patient_rows = []
    for i in range(spec["patients"]):
        p = demo_patient(100_000 + i)
        row = {f.attname: getattr(p, f.attname) for f in p._meta.concrete_fields if not f.primary_key}
        row["mrn"] = f"B{i:08d}"[:9]
        row["email"] = f"bench{i}@example.com"
        row["mobile_phone"] = f"+1617{i:07d}"[:12]
        row["created_at"] = timezone.now()
        row["updated_at"] = timezone.now()
        patient_rows.append(row)
    counts["patients"] = copy_rows(type(p), patient_rows, Progress("patients", len(patient_rows)))
    timings["patients"] = time.perf_counter() - started
    from patients.models import Patient

    patient_ids = list(Patient.objects.filter(mrn__startswith="B").values_list("id", flat=True))

    started = time.perf_counter()
    history_days = 365 * spec["years"]
    capacity = len(clinicians) * history_days * 28
    fill = min(0.99, spec["appointments"] / capacity)
    now = timezone.now()

    def history():
        for clinician in clinicians:
            for back in range(history_days, 0, -1):
                day = today - timedelta(days=back)
                for slot in range(28):
                    if rng.random() >= fill:
                        continue
                    start = datetime.combine(day, dtime(7), tzinfo=tz).astimezone(UTC) + timedelta(minutes=30 * slot)
                    yield _appointment(clinician, start, rng.choice(patient_ids), "completed" if rng.random() < 0.9 else "no_show")

    def window():
        for clinician in clinicians:
            for ahead in range(0, 60):
                day = today + timedelta(days=ahead)
                if day.weekday() >= 5:
                    continue
                for slot in range(16):
                    if rng.random() >= 0.6:
                        continue
                    start = datetime.combine(day, dtime(9), tzinfo=tz).astimezone(UTC) + timedelta(minutes=30 * slot)
                    if start > now:
                        yield _appointment(clinician, start, rng.choice(patient_ids), rng.choice(["booked", "confirmed"]))

    def _appointment(clinician, start, patient_id, status):
        end = start + timedelta(minutes=30)
        return dict(patient_id=patient_id, clinician_id=clinician.pk, visit_type_id=visit.pk, modality="in_office",
                    location_id=locations[clinician.sort_order % len(locations)].pk, room_id=None, start_at=start,
                    end_at=end, busy_start_at=start, busy_end_at=end, status=status, source="front_desk",
                    reason="", cancellation_reason="", video_token="", series_id=None, intake_completed_at=None,
                    created_at=start - timedelta(days=7), updated_at=start, created_by_id=None, updated_by_id=None)

    expected = int(capacity * fill) + len(clinicians) * 42 * 16 * 6 // 10
    counts["appointments"] = copy_rows(Appointment, (a for gen in (history(), window()) for a in gen),
                                       Progress("appointments", expected))
    timings["appointments"] = time.perf_counter() - started

    started = time.perf_counter()
    clinical = rng.sample(patient_ids, int(len(patient_ids) * spec["clinical"]))
    intake_rows = ({"patient_id": pid, "status": "submitted", "current_step": "consent", "answers": "{}",
                    "instrument_versions": '{"odi": "placeholder"}', "signed_name": "Bench", "submitted_at": now,
                    "created_at": now, "updated_at": now, "appointment_id": None} for pid in clinical)
    counts["intake forms"] = copy_rows(IntakeForm, intake_rows, Progress("intake forms", len(clinical)))
    score_rows = ({"patient_id": pid, "instrument": inst, "instrument_version": "1",
                   "value": rng.randint(5, 60) if inst == "odi" else rng.randint(0, 10),
                   "band": "", "details": "{}", "recorded_at": now - timedelta(days=rng.randint(0, 300)),
                   "appointment_id": None, "intake_id": None}
                  for pid in clinical for inst in ("odi", "nprs"))
    counts["outcome scores"] = copy_rows(OutcomeScore, score_rows, Progress("outcome scores", 2 * len(clinical)))
    exam_rows = ({"patient_id": pid, "clinician_id": clinicians[pid % len(clinicians)].pk, "findings": "{}",
                  "created_at": now, "updated_at": now,
                  "appointment_id": None, "signed_at": now, "signed_by_id": None}
                 for pid in clinical)
    counts["exams"] = copy_rows(Exam, exam_rows, Progress("exams", len(clinical)))
    timings["clinical"] = time.perf_counter() - started

    with connection.cursor() as cursor:
        cursor.execute("ANALYZE")
    return {"counts": counts, "seconds": timings}
