"""Pure clinical rules of the exam: differential suggestions from the findings, and the checks of gait and
range-of-motion values against their norms (exams.catalogue).

No Django. Rules and figures come from docs/clinical-rules.md (bracketed numbers are its
references). A suggestion shows the rule that fired and its source figures; it never sets a diagnosis.

Findings (input of suggest_differentials), every key optional:
    {
        "special_tests": {
            "distraction": "positive",                              # midline test: one value
            "gaenslen": {"left": "positive", "right": "not_tested"},  # sided test: a value per side
            ...                                                     # keys: SPECIAL_TESTS
        },
        "neuro": {                                                # the stored neuro section (exams.neuro)
            "myotomes": {"great_toe_extension": {"left": 4, "right": 5}},  # MRC 0-5
            "reflexes": {"achilles": {"left": 1, "right": 2}},          # 0-4, 2 normal
            "dermatomes": {"L5": {"left": "reduced"}},                  # normal/reduced/absent/increased
            "quick_screens": {"heel_walk": {"left": "difficult"}},
            "saddle_sensation": "normal", "anal_tone": "",             # "" = not examined
            "umn": {"babinski": {"left": "absent"}},
            "left": ["ehl_weakness"], "right": [],                     # yes/no findings before the grades
        },
        "onset_mechanism": "fall",   # fall or lifting: minor; accident: major trauma; anything else is ignored
        "age": 72,
        "long_term_steroids": True,
        "osteoporosis": False,
    }
Test values are "positive", "negative" or "not_tested" (None = not tested). A sided test counts as
positive if either side is positive, and as negative only if every side given is negative.
"""

from collections.abc import Mapping
from dataclasses import dataclass
from decimal import ROUND_HALF_UP, Decimal

from intake.rules import RED_FLAG_ITEMS, RED_FLAG_SOURCES

from . import neuro as neuro_mod
from .catalogue import (
    DIAGNOSES,
    GAIT_SPEED_NORMS,
    GAIT_SPEED_SOURCE,
    NEGATIVE,
    NOT_TESTED,
    POSITIVE,
    ROM_NORMS,
    SPECIAL_TESTS,
    SYMMETRY_FORMULA,
    SYMMETRY_SOURCE,
)

CONDITIONS = tuple(DIAGNOSES)


@dataclass(frozen=True)
class Suggestion:
    condition: str
    title: str
    rule: str
    evidence: tuple[str, ...]
    kind: str = "suggests"  # "suggests", "argues_against" (e.g. all SI tests negative), "reminder" or "red_flag"


def _result(name: str, value) -> str:
    """Reduce a test value (one value or a value per side) to positive / negative / not_tested."""
    values = list(value.values()) if isinstance(value, Mapping) else [value]
    values = [NOT_TESTED if v is None else v for v in values]
    if any(v not in (POSITIVE, NEGATIVE, NOT_TESTED) for v in values):
        raise ValueError(f"special test '{name}': values must be positive, negative or not_tested, got {value!r}")
    if POSITIVE in values:
        return POSITIVE
    return NEGATIVE if values and all(v == NEGATIVE for v in values) else NOT_TESTED


def _label(name: str, value) -> str:
    """Describe a positive test, with its side(s) for sided tests."""
    if isinstance(value, Mapping):
        sides = [side for side, v in value.items() if v == POSITIVE]
        return f"{SPECIAL_TESTS[name]} positive ({', '.join(sides)})"
    return f"{SPECIAL_TESTS[name]} positive"


def _read_tests(raw: Mapping) -> dict[str, str]:
    unknown = set(raw) - set(SPECIAL_TESTS)
    if unknown:
        raise ValueError(f"unknown special tests: {', '.join(sorted(unknown))} (known: {', '.join(SPECIAL_TESTS)})")
    return {name: _result(name, value) for name, value in raw.items()}


# --- SI joint ----------------------------------------------------------------------------------------

LASLETT_TESTS = ("distraction", "thigh_thrust", "compression", "sacral_thrust", "gaenslen")
VAN_DER_WURFF_TESTS = ("distraction", "thigh_thrust", "compression", "gaenslen", "faber")


def _cluster(raw, results, tests, source) -> Suggestion | None:
    positives = [t for t in tests if results.get(t) == POSITIVE]
    if len(positives) < 3:
        return None
    tested = sum(results.get(t, NOT_TESTED) != NOT_TESTED for t in tests)
    untested = "" if tested == 5 else f"; only {tested} of 5 tested"
    return Suggestion(
        condition="si_joint_dysfunction",
        title="SI joint pain likely",
        rule=f"{len(positives)} of 5 SI provocation tests positive ({source}){untested}: SI joint pain likely",
        evidence=tuple(_label(t, raw[t]) for t in positives),
    )


def _si_joint(raw: Mapping, results: dict[str, str]) -> list[Suggestion]:
    found = []
    laslett = _cluster(
        raw, results, LASLETT_TESTS, "Laslett 2003: ≥3 of 5 positive, sensitivity 0.91, specificity 0.78"
    )
    if laslett:
        found.append(laslett)
    elif all(results.get(t) == NEGATIVE for t in LASLETT_TESTS):
        found.append(
            Suggestion(
                condition="si_joint_dysfunction",
                title="SI joint pain unlikely (all provocation tests negative)",
                rule="All SI provocation tests negative (Laslett 2005: all negative rules the SI joint out) [21]",
                evidence=tuple(f"{SPECIAL_TESTS[t]} negative" for t in LASLETT_TESTS),
                kind="argues_against",
            )
        )
    if results.get("faber", NOT_TESTED) != NOT_TESTED:  # variant only when FABER was recorded
        variant = _cluster(
            raw,
            results,
            VAN_DER_WURFF_TESTS,
            "van der Wurff, FABER instead of sacral thrust: ≥3 of 5 positive, sensitivity 0.85, specificity 0.79",
        )
        if variant:
            found.append(variant)
    return found


# --- Deep gluteal ------------------------------------------------------------------------------------


def _deep_gluteal(raw: Mapping, results: dict[str, str]) -> list[Suggestion]:
    positives = [t for t in ("active_piriformis", "seated_piriformis_stretch") if results.get(t) == POSITIVE]
    if not positives:
        return []
    rule = (
        "Active piriformis and/or seated piriformis stretch test positive: deep gluteal syndrome possible. "
        "Combination figures from Martin 2014 (n=33, endoscopic reference): either test positive, "
        "sensitivity 0.91, specificity 0.80, LR+ 4.57, LR- 0.11 (the 'either positive' reading is inferred). "
        "Alone: active piriformis 0.78/0.80; seated stretch 0.52/0.90 [24,26]"
    )
    title = "Deep gluteal syndrome (piriformis) possible"
    return [Suggestion("deep_gluteal_syndrome", title, rule, tuple(_label(t, raw[t]) for t in positives))]


# --- Radicular ---------------------------------------------------------------------------------------

NEURAL_TENSION_FIGURES = {
    "slr": "SLR for disc herniation (surgical reference): sensitivity 0.90 pooled (0.82-0.95), "
    "specificity 0.23 (0.15-0.35) [29]",
    "slump": "slump (Majlesi 2008, MRI, n=75): sensitivity 0.84, specificity 0.83; a secondary appraisal "
    "reports these swapped; unconfirmed [31]",
}


def _radicular(raw: Mapping, results: dict[str, str]) -> list[Suggestion]:
    positives = [t for t in ("slr", "slump") if results.get(t) == POSITIVE]
    if not positives:
        return []
    rule = "Neural tension test positive, radicular pain possible. " + "; ".join(
        NEURAL_TENSION_FIGURES[t] for t in positives
    )
    title = "Radicular pain (sciatica) possible"
    return [Suggestion("sciatica", title, rule, tuple(_label(t, raw[t]) for t in positives))]


def _roots(neuro: Mapping) -> list[Suggestion]:
    """A suggestion per root the findings point to: the fewest roots that explain them (exams.neuro)."""
    found = neuro_mod.findings_of(neuro)
    cover = neuro_mod.fewest_roots(found)
    by_root: dict[str, list[str]] = {}
    for finding in found:
        by_root.setdefault(neuro_mod.root_of(finding, cover), []).append(finding.text)
    levels = "; deficits at more than one level are a red flag (severe neuro)" if len(by_root) > 1 else ""
    suggestions = []
    for root in cover:
        disc = neuro_mod.DISC_ABOVE.get(root)
        below = (f"a posterolateral disc usually affects the traversing root one level below, here the {disc} disc"
                 if disc else "no lumbar disc sits above S2")
        suggestions.append(Suggestion(
            condition="lumbar_disc",
            title=f"Possible {root} radiculopathy" + (f" (usual disc {disc})" if disc else ""),
            rule=f"Findings in the {root} distribution (root screening table); {below}{levels}",
            evidence=tuple(by_root[root]),
        ))
    return suggestions


def neuro_red_flags(neuro: Mapping) -> dict[str, tuple[str, ...]]:
    """The red-flag items the neuro findings raise (intake.rules keys), each with the findings behind it.

    Alone, per the product decisions: reduced or absent saddle sensation and reduced anal tone (cauda equina,
    emergencies); a key movement graded 3 or less (major motor weakness); deficits needing more than one root to
    explain them (more than one level) or on both sides (urgent). Quick screens are not deficits."""
    neuro = neuro or {}
    flags = {}
    if neuro.get("saddle_sensation") in neuro_mod.SENSORY_DEFICITS:
        flags["saddle_numbness"] = (f"saddle sensation {neuro['saddle_sensation']}",)
    if neuro.get("anal_tone") == "reduced":
        flags["reduced_anal_tone"] = ("anal tone reduced",)
    if weak := neuro_mod.major_weakness(neuro):
        flags["major_motor_weakness"] = tuple(weak)
    deficits = [f for f in neuro_mod.findings_of(neuro) if f.deficit]
    cover = neuro_mod.fewest_roots(deficits)
    if len(cover) > 1:
        flags["multi_level_deficit"] = (f"roots needed to explain it: {', '.join(cover)}", *(f.text for f in deficits))
    if {f.side for f in deficits} == set(neuro_mod.SIDES):
        flags["bilateral_deficit"] = tuple(f.text for f in deficits)
    return flags


def _neuro_red_flags(neuro: Mapping) -> list[Suggestion]:
    found = []
    for item, evidence in neuro_red_flags(neuro).items():
        category, label = RED_FLAG_ITEMS[item]
        level = "an emergency" if category == "cauda_equina" else "urgent"
        found.append(Suggestion(
            "other", f"Red flag: {label}",
            f"{label[:1].upper()}{label[1:]}: a red flag on its own, {level} ({RED_FLAG_SOURCES[category]}); "
            "saving raises the alert to the chart, the calendar and the clinician",
            evidence, "red_flag",
        ))
    if signs := neuro_mod.umn_signs(neuro):
        found.append(Suggestion(
            "other", "Upper motor neuron sign",
            "Upper motor neuron signs point above the lumbar roots (spinal cord or brain), which the root screen "
            "does not explain: consider a medical review. Not in the reference's red-flag table, so no alert",
            tuple(signs), "reminder",
        ))
    return found


# --- Trauma ------------------------------------------------------------------------------------------

TRAUMA_MECHANISMS = ("fall", "accident")  # a "Traumatic onset" suggestion
MINOR_MECHANISMS = ("fall", "lifting")  # fracture red flag only with age over 70, osteoporosis or steroids
MAJOR_MECHANISMS = ("accident",)  # road or other accident: major trauma, a fracture red flag on its own


def _trauma(findings: Mapping) -> list[Suggestion]:
    mechanism = findings.get("onset_mechanism")
    found = []
    if mechanism in TRAUMA_MECHANISMS:
        found.append(Suggestion("trauma", "Traumatic onset", f"Onset after a {mechanism}", (f"onset: {mechanism}",)))
    age = findings.get("age")
    risks = [f"age {age} (> 70)"] if age is not None and age > 70 else []
    risks += [
        text
        for key, text in (("long_term_steroids", "long-term steroids"), ("osteoporosis", "osteoporosis"))
        if findings.get(key)
    ]
    if mechanism in MAJOR_MECHANISMS:
        rule = (f"{mechanism.capitalize()} (major trauma): fracture red flag on its own (guideline consensus "
                "[33,41])")
        found.append(Suggestion("trauma", "Fracture red flag", rule, (f"onset: {mechanism}", *risks), "reminder"))
    elif mechanism in MINOR_MECHANISMS and risks:
        rule = (f"{mechanism.capitalize()} (a minor mechanism) with {', '.join(risks)}: fracture red flag "
                "(guideline consensus [33,41])")
        found.append(Suggestion("trauma", "Fracture red flag", rule, (f"onset: {mechanism}", *risks), "reminder"))
    return found


def suggest_differentials(findings: Mapping) -> list[Suggestion]:
    """Return the suggestions whose rules fire for these findings (shape in the module docstring)."""
    raw = findings.get("special_tests") or {}
    results = _read_tests(raw)
    return [
        *_si_joint(raw, results),
        *_deep_gluteal(raw, results),
        *_radicular(raw, results),
        *_roots(findings.get("neuro") or {}),
        *_neuro_red_flags(findings.get("neuro") or {}),
        *_trauma(findings),
    ]


def _is_number(value) -> bool:
    return isinstance(value, int | float) and not isinstance(value, bool)


def _round1(numerator, denominator) -> float:
    """Divide and round half up to one decimal (round() would send 1.25 to 1.2)."""
    quotient = Decimal(str(numerator)) / Decimal(str(denominator))
    return float(quotient.quantize(Decimal("0.1"), rounding=ROUND_HALF_UP))


# --- Gait --------------------------------------------------------------------------------------------


@dataclass(frozen=True)
class Symmetry:
    percent: float
    right: float
    left: float
    formula: str = SYMMETRY_FORMULA

    @property
    def larger_side(self) -> str | None:
        return "right" if self.percent > 0 else "left" if self.percent < 0 else None


def symmetry_index(right: float | None, left: float | None) -> Symmetry | None:
    """Return the symmetry index (positive = right larger) with the raw values; None if missing or both zero."""
    if right is None or left is None:
        return None
    if not _is_number(right) or not _is_number(left) or right < 0 or left < 0:
        raise ValueError("symmetry_index: right and left must be non-negative numbers")
    if right + left == 0:
        return None
    return Symmetry(_round1((right - left) * 100, 0.5 * (right + left)), right, left)


@dataclass(frozen=True)
class GaitCheck:
    parameter: str
    value: float
    norm: str
    source: str
    flagged: bool | None  # None: the source gives a typical value but no cut-off; shown for comparison only
    note: str = ""


def gait_speed_norm(age: int | None, sex: str | None) -> tuple[float, str] | None:
    """Return (mean m/s, band label) for age 20+ and sex "male"/"female", else None."""
    table = GAIT_SPEED_NORMS.get(sex)
    if table is None or age is None or age < 20:
        return None
    decade = min(age // 10 * 10, 80)
    return table[decade], f"{sex}, {decade}+" if decade == 80 else f"{sex}, {decade}-{decade + 9}"


def walking_category(speed: float) -> str:
    """Return household (<0.4 m/s), limited community (0.4-0.8) or community (>0.8) [50]."""
    return "household" if speed < 0.4 else "limited community" if speed <= 0.8 else "community"


def _speed_checks(speed: float, age: int | None, sex: str | None) -> list[GaitCheck]:
    found = gait_speed_norm(age, sex)
    if found:
        mean, label = found
        diff = round(speed - mean, 2)
        note = f"{abs(diff):.2f} m/s {'below' if diff < 0 else 'at or above'} the mean; the source gives no cut-off"
        norm_check = GaitCheck("gait_speed", speed, f"{mean:.2f} m/s ({label})", GAIT_SPEED_SOURCE, None, note)
    else:
        note = "no norm: needs age 20+ and sex male/female"
        norm_check = GaitCheck("gait_speed", speed, "no matching norm", GAIT_SPEED_SOURCE, None, note)
    category = walking_category(speed)
    norm = "<0.4 m/s household; 0.4-0.8 limited community; >0.8 community"
    return [norm_check, GaitCheck("walking_category", speed, norm, "[50]", category != "community", category)]


def gait_flags(
    *,
    age: int | None = None,
    sex: str | None = None,
    speed: float | None = None,
    cadence: float | None = None,
    step_width_cm: float | None = None,
    stance_percent: float | None = None,
    symmetry: Mapping[str, float | Symmetry | None] | None = None,
) -> list[GaitCheck]:
    """Compare each gait value given with its norm; one GaitCheck per value, flagged True/False/None.

    symmetry maps a parameter name (e.g. "step_length") to a Symmetry or an SI percentage.
    """
    checks = _speed_checks(speed, age, sex) if speed is not None else []
    if cadence is not None:
        outside = not 90 <= cadence <= 120
        checks.append(GaitCheck("cadence", cadence, "90-120 steps/min (mean 117)", "Murray [51,52]", outside))
    if step_width_cm is not None:
        outside = not 5 <= step_width_cm <= 10
        checks.append(GaitCheck("step_width", step_width_cm, "5-10 cm (men 8.1, women 7.1)", "Murray [51,52]", outside))
    if stance_percent is not None:
        note = f"{stance_percent - 60:+.1f} points from 60%; stance shortens at faster speeds; no cut-off in the source"
        checks.append(GaitCheck("stance_percent", stance_percent, "about 60% of the cycle", "[53]", None, note))
    for name, value in (symmetry or {}).items():
        percent = value.percent if isinstance(value, Symmetry) else value
        if percent is None:
            continue
        asymmetric = abs(percent) >= 10
        note = "asymmetric (common but arbitrary 10% cut-off)" if asymmetric else ""
        checks.append(GaitCheck(f"symmetry_{name}", percent, "abs(SI) < 10%", SYMMETRY_SOURCE, asymmetric, note))
    return checks


# --- Range of motion ---------------------------------------------------------------------------------


@dataclass(frozen=True)
class RomFlag:
    motion: str
    degrees: float
    limited: bool
    normal_range: str
    source: str
    other_sources: tuple[str, ...]


def rom_flag(motion: str, degrees: float) -> RomFlag:
    """Return whether a motion is limited (below the primary range's lower bound), with the norm and source."""
    norm = ROM_NORMS.get(motion)
    if norm is None:
        raise ValueError(f"ROM: unknown motion '{motion}' (known: {', '.join(ROM_NORMS)})")
    if not _is_number(degrees):
        raise ValueError(f"ROM: degrees must be a number, got {degrees!r}")
    return RomFlag(motion, degrees, degrees < norm.low, norm.text, norm.source, norm.other_sources)
