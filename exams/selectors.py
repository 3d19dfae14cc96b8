"""Reads of the clinician's exam: the page's exam, flags beside values, suggestions, the chart's exam list,
and first-versus-latest range of motion and gait. (The outcome series for the progress plots are intake's:
intake.selectors.progress_series.)"""

from dataclasses import asdict, dataclass, field

from django.db.models import Count, Exists, IntegerField, OuterRef, Subquery, Value
from django.db.models.functions import Coalesce
from django.utils import timezone

from patients import care

from . import rules
from .catalogue import GAIT_MEASURES, GAIT_SYMMETRY, GAITS, MOTIONS, POSITIONS, motion_keys
from .models import Exam, ExamAddendum, RedFlagScreen


def exams_in_care(user, patient_ref):
    """patients.care source: the patient has an exam that `user` wrote."""
    return Exists(Exam.objects.filter(patient_id=patient_ref, clinician__user=user))


def exam_for_page(pk, *, viewer) -> Exam:
    """The exam with what its page shows (patient, visit, clinician, addenda, attachments, diagnoses) in fixed queries;
    and `viewer`'s access to the patient's clinical record (patients.care), in the same query."""
    exams = Exam.objects.select_related(
        "patient", "appointment__visit_type", "appointment__location", "clinician__user", "signed_by", "red_flag_alert"
    ).prefetch_related("addenda__author", "attachments__document", "diagnoses")
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
    has_norm: bool = True  # False: "no norm" is shown and the value is never flagged


def norm_sex(exam) -> str | None:
    """Sex for the walking norms: the patient record's when it says male or female, else the exam's answer to
    its optional question (exams.forms.GaitForm), else None (norms for both shown; speed has none)."""
    answer = ((exam.findings or {}).get("gait") or {}).get("sex")
    return _sex(exam.patient) or (answer if answer in ("male", "female") else None)


def gait_norms(exam) -> dict[str, dict[str, Norm]]:
    """The norm and source beside each value of each gait ({"walking": {"speed": Norm, ...}, "running": ...});
    walking speed depends on the patient's age and sex."""
    age, sex = visit_age(exam), norm_sex(exam)
    return {
        kind: {key: Norm(n.text, n.source, n.others, n.has_norm) for key, n in rules.gait_norms(kind, age=age, sex=sex).items()}
        for kind in GAITS
    }


def _gait_flags(exam, gait) -> dict[str, list[Flag]]:
    """Flags keyed "<gait>_<value>" (e.g. "running_symmetry_step_length"); values without a norm get none."""
    age, sex = visit_age(exam), norm_sex(exam)
    flags: dict[str, list[Flag]] = {}
    for kind in GAITS:
        for check in rules.gait_checks(kind, gait.get(kind) or {}, age=age, sex=sex):
            if check.parameter == "walking_category":
                flag = Flag("flag" if check.flagged else "ok", f"{check.note.capitalize()} walker")
            elif check.field.startswith("symmetry_"):
                note = "abs(SI) of 10% or more; the cut-off is common but arbitrary" if check.flagged else ""
                flag = Flag("flag" if check.flagged else "ok", "Asymmetric" if check.flagged else "Symmetric", note)
            elif check.flagged is None:  # a typical value without a cut-off: the note says how far off it is
                flag = Flag("info", "", check.note)
            else:
                flag = Flag("flag" if check.flagged else "ok", "Outside range" if check.flagged else "Within range",
                            check.note)
            flags.setdefault(f"{kind}_{check.field}", []).append(flag)
    return flags


def _mobility_flags(mobility) -> dict[str, list[Flag]]:
    flags = {}
    for motion in MOTIONS:
        values = mobility.get(motion) or {}
        for key in motion_keys(motion):
            degrees = values.get(key)
            if degrees is None:
                continue
            result = rules.rom_flag(motion, degrees, values.get("position") or None)
            if result.limited is None:
                flag = Flag("info", "", result.note)
            elif result.limited:
                flag = Flag("flag", "Limited", f"below {result.normal_range}")
            else:
                flag = Flag("ok", "Not limited")
            flags[f"{motion}_{key}"] = [flag]
    return flags


def section_flags(exam, section) -> dict[str, list[Flag]]:
    """Flags beside each value of a section, keyed by field name (gait and mobility have norms)."""
    stored = (exam.findings or {}).get(section) or {}
    if section == "gait":
        return _gait_flags(exam, stored)
    if section == "mobility":
        return _mobility_flags(stored)
    return {}


def mobility_norms(mobility) -> dict[str, rules.ShownNorm]:
    """Each motion's norm; hip rotation's for the position it was recorded in."""
    return {motion: rules.rom_norm(motion, (mobility.get(motion) or {}).get("position") or None) for motion in MOTIONS}


def side_differences(mobility) -> dict[str, rules.SideDifference | None]:
    """Right minus left of each sided motion, where both sides were measured (shown, never flagged)."""
    return {
        motion: rules.side_difference((mobility.get(motion) or {}).get("left"), (mobility.get(motion) or {}).get("right"))
        for motion, (_label, sided) in MOTIONS.items() if sided
    }


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
    """The patient's exams, newest visit first, with their visit, clinician, addenda count and working diagnoses (two
    queries)."""
    addenda = (
        ExamAddendum.objects.filter(exam=OuterRef("pk")).order_by().values("exam").annotate(n=Count("*")).values("n")
    )
    exams = (
        Exam.objects.filter(patient_id=patient_id)
        .select_related("appointment__visit_type", "clinician__user", "signed_by")
        .annotate(addenda_count=Coalesce(Subquery(addenda, output_field=IntegerField()), Value(0)))
        .prefetch_related("diagnoses")
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


def _rom_comparisons(first, latest) -> list[Comparison]:
    rows = []
    for motion, (label, sided) in MOTIONS.items():
        a, b = first.findings.get("mobility", {}).get(motion, {}), latest.findings.get("mobility", {}).get(motion, {})
        # Hip rotation measured in different positions is not compared: each value gets its own row.
        positions = [a.get("position"), b.get("position")]
        pairs = [(a, b, positions[0])] if positions[0] == positions[1] else [(a, {}, positions[0]), ({}, b, positions[1])]
        for x, y, position in pairs:
            where = f" ({POSITIONS[position].lower()})" if position in POSITIONS else ""
            norm = rules.rom_norm(motion, position if position in POSITIONS else None).text
            for key in motion_keys(motion):
                if x.get(key) is None and y.get(key) is None:
                    continue
                name = f"{label}, {key}{where}" if sided else f"{label}{where}"
                rows.append(Comparison(name, "°", x.get(key), y.get(key), norm))
    return rows


_LEGACY_LABELS = {"stride_length_left": "Stride length, left (recorded per side)",
                  "stride_length_right": "Stride length, right (recorded per side)"}


def _gait_comparisons(kind, first, latest, norms) -> list[Comparison]:
    ga, gb = (first.findings.get("gait") or {}).get(kind) or {}, (latest.findings.get("gait") or {}).get(kind) or {}
    rows = []
    for measure in GAIT_MEASURES[kind]:
        if measure.choices:  # foot strike: a kind, not an amount
            continue
        norm = norms[measure.key].text
        for side in ("left", "right") if measure.sided else ("",):
            key = f"{measure.key}_{side}" if side else measure.key
            if ga.get(key) is not None or gb.get(key) is not None:
                label = f"{measure.label}, {side}" if side else measure.label
                rows.append(Comparison(label, measure.unit.replace("% of gait cycle", "%"), ga.get(key), gb.get(key),
                                       norm))
    for key, label in _LEGACY_LABELS.items():
        if ga.get(key) is not None or gb.get(key) is not None:
            rows.append(Comparison(label, "cm", ga.get(key), gb.get(key), norms.get("stride_length", Norm("", "")).text))
    for name in GAIT_SYMMETRY[kind]:
        sa = (ga.get("symmetry") or {}).get(name, {}).get("percent")
        sb = (gb.get("symmetry") or {}).get(name, {}).get("percent")
        if sa is not None or sb is not None:
            label = next(m.label for m in GAIT_MEASURES[kind] if m.key == name).lower()
            rows.append(Comparison(f"Symmetry index, {label}", "%", sa, sb, "abs(SI) < 10%"))
    return rows


def first_and_latest(exams, patient=None) -> dict | None:
    """Range of motion and gait (walking and running apart) at the first signed exam beside the latest signed
    exam (no query). With `patient`, walking speed's norm is the one for their age and sex at the latest."""
    signed = sorted((e for e in exams if e.is_signed), key=visit_start)
    if not signed:
        return None
    first, latest = signed[0], signed[-1]
    age = sex = None
    if patient is not None:
        age = patient.age_on(timezone.localdate(visit_start(latest)))
        answer = (latest.findings.get("gait") or {}).get("sex")
        sex = _sex(patient) or (answer if answer in ("male", "female") else None)
    gait = {kind: _gait_comparisons(kind, first, latest, rules.gait_norms(kind, age=age, sex=sex)) for kind in GAITS}
    return {"first": first, "latest": latest, "same": first.pk == latest.pk, "rom": _rom_comparisons(first, latest),
            "walking": gait["walking"], "running": gait["running"]}


# --- Red-flag re-screens ------------------------------------------------------------------------------------


def red_flag_screens(patient_id, *, limit=10) -> list[RedFlagScreen]:
    """The patient's latest red-flag re-screens, newest first, with who screened and the visit (one query)."""
    return list(
        RedFlagScreen.objects.filter(patient_id=patient_id)
        .select_related("screened_by", "appointment__visit_type", "alert")[:limit]
    )
