"""The exam's printable report, for a referrer or the patient: only what was tested, in words a reader outside
the clinic follows, with the norms' sources named in a "Sources" list at the end.

The staff screens show the catalogue's texts as they are ("[22]", "unconfirmed": the clinician weighs them);
a printed page shows no bare reference numbers and no notes on what was not verified. `Sources.cite` turns a
text into its plain words plus footnote marks that point into the list. No queries: the view passes the exam
(exams.selectors.exam_for_page) and what the patient reported (intake.reported).
"""

import re
from dataclasses import dataclass, field

from django.utils.dateparse import parse_date
from django.utils.formats import date_format
from django.utils.translation import gettext as _

from intake import scoring, vocabulary
from intake.instruments import is_demo_version

from . import selectors
from .catalogue import (
    DIAGNOSES,
    GAIT_SIDED,
    MOTIONS,
    NOT_TESTED,
    POSITIVE,
    ROM_NORMS,
    ROOT_FINDINGS,
    SYMMETRY_FORMULA,
    TESTS,
    US_STRUCTURES,
    motion_keys,
)
from .forms import GAIT_DEVIATIONS, INTERVENTIONS, MUSCLES, US_UNITS
from .sources import SOURCES

_CITATION = re.compile(r"\s*\[(\d+(?:\s*[-,]\s*\d+)*)\]")
_UNVERIFIED = re.compile(r"\bunconfirmed\b", re.I)


def _numbers(group: str) -> list[int]:
    found = []
    for part in re.split(r"\s*,\s*", group):
        low, _sep, high = part.partition("-")
        found += list(range(int(low), int(high or low) + 1))
    return found


def plain(text: str) -> str:
    """`text` without reference numbers and without the clauses that say a figure was not verified."""
    text = _CITATION.sub("", str(text or ""))
    text = re.sub(r"\s*\(\s*unconfirmed\s*\)", "", text, flags=re.I)
    clauses = [c for c in re.split(r"(?<=[;,])\s+", text) if not _UNVERIFIED.search(c)]
    return " ".join(clauses).strip().rstrip(";,").strip()


@dataclass
class Cited:
    text: str
    marks: list[int] = field(default_factory=list)


class Sources:
    """The report's sources in the order they are first cited (1, 2, 3...), each with the reference's words."""

    def __init__(self):
        self._marks: dict[int, int] = {}

    def cite(self, text) -> Cited:
        numbers = [n for m in _CITATION.finditer(str(text or "")) for n in _numbers(m.group(1)) if n in SOURCES]
        marks = []
        for number in numbers:
            mark = self._marks.setdefault(number, len(self._marks) + 1)
            if mark not in marks:
                marks.append(mark)
        return Cited(plain(text), marks)

    @property
    def listed(self) -> list[tuple[int, str]]:
        return [(mark, SOURCES[number]) for number, mark in sorted(self._marks.items(), key=lambda item: item[1])]


def _num(value, unit=""):
    if value is None:
        return ""
    number = float(value)
    text = f"{int(number)}" if number.is_integer() else f"{number:g}"
    return f"{text} {unit}".strip() if unit and unit != "%" and unit != "°" else f"{text}{unit}"


def _scores(findings) -> list[dict]:
    scores = findings.get("scores") or {}
    rows = []
    if scores.get("nprs") is not None:
        rows.append({"name": _("Pain now (NPRS, 0-10)"), "value": f"{scores['nprs']} / 10",
                     "band": scoring.nprs_band(scores["nprs"])})
    odi = {key: value for key, value in (scores.get("odi") or {}).items() if value is not None}
    if odi:
        result = scoring.odi_score(odi)
        if is_demo_version("odi", scores.get("odi_version") or "", scores.get("odi_demo_wording")):
            rows.append({"name": _("ODI sections on demo wording (not an ODI score)"), "value": f"{_num(result.percent)}%",
                         "band": _("demo wording, not banded; %(n)s of 10 sections answered") % {
                             "n": result.sections_answered}})
        else:
            rows.append({"name": _("Oswestry Disability Index (ODI)"), "value": f"{_num(result.percent)}%",
                         "band": _("%(band)s; %(n)s of 10 sections answered; version %(version)s") % {
                             "band": result.band, "n": result.sections_answered,
                             "version": scores.get("odi_version") or "?"}})
    psfs = [row for row in scores.get("psfs") or [] if row.get("rating") is not None]
    if psfs:
        result = scoring.psfs_score([row["rating"] for row in psfs][:5])
        rows.append({"name": _("Patient-Specific Functional Scale (PSFS, 0-10)"), "value": f"{_num(result.mean)} / 10",
                     "band": "; ".join(f"{row['activity']}: {row['rating']}" for row in psfs)})
    return rows


def _history(findings) -> list[tuple[str, str]]:
    history = findings.get("history") or {}
    rows = []
    if history.get("onset_mechanism"):
        rows.append((_("Onset"), str(dict(vocabulary.ONSETS).get(history["onset_mechanism"], ""))))
    if history.get("onset_date"):
        day = parse_date(str(history["onset_date"]))
        rows.append((_("Since"), date_format(day, "M j, Y") if day else str(history["onset_date"])))
    if history.get("onset_notes"):
        rows.append((_("Onset notes"), history["onset_notes"]))
    if history.get("side"):
        rows.append((_("Side"), str(dict(vocabulary.SIDES).get(history["side"], ""))))
    risks = [label for key, label in (("long_term_steroids", _("long-term steroids")),
                                      ("osteoporosis", _("osteoporosis"))) if history.get(key)]
    if risks:
        rows.append((_("Risk factors"), ", ".join(risks)))
    return rows


def _gait(exam, findings, sources) -> list[dict]:
    gait = findings.get("gait") or {}
    norms = selectors.gait_norms(exam)
    rows = []
    for key, label, unit, norm in (
        ("speed", _("Gait speed"), "m/s", "speed"), ("cadence", _("Cadence"), "steps/min", "cadence"),
        ("step_width", _("Step width"), "cm", "step_width"),
    ):
        if gait.get(key) is not None:
            rows.append({"label": label, "left": _num(gait[key], unit), "right": "", "both": True,
                         "norm": sources.cite(f"{norms[norm].text} {norms[norm].source}")})
    for name, label in GAIT_SIDED.items():
        left, right = gait.get(f"{name}_left"), gait.get(f"{name}_right")
        if left is None and right is None:
            continue
        unit = "cm" if name == "stride_length" else "%"
        si = (gait.get("symmetry") or {}).get(name)
        norm = sources.cite(f"{norms[name].text} {norms[name].source}")
        rows.append({"label": label.split(" (")[0], "left": _num(left, unit), "right": _num(right, unit), "both": False,
                     "norm": norm,
                     "symmetry": (_("symmetry index %(si)s%% (%(formula)s)") % {"si": _num(si["percent"]),
                                                                               "formula": SYMMETRY_FORMULA})
                     if si else ""})
    deviations = gait.get("deviations") or {}
    names = dict(GAIT_DEVIATIONS)
    for side in ("left", "right"):
        if deviations.get(side):
            rows.append({"label": _("Deviations, %(side)s") % {"side": side}, "both": True, "norm": Cited(""),
                         "left": ", ".join(names.get(d, d) for d in deviations[side]), "right": ""})
    if gait.get("deviations_other"):
        rows.append({"label": _("Other deviations"), "both": True, "left": gait["deviations_other"], "right": "",
                     "norm": Cited("")})
    return rows


def _mobility(findings, sources) -> list[dict]:
    mobility = findings.get("mobility") or {}
    rows = []
    for motion, (label, sided) in MOTIONS.items():
        values = mobility.get(motion) or {}
        keys = motion_keys(motion)
        if all(values.get(key) is None for key in keys):
            continue
        norm = ROM_NORMS[motion]

        def cell(key, values=values, norm=norm):
            degrees = values.get(key)
            if degrees is None:
                return ""
            text = _num(degrees, "°")
            if degrees < norm.low:
                text += " " + _("(limited)")
            if values.get(f"{key}_pain"):
                text += " " + _("painful")
            return text

        rows.append({"label": label, "left": cell(keys[0]), "right": cell(keys[1]) if sided else "",
                     "both": not sided, "norm": sources.cite(f"{norm.text} {norm.source}")})
    return rows


def _strength(findings) -> list[dict]:
    strength = findings.get("strength") or {}
    rows = []
    for muscle, label in MUSCLES.items():
        grades = strength.get(muscle) or {}
        if grades.get("left") is None and grades.get("right") is None:
            continue
        rows.append({"label": label, "left": "" if grades.get("left") is None else f"{grades['left']}/5",
                     "right": "" if grades.get("right") is None else f"{grades['right']}/5"})
    return rows


def _neuro(findings) -> list[tuple[str, str]]:
    neuro = findings.get("neuro") or {}
    rows = []
    for side in ("left", "right"):
        found = [f"{ROOT_FINDINGS[key][1]} ({ROOT_FINDINGS[key][0]})" for key in neuro.get(side) or []
                 if key in ROOT_FINDINGS]
        if found:
            rows.append((_("Left") if side == "left" else _("Right"), "; ".join(found)))
    if neuro.get("notes"):
        rows.append((_("Notes"), neuro["notes"]))
    return rows


def _tests(findings) -> list[dict]:
    tested = findings.get("special_tests") or {}
    words = {POSITIVE: _("positive"), "negative": _("negative")}
    rows = []
    for key, info in TESTS.items():
        value = tested.get(key)
        if info.sided:
            sides = value if isinstance(value, dict) else {}
            if all(sides.get(s, NOT_TESTED) == NOT_TESTED for s in ("left", "right")):
                continue
            rows.append({"label": info.label, "left": words.get(sides.get("left"), ""),
                         "right": words.get(sides.get("right"), ""), "positive": POSITIVE in sides.values()})
        elif value not in (None, NOT_TESTED):
            rows.append({"label": info.label, "left": words.get(value, ""), "right": "", "both": True,
                         "positive": value == POSITIVE})
    return rows


def _ultrasound(findings) -> list[dict]:
    structures, units = dict(US_STRUCTURES), dict(US_UNITS)
    rows = []
    for row in findings.get("ultrasound") or []:
        measured = f"{_num(row.get('measurement'))} {units.get(row.get('unit'), '')}".strip() \
            if row.get("measurement") is not None else ""
        rows.append({"structure": structures.get(row.get("structure"), row.get("structure") or ""),
                     "side": str(dict(vocabulary.LIMB_OR_BOTH).get(row.get("side"), "")),
                     "mode": {"static": _("static"), "dynamic": _("dynamic")}.get(row.get("mode"), ""),
                     "measurement": measured, "finding": row.get("finding") or ""})
    return rows


def _plan(findings) -> list[tuple[str, str]]:
    plan = findings.get("plan") or {}
    rows = []
    if plan.get("frequency_per_week") or plan.get("weeks"):
        parts = []
        if plan.get("frequency_per_week"):
            parts.append(_("%(n)s visits a week") % {"n": plan["frequency_per_week"]})
        if plan.get("weeks"):
            parts.append(_("for %(n)s weeks") % {"n": plan["weeks"]})
        rows.append((_("Visits"), " ".join(parts)))
    names = dict(INTERVENTIONS)
    interventions = [str(names.get(code, code)) for code in plan.get("interventions") or []]
    if plan.get("interventions_other"):
        interventions.append(plan["interventions_other"])
    if interventions:
        rows.append((_("Interventions"), ", ".join(interventions)))
    if plan.get("home_exercises"):
        rows.append((_("Home exercises"), plan["home_exercises"]))
    if plan.get("goals"):
        rows.append((_("Goals"), plan["goals"]))
    return rows


def exam_report(exam) -> dict:
    """The report's sections, each only when something was recorded in it, and the sources they cite."""
    findings = exam.findings or {}
    sources = Sources()
    clusters = [
        {"title": plain(s["title"]), "rule": sources.cite(s["rule"])}
        for s in selectors.shown_suggestions(exam) if s.get("kind") != "reminder"
    ]
    report = {
        "scores": _scores(findings),
        "history": _history(findings),
        "gait": _gait(exam, findings, sources),
        "mobility": _mobility(findings, sources),
        "strength": _strength(findings),
        "neuro": _neuro(findings),
        "tests": _tests(findings),
        "ultrasound": _ultrasound(findings),
        "diagnosis": DIAGNOSES.get(exam.working_diagnosis, ""),
        "clusters": clusters,
        "plan": _plan(findings),
    }
    report["sources"] = sources.listed
    return report
