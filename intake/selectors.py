"""Reads for the intake form: the form behind a link, the visit that needs one, a patient's intakes, and the
outcome series (from the intake form and each exam's scores) for the progress plots."""

from dataclasses import dataclass
from datetime import datetime, time, timedelta
from zoneinfo import ZoneInfo

from django.conf import settings
from django.db.models import Case, F, Prefetch, Q, Value, When
from django.utils import timezone

from patients import care
from patients.models import Patient
from scheduling.models import Appointment

from . import instruments, links, plots, rules, scoring
from .models import INTAKE_STEPS, Instrument, IntakeForm, IntakeSignature, OutcomeScore, RedFlagAlert

# A visit still open for intake: not cancelled, missed or finished (checked in: filled in at the clinic).
OPEN_FOR_INTAKE = (*Appointment.MOVABLE, Appointment.Status.CHECKED_IN)


def intake_for_link(pk: int) -> IntakeForm | None:
    """The form a patient's link points at, with what its pages show, in one query."""
    return (
        IntakeForm.objects.select_related(
            "patient", "appointment__location", "appointment__visit_type", "appointment__clinician__user"
        )
        .filter(pk=pk)
        .first()
    )


def drawn_signature_png(*, intake_id) -> bytes | None:
    """The signature the patient drew on the form, as PNG bytes, or None (typed, or not signed yet)."""
    png = IntakeSignature.objects.filter(intake_id=intake_id).values_list("png", flat=True).first()
    return bytes(png) if png is not None else None


def next_appointment_needing_intake(*, patient: Patient, now=None) -> Appointment | None:
    """The patient's next visit (today or later) whose type needs an intake form not yet completed."""
    tz = ZoneInfo(settings.TIME_ZONE)
    today = timezone.localtime(now or timezone.now(), tz).date()
    start_of_today = datetime.combine(today, time.min, tzinfo=tz)
    return (
        Appointment.objects.filter(
            patient=patient,
            visit_type__needs_intake=True,
            intake_completed_at__isnull=True,
            status__in=OPEN_FOR_INTAKE,
            start_at__gte=start_of_today,
        )
        .select_related("location", "visit_type", "clinician__user")
        .order_by("start_at")
        .first()
    )


# One intake per episode. The app has no episode or complaint of its own, so an episode is a 30-day window:
# a visit needing intake is served by a form the patient submitted in the 30 days before it, or by a form
# still to fill in for another of their open visits within 30 days of it. Such a visit gets no form or
# invitation of its own; the later visits of an episode get nothing new (there is no short follow-up form:
# the clinician re-measures the outcome scores at the exam).
EPISODE = timedelta(days=30)


def _start_of_today(now=None):
    tz = ZoneInfo(settings.TIME_ZONE)
    return datetime.combine(timezone.localtime(now or timezone.now(), tz).date(), time.min, tzinfo=tz)


@dataclass
class Episode:
    """The forms that bear on one visit's intake (see EPISODE)."""

    own: IntakeForm | None  # the visit's own form
    submitted: IntakeForm | None  # the latest form the patient submitted in the EPISODE before the visit
    pending: IntakeForm | None  # the earliest form still to fill in for another open visit within EPISODE

    @property
    def serving(self) -> IntakeForm | None:
        """The form the patient fills in for this visit: its own, else the episode's pending one."""
        return self.own or self.pending


def episode_of(*, appointment, now=None) -> Episode:
    """The visit's own form and the episode's submitted and pending forms, in one query. Only a visit whose
    type needs intake shares the episode's forms."""
    if not appointment.visit_type.needs_intake:
        return Episode(own=IntakeForm.objects.filter(appointment=appointment).first(), submitted=None, pending=None)
    start = appointment.start_at
    recent = Q(status=IntakeForm.Status.SUBMITTED, submitted_at__gte=start - EPISODE, submitted_at__lte=start)
    pending = Q(
        appointment__status__in=OPEN_FOR_INTAKE, appointment__intake_completed_at__isnull=True,
        appointment__start_at__gte=max(_start_of_today(now), start - EPISODE),
        appointment__start_at__lte=start + EPISODE,
    ) & ~Q(status=IntakeForm.Status.SUBMITTED)
    forms = list(
        IntakeForm.objects.filter(patient_id=appointment.patient_id)
        .filter(Q(appointment_id=appointment.pk) | recent | pending)
        .select_related("appointment")
        .order_by("created_at")
    )
    own = next((f for f in forms if f.appointment_id == appointment.pk), None)
    others = [f for f in forms if f.appointment_id != appointment.pk]
    submitted = max((f for f in others if f.is_submitted), key=lambda f: f.submitted_at, default=None)
    open_ = sorted((f for f in others if not f.is_submitted and f.appointment_id and not links.is_expired(f, now)),
                   key=lambda f: f.appointment.start_at)
    return Episode(own=own, submitted=submitted, pending=open_[0] if open_ else None)


def visits_in_episode_of(*, intake, now) -> list[Appointment]:
    """The patient's other open visits needing intake that the form just submitted covers: from today until
    EPISODE after the submission, not yet marked complete."""
    return list(
        Appointment.objects.filter(
            patient_id=intake.patient_id, visit_type__needs_intake=True, intake_completed_at__isnull=True,
            status__in=OPEN_FOR_INTAKE, start_at__gte=_start_of_today(now), start_at__lte=now + EPISODE,
        ).exclude(pk=intake.appointment_id)
    )


def submitted_intake_for(*, appointment) -> IntakeForm | None:
    """The submitted intake of this visit, else the patient's latest submitted intake, else None (the exam
    starts its history from it)."""
    submitted = IntakeForm.objects.filter(status=IntakeForm.Status.SUBMITTED)
    return (
        submitted.filter(appointment=appointment).first()
        or submitted.filter(patient_id=appointment.patient_id).order_by("-submitted_at", "-created_at").first()
    )


def intake_for_exam(*, patient_id, appointment_id=None, intake_id=None) -> IntakeForm | None:
    """The submitted intake an exam shows at its top, in one query: the one it was prefilled from (`intake_id`),
    else the visit's own, else the patient's latest submitted."""
    preference = Case(When(pk=intake_id or 0, then=Value(0)), When(appointment_id=appointment_id or 0, then=Value(1)),
                      default=Value(2))
    return (
        IntakeForm.objects.filter(patient_id=patient_id, status=IntakeForm.Status.SUBMITTED)
        .order_by(preference, F("submitted_at").desc(nulls_last=True), "-created_at")
        .first()
    )


def red_flag_answers(answers) -> dict:
    """A submitted form's answers as intake.rules.red_flags takes them: the red-flag step (None: not asked) and
    osteoporosis from the health history. Anything but True reads as not reported (forms of older shapes)."""
    screen = (answers or {}).get("red_flags") or {}
    from .questionnaire import RED_FLAG_QUESTIONS

    found = {key: True if screen.get(key) is True else screen.get(key) if screen.get(key) is False else None
             for key in RED_FLAG_QUESTIONS}
    conditions = ((answers or {}).get("history") or {}).get("health_conditions") or []
    found["osteoporosis"] = "osteoporosis" in conditions
    return found


def intake_red_flags(intake, *, age=None) -> list[rules.RedFlag]:
    """Every red flag of a submitted form, context ones too, each with the rule that raised or withheld the alert
    (no query: the form's patient and visit are loaded). `age` defaults to the age on the visit's day."""
    if not intake.is_submitted:
        return []
    if age is None:
        when = intake.appointment.start_at if intake.appointment_id else intake.submitted_at or timezone.now()
        age = intake.patient.age_on(timezone.localtime(when).date())
    return rules.red_flags(red_flag_answers(intake.answers), age=age)


def fracture_risks(patient_id) -> dict:
    """Osteoporosis and long-term steroids as the patient's latest submitted intake reported them (one query):
    with a minor fall or lift they raise the fracture alert at a re-screen too."""
    latest = (IntakeForm.objects.filter(patient_id=patient_id, status=IntakeForm.Status.SUBMITTED)
              .order_by(F("submitted_at").desc(nulls_last=True)).only("answers").first())
    answers = red_flag_answers(latest.answers) if latest else {}
    return {"osteoporosis": answers.get("osteoporosis") is True,
            "long_term_steroids": answers.get("long_term_steroids") is True}


def open_red_flag_alerts(patient_id) -> list[RedFlagAlert]:
    """The patient's red-flag alerts not yet acknowledged, newest first (one query)."""
    return list(RedFlagAlert.objects.filter(patient_id=patient_id, acknowledged_at__isnull=True))


def intakes_of_visits(appointment_ids) -> dict[int, IntakeForm]:
    """The intake form of each visit, by visit id, without the answers themselves (one query); `steps_saved`
    says how far the patient got."""
    forms = IntakeForm.objects.filter(appointment_id__in=list(appointment_ids)).only(
        "status", "appointment_id", "current_step", "submitted_at", "answers"
    )
    found = {}
    for form in forms:
        form.steps_saved = sum(1 for step in INTAKE_STEPS if step in (form.answers or {}))
        form.steps_total = len(INTAKE_STEPS)
        form.answers = None  # the day list shows progress, never what was answered
        found[form.appointment_id] = form
    return found


def open_red_flags_of_patients(patient_ids) -> dict[int, list[RedFlagAlert]]:
    """Each patient's red-flag alerts not yet acknowledged, by patient id (one query)."""
    found = {}
    for alert in RedFlagAlert.objects.filter(patient_id__in=list(patient_ids), acknowledged_at__isnull=True):
        found.setdefault(alert.patient_id, []).append(alert)
    return found


def _intakes_with_scores():
    return Prefetch(
        "intake_forms",
        queryset=IntakeForm.objects.select_related("appointment__visit_type", "appointment__clinician__user")
        .prefetch_related(
            Prefetch("scores", queryset=OutcomeScore.objects.order_by("instrument")),
            Prefetch("alerts", queryset=RedFlagAlert.objects.select_related("acknowledged_by")),
        ),
    )


def patient_intakes(*, mrn: str, viewer) -> Patient:
    """The patient with every intake form, its visit, scores and alerts, in a fixed number of queries; with
    `viewer`'s clinical access to it (patients.care) in the same query."""
    return Patient.objects.annotate(**care.access_annotations(viewer)).prefetch_related(_intakes_with_scores()).get(mrn=mrn)


def intake_for_staff(*, pk: int, viewer) -> IntakeForm:
    """One intake form with its patient and `viewer`'s access to it (patients.care), nothing more."""
    return (
        IntakeForm.objects.annotate(**care.access_annotations(viewer, patient_field="patient_id"))
        .select_related("patient")
        .get(pk=pk)
    )


def intake_summary(*, pk: int, viewer) -> IntakeForm:
    """One intake form with what its printable summary shows, and `viewer`'s access to it (patients.care)."""
    return (
        IntakeForm.objects.annotate(**care.access_annotations(viewer, patient_field="patient_id"))
        .select_related(
            "patient", "appointment__location", "appointment__visit_type", "appointment__clinician__user"
        )
        .prefetch_related(
            Prefetch("scores", queryset=OutcomeScore.objects.order_by("instrument")),
            Prefetch("alerts", queryset=RedFlagAlert.objects.select_related("acknowledged_by")),
        )
        .get(pk=pk)
    )


# --- Outcome series for the progress plots ------------------------------------------------------------------

# The shipped measures and the ODI (whose rule is fixed whatever wording is loaded); a loaded summed measure
# (LEFS...) takes its name, range, direction and threshold from its definition.
SHIPPED_SERIES = {
    "odi": ("Oswestry Disability Index", "%", instruments.ODI_RULE),
    "nprs": ("Pain (NPRS)", "/10", instruments.NPRS.rule),
    "psfs": ("Patient-Specific Functional Scale", "/10", instruments.PSFS.rule),
}


@dataclass
class Point:
    recorded_at: object
    value: float
    band: str
    source: str
    version: str
    change: float | None = None
    meaningful: bool | None = None  # the change is at least the threshold, either way
    verdict: str = ""  # scoring.IMPROVED / WORSENED / WITHIN_ERROR; "" for the baseline or an unjudged point
    context: str = ""

    @property
    def worsened(self):
        return self.verdict == scoring.WORSENED

    @property
    def improved(self):
        return self.verdict == scoring.IMPROVED


@dataclass
class Series:
    instrument: str
    name: str
    unit: str
    points: list[Point]
    threshold: float | None  # the half-width of the shaded band around the baseline, the points' own rule
    threshold_source: str
    higher_is_better: bool | None
    demo_wording: bool = False
    low: float = 0
    high: float = 100
    svg: str = ""

    @property
    def baseline(self):
        return self.points[0].value if self.points else None

    @property
    def latest(self):
        return self.points[-1] if self.points else None

    @property
    def worsened(self) -> bool:
        """The latest measurement is meaningfully worse than the baseline: shown like a red flag."""
        return len(self.points) > 1 and self.points[-1].worsened


def _rule_of(row):
    """(name, unit, Rule) of a score row's instrument."""
    if row.instrument in SHIPPED_SERIES:
        return SHIPPED_SERIES[row.instrument]
    if row.definition_id:
        rule = row.definition.parsed.rule
        return row.definition.title, f"/{rule.high:g}", rule
    return row.instrument.upper(), "", None


def _judge(rule, before, after):
    try:
        return scoring.change_for(rule.name, before, after, threshold=rule.threshold,
                                  higher_is_better=rule.higher_is_better, low=rule.low, high=rule.high)
    except (ValueError, TypeError):
        return None


def progress_series(patient_id, *, with_chart=True, scores=None) -> list[Series]:
    """Every outcome measure of the patient over time (one query, or none given the patient's `scores` in time
    order, with their definitions), baseline first. Each point is judged against the baseline by the measure's
    threshold, improvement and worsening alike, and the plot shades baseline +/- that same threshold. Demo-wording
    scores are a series of their own, never joined to (or compared with) the instrument's real scores."""
    if scores is None:
        scores = OutcomeScore.objects.filter(patient_id=patient_id).select_related("definition").order_by(
            "recorded_at", "id")
    grouped: dict[tuple, list[OutcomeScore]] = {}
    for score in scores:
        grouped.setdefault((score.instrument, score.demo_wording), []).append(score)
    order = list(SHIPPED_SERIES)
    keys = sorted(grouped, key=lambda k: (order.index(k[0]) if k[0] in order else len(order), k[0], k[1]))
    series = []
    for instrument, demo in keys:
        rows = grouped[(instrument, demo)]
        name, unit, rule = _rule_of(rows[-1])
        baseline = float(rows[0].value)
        points = []
        for i, row in enumerate(rows):
            point = Point(row.recorded_at, float(row.value), "" if demo else row.band,
                          "intake" if row.intake_id else "exam", row.instrument_version)
            if i and rule is not None:
                point.change = round(point.value - baseline, 1)
                judged = _judge(rule, baseline, point.value)
                if judged is not None:
                    point.meaningful, point.verdict, point.context = judged.meaningful, judged.verdict, judged.context
            points.append(point)
        threshold = scoring.threshold_for(rule.name, baseline, rule.threshold) if rule else None
        item = Series(
            instrument, name, unit, points, threshold, rule.threshold_source if rule else "",
            rule.higher_is_better if rule else None, demo,
            low=rule.low if rule else min(p.value for p in points), high=rule.high if rule else max(p.value for p in points),
        )
        if with_chart:
            item.svg = plots.line_chart(
                [(p.recorded_at, p.value) for p in points], low=item.low, high=item.high, baseline=baseline,
                threshold=threshold, title=f"{name} over time", unit=unit, higher_is_better=item.higher_is_better,
                worsened=[i for i, p in enumerate(points) if p.worsened], demo_wording=demo,
            )
        series.append(item)
    return series


# --- The chart's intake sections (intake.chart_sections) ---------------------------------------------------


def chart_intake_forms(patient) -> list[IntakeForm]:
    """The patient's intake forms with their visit (one query)."""
    return list(IntakeForm.objects.filter(patient=patient).select_related("appointment__visit_type"))


def chart_red_flag_alerts(patient) -> list[RedFlagAlert]:
    """The patient's red-flag alerts not yet acknowledged (one query)."""
    return list(RedFlagAlert.objects.filter(patient=patient, acknowledged_at__isnull=True))


def chart_scores(patient) -> list[OutcomeScore]:
    """Every outcome score of the patient in time order (one query): the intake list shows each form's, the
    progress plots the series."""
    return list(OutcomeScore.objects.filter(patient=patient).select_related("definition").order_by("recorded_at", "id"))


def patient_open_intakes(*, patient, now=None) -> list[IntakeForm]:
    """A patient's own forms still to fill in whose link still works, by their visit, in one query."""
    forms = (
        IntakeForm.objects.filter(patient=patient)
        .exclude(status=IntakeForm.Status.SUBMITTED)
        .exclude(appointment__intake_completed_at__isnull=False)  # its visit is covered by another form
        .select_related("appointment__location", "appointment__visit_type", "appointment__clinician__user")
        .order_by("appointment__start_at", "created_at")
    )
    return [form for form in forms if not links.is_expired(form, now)]


# --- Loaded instruments ---------------------------------------------------------------------------------------


def active_instruments() -> list:
    """The loaded instruments the intake asks, the ODI first (one query)."""
    rows = list(Instrument.objects.filter(active=True))
    return sorted(rows, key=lambda row: (row.code != "odi", row.code))


def instruments_answered_on(versions: dict) -> dict:
    """{code: Instrument row} for {code: version} (one query; none for an empty mapping); a version no longer
    loaded (or the built-in placeholder of older answers) is simply absent."""
    wanted = Q()
    for code, version in versions.items():
        wanted |= Q(code=code, version=version)
    if not wanted:
        return {}
    return {row.code: row for row in Instrument.objects.filter(wanted)}



def odi_in_force():
    """The loaded ODI the clinic uses now (licensed, or demo wording), or None (one query)."""
    return Instrument.objects.filter(code="odi", active=True).only("code", "version", "title", "demo_wording").first()
