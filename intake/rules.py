"""Pure clinical rules of the intake questionnaire: the red-flag screen.

No Django. Rules and figures come from docs/clinical-rules.md (bracketed numbers are its
references). The exam's own rules (differential suggestions, norms) are in exams.rules.
"""

from collections.abc import Mapping
from dataclasses import dataclass

# --- Red flags ---------------------------------------------------------------------------------------

EMERGENCY, URGENT, CONTEXT = "emergency", "urgent", "context"

# Answer key -> (category, label). Every answer is True (present), False or None (not asked). The intake asks
# what a patient can report; the exam adds what it finds (reduced anal tone, deficits at levels or sides).
RED_FLAG_ITEMS = {
    "saddle_numbness": ("cauda_equina", "new or worsening saddle/perineal numbness"),
    "urinary_retention": ("cauda_equina", "urinary retention"),
    "bladder_change": ("cauda_equina", "new bladder change (hesitancy, poor stream, loss of urge to void)"),
    "bowel_incontinence": ("cauda_equina", "new bowel incontinence"),
    "bilateral_sciatica": ("cauda_equina", "new or worsening leg symptoms on both sides"),
    "worsening_leg_weakness": ("cauda_equina", "worsening leg weakness"),
    "sexual_dysfunction": ("cauda_equina", "new sexual dysfunction"),
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
    "osteoporosis": ("fracture", "osteoporosis"),
    "major_motor_weakness": ("severe_neuro", "major motor weakness"),
    "multi_level_deficit": ("severe_neuro", "deficit at more than one level"),
    "bilateral_deficit": ("severe_neuro", "neurological deficit on both sides"),
    "progressive_deficit": ("severe_neuro", "progressive deficit"),
}
RED_FLAG_SOURCES = {
    "cauda_equina": "[33-36]: no single finding is reliable alone; urinary retention about 90% sensitive",
    "malignancy": "[37-39]: cancer history Sp 0.98, Sn 0.31; the others help mainly in combination",
    "infection": "[33,40]",
    "fracture": "guideline consensus [33,41]",
    "severe_neuro": "guideline consensus [33,41]",
}

# Product decisions (docs/clinical-rules.md, "Red flags"): context items alert only in these combinations.
# Age is not an answer: "age_50_plus" and "age_over_70" are derived from the age at the visit.
CAUDA_EQUINA = tuple(key for key, (category, _label) in RED_FLAG_ITEMS.items() if category == "cauda_equina")
CONTEXT_ITEMS = ("age_50_plus", "no_improvement_1_month", "pain_not_eased_by_rest", "diabetes", "recent_infection",
                 "long_term_steroids", "age_over_70", "minor_trauma", "osteoporosis")


@dataclass(frozen=True)
class Combination:
    """Context items that alert together: all of `required`, and at least `at_least` of `any_of`."""

    key: str
    text: str
    required: tuple[str, ...] = ()
    any_of: tuple[str, ...] = ()
    at_least: int = 0

    def fires(self, present) -> bool:
        return all(k in present for k in self.required) and sum(k in present for k in self.any_of) >= self.at_least

    def members(self) -> tuple[str, ...]:
        return self.required + self.any_of


COMBINATIONS = (
    Combination("malignancy", "any two of age 50 or over, no improvement after a month and pain not eased by "
                "rest (the malignancy pattern [37,39])",
                any_of=("age_50_plus", "no_improvement_1_month", "pain_not_eased_by_rest"), at_least=2),
    Combination("infection", "diabetes with a recent UTI or other infection [33,40]",
                required=("diabetes", "recent_infection")),
    Combination("fracture", "a minor fall or lift with age over 70, osteoporosis or long-term steroids [33,41]",
                required=("minor_trauma",), any_of=("age_over_70", "osteoporosis", "long_term_steroids"), at_least=1),
)


@dataclass(frozen=True)
class RedFlag:
    category: str
    item: str
    label: str
    urgency: str  # "emergency", "urgent" or "context" (listed, but no alert)
    note: str = ""
    rule: str = ""  # the rule that raised or withheld the alert, for the clinician

    @property
    def source(self) -> str:
        return RED_FLAG_SOURCES[self.category]


def _cauda_equina(key, label, present) -> RedFlag:
    """Every cauda equina item is an emergency, except leg symptoms on both sides with no other sign: urgent,
    the same day. Retention or not is noted: incomplete CES and CES with retention are both emergencies [33-36]."""
    others = [k for k in present if k in CAUDA_EQUINA and k != "bilateral_sciatica"]
    if key == "bilateral_sciatica" and not others:
        return RedFlag("cauda_equina", key, label, URGENT, "same day",
                       "leg symptoms on both sides alone: urgent, seen the same day (not an emergency)")
    note = "CES with retention" if "urinary_retention" in present else "incomplete CES (no retention reported)"
    rule = ("with other cauda equina signs: emergency" if key == "bilateral_sciatica"
            else "cauda equina sign: an emergency on its own")
    return RedFlag("cauda_equina", key, label, EMERGENCY, note, rule)


def _context(category, key, label, present) -> RedFlag:
    combos = [c for c in COMBINATIONS if key in c.members()]
    fired = [c for c in combos if c.fires(present)]
    if fired:
        return RedFlag(category, key, label, URGENT, "in combination",
                       "urgent in combination: " + "; ".join(c.text for c in fired))
    return RedFlag(category, key, label, CONTEXT, "",
                   "context alone, no alert; it alerts in combination: " + "; or ".join(c.text for c in combos))


def red_flags(answers: Mapping, age: int | None = None) -> list[RedFlag]:
    """Every red flag present in the answers, most urgent first, each with the rule that raised or withheld
    the alert (docs/clinical-rules.md, product decisions).

    Alone: every cauda equina item (an emergency; leg symptoms on both sides alone are urgent), previous cancer,
    unexplained weight loss, fever, IV drug use, immunosuppression, major trauma, major or progressive weakness,
    a deficit at more than one level or on both sides (urgent). Context (listed, no alert) unless in one of
    COMBINATIONS: age 50 or over (50 counts), no improvement after a month, pain not eased by rest, diabetes,
    recent infection, long-term steroids, age over 70 (71 and older), a minor fall or lift, osteoporosis.
    """
    unknown = set(answers) - set(RED_FLAG_ITEMS)
    if unknown:
        raise ValueError(f"unknown red-flag answers: {', '.join(sorted(unknown))}")
    if any(v not in (True, False, None) for v in answers.values()):
        raise ValueError("red-flag answers must be True, False or None")
    present = [key for key in RED_FLAG_ITEMS if answers.get(key) is True]
    labels = {key: RED_FLAG_ITEMS[key] for key in present}
    if age is not None and age >= 50:
        present.append("age_50_plus")
        labels["age_50_plus"] = ("malignancy", f"age {age} (50 or over)")
    if age is not None and age > 70:
        present.append("age_over_70")
        labels["age_over_70"] = ("fracture", f"age {age} (over 70)")
    flags = []
    for key in present:
        category, label = labels[key]
        if category == "cauda_equina":
            flags.append(_cauda_equina(key, label, present))
        elif key in CONTEXT_ITEMS:
            flags.append(_context(category, key, label, present))
        else:
            flags.append(RedFlag(category, key, label, URGENT, "", "alerts on its own"))
    order = {EMERGENCY: 0, URGENT: 1, CONTEXT: 2}
    return sorted(flags, key=lambda f: order[f.urgency])


def highest_urgency(flags: list[RedFlag]) -> str | None:
    """Return the most urgent level among the flags ("emergency", "urgent", "context") or None."""
    for level in (EMERGENCY, URGENT, CONTEXT):
        if any(f.urgency == level for f in flags):
            return level
    return None


def alerting(flags: list[RedFlag]) -> str | None:
    """The alert the flags raise: "emergency", "urgent" or None (context alone raises none)."""
    level = highest_urgency(flags)
    return level if level in (EMERGENCY, URGENT) else None


def as_stored(flag: RedFlag) -> dict:
    """A flag as an alert stores it (RedFlagAlert.flags)."""
    return {"category": flag.category, "item": flag.item, "label": flag.label, "urgency": flag.urgency,
            "note": flag.note, "rule": flag.rule, "source": flag.source}
