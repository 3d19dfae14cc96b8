"""Pure clinical rules: differential suggestions from exam findings, and the intake red-flag screen.

No Django. Rules and figures come from docs/clinical-rules.md (bracketed numbers are its
references). A suggestion shows the rule that fired and its source figures; it never sets a diagnosis.

Findings (input of suggest_differentials), every key optional:
    {
        "special_tests": {
            "distraction": "positive",                              # midline test: one value
            "gaenslen": {"left": "positive", "right": "not_tested"},  # sided test: a value per side
            ...                                                     # keys: SPECIAL_TESTS
        },
        "neuro": {"left": ["ehl_weakness", "reduced_ankle_jerk"], "right": []},  # keys: ROOT_FINDINGS
        "onset_mechanism": "fall",   # "fall" or "accident" mean trauma; anything else is ignored
        "age": 72,
        "long_term_steroids": True,
        "osteoporosis": False,
    }
Test values are "positive", "negative" or "not_tested" (None = not tested). A sided test counts as
positive if either side is positive, and as negative only if every side given is negative.
"""

from collections.abc import Mapping
from dataclasses import dataclass

CONDITIONS = (
    "deep_gluteal_syndrome",
    "piriformis_syndrome",
    "si_joint_dysfunction",
    "sciatica",
    "lumbar_disc",
    "trauma",
    "other",
)

POSITIVE, NEGATIVE, NOT_TESTED = "positive", "negative", "not_tested"

SPECIAL_TESTS = {
    "distraction": "SI distraction",
    "thigh_thrust": "thigh thrust",
    "compression": "SI compression",
    "sacral_thrust": "sacral thrust",
    "gaenslen": "Gaenslen",
    "faber": "FABER (posterior SI pain)",  # groin pain points to the hip: record it as negative here
    "active_piriformis": "active piriformis test",
    "seated_piriformis_stretch": "seated piriformis stretch test",
    "slr": "straight leg raise",
    "slump": "slump test",
    "fair": "FAIR",
    "freiberg": "Freiberg",
    "pace": "Pace",
    "beatty": "Beatty",
}


@dataclass(frozen=True)
class Suggestion:
    condition: str
    title: str
    rule: str
    evidence: tuple[str, ...]
    kind: str = "suggests"  # "suggests", "argues_against" (e.g. all SI tests negative) or "reminder"


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

# Exam finding -> root, from the root screening table [60-63]. Tibialis anterior is left out on purpose:
# charts disagree between L4 and L5.
ROOT_FINDINGS = {
    "medial_leg_numbness": ("L4", "numbness medial leg/calf to the medial malleolus"),
    "quadriceps_weakness": ("L4", "quadriceps (knee extension) weakness"),
    "hip_adductor_weakness": ("L4", "thigh adductor weakness"),
    "reduced_knee_jerk": ("L4", "reduced patellar reflex"),
    "squat_difficulty": ("L4", "difficulty with squat"),
    "lateral_calf_numbness": ("L5", "numbness lateral calf"),
    "dorsum_foot_numbness": ("L5", "numbness dorsum of foot"),
    "great_toe_numbness": ("L5", "numbness great toe / first web space"),
    "ehl_weakness": ("L5", "extensor hallucis longus weakness"),
    "dorsiflexion_weakness": ("L5", "ankle/toe dorsiflexion weakness"),
    "gluteus_medius_weakness": ("L5", "gluteus medius weakness"),
    "peronei_weakness": ("L5", "peronei weakness"),
    "heel_walk_difficulty": ("L5", "difficulty with heel walk"),
    "lateral_foot_numbness": ("S1", "numbness lateral foot"),
    "sole_numbness": ("S1", "numbness sole"),
    "little_toe_numbness": ("S1", "numbness little toe"),
    "posterior_calf_numbness": ("S1", "numbness posterior calf"),
    "plantarflexion_weakness": ("S1", "gastrocnemius/soleus weakness"),
    "gluteus_maximus_weakness": ("S1", "gluteus maximus weakness"),
    "reduced_ankle_jerk": ("S1", "reduced Achilles reflex"),
    "toe_walk_difficulty": ("S1", "difficulty with toe walk"),
}
ROOT_DISC = {"L4": "L3/4", "L5": "L4/5", "S1": "L5/S1"}


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
    by_root: dict[str, list[str]] = {}
    for side, keys in neuro.items():
        for key in keys:
            if key not in ROOT_FINDINGS:
                raise ValueError(f"unknown neuro finding '{key}' (known: {', '.join(ROOT_FINDINGS)})")
            root, text = ROOT_FINDINGS[key]
            by_root.setdefault(root, []).append(f"{side}: {text}")
    levels = "; deficits at more than one level are a red flag (severe neuro)" if len(by_root) > 1 else ""
    return [
        Suggestion(
            condition="lumbar_disc",
            title=f"Possible {root} radiculopathy (usual disc {ROOT_DISC[root]})",
            rule=(
                f"Findings in the {root} distribution (root screening table); a posterolateral disc usually "
                f"affects the traversing root one level below, here the {ROOT_DISC[root]} disc{levels}"
            ),
            evidence=tuple(evidence),
        )
        for root, evidence in sorted(by_root.items())
    ]


# --- Trauma ------------------------------------------------------------------------------------------

TRAUMA_MECHANISMS = ("fall", "accident")


def _trauma(findings: Mapping) -> list[Suggestion]:
    mechanism = findings.get("onset_mechanism")
    if mechanism not in TRAUMA_MECHANISMS:
        return []
    found = [Suggestion("trauma", "Traumatic onset", f"Onset after a {mechanism}", (f"onset: {mechanism}",))]
    age = findings.get("age")
    risks = [f"age {age} (> 70)"] if age is not None and age > 70 else []
    risks += [
        text
        for key, text in (("long_term_steroids", "long-term steroids"), ("osteoporosis", "osteoporosis"))
        if findings.get(key)
    ]
    if risks:
        rule = f"{mechanism.capitalize()} with {', '.join(risks)}: fracture red flag (guideline consensus [33,41])"
        found.append(Suggestion("trauma", "Fracture red flag", rule, tuple(risks), "reminder"))
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
        *_trauma(findings),
    ]


# --- Red flags ---------------------------------------------------------------------------------------

EMERGENCY, URGENT, CONTEXT = "emergency", "urgent", "context"

# Answer key -> (category, label). Every answer is True (present), False or None (not asked).
RED_FLAG_ITEMS = {
    "saddle_numbness": ("cauda_equina", "saddle/perineal numbness"),
    "urinary_retention": ("cauda_equina", "urinary retention"),
    "bladder_change": ("cauda_equina", "new bladder change (hesitancy, poor stream, loss of urge to void)"),
    "bowel_incontinence": ("cauda_equina", "bowel incontinence"),
    "bilateral_sciatica": ("cauda_equina", "sciatica on both sides or bilateral deficit"),
    "worsening_leg_weakness": ("cauda_equina", "worsening leg weakness"),
    "sexual_dysfunction": ("cauda_equina", "sexual dysfunction"),
    "reduced_anal_tone": ("cauda_equina", "reduced anal tone"),
    "previous_cancer": ("malignancy", "previous cancer"),
    "unexplained_weight_loss": ("malignancy", "unexplained weight loss"),
    "no_improvement_1_month": ("malignancy", "no improvement after 1 month"),
    "pain_not_eased_by_rest": ("malignancy", "pain not eased by rest/bed rest"),
    "fever": ("infection", "fever"),
    "iv_drug_use": ("infection", "IV drug use"),
    "immunosuppression": ("infection", "immunosuppression"),
    "recent_infection": ("infection", "recent UTI or other infection"),
    "diabetes": ("infection", "diabetes"),
    "major_trauma": ("fracture", "major trauma (fall from height, road accident)"),
    "minor_trauma": ("fracture", "minor fall or lift"),
    "long_term_steroids": ("fracture", "long-term steroids"),
    "major_motor_weakness": ("severe_neuro", "major motor weakness"),
    "multi_level_deficit": ("severe_neuro", "deficit at more than one level"),
    "progressive_deficit": ("severe_neuro", "progressive deficit"),
}
RED_FLAG_SOURCES = {
    "cauda_equina": "[33-36]: no single finding is reliable alone; urinary retention about 90% sensitive",
    "malignancy": "[37-39]: cancer history Sp 0.98, Sn 0.31; the others help mainly in combination",
    "infection": "[33,40]",
    "fracture": "guideline consensus [33,41]",
    "severe_neuro": "guideline consensus [33,41]",
}
QUALIFIERS = ("osteoporosis",)  # answers that only qualify another item


@dataclass(frozen=True)
class RedFlag:
    category: str
    item: str
    label: str
    urgency: str  # "emergency", "urgent" or "context" (shown, but no alert on its own)
    note: str = ""

    @property
    def source(self) -> str:
        return RED_FLAG_SOURCES[self.category]


def red_flags(answers: Mapping, age: int | None = None) -> list[RedFlag]:
    """Return the red flags present in the intake answers, most urgent first.

    Urgency: any cauda equina item is an emergency, noted "CES with retention" if urinary retention is
    reported, else "incomplete CES" (both emergencies [33-36]). Other items are urgent. Our choice: age
    alone (>= 50 for malignancy, > 70 for fracture) is "context", shown but never alerting by itself,
    because the reference says these flags help mainly in combination [38]; likewise a minor fall or
    lift is urgent only with osteoporosis or age > 70 ("if older or osteoporotic").
    """
    unknown = set(answers) - set(RED_FLAG_ITEMS) - set(QUALIFIERS)
    if unknown:
        raise ValueError(f"unknown red-flag answers: {', '.join(sorted(unknown))}")
    if any(v not in (True, False, None) for v in answers.values()):
        raise ValueError("red-flag answers must be True, False or None")
    present = [key for key in RED_FLAG_ITEMS if answers.get(key) is True]
    ces_note = "CES with retention" if "urinary_retention" in present else "incomplete CES (no retention reported)"
    older = age is not None and age > 70
    flags = []
    for key in present:
        category, label = RED_FLAG_ITEMS[key]
        if category == "cauda_equina":
            flags.append(RedFlag(category, key, label, EMERGENCY, ces_note))
        elif key == "minor_trauma" and not (older or answers.get("osteoporosis")):
            flags.append(RedFlag(category, key, label, CONTEXT, "a red flag if older or osteoporotic"))
        else:
            flags.append(RedFlag(category, key, label, URGENT))
    if age is not None and age >= 50:
        flags.append(RedFlag("malignancy", "age_50_plus", f"age {age} (≥ 50)", CONTEXT, "counts only in combination"))
    if older:
        flags.append(RedFlag("fracture", "age_over_70", f"age {age} (> 70)", CONTEXT, "counts only in combination"))
    order = {EMERGENCY: 0, URGENT: 1, CONTEXT: 2}
    return sorted(flags, key=lambda f: order[f.urgency])


def highest_urgency(flags: list[RedFlag]) -> str | None:
    """Return the most urgent level among the flags ("emergency", "urgent", "context") or None."""
    for level in (EMERGENCY, URGENT, CONTEXT):
        if any(f.urgency == level for f in flags):
            return level
    return None
