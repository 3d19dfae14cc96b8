"""Reads of the clinician's exam: the page's exam, flags beside values, suggestions, the chart's exam list,
and first-versus-latest range of motion and gait. (The outcome series for the progress plots are intake's:
intake.selectors.progress_series.)"""

from dataclasses import asdict, dataclass, field

from django.db.models import Count, Exists, IntegerField, OuterRef, Subquery, Value
from django.db.models.functions import Coalesce
from django.utils import timezone

from patients import care

from . import rules
from .catalogue import GAIT_SIDED, MOTIONS, ROM_NORMS, RomNorm, motion_keys
from .models import Exam, ExamAddendum, RedFlagScreen


def exams_in_care(user, patient_ref):
    """patients.care source: the patient has an exam that `user` wrote."""
    return Exists(Exam.objects.filter(patient_id=patient_ref, clinician__user=user))


def exam_for_page(pk, *, viewer) -> Exam:
    """The exam with what its page shows (patient, visit, clinician, addenda, attachments) in fixed queries;
    and `viewer`'s access to the patient's clinical record (patients.care), in the same query."""
    exams = Exam.objects.select_related(
        "patient", "appointment__visit_type", "appointment__location", "clinician__user", "signed_by", "red_flag_alert"
    ).prefetch_related("addenda__author", "attachments__document")
    return exams.annotate(**care.access_annotations(viewer, patient_field="patient_id")).get(pk=pk)


def visit_start(exam):
    return exam.appointment.start_at if exam.appointment_id else exam.created_at


def visit_age(exam):
    return exam.patient.age_on(timezone.localdate(visit_start(exam)))


def _sex(patient):
    return patient.sex if patient.sex in ("male", "female") else None


# --- Suggestions ---------------------------------------------------------------------------------------


def rules_input(exam) -> dict:
    """The findings in the shape exams.rules.suggest_differentials reads."""
    findings = exam.findings or {}
    history = findings.get("history") or {}
    return {
        "special_tests": findings.get("special_tests") or {},
        "neuro": findings.get("neuro") or {},
        "onset_mechanism": history.get("onset_mechanism") or None,
        "age": visit_age(exam),
        "long_term_steroids": bool(history.get("long_term_steroids")),
        "osteoporosis": bool(history.get("osteoporosis")),
    }


def exam_suggestions(exam) -> list[rules.Suggestion]:
    """What the rules suggest for the exam's findings now; never a diagnosis by itself."""
    return rules.suggest_differentials(rules_input(exam))


def shown_suggestions(exam) -> list[dict]:
    """A signed exam shows what was suggested when it was signed; a draft shows the rules' current output."""
    if exam.is_signed and "suggestions_at_signing" in (exam.findings or {}):
        return exam.findings["suggestions_at_signing"]
    return [asdict(s) for s in exam_suggestions(exam)]


# --- Flags beside values --------------------------------------------------------------------------------


@dataclass(frozen=True)
class Flag:
    status: str  # "flag" (outside the reference), "ok" (inside), "info" (a typical value, no cut-off)
    label: str = ""
    note: str = ""


@dataclass(frozen=True)
class Norm:
    text: str
    source: str
    others: tuple[str, ...] = field(default_factory=tuple)


def gait_norms(exam) -> dict[str, Norm]:
    """The norm and source shown beside each gait value (speed depends on the patient's age and sex)."""
    age, sex = visit_age(exam), _sex(exam.patient)
    probe = rules.gait_flags(
        age=age, sex=sex, speed=1.0, cadence=100, step_width_cm=7, stance_percent=60,
        symmetry={name: 0 for name in GAIT_SIDED},
    )
    by_name = {check.parameter: check for check in probe}
    speed, category = by_name["gait_speed"], by_name["walking_category"]
    norms = {
        "speed": Norm(speed.norm, speed.source, (f"Walking categories: {category.norm} {category.source}",)),
        "cadence": Norm(by_name["cadence"].norm, by_name["cadence"].source),
        "step_width": Norm(by_name["step_width"].norm, by_name["step_width"].source),
        "stance": Norm(by_name["stance_percent"].norm, by_name["stance_percent"].source),
        "stride_length": Norm("men 158 cm, women 132 cm", "Murray [51]"),
    }
    for name in GAIT_SIDED:
        check = by_name[f"symmetry_{name}"]
        norms[f"symmetry_{name}"] = Norm(check.norm, check.source, (check.note,) if check.note else ())
    return norms


def _gait_flags(exam, gait) -> dict[str, list[Flag]]:
    age, sex = visit_age(exam), _sex(exam.patient)
    flags: dict[str, list[Flag]] = {}

    def add(key, check):
        if check.flagged is None:  # a typical value without a cut-off: the note says how far off it is
            flags.setdefault(key, []).append(Flag("info", "", check.note))
        else:
            label = "Outside range" if check.flagged else "Within range"
            flags.setdefault(key, []).append(Flag("flag" if check.flagged else "ok", label, check.note))

    checks = rules.gait_flags(
        age=age, sex=sex, speed=gait.get("speed"), cadence=gait.get("cadence"), step_width_cm=gait.get("step_width")
    )
    for check in checks:
        if check.parameter == "walking_category":
            label = f"{check.note.capitalize()} walker"
            flags.setdefault("speed", []).append(Flag("flag" if check.flagged else "ok", label))
        else:
            add({"gait_speed": "speed"}.get(check.parameter, check.parameter), check)
    for side in ("left", "right"):
        if gait.get(f"stance_{side}") is not None:
            for check in rules.gait_flags(stance_percent=gait[f"stance_{side}"]):
                add(f"stance_{side}", check)
    symmetry = {name: si["percent"] for name, si in (gait.get("symmetry") or {}).items()}
    for check in rules.gait_flags(symmetry=symmetry):
        label = "Asymmetric" if check.flagged else "Symmetric"
        note = "abs(SI) of 10% or more; the cut-off is common but arbitrary" if check.flagged else ""
        flags.setdefault(check.parameter, []).append(Flag("flag" if check.flagged else "ok", label, note))
    return flags


def _mobility_flags(mobility) -> dict[str, list[Flag]]:
    flags = {}
    for motion in MOTIONS:
        values = mobility.get(motion) or {}
        for key in motion_keys(motion):
            degrees = values.get(key)
            if degrees is None:
                continue
            result = rules.rom_flag(motion, degrees)
            flags[f"{motion}_{key}"] = [
                Flag("flag", "Limited", f"below {result.normal_range}") if result.limited else Flag("ok", "Not limited")
            ]
    return flags


def section_flags(exam, section) -> dict[str, list[Flag]]:
    """Flags beside each value of a section, keyed by field name (gait and mobility have norms)."""
    stored = (exam.findings or {}).get(section) or {}
    if section == "gait":
        return _gait_flags(exam, stored)
    if section == "mobility":
        return _mobility_flags(stored)
    return {}


def rom_norms() -> dict[str, RomNorm]:
    return ROM_NORMS


# --- A clinician's day ("my day") ----------------------------------------------------------------------------


@dataclass
class DayVisit:
    appointment: object
    intake: object  # the visit's IntakeForm (progress only) or None
    red_flags: list
    exam: Exam | None

    @property
    def intake_state(self) -> str:
        """"submitted", "not_needed", "not_started" or "in_progress"."""
        if self.intake is not None and self.intake.is_submitted or self.appointment.intake_completed_at:
            return "submitted"
        if not self.appointment.visit_type.needs_intake:
            return "not_needed"
        if self.intake is None or not self.intake.steps_saved:
            return "not_started"
        return "in_progress"


@dataclass
class MyDay:
    day: object
    visits: list[DayVisit]
    drafts: list[Exam]

    @property
    def open_red_flags(self):
        return [v for v in self.visits if v.red_flags]


def my_day(clinician, day) -> MyDay:
    """Today's patients of `clinician` in time order with intake progress, open red flags and the visit's exam,
    and every exam of theirs still unsigned (five queries, however long the day)."""
    from intake import selectors as intake_selectors
    from scheduling import selectors as scheduling_selectors

    visits = scheduling_selectors.clinician_day(clinician.pk, day)
    ids = [a.pk for a in visits]
    intakes = intake_selectors.intakes_of_visits(ids)
    flags = intake_selectors.open_red_flags_of_patients({a.patient_id for a in visits})
    exams = {e.appointment_id: e for e in Exam.objects.filter(appointment_id__in=ids).only(
        "pk", "appointment_id", "signed_at", "patient_id", "clinician_id")}
    drafts = list(
        Exam.objects.filter(clinician=clinician, signed_at__isnull=True)
        .select_related("patient", "appointment__visit_type")
        .defer("findings", "section_revisions", "assessment_notes")
        .order_by("created_at")
    )
    rows = [DayVisit(a, intakes.get(a.pk), flags.get(a.patient_id, []), exams.get(a.pk)) for a in visits]
    return MyDay(day, rows, drafts)


# --- The chart's exams ------------------------------------------------------------------------------------


def chart_exams(patient_id) -> list[Exam]:
    """The patient's exams, newest visit first, with their visit, clinician and addenda count (one query)."""
    addenda = (
        ExamAddendum.objects.filter(exam=OuterRef("pk")).order_by().values("exam").annotate(n=Count("*")).values("n")
    )
    exams = (
        Exam.objects.filter(patient_id=patient_id)
        .select_related("appointment__visit_type", "clinician__user", "signed_by")
        .annotate(addenda_count=Coalesce(Subquery(addenda, output_field=IntegerField()), Value(0)))
    )
    return sorted(exams, key=visit_start, reverse=True)


@dataclass
class Comparison:
    label: str
    unit: str
    first: float | None
    latest: float | None
    norm: str = ""

    @property
    def change(self):
        if self.first is None or self.latest is None:
            return None
        return round(self.latest - self.first, 2)


def first_and_latest(exams) -> dict | None:
    """Range of motion and gait at the first signed exam beside the latest signed exam (no query)."""
    signed = sorted((e for e in exams if e.is_signed), key=visit_start)
    if not signed:
        return None
    first, latest = signed[0], signed[-1]
    rom = []
    for motion, (label, sided) in MOTIONS.items():
        a, b = first.findings.get("mobility", {}).get(motion, {}), latest.findings.get("mobility", {}).get(motion, {})
        for key in motion_keys(motion):
            if a.get(key) is None and b.get(key) is None:
                continue
            name = f"{label}, {key}" if sided else label
            rom.append(Comparison(name, "°", a.get(key), b.get(key), ROM_NORMS[motion].text))
    gait = []
    ga, gb = first.findings.get("gait", {}), latest.findings.get("gait", {})
    for key, label, unit in (
        ("speed", "Gait speed", "m/s"), ("cadence", "Cadence", "steps/min"),
        ("stride_length_left", "Stride length, left", "cm"), ("stride_length_right", "Stride length, right", "cm"),
        ("step_width", "Step width", "cm"), ("stance_left", "Stance, left", "%"), ("stance_right", "Stance, right", "%"),
    ):
        if ga.get(key) is not None or gb.get(key) is not None:
            gait.append(Comparison(label, unit, ga.get(key), gb.get(key)))
    for name, label in GAIT_SIDED.items():
        sa = (ga.get("symmetry") or {}).get(name, {}).get("percent")
        sb = (gb.get("symmetry") or {}).get(name, {}).get("percent")
        if sa is not None or sb is not None:
            gait.append(Comparison(f"Symmetry index, {label.split(' (')[0].lower()}", "%", sa, sb, "abs(SI) < 10%"))
    return {"first": first, "latest": latest, "same": first.pk == latest.pk, "rom": rom, "gait": gait}


# --- Red-flag re-screens ------------------------------------------------------------------------------------


def red_flag_screens(patient_id, *, limit=10) -> list[RedFlagScreen]:
    """The patient's latest red-flag re-screens, newest first, with who screened and the visit (one query)."""
    return list(
        RedFlagScreen.objects.filter(patient_id=patient_id)
        .select_related("screened_by", "appointment__visit_type", "alert")[:limit]
    )
