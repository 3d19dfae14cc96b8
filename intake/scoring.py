"""Pure scoring functions of the outcome measures: ODI, NPRS, PSFS and their change (MCID) rules.

No Django. Figures come from docs/clinical-rules.md; each norm carries its source text so
the screen can show it beside the value. Bracketed numbers ([5], [48]...) are that file's references.
"""

from collections.abc import Mapping
from dataclasses import dataclass
from decimal import ROUND_HALF_UP, Decimal

# --- MCID constants for plot bands ----------------------------------------------------------------

ODI_MCID = 10
ODI_MCID_SOURCE = "Consensus: 10 points or 30% improvement from baseline (Ostelo, Spine 2008) [5]"
NPRS_MCID = 2
NPRS_MCID_SOURCE = (
    "Consensus: 2 points or 30% improvement (Ostelo, Spine 2008) [5]; MDC 2, MCID 2.2 at 1 week and "
    "1.5 at 4 weeks (Childs, Spine 2005) [11]"
)
PSFS_MCID = 2
PSFS_MCID_SOURCE = "MDC90 2 points on the mean score, 3 on a single activity (PSFS form) [14]"


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


# --- Change over time (higher ODI/NPRS = worse; higher PSFS = better) -------------------------------


def _check_range(name: str, value, low, high) -> Decimal:
    if not _is_number(value) or not low <= value <= high:
        raise ValueError(f"{name}: score must be a number {low}-{high}, got {value!r}")
    return Decimal(str(value))  # exact decimals so 30% of 35.6 compares without float noise


def odi_change_is_meaningful(baseline: float, follow_up: float) -> bool:
    """True if the ODI improved by at least 10 points or 30% of baseline (Ostelo 2008 consensus [5])."""
    before, after = _check_range("ODI", baseline, 0, 100), _check_range("ODI", follow_up, 0, 100)
    improvement = before - after
    return improvement > 0 and (improvement >= ODI_MCID or improvement >= before * Decimal("0.3"))


def nprs_mcid_for_baseline(baseline: int) -> int | None:
    """Return the baseline-dependent NPRS MCID: 1 (baseline 1-4), 2 (5-7), 3 (8-10); None at 0."""
    nprs_band(baseline)  # validates
    # The source gives 3-4 for baselines 8-10; we use its lower bound, 3.
    return None if baseline == 0 else 1 if baseline <= 4 else 2 if baseline <= 7 else 3


def nprs_change_is_meaningful(baseline: int, follow_up: int) -> bool:
    """True if pain fell by at least the baseline-dependent MCID.

    Rule: 1 point for baseline 1-4, 2 for 5-7, 3-4 for 8-10 (we use 3) [12: thieme-connect
    10.1055/a-1304-3677]. Chosen over the consensus "2 points or 30%" (Ostelo 2008 [5]) because it
    accounts for the baseline; NPRS_MCID (2) stays the consensus value for plot bands.
    """
    needed = nprs_mcid_for_baseline(baseline)
    nprs_band(follow_up)  # validates
    return needed is not None and baseline - follow_up >= needed


def psfs_change_is_meaningful(baseline: float, follow_up: float) -> bool:
    """True if the PSFS mean rose by at least the MDC90 of 2 points [14]."""
    before, after = _check_range("PSFS", baseline, 0, 10), _check_range("PSFS", follow_up, 0, 10)
    return after - before >= PSFS_MCID
