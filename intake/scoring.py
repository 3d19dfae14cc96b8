"""Pure scoring functions of the outcome measures: ODI, NPRS, PSFS, summed instruments (LEFS), and how a change
over time is judged (the same threshold for improvement and worsening, never below measurement error).

No Django. Figures come from docs/clinical-rules.md; each norm carries its source text so
the screen can show it beside the value. Bracketed numbers ([5], [48]...) are that file's references.
"""

from collections.abc import Mapping
from dataclasses import dataclass
from decimal import ROUND_HALF_UP, Decimal

# --- Change thresholds (product decisions: a meaningful change is never smaller than measurement error) ------

ODI_THRESHOLD = 10
ODI_THRESHOLD_SOURCE = (
    "At least 10 points, the consensus absolute figure (Ostelo, Spine 2008) [5]; its 30% of baseline is shown "
    "beside it as context only"
)
ODI_CONTEXT_PERCENT = 30
NPRS_THRESHOLD = 2  # the floor: max(2 points, 30% of the baseline), in whole points (nprs_threshold)
NPRS_THRESHOLD_SOURCE = (
    "At least max(2 points, 30% of baseline) in whole points: 2 for baselines up to 6, 3 for 7-10 "
    "(MDC 2, Childs, Spine 2005 [11]; consensus, Ostelo 2008 [5]; baseline rule [12])"
)
PSFS_THRESHOLD = 2
PSFS_ACTIVITY_THRESHOLD = 3
PSFS_THRESHOLD_SOURCE = "At least 2 points on the mean score, 3 on a single activity (MDC90, PSFS form) [14]"
LEFS_THRESHOLD = 9  # the floor of a LEFS file's change_threshold: MDC and MCID 9 (Binkley, Phys Ther 1999) [16]


def _is_int(value) -> bool:
    return isinstance(value, int) and not isinstance(value, bool)


def _is_number(value) -> bool:
    return isinstance(value, int | float) and not isinstance(value, bool)


def _round1(numerator, denominator) -> float:
    """Divide and round half up to one decimal (round() would send 1.25 to 1.2)."""
    quotient = Decimal(str(numerator)) / Decimal(str(denominator))
    return float(quotient.quantize(Decimal("0.1"), rounding=ROUND_HALF_UP))


# --- ODI ---------------------------------------------------------------------------------------------

ODI_SECTION_COUNT = 10
# Fewer answered sections than this make a score the intake asks to complete and the exam marks as uncertain.
ODI_MIN_ANSWERED = 8
# Upper bound of each band, inclusive. The reference bands are integers (0-20, 21-40...); a fractional
# percentage belongs to the lowest band whose upper bound it does not exceed: 20.0 minimal, 20.5 moderate.
ODI_BANDS = ((20, "minimal"), (40, "moderate"), (60, "severe"), (80, "crippled"), (100, "bed-bound or exaggerating"))
ODI_BANDS_SOURCE = "0-20 minimal, 21-40 moderate, 41-60 severe, 61-80 crippled, 81-100 bed-bound or exaggerating [2,4]"


@dataclass(frozen=True)
class OdiResult:
    percent: float
    points: int
    sections_answered: int
    band: str
    low_confidence: bool  # fewer than 8 sections answered: valid in theory, rare in practice [3]


def _odi_value(value) -> int | None:
    if value is None:
        return None
    if not _is_int(value) or not 0 <= value <= 5:
        raise ValueError(f"ODI: each section value must be an integer 0-5 or None, got {value!r}")
    return value


def _odi_section(value) -> int | None:
    if isinstance(value, list | tuple):
        ticked = [v for v in map(_odi_value, value) if v is not None]
        return max(ticked) if ticked else None  # two boxes ticked: the developer says use the higher [3]
    return _odi_value(value)


def odi_band(percent: float) -> str:
    """Return the ODI band for a percentage 0-100."""
    for upper, band in ODI_BANDS:
        if 0 <= percent <= upper:
            return band
    raise ValueError(f"ODI: percent must be 0-100, got {percent}")


def odi_score(answers: Mapping | list | tuple) -> OdiResult:
    """Score the ODI: sum / (5 x sections answered) x 100; None = skipped, a list = several boxes ticked."""
    values = list(answers.values()) if isinstance(answers, Mapping) else list(answers)
    if isinstance(answers, Mapping) and len(values) > ODI_SECTION_COUNT:
        raise ValueError(f"ODI: at most {ODI_SECTION_COUNT} sections, got {len(values)}")
    if not isinstance(answers, Mapping) and len(values) != ODI_SECTION_COUNT:
        raise ValueError(f"ODI: expected {ODI_SECTION_COUNT} section values (None for skipped), got {len(values)}")
    answered = [v for v in map(_odi_section, values) if v is not None]
    if not answered:
        raise ValueError("ODI: no sections answered")
    points = sum(answered)
    percent = _round1(points * 100, 5 * len(answered))
    return OdiResult(percent, points, len(answered), odi_band(percent), len(answered) < ODI_MIN_ANSWERED)


# --- NPRS --------------------------------------------------------------------------------------------


def nprs_band(score: int) -> str:
    """Return none (0), mild (1-3), moderate (4-6) or severe (7-10) [10]."""
    if not _is_int(score) or not 0 <= score <= 10:
        raise ValueError(f"NPRS: score must be an integer 0-10, got {score!r}")
    return "none" if score == 0 else "mild" if score <= 3 else "moderate" if score <= 6 else "severe"


# --- PSFS --------------------------------------------------------------------------------------------


@dataclass(frozen=True)
class PsfsResult:
    mean: float
    activities: int
    few_activities: bool  # fewer than the 3 the form asks for: scored, but flag it


def psfs_score(ratings: Mapping | list | tuple) -> PsfsResult:
    """Return the mean of 1-5 activity ratings (each 0-10); a mapping is activity -> rating, None = unrated."""
    values = [v for v in (ratings.values() if isinstance(ratings, Mapping) else ratings) if v is not None]
    if not 1 <= len(values) <= 5:
        raise ValueError(f"PSFS: expected 1-5 rated activities, got {len(values)}")
    if any(not _is_int(v) or not 0 <= v <= 10 for v in values):
        raise ValueError("PSFS: each rating must be an integer 0-10")
    return PsfsResult(_round1(sum(values), len(values)), len(values), len(values) < 3)


# --- Summed instruments (LEFS or any measure loaded with the sum rule) -------------------------------------


def sum_score(answers: Mapping, items: Mapping[str, tuple[int, ...]]) -> int:
    """Sum the answer values; `items` maps each item key to its allowed values. Every item must be answered:
    the rule for skipped LEFS items is unconfirmed, so a summed score is never computed from part of the form."""
    missing = [key for key in items if answers.get(key) is None]
    if missing:
        raise ValueError(f"sum: every item must be answered, missing {', '.join(missing)}")
    for key, values in items.items():
        if answers[key] not in values or not _is_int(answers[key]):
            raise ValueError(f"sum: {key} must be one of {values}, got {answers[key]!r}")
    return sum(answers[key] for key in items)


def band_for(value: float, bands) -> str:
    """The label of the first band (up_to, label) whose upper bound `value` does not exceed; "" without bands."""
    return next((label for up_to, label in bands if value <= up_to), "")


# --- Change over time ---------------------------------------------------------------------------------------
# Improvement and worsening are judged the same way: a change is meaningful when its size is at least the
# measure's threshold. The plot's shaded band is baseline +/- the same threshold, so a point on its edge is
# meaningful and a point inside it is not.

IMPROVED, WORSENED, WITHIN_ERROR = "improved", "worsened", "within measurement error"


@dataclass(frozen=True)
class Change:
    change: float  # follow-up minus baseline
    threshold: float
    meaningful: bool
    verdict: str  # IMPROVED, WORSENED or WITHIN_ERROR
    context: str = ""  # shown beside the verdict, never used to make it (the ODI's 30%)

    @property
    def worsened(self) -> bool:
        return self.verdict == WORSENED


def _check_range(name: str, value, low, high) -> Decimal:
    if not _is_number(value) or not low <= value <= high:
        raise ValueError(f"{name}: score must be a number {low}-{high}, got {value!r}")
    return Decimal(str(value))  # exact decimals: 40.0 - 30.0 is exactly 10, at the threshold


def judge_change(baseline, follow_up, *, threshold, higher_is_better: bool, low, high, name="score",
                 context="") -> Change:
    """Judge a change from baseline: meaningful when abs(change) >= threshold, improved or worsened by direction."""
    before, after = _check_range(name, baseline, low, high), _check_range(name, follow_up, low, high)
    delta = after - before
    meaningful = abs(delta) >= Decimal(str(threshold))
    if not meaningful:
        verdict = WITHIN_ERROR
    else:
        verdict = IMPROVED if (delta > 0) == higher_is_better else WORSENED
    return Change(float(delta), threshold, meaningful, verdict, context)


def nprs_threshold(baseline: int) -> int:
    """The NPRS change that counts: max(2, 30% of baseline) rounded up to whole points (2 up to 6, 3 for 7-10)."""
    nprs_band(baseline)  # validates
    return max(NPRS_THRESHOLD, -(-baseline * 3 // 10))


def nprs_change(baseline: int, follow_up: int) -> Change:
    nprs_band(follow_up)  # validates: whole points only
    return judge_change(baseline, follow_up, threshold=nprs_threshold(baseline), higher_is_better=False, low=0,
                        high=10, name="NPRS")


def odi_change(baseline: float, follow_up: float) -> Change:
    """At least 10 points either way [5]; 30% of the baseline is given as context, since alone it would call
    5 -> 3.5 meaningful."""
    before = _check_range("ODI", baseline, 0, 100)
    share = before * ODI_CONTEXT_PERCENT / 100
    context = f"context only: {ODI_CONTEXT_PERCENT}% of the baseline would be {_round1(share, 1):g} points"
    return judge_change(baseline, follow_up, threshold=ODI_THRESHOLD, higher_is_better=False, low=0, high=100,
                        name="ODI", context=context)


def psfs_change(baseline: float, follow_up: float) -> Change:
    """The PSFS mean: at least 2 points either way (MDC90) [14]."""
    return judge_change(baseline, follow_up, threshold=PSFS_THRESHOLD, higher_is_better=True, low=0, high=10,
                        name="PSFS")


def psfs_activity_change(baseline: int, follow_up: int) -> Change:
    """One PSFS activity: at least 3 points either way (MDC90 for a single activity) [14]."""
    return judge_change(baseline, follow_up, threshold=PSFS_ACTIVITY_THRESHOLD, higher_is_better=True, low=0,
                        high=10, name="PSFS activity")


def change_for(rule_name: str, baseline, follow_up, *, threshold=None, higher_is_better=None, low=None,
               high=None) -> Change:
    """Judge a change by an instrument's rule: the shipped ones by name, a summed one by its file's figures."""
    if rule_name == "nprs":
        return nprs_change(int(baseline), int(follow_up))
    if rule_name == "odi":
        return odi_change(baseline, follow_up)
    if rule_name == "psfs":
        return psfs_change(baseline, follow_up)
    return judge_change(baseline, follow_up, threshold=threshold, higher_is_better=higher_is_better, low=low,
                        high=high)


def threshold_for(rule_name: str, baseline, default):
    """The threshold a plot's band uses around `baseline`: the same one `change_for` judges its points by."""
    return nprs_threshold(int(baseline)) if rule_name == "nprs" else default
