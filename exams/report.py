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

from . import neuro as neuro_catalogue
from . import rules, selectors
from .catalogue import (
    GAIT_MEASURES,
    GAIT_SYMMETRY,
    GAITS,
    MOTIONS,
    NOT_TESTED,
    POSITIONS,
    POSITIVE,
    ROOT_FINDINGS,
    ROTATIONS,
    SYMMETRY_FORMULA,
    TESTS,
    US_STRUCTURES,
    motion_keys,
)
from .forms import GAIT_DEVIATIONS, INTERVENTIONS, LEGACY_WALKING_KEYS, MUSCLES, US_UNITS
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


def _gait_value(measure, value):
    if value is None:
        return ""
    if measure.choices:
        return str(dict(measure.choices).get(value, value))
    return _num(value, measure.unit.replace("% of gait cycle", "%"))


def _gait_norm(norm, sources) -> Cited:
    return sources.cite(f"{norm.text} {norm.source}") if norm.has_norm else Cited(_("no norm"))


def _gait_rows(kind, entry, norms, sources) -> list[dict]:
    rows = []
    for measure in GAIT_MEASURES[kind]:
        keys = [f"{measure.key}_{side}" for side in ("left", "right")] if measure.sided else [measure.key]
        if all(entry.get(key) is None for key in keys):
            continue
        cells = [_gait_value(measure, entry.get(key)) for key in keys]
        si = (entry.get("symmetry") or {}).get(measure.key) if measure.key in GAIT_SYMMETRY[kind] else None
        rows.append({
            "label": measure.label, "left": cells[0], "right": cells[1] if measure.sided else "",
            "both": not measure.sided, "norm": _gait_norm(norms[measure.key], sources),
            "symmetry": sources.cite(
                _("symmetry index %(si)s%% (%(formula)s; under 10%% is commonly called symmetric) [55,56]") % {
                    "si": _num(si["percent"]), "formula": SYMMETRY_FORMULA}) if si else None,
        })
    legacy = [entry.get(key) for key in LEGACY_WALKING_KEYS]
    if any(v is not None for v in legacy):
        rows.append({"label": _("Stride length (recorded per side)"), "left": _num(legacy[0], "cm"),
                     "right": _num(legacy[1], "cm"), "both": False,
                     "norm": _gait_norm(norms["stride_length"], sources), "symmetry": None})
    deviations = entry.get("deviations") or {}
    names = dict(GAIT_DEVIATIONS)
    for side in ("left", "right"):
        if deviations.get(side):
            rows.append({"label": _("Deviations, %(side)s") % {"side": side}, "both": True, "norm": Cited(""),
                         "left": ", ".join(names.get(d, d) for d in deviations[side]), "right": ""})
    if entry.get("deviations_other"):
        rows.append({"label": _("Other deviations"), "both": True, "left": entry["deviations_other"], "right": "",
                     "norm": Cited("")})
    return rows


def _gait(exam, findings, sources) -> list[dict]:
    """Walking and running apart, each only when something was recorded for it, and in it only what was."""
    gait = findings.get("gait") or {}
    norms = selectors.gait_norms(exam)
    found = []
    for kind, title in GAITS.items():
        rows = _gait_rows(kind, gait.get(kind) or {}, norms[kind], sources)
        if rows:
            note = _("The clinic's reference gives no norms for running.") if kind == "running" else ""
            found.append({"kind": kind, "title": title, "rows": rows, "note": note})
    return found


def _mobility(findings, sources) -> list[dict]:
    mobility = findings.get("mobility") or {}
    rows = []
    for motion, (label, sided) in MOTIONS.items():
        values = mobility.get(motion) or {}
        keys = motion_keys(motion)
        if all(values.get(key) is None for key in keys):
            continue
        position = values.get("position") or None

        def cell(key, values=values, position=position, motion=motion):
            degrees = values.get(key)
            if degrees is None:
                return ""
            text = _num(degrees, "°")
            if rules.rom_flag(motion, degrees, position).limited:
                text += " " + _("(limited)")
            if values.get(f"{key}_pain"):
                text += " " + _("painful")
            return text

        norm = rules.rom_norm(motion, position)
        if motion in ROTATIONS:
            label = f"{label} ({POSITIONS[position].lower()})" if position else f"{label} ({_('position not recorded')})"
        difference = rules.side_difference(values.get("left"), values.get("right")) if sided else None
        rows.append({"label": label, "left": cell(keys[0]), "right": cell(keys[1]) if sided else "",
                     "both": not sided, "difference": difference.text if difference else "",
                     "norm": sources.cite(f"{norm.text} {norm.source}")})
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


def _sides(values, word) -> str:
    shown = [f"{_('left') if side == 'left' else _('right')} {word(values[side])}" for side in ("left", "right")
             if (values or {}).get(side) not in (None, "")]
    return ", ".join(shown)


def _neuro(findings) -> list[tuple[str, str]]:
    """The graded screen as tested (grades and words per side), then any yes/no findings recorded before it."""
    neuro = findings.get("neuro") or {}
    rows = []
    reflex, sensation = dict(neuro_catalogue.REFLEX_GRADES), dict(neuro_catalogue.SENSATION)
    umn = dict(neuro_catalogue.UMN_VALUES)
    grids = (
        ("myotomes", neuro_catalogue.MYOTOMES, lambda row: f"{row.label} ({row.root_label})", lambda g: f"{g}/5"),
        ("reflexes", neuro_catalogue.REFLEXES, lambda row: _("%(reflex)s reflex (%(root)s)") % {
            "reflex": row.label, "root": row.root_label}, lambda g: f"{g} ({reflex.get(g, g)})"),
        ("dermatomes", neuro_catalogue.DERMATOMES, lambda row: _("Sensation %(root)s (%(area)s)") % {
            "root": row.key, "area": row.label}, lambda v: str(sensation.get(v, v)).lower()),
        ("quick_screens", neuro_catalogue.QUICK_SCREENS, lambda row: f"{row.label} ({row.root_label})",
         lambda v: str(dict(neuro_catalogue.QUICK_SCREEN_VALUES).get(v, v)).lower()),
        ("umn", [neuro_catalogue.Row(k, label, ()) for k, label in neuro_catalogue.UMN_SIGNS], lambda row: row.label,
         lambda v: str(umn.get(v, v)).lower()),
    )
    for key, catalogue_rows, label, word in grids:
        for row in catalogue_rows:
            if shown := _sides((neuro.get(key) or {}).get(row.key), word):
                rows.append((label(row)[:1].upper() + label(row)[1:], shown))
    if neuro.get("saddle_sensation"):
        rows.append((_("Saddle sensation"), str(dict(neuro_catalogue.SADDLE_SENSATION).get(neuro["saddle_sensation"], ""))))
    if neuro.get("anal_tone"):
        rows.append((_("Anal tone"), str(dict(neuro_catalogue.ANAL_TONE).get(neuro["anal_tone"], ""))))
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
    rows = []
    for key, info in TESTS.items():
        words = {POSITIVE: info.words[0].lower(), "negative": info.words[1].lower()}
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


def _diagnoses(exam, sources) -> list[dict]:
    """The working diagnoses, primary first, each code marked with the classification it comes from."""
    return [{"label": d.label, "side": str(d.get_side_display()).lower() if d.side else "", "primary": d.primary,
             "code": sources.cite(f"{d.icd10_code} [71]") if d.icd10_code else None,
             "note": d.note if d.diagnosis != "other" else ""}
            for d in exam.diagnoses.all()]


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
        "diagnoses": _diagnoses(exam, sources),
        "clusters": clusters,
        "plan": _plan(findings),
    }
    report["sources"] = sources.listed
    return report
