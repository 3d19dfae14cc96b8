"""Pure clinical rules of the intake questionnaire: the red-flag screen.

No Django. Rules and figures come from docs/clinical-rules.md (bracketed numbers are its
references). The exam's own rules (differential suggestions, norms) are in exams.rules.
"""

from collections.abc import Mapping
from dataclasses import dataclass

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
