"""The online booking wizard's state machine: which step comes next, from what the patient chose so far.

The choices (how, visit type, location, clinician, week and day) travel in the query string, so every
step is a plain link: the back button and a reload lose nothing, and htmx only makes it faster.
`resolve_flow` reads them into a BookingFlow (the step, the choices, an error to show); `day_strip` lays out
a week of free times; a chosen time is one short value (`slot_value`, `parse_slot`).
"""

import re
from dataclasses import dataclass, field
from datetime import UTC, date, datetime, timedelta
from urllib.parse import urlencode

from django import forms
from django.utils import timezone

from clinic import dates

from . import selectors
from .models import Clinician, Location, Modality, VisitType

ANY = "any"
ENTRY_CHOICES = [(Modality.TELEHEALTH, "Telehealth"), (Modality.IN_OFFICE, "In-office"), (ANY, "Any")]
# The query-string keys in the order the steps ask them; "back" drops a step's key and all later ones.
STEP_KEYS = ["modality", "visit_type", "how", "location", "clinician"]
# Stages shown in the progress bar.
STAGES = {"visit_type": 1, "how": 2, "location": 2, "clinician": 3, "when": 4, "details": 5}
STAGE_COUNT = 5

_SLOT_RE = re.compile(r"^(\d{1,10})_(\d{8}T\d{4})Z$")


def slot_value(clinician_id, start) -> str:
    """A slot as one short form value: clinician id and UTC start, e.g. 3_20260310T1330Z."""
    return f"{clinician_id}_{start.astimezone(UTC):%Y%m%dT%H%M}Z"


def parse_slot(value):
    """(clinician id, aware UTC start) from slot_value(), or None."""
    match = _SLOT_RE.match(value or "")
    if not match:
        return None
    try:
        start = datetime.strptime(match.group(2), "%Y%m%dT%H%M").replace(tzinfo=UTC)
    except ValueError:
        return None
    if dates.instant_error(start):
        return None
    return int(match.group(1)), start


class ChoiceForm(forms.Form):
    """The query string of the booking steps; a value that does not parse is simply not chosen yet."""

    modality = forms.ChoiceField(choices=ENTRY_CHOICES, required=False)
    visit_type = forms.ModelChoiceField(queryset=selectors.online_visit_types(), required=False)
    how = forms.ChoiceField(choices=Modality.choices, required=False)
    location = forms.ModelChoiceField(queryset=Location.objects.filter(is_active=True), required=False)
    clinician = forms.RegexField(regex=r"^(any|\d{1,10})$", required=False)
    week = dates.DayField(required=False)
    day = dates.DayField(required=False)

    def chosen(self):
        self.is_valid()
        return {k: v for k, v in getattr(self, "cleaned_data", {}).items() if v not in (None, "")}


@dataclass
class BookingFlow:
    """Where a patient is in the booking steps, with what they chose so far."""

    step: str = "landing"
    params: dict = field(default_factory=dict)  # chosen query-string values, in step order
    asked: list = field(default_factory=list)  # step keys shown to this patient so far
    entry: str = ""
    visit_type: VisitType | None = None
    modality: str = ""
    location: Location | None = None
    clinician: Clinician | None = None  # None: first available
    clinicians: list = field(default_factory=list)  # who may be booked for these choices
    options: list = field(default_factory=list)  # what the current step offers
    error: str = ""
    week: date | None = None
    day: date | None = None

    def query(self, *, before=None, **extra) -> str:
        """The query string of the choices made before step key `before` (all if None), plus `extra`."""
        values = {}
        for key, value in self.params.items():
            if key == before:
                break
            values[key] = value
        values.update({k: v for k, v in extra.items() if v not in (None, "")})
        return urlencode(values)

    @property
    def back_query(self):
        """Where "Back" goes: the previous step actually asked, with what was chosen before it."""
        previous = self.asked[:-1] if self.step in STEP_KEYS else self.asked
        return self.query(before=previous[-1]) if previous else None

    @property
    def stage(self):
        return STAGES.get(self.step, 1)

    @property
    def progress(self):
        return round(100 * self.stage / STAGE_COUNT)


def _error(data, key, message):
    return message if key in data else ""


def resolve_flow(data) -> BookingFlow:
    """Read the booking steps' query string and say which step comes next."""
    chosen = ChoiceForm(data).chosen()
    flow = BookingFlow(week=chosen.get("week"), day=chosen.get("day"))
    entry = chosen.get("modality")
    if not entry and chosen.get("visit_type") is not None:
        # A clinic's "Book a 3D gait analysis" button links to /book/?visit_type=ID: start at that visit.
        entry = ANY
    if not entry:
        return flow
    flow.entry = entry
    flow.params["modality"] = entry
    flow.asked.append("modality")

    types = list(selectors.online_visit_types())
    if entry != ANY:
        types = [t for t in types if t.offers(entry)]
    flow.asked.append("visit_type")
    visit_type = chosen.get("visit_type")
    if visit_type is None or visit_type.pk not in {t.pk for t in types}:
        flow.step, flow.options = "visit_type", types
        flow.error = _error(data, "visit_type", "Choose the kind of visit you need.")
        return flow
    flow.visit_type = visit_type
    flow.params["visit_type"] = visit_type.pk

    modalities = visit_type.modalities if entry == ANY else [entry]
    if len(modalities) > 1:
        flow.asked.append("how")
        how = chosen.get("how")
        if how not in modalities:
            flow.step, flow.options = "how", modalities
            flow.error = _error(data, "how", "Choose a video visit or a visit at the clinic.")
            return flow
        flow.params["how"] = how
        flow.modality = how
    else:
        flow.modality = modalities[0]

    if flow.modality == Modality.IN_OFFICE:
        locations = list(
            Location.objects.filter(
                is_active=True, clinicians__is_active=True, clinicians__visit_types=visit_type
            ).distinct()
        )
        if not locations:
            flow.step = "unavailable"
            return flow
        if len(locations) == 1:
            flow.location = locations[0]
        else:
            flow.asked.append("location")
            location = chosen.get("location")
            if location is None or location.pk not in {loc.pk for loc in locations}:
                flow.step, flow.options = "location", locations
                flow.error = _error(data, "location", "Choose the clinic you want to visit.")
                return flow
            flow.location = location
            flow.params["location"] = location.pk

    flow.clinicians = list(
        selectors.bookable_clinicians(
            visit_type, location_id=flow.location.pk if flow.location else None, modality=flow.modality
        )
    )
    if not flow.clinicians:
        flow.step = "unavailable"
        return flow
    if len(flow.clinicians) > 1:
        flow.asked.append("clinician")
        choice = chosen.get("clinician")
        by_id = {str(c.pk): c for c in flow.clinicians}
        if choice != ANY and choice not in by_id:
            flow.step, flow.options = "clinician", flow.clinicians
            flow.error = _error(data, "clinician", "Choose a clinician, or the first available.")
            return flow
        flow.clinician = by_id.get(choice)
        flow.params["clinician"] = choice
    flow.step = "when"
    return flow


@dataclass
class DayStrip:
    days: list  # [(date, slots)]
    day: date | None
    slots: list
    week: date
    previous_week: date | None
    next_week: date | None


def day_strip(slots_for, *, tz, week=None, day=None, horizon_days=90) -> DayStrip:
    """Seven days from `week` (default: the first week with a free time) and the free times of one day.

    `slots_for(first_day, last_day)` returns the slots to show between two local dates.
    """
    today = timezone.localdate(timezone=tz)
    start = max(week or today, today)
    slots = slots_for(start, start + timedelta(days=6))
    if not slots and week is None:
        later = slots_for(start, today + timedelta(days=horizon_days))
        if later:
            start = later[0].start.astimezone(tz).date()
            slots = [s for s in later if s.start.astimezone(tz).date() <= start + timedelta(days=6)]
    by_day = {start + timedelta(days=i): [] for i in range(7)}
    for slot in slots:
        local_day = slot.start.astimezone(tz).date()
        if local_day in by_day:
            by_day[local_day].append(slot)
    if day not in by_day:
        day = next((d for d, found in by_day.items() if found), None)
    previous_week = start - timedelta(days=7) if start > today else None
    if previous_week is not None and previous_week < today:
        previous_week = today
    next_week = start + timedelta(days=7)
    if next_week > today + timedelta(days=horizon_days):
        next_week = None
    return DayStrip(list(by_day.items()), day, by_day.get(day, []), start, previous_week, next_week)
