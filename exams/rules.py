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
positive if either side is positive, and as negative only if every side given is negative; Laslett's 6-test rule
counts Gaenslen left and right apart. "centralisation" positive means the pain centralised on repeated movements.
"""

from collections.abc import Mapping
from dataclasses import dataclass
from decimal import ROUND_HALF_UP, Decimal

from intake.rules import RED_FLAG_ITEMS, RED_FLAG_SOURCES

from . import neuro as neuro_mod
from .catalogue import (
    DIAGNOSES,
    GAIT_MEASURES,
    GAIT_SPEED_NORMS,
    GAIT_SPEED_SOURCE,
    GAIT_SYMMETRY,
    NEGATIVE,
    NO_NORM,
    NO_NORM_SOURCE,
    NOT_TESTED,
    POSITION_NORMS,
    POSITION_UNSTATED,
    POSITIONS,
    POSITIVE,
    ROM_NORMS,
    SPECIAL_TESTS,
    STEP_LENGTH_NORMS,
    STRIDE_LENGTH_NORMS,
    SYMMETRY_FORMULA,
    SYMMETRY_SOURCE,
    PositionNorm,
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

LASLETT_TESTS = ("distraction", "thigh_thrust", "compression", "sacral_thrust", "gaenslen")  # 2003: Gaenslen once
BEST_FOUR = ("distraction", "thigh_thrust", "compression", "sacral_thrust")  # 2005: any 2 of these
VAN_DER_WURFF_TESTS = ("distraction", "thigh_thrust", "compression", "gaenslen", "faber")
SI_TITLE = "SI joint pain likely"


def _six(raw: Mapping, results: dict[str, str]) -> list[tuple[str, str, str]]:
    """Laslett 2005's six tests as (name, evidence if positive, result): Gaenslen left and right are two tests. A
    Gaenslen recorded without sides counts as one of the two, the other not tested."""
    items = [(SPECIAL_TESTS[t], _label(t, raw[t]) if t in raw else "", results.get(t, NOT_TESTED)) for t in BEST_FOUR]
    gaenslen = raw.get("gaenslen")
    if isinstance(gaenslen, Mapping):
        for side in ("left", "right"):
            value = gaenslen.get(side) or NOT_TESTED
            items.append((f"Gaenslen {side}", f"Gaenslen {side} positive", value))
    else:
        value = gaenslen or NOT_TESTED
        items += [("Gaenslen", "Gaenslen positive (side not recorded)", value), ("Gaenslen, other side", "", NOT_TESTED)]
    return items


def _tested(values) -> int:
    return sum(v != NOT_TESTED for v in values)


def _laslett_2003(raw, results, centralisation) -> Suggestion | None:
    positives = [t for t in LASLETT_TESTS if results.get(t) == POSITIVE]
    if len(positives) < 3:
        return None
    tested = _tested(results.get(t, NOT_TESTED) for t in LASLETT_TESTS)
    untested = "" if tested == 5 else f"; only {tested} of 5 tested"
    if centralisation == NEGATIVE:
        context = "; the pain did not centralise on repeated movements, so specificity is 0.87 (centralisers excluded)"
    else:
        context = "; specificity 0.87 once centralisers are excluded: record repeated movements"
    rule = (f"{len(positives)} of 5 SI provocation tests positive (Laslett 2003: ≥3 of 5 positive, sensitivity 0.91, "
            f"specificity 0.78, LR+ 4.16, LR- 0.12){untested}{context} [20]")
    return Suggestion("si_joint_dysfunction", SI_TITLE, rule, tuple(_label(t, raw[t]) for t in positives))


def _laslett_2005(raw, results) -> Suggestion | None:
    items = _six(raw, results)
    positives = [evidence for _name, evidence, value in items if value == POSITIVE]
    if len(positives) < 3:
        return None
    tested = _tested(value for _name, _evidence, value in items)
    untested = "" if tested == 6 else f"; only {tested} of 6 tested"
    rule = (f"{len(positives)} of 6 SI provocation tests positive, Gaenslen left and right counted apart "
            f"(Laslett 2005: ≥3 of 6 positive, sensitivity 0.94, specificity 0.78){untested} [21]")
    return Suggestion("si_joint_dysfunction", f"{SI_TITLE} (6 tests, Gaenslen each side)", rule, tuple(positives))


def _best_two_of_four(raw, results) -> Suggestion | None:
    positives = [t for t in BEST_FOUR if results.get(t) == POSITIVE]
    if len(positives) < 2:
        return None
    rule = (f"{len(positives)} of the 4 best SI tests positive: distraction, thigh thrust, compression, sacral thrust "
            "(Laslett 2005: any 2 of these 4; area under the curve 0.842, the best two-test composite) [21]; "
            "the often-quoted sensitivity 0.88 and specificity 0.78 are unconfirmed")
    return Suggestion("si_joint_dysfunction", f"{SI_TITLE} (2 of the 4 best tests)", rule,
                      tuple(_label(t, raw[t]) for t in positives))


def _van_der_wurff(raw, results) -> Suggestion | None:
    if results.get("faber", NOT_TESTED) == NOT_TESTED:  # the variant only when FABER was recorded
        return None
    positives = [t for t in VAN_DER_WURFF_TESTS if results.get(t) == POSITIVE]
    if len(positives) < 3:
        return None
    tested = _tested(results.get(t, NOT_TESTED) for t in VAN_DER_WURFF_TESTS)
    untested = "" if tested == 5 else f"; only {tested} of 5 tested"
    rule = (f"{len(positives)} of 5 SI tests positive with FABER instead of sacral thrust (van der Wurff: ≥3 of 5 "
            f"positive, sensitivity 0.85, specificity 0.79){untested} [20]")
    return Suggestion("si_joint_dysfunction", f"{SI_TITLE} (van der Wurff, with FABER)", rule,
                      tuple(_label(t, raw[t]) for t in positives))


def _centralised(clusters: list[Suggestion]) -> Suggestion:
    """The positive SI clusters, read for a patient whose pain centralises: outside the group the figures hold for."""
    fired = "; ".join(s.rule.split(" (", 1)[0] for s in clusters)
    evidence = dict.fromkeys(e for s in clusters for e in s.evidence)
    rule = ("Pain centralised on repeated movements. Laslett's SI clusters are read in patients whose pain does not "
            "centralise (3 or more of 5: specificity 0.78, 0.87 once centralisers are excluded) [20]; pain that "
            f"centralises points to a lumbar source rather than the SI joint. Positive here: {fired}")
    return Suggestion("si_joint_dysfunction", "SI joint pain less likely: the pain centralised", rule,
                      ("repeated movements: pain centralised", *evidence), kind="argues_against")


def _si_joint(raw: Mapping, results: dict[str, str]) -> list[Suggestion]:
    centralisation = results.get("centralisation", NOT_TESTED)
    clusters = [s for s in (_laslett_2003(raw, results, centralisation), _laslett_2005(raw, results),
                            _best_two_of_four(raw, results), _van_der_wurff(raw, results)) if s]
    if clusters and centralisation == POSITIVE:
        return [_centralised(clusters)]
    six = _six(raw, results)
    if all(value == NEGATIVE for _name, _evidence, value in six):
        clusters.append(Suggestion(
            condition="si_joint_dysfunction",
            title="SI joint pain unlikely (all provocation tests negative)",
            rule="All 6 SI provocation tests negative, Gaenslen on both sides (Laslett 2005: all 6 negative rules "
                 "the SI joint out) [21]",
            evidence=tuple(f"{name} negative" for name, _evidence, _value in six),
            kind="argues_against",
        ))
    return clusters


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


def _difference(a, b) -> float:
    """a - b without float noise (37.5 - 30.2 is 7.3, not 7.300000000000001)."""
    return float(Decimal(str(a)) - Decimal(str(b)))


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
class GaitNorm:
    """What a gait value is shown against, with its source; `has_norm` False = "no norm", never flagged."""

    text: str
    source: str
    others: tuple[str, ...] = ()
    has_norm: bool = True


@dataclass(frozen=True)
class GaitCheck:
    field: str  # the stored value the check sits beside: "cadence", "step_length_left", "symmetry_step_length"
    value: float
    norm: str
    source: str
    flagged: bool | None  # None: the source gives a typical value but no cut-off; shown for comparison only
    note: str = ""
    parameter: str = ""  # what is compared, when it is not the value itself (e.g. "walking_category")


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


_CATEGORIES = "<0.4 m/s household; 0.4-0.8 limited community; >0.8 community"
_NONE = GaitNorm(NO_NORM, NO_NORM_SOURCE, has_norm=False)
_SYMMETRY = GaitNorm("abs(SI) < 10%", SYMMETRY_SOURCE)


def _by_sex(table: Mapping[str, float], sex: str | None, unit: str) -> str:
    if sex in table:
        return f"{table[sex]:g} {unit} ({'men' if sex == 'male' else 'women'})"
    return f"men {table['male']:g} {unit}, women {table['female']:g} {unit}"


def gait_norms(kind: str, *, age: int | None = None, sex: str | None = None) -> dict[str, GaitNorm]:
    """The norm beside each measure of a gait ("walking"/"running"), keyed by measure and "symmetry_<measure>".

    The reference's norms are all for walking; running values get "no norm" (its cadence of 160-180 is not
    compared with walking's 90-120). Symmetry's cut-off belongs to the index, so it holds for both."""
    if kind not in GAIT_MEASURES:
        raise ValueError(f"unknown gait '{kind}' (known: {', '.join(GAIT_MEASURES)})")
    norms = {m.key: _NONE for m in GAIT_MEASURES[kind]}
    norms.update({f"symmetry_{key}": _SYMMETRY for key in GAIT_SYMMETRY[kind]})
    if kind == "running":
        return norms
    found = gait_speed_norm(age, sex)
    categories = f"Walking categories: {_CATEGORIES} [50]"
    norms["speed"] = (
        GaitNorm(f"{found[0]:.2f} m/s ({found[1]})", GAIT_SPEED_SOURCE, (categories,)) if found
        else GaitNorm("No matching norm", f"needs age 20 or over and sex; {GAIT_SPEED_SOURCE}", (categories,))
    )
    norms["cadence"] = GaitNorm("typical 90-120 steps/min (mean 117)", "Murray [51,52]")
    norms["step_length"] = GaitNorm(_by_sex(STEP_LENGTH_NORMS, sex, "cm"), "Murray [51]")
    norms["stride_length"] = GaitNorm(_by_sex(STRIDE_LENGTH_NORMS, sex, "cm"), "Murray [51]")
    norms["step_width"] = GaitNorm("5-10 cm (men 8.1, women 7.1)", "Murray [51,52]")
    norms["stance"] = GaitNorm("about 60% of the cycle", "[53]", ("stance shortens at faster speeds",))
    return norms


def _from_typical(value: float, typical: float, unit: str) -> str:
    diff = _difference(value, typical)
    where = "below" if diff < 0 else "above" if diff > 0 else "at"
    amount = f"{abs(diff):g} {unit} " if diff else ""
    return f"{amount}{where} the typical {typical:g} {unit}; the source gives no cut-off"


def _walking_checks(values: Mapping, age: int | None, sex: str | None) -> list[GaitCheck]:
    checks = []
    if (speed := values.get("speed")) is not None:
        found = gait_speed_norm(age, sex)
        if found:
            mean, label = found
            diff = round(speed - mean, 2)
            note = f"{abs(diff):.2f} m/s {'below' if diff < 0 else 'at or above'} the mean; the source gives no cut-off"
            checks.append(GaitCheck("speed", speed, f"{mean:.2f} m/s ({label})", GAIT_SPEED_SOURCE, None, note))
        category = walking_category(speed)
        checks.append(GaitCheck("speed", speed, _CATEGORIES, "[50]", category != "community", category,
                                "walking_category"))
    if (cadence := values.get("cadence")) is not None:
        # A typical range, not a cut-off: a brisk walker above 120 is not abnormal.
        note = ("within the typical range" if 90 <= cadence <= 120 else
                "above the typical range, as in brisk walking; not a cut-off" if cadence > 120 else
                "below the typical range; not a cut-off")
        checks.append(GaitCheck("cadence", cadence, "typical 90-120 steps/min (mean 117)", "Murray [51,52]", None,
                                note))
    for key, table in (("step_length", STEP_LENGTH_NORMS), ("stride_length", STRIDE_LENGTH_NORMS)):
        for name in (f"{key}_left", f"{key}_right") if key == "step_length" else (key,):
            if values.get(name) is not None and sex in table:
                checks.append(GaitCheck(name, values[name], _by_sex(table, sex, "cm"), "Murray [51]", None,
                                        _from_typical(values[name], table[sex], "cm")))
    if (width := values.get("step_width")) is not None:
        checks.append(GaitCheck("step_width", width, "5-10 cm (men 8.1, women 7.1)", "Murray [51,52]",
                                not 5 <= width <= 10))
    for name in ("stance_left", "stance_right"):
        if (stance := values.get(name)) is not None:
            note = f"{stance - 60:+.1f} points from 60%; stance shortens at faster speeds; no cut-off in the source"
            checks.append(GaitCheck(name, stance, "about 60% of the cycle", "[53]", None, note))
    return checks


def gait_symmetry(kind: str, values: Mapping) -> dict[str, Symmetry]:
    """The symmetry index of each of the gait's paired measures with both sides recorded."""
    found = {}
    for key in GAIT_SYMMETRY[kind]:
        si = symmetry_index(values.get(f"{key}_right"), values.get(f"{key}_left"))
        if si is not None:
            found[key] = si
    return found


def gait_checks(kind: str, values: Mapping, *, age: int | None = None, sex: str | None = None) -> list[GaitCheck]:
    """Compare each recorded value of a gait with its norm; values without a norm get no check (never flagged).

    `values` is the gait's stored shape ({"cadence": 168, "step_length_left": 120, ...}; GAIT_MEASURES keys,
    sided ones with _left/_right). Symmetry: flagged at abs(SI) of 10% or more (common but arbitrary)."""
    if kind not in GAIT_MEASURES:
        raise ValueError(f"unknown gait '{kind}' (known: {', '.join(GAIT_MEASURES)})")
    checks = _walking_checks(values, age, sex) if kind == "walking" else []
    for key, si in gait_symmetry(kind, values).items():
        asymmetric = abs(si.percent) >= 10
        note = "asymmetric (common but arbitrary 10% cut-off)" if asymmetric else ""
        checks.append(GaitCheck(f"symmetry_{key}", si.percent, "abs(SI) < 10%", SYMMETRY_SOURCE, asymmetric, note))
    return checks


# --- Range of motion ---------------------------------------------------------------------------------


@dataclass(frozen=True)
class ShownNorm:
    """A motion's norm as shown beside it: `low` decides "limited"; a `mean` is for comparison only."""

    text: str
    source: str
    others: tuple[str, ...] = ()
    low: float | None = None
    mean: float | None = None


def _position_text(norm: PositionNorm) -> str:
    parts = [f"{norm.range.text} {norm.range.source}"] if norm.range else []
    if norm.mean is not None:
        parts.append(f"{norm.mean:g}° mean, {norm.mean_source}")
    return "; ".join(parts)


def rom_norm(motion: str, position: str | None = None) -> ShownNorm:
    """The norm of a motion; for hip rotation, the norm of the position it was measured in (none without one)."""
    if motion in ROM_NORMS:
        norm = ROM_NORMS[motion]
        return ShownNorm(norm.text, norm.source, norm.other_sources, low=norm.low)
    if motion not in POSITION_NORMS:
        raise ValueError(f"ROM: unknown motion '{motion}' (known: {', '.join([*ROM_NORMS, *POSITION_NORMS])})")
    by_position, unstated = POSITION_NORMS[motion], POSITION_UNSTATED[motion]
    if position is None:
        others = tuple(f"{POSITIONS[p].lower()}: {_position_text(n)}" for p, n in by_position.items())
        return ShownNorm("Depends on the position", "choose the position it was measured in",
                         (*others, *unstated))
    if position not in POSITIONS:
        raise ValueError(f"ROM: unknown position '{position}' (known: {', '.join(POSITIONS)})")
    name = POSITIONS[position].lower()
    found = by_position.get(position)
    if found is None:
        return ShownNorm(f"No norm when {name}", "the clinical reference gives none in this position", unstated)
    if found.range:
        mean = (f"{found.mean:g}° mean {name}, {found.mean_source}",) if found.mean is not None else ()
        return ShownNorm(found.range.text, found.range.source, (*mean, *unstated), low=found.range.low,
                         mean=found.mean)
    return ShownNorm(f"{found.mean:g}° (mean, {name})", found.mean_source, unstated, mean=found.mean)


@dataclass(frozen=True)
class RomFlag:
    motion: str
    degrees: float
    limited: bool | None  # None: no cut-off to compare with (a mean, no norm, or no position)
    normal_range: str
    source: str
    other_sources: tuple[str, ...]
    note: str = ""


def rom_flag(motion: str, degrees: float, position: str | None = None) -> RomFlag:
    """Whether a motion is limited (below the lower bound of its range, in its position for hip rotation), with
    the norm and source; against a mean only, the note says how far off it is and nothing is flagged."""
    if not _is_number(degrees):
        raise ValueError(f"ROM: degrees must be a number, got {degrees!r}")
    norm = rom_norm(motion, position)
    note = ""
    if norm.low is None and norm.mean is not None:
        diff = _difference(degrees, norm.mean)
        where = f"{abs(diff):g}° below" if diff < 0 else f"{diff:g}° above" if diff > 0 else "at"
        note = f"{where} the {POSITIONS[position].lower()} mean; the source gives no cut-off"
    elif motion in POSITION_NORMS and position is None:
        note = "choose the position to compare with its norm"
    limited = degrees < norm.low if norm.low is not None else None
    return RomFlag(motion, degrees, limited, norm.text, norm.source, norm.others, note)


@dataclass(frozen=True)
class SideDifference:
    degrees: float  # right minus left
    left: float
    right: float

    @property
    def smaller_side(self) -> str | None:
        return "left" if self.degrees > 0 else "right" if self.degrees < 0 else None

    @property
    def text(self) -> str:
        if not self.smaller_side:
            return "no difference"
        return f"{abs(self.degrees):g}° less on the {self.smaller_side}"


def side_difference(left: float | None, right: float | None) -> SideDifference | None:
    """Right minus left, in degrees; None if a side is missing. The reference gives no cut-off for it: shown, never flagged."""
    if left is None or right is None:
        return None
    if not _is_number(left) or not _is_number(right):
        raise ValueError("side_difference: left and right must be numbers")
    return SideDifference(_difference(right, left), left, right)
