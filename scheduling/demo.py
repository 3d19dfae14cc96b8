"""The demo clinic's schedule: two locations, rooms, clinicians with hours, and a few weeks of visits."""

import random
from datetime import UTC, datetime, time, timedelta
from zoneinfo import ZoneInfo

from django.conf import settings
from django.utils import timezone

from .defaults import ensure_default_cancellation_reasons
from .models import (
    Appointment,
    CancellationReason,
    Clinician,
    ClinicSettings,
    Equipment,
    Location,
    Modality,
    Room,
    VisitType,
    WorkingHours,
)

LOCATIONS = [
    dict(name="Back Bay", address_line1="200 Boylston St", city="Boston", state="MA", postal_code="02116",
         phone="+16175550100", arrival_notes="Suite 4B, 4th floor. Validated parking in the Clarendon garage."),
    dict(name="Cambridge", address_line1="15 Brattle St", city="Cambridge", state="MA", postal_code="02138",
         phone="+16175550150", arrival_notes="Ground floor, next to the bike shop. Wear shorts for gait analysis."),
]
ROOMS = {"Back Bay": ["Treatment 1", "Treatment 2", "Gait lab"], "Cambridge": ["Treatment A", "Ultrasound"]}
# What each room has and which visits need it: follow-ups go to plain treatment rooms, gait analyses to the lab.
EQUIPMENT = {"Treatment 1": ["Plinth"], "Treatment 2": ["Plinth"], "Gait lab": ["Instrumented treadmill", "Plinth"],
             "Treatment A": ["Plinth"], "Ultrasound": ["Ultrasound unit", "Plinth"]}
NEEDS = {"3D gait analysis": ["Instrumented treadmill"], "Diagnostic ultrasound": ["Ultrasound unit"]}
CREDENTIALS = ["PT, DPT, OCS", "DC, CCSP", "PT, DPT, SCS", "PT, MSc"]
BIOS = [
    "Sports physical therapist focused on runners with hip and buttock pain.",
    "Chiropractor for SI joint and low back problems in athletes.",
    "Gait analysis and return-to-run programs after injury.",
    "Musculoskeletal ultrasound and deep gluteal syndrome.",
]


def seed_schedule(clinician_users, patients, *, days_back=14, days_ahead=21, fill=0.5, seed=7, front_desk=None):
    """The demo schedule; `front_desk` is who booked, accepted or checked in its visits (patients.care)."""
    ClinicSettings.load()
    ensure_default_cancellation_reasons(CancellationReason)
    locations = []
    for data in LOCATIONS:
        location, _ = Location.objects.get_or_create(name=data["name"], defaults=data)
        for name in ROOMS[location.name]:
            room, _ = Room.objects.get_or_create(location=location, name=name)
            room.equipment.add(*(Equipment.objects.get_or_create(name=e)[0] for e in EQUIPMENT[name]))
        locations.append(location)
    for visit_type in VisitType.objects.filter(name__in=NEEDS):
        visit_type.equipment_needed.add(*(Equipment.objects.get_or_create(name=e)[0] for e in NEEDS[visit_type.name]))
    visit_types = list(VisitType.objects.filter(is_active=True))
    clinicians = []
    for i, user in enumerate(clinician_users):
        clinician, created = Clinician.objects.get_or_create(
            user=user, defaults={"credentials": CREDENTIALS[i % 4], "bio": BIOS[i % 4], "sort_order": i}
        )
        if created:
            clinician.visit_types.set(visit_types)
            home = locations[i % len(locations)]
            clinician.locations.set([home] if i < 2 else locations)
            for weekday in range(5):
                where = home if i < 2 or weekday % 2 == 0 else locations[(i + 1) % len(locations)]
                WorkingHours.objects.create(
                    clinician=clinician, location=where, weekday=weekday, start_time=time(9), end_time=time(17),
                    effective_from=timezone.localdate() - timedelta(days=365),
                )
        clinicians.append(clinician)
    if Appointment.objects.filter(clinician__in=clinicians).exists():
        return 0
    return _seed_appointments(clinicians, patients, visit_types, days_back, days_ahead, fill, seed, front_desk)


def _seed_appointments(clinicians, patients, visit_types, days_back, days_ahead, fill, seed, front_desk):
    rng = random.Random(seed)
    tz = ZoneInfo(settings.TIME_ZONE)
    today = timezone.localdate()
    now = timezone.now()
    follow_up = next(v for v in visit_types if v.name == "Follow-up")
    rows = []
    for clinician in clinicians:
        hours = {h.weekday: h for h in clinician.working_hours.all()}
        for offset in range(-days_back, days_ahead + 1):
            day = today + timedelta(days=offset)
            block = hours.get(day.weekday())
            if not block:
                continue
            start = datetime.combine(day, block.start_time, tzinfo=tz)
            while start.time() < time(16, 15):
                end = start + timedelta(minutes=follow_up.duration_minutes)
                if rng.random() < fill:
                    past = end < now
                    status = rng.choice([Appointment.Status.COMPLETED] * 8 + [Appointment.Status.NO_SHOW]) if past \
                        else rng.choice([Appointment.Status.BOOKED, Appointment.Status.CONFIRMED])
                    telehealth = rng.random() < 0.2
                    rows.append(Appointment(
                        patient=rng.choice(patients), clinician=clinician, visit_type=follow_up,
                        modality=Modality.TELEHEALTH if telehealth else Modality.IN_OFFICE,
                        location=None if telehealth else block.location,
                        start_at=start.astimezone(UTC), end_at=end.astimezone(UTC),
                        busy_start_at=start.astimezone(UTC), busy_end_at=end.astimezone(UTC),
                        status=status, source=rng.choice(list(Appointment.Source.values)),
                        reason="Follow-up for buttock pain", video_token="" if not telehealth else f"demo{len(rows)}x",
                        vouched_by=front_desk,
                    ))
                start = end
    # A few coming visits were called off, each for one of the clinic's reasons (the calendar shows them with
    # "Show cancelled"; the admin counts them by reason).
    reasons = list(CancellationReason.objects.filter(is_active=True))
    upcoming = [a for a in rows if a.status in Appointment.MOVABLE]
    for n, a in enumerate(upcoming[::15]):
        because = reasons[n % len(reasons)]
        a.status, a.cancelled_because, a.cancellation_reason = Appointment.Status.CANCELLED, because, because.name
    Appointment.objects.bulk_create(rows, batch_size=1000)
    return len(rows)
