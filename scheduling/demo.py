"""The demo clinic's schedule: two locations, rooms, clinicians with hours, and a few weeks of visits."""

import random
from datetime import UTC, datetime, time, timedelta
from zoneinfo import ZoneInfo

from django.conf import settings
from django.utils import timezone

from clinic import texts
from clinic.models import ClinicText

from . import online_offer
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
         phone="+16175550100", arrival_notes="Suite 4B, 4th floor. Validated parking in the Clarendon garage.",
         color="#6f42c1"),
    dict(name="Cambridge", address_line1="15 Brattle St", city="Cambridge", state="MA", postal_code="02138",
         phone="+16175550150", arrival_notes="Ground floor, next to the bike shop.", color="#d63384"),
]
ROOMS = {"Back Bay": ["Treatment 1", "Treatment 2", "Gait lab"], "Cambridge": ["Treatment A", "Ultrasound"]}
# What each room has and which visits need it: follow-ups go to plain treatment rooms, gait analyses to the lab.
EQUIPMENT = {"Treatment 1": ["Plinth"], "Treatment 2": ["Plinth"], "Gait lab": ["Instrumented treadmill", "Plinth"],
             "Treatment A": ["Plinth"], "Ultrasound": ["Ultrasound unit", "Plinth"]}
NEEDS = {"3D gait analysis": ["Instrumented treadmill"], "Diagnostic ultrasound": ["Ultrasound unit"]}
CREDENTIALS = ["PT, DPT, OCS", "DC, CCSP", "PT, DPT, SCS", "PT, MSc"]
# Synthetic NPIs (valid check digit, not anyone's): the printed report shows them under the signature.
NPIS = ["1234567802", "1234567810", "1234567828", "1234567836"]
BIOS = [
    "Sports physical therapist focused on runners with hip and buttock pain.",
    "Chiropractor for SI joint and low back problems in athletes.",
    "Gait analysis and return-to-run programs after injury.",
    "Musculoskeletal ultrasound and deep gluteal syndrome.",
]


def seed_schedule(clinician_users, patients, *, days_back=14, days_ahead=21, fill=0.5, seed=7, front_desk=None,
                  before_visits=None):
    """The demo schedule; `front_desk` is who booked, accepted or checked in its visits (patients.care);
    `before_visits(clinicians)` runs first on a new schedule (the patients with a history take their times)."""
    ClinicSettings.load()
    ensure_default_cancellation_reasons(CancellationReason)
    locations = []
    for data in LOCATIONS:
        location, _ = Location.objects.get_or_create(name=data["name"], defaults=data)
        for name in ROOMS[location.name]:
            room, _ = Room.objects.get_or_create(location=location, name=name)
            room.equipment.add(*(Equipment.objects.get_or_create(name=e)[0] for e in EQUIPMENT[name]))
        locations.append(location)
    VisitType.objects.filter(name="3D gait analysis", arrival_notes="").update(
        arrival_notes="Wear shorts and the running shoes you train in; bring your usual insoles.")
    online_offer.changed()  # an update() sends no signal
    for visit_type in VisitType.objects.filter(name__in=NEEDS):
        visit_type.equipment_needed.add(*(Equipment.objects.get_or_create(name=e)[0] for e in NEEDS[visit_type.name]))
    visit_types = list(VisitType.objects.filter(is_active=True))
    clinicians = []
    for i, user in enumerate(clinician_users):
        clinician, created = Clinician.objects.get_or_create(
            user=user, defaults={"credentials": CREDENTIALS[i % 4], "npi": NPIS[i % 4], "bio": BIOS[i % 4], "sort_order": i}
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
    if before_visits is not None:
        before_visits(clinicians)
    return _seed_appointments(clinicians, patients, visit_types, days_back, days_ahead, fill, seed, front_desk)


# A day's mix at each kind of location: mostly follow-ups, some first visits, the lab and the scanner where they are.
MIX = [("Follow-up", 55), ("Initial evaluation", 15), ("3D gait analysis", 8), ("Diagnostic ultrasound", 7),
       ("Telehealth consult", 10), ("Follow-up by video", 5)]


def _room_for(visit_type, location, start, end, rooms, taken):
    """The least specialised room at `location` with what the visit needs that is free from start to end (not
    reserved: the caller adds the visit's time to `taken` when it keeps the visit)."""
    needed = set(NEEDS.get(visit_type.name, []))
    fitting = sorted((r for r in rooms if r.location_id == location.pk and needed <= set(EQUIPMENT[r.name])),
                     key=lambda r: len(EQUIPMENT[r.name]))
    return next((room for room in fitting
                 if all(end <= s or start >= e for s, e in taken.get(room.pk, []))), None)


def _showcase_day(today):
    """The day whose mix is always complete: today, or the next weekday when the demo opens at a weekend."""
    while today.weekday() > 4:
        today += timedelta(days=1)
    return today


def _seed_appointments(clinicians, patients, visit_types, days_back, days_ahead, fill, seed, front_desk):
    """A few weeks of visits: the day's realistic mix, rooms assigned, and a few online requests to answer.
    Times a clinician already has (the story's patients, seeded first) are left alone."""
    rng = random.Random(seed)
    tz = ZoneInfo(settings.TIME_ZONE)
    today = timezone.localdate()
    showcase = _showcase_day(today)
    now = timezone.now()
    by_name = {v.name: v for v in visit_types}
    rooms = list(Room.objects.filter(is_active=True))
    policy = texts.current(ClinicText.Kind.CANCELLATION_POLICY)  # what patients who booked online accepted
    taken, busy = {}, {}
    for a in Appointment.objects.filter(clinician__in=clinicians, status__in=Appointment.OCCUPYING):
        busy.setdefault(a.clinician_id, []).append((a.start_at, a.end_at))
        if a.room_id:
            taken.setdefault(a.room_id, []).append((a.start_at, a.end_at))
    rows = []
    for index, clinician in enumerate(clinicians):
        hours = {h.weekday: h for h in clinician.working_hours.all()}
        for offset in range(-days_back, days_ahead + 1):
            day = today + timedelta(days=offset)
            block = hours.get(day.weekday())
            if not block:
                continue
            start = datetime.combine(day, block.start_time, tzinfo=tz).astimezone(UTC)
            close = datetime.combine(day, block.end_time, tzinfo=tz).astimezone(UTC)
            showcase_first = day == showcase
            while start < close:
                name = rng.choices([n for n, _ in MIX], weights=[w for _, w in MIX])[0]
                if showcase_first:  # the showcase day always has each kind of visit, whatever the dice say
                    name = TODAY_FIRST[index % len(TODAY_FIRST)]
                telehealth = name in ("Telehealth consult", "Follow-up by video")
                visit_type = by_name.get("Follow-up" if name == "Follow-up by video" else name)
                end = start + timedelta(minutes=visit_type.duration_minutes)
                room = None if telehealth else _room_for(visit_type, block.location, start, end, rooms, taken)
                clash = any(not (end <= s or start >= e) for s, e in busy.get(clinician.pk, []))
                fits = end <= close and not clash and (telehealth or room is not None or not NEEDS.get(name))
                if fits and (showcase_first or rng.random() < fill):
                    showcase_first = False
                    if room is not None:
                        taken.setdefault(room.pk, []).append((start, end))
                    past = end < now
                    status = rng.choice([Appointment.Status.COMPLETED] * 8 + [Appointment.Status.NO_SHOW]) if past \
                        else rng.choice([Appointment.Status.BOOKED, Appointment.Status.CONFIRMED])
                    online_request = not past and offset > 0 and rng.random() < 0.04
                    source = Appointment.Source.ONLINE if online_request else rng.choice(list(Appointment.Source.values))
                    online = source == Appointment.Source.ONLINE and policy is not None
                    rows.append(Appointment(
                        patient=rng.choice(patients), clinician=clinician, visit_type=visit_type,
                        modality=Modality.TELEHEALTH if telehealth else Modality.IN_OFFICE,
                        location=None if telehealth else block.location, room=room,
                        start_at=start, end_at=end,
                        busy_start_at=start - timedelta(minutes=visit_type.buffer_before_minutes),
                        busy_end_at=end + timedelta(minutes=visit_type.buffer_after_minutes),
                        status=Appointment.Status.REQUESTED if online_request else status,
                        source=source, cancellation_policy=policy if online else None,
                        cancellation_policy_accepted_at=min(now, start) - timedelta(days=3, minutes=17) if online else None,
                        reason=REASONS[visit_type.name], video_token="" if not telehealth else f"demo{len(rows)}x",
                        vouched_by=None if online_request else front_desk,
                    ))
                    start = end + timedelta(minutes=visit_type.buffer_after_minutes)
                else:
                    start = start + timedelta(minutes=15)
    # A few coming visits were called off, each for one of the clinic's reasons (the calendar shows them with
    # "Show cancelled"; the admin counts them by reason).
    reasons = list(CancellationReason.objects.filter(is_active=True))
    upcoming = [a for a in rows if a.status in (Appointment.Status.BOOKED, Appointment.Status.CONFIRMED)
                and timezone.localtime(a.start_at).date() > showcase]  # the showcase day keeps its mix
    for n, a in enumerate(upcoming[::15]):
        because = reasons[n % len(reasons)]
        a.status, a.cancelled_because, a.cancellation_reason = Appointment.Status.CANCELLED, because, because.name
    Appointment.objects.bulk_create(rows, batch_size=1000)
    # One online request came with a new email: the panel and the chart ask the front desk to confirm it.
    requested = next((a for a in rows if a.status == Appointment.Status.REQUESTED), None)
    if requested is not None:
        from patients.services import contact_change_propose

        who = requested.patient
        local_part = "".join(ch for ch in f"{who.first_name}.{who.last_name}".lower() if ch.isalnum() or ch == ".")
        contact_change_propose(patient=who, email=f"{local_part}.new@example.test")
    return len(rows)


# Each clinician's first visit on the showcase day (today, or Monday at a weekend), in clinician order (the first works at Back Bay, with the gait lab; the
# second at Cambridge, with the ultrasound room).
TODAY_FIRST = ["3D gait analysis", "Diagnostic ultrasound", "Telehealth consult", "Initial evaluation"]

REASONS = {
    "Follow-up": "Follow-up for buttock pain",
    "Initial evaluation": "New: buttock pain when sitting",
    "3D gait analysis": "Gait analysis: hip pain when running",
    "Diagnostic ultrasound": "Ultrasound: deep gluteal space",
    "Telehealth consult": "Video consult: low back and buttock pain",
}
