"""Pure scoring functions: ODI, NPRS, PSFS, change (MCID) rules, gait checks and ROM norms.

No Django. Figures come from /work/shared/clinical-reference.md; each norm carries its source text so
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


# --- Gait --------------------------------------------------------------------------------------------

SYMMETRY_FORMULA = "SI = (R - L) / (0.5 x (R + L)) x 100"
SYMMETRY_SOURCE = "Herzog 1989 [55,56]; 0 = symmetric, positive = right larger; the 10% cut-off is arbitrary"


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


# Bohannon & Andrews 2011 comfortable gait speed (m/s) by age band; 1.43 and 0.94 are confirmed in the
# abstract, the other cells come from a secondary table [48,49].
GAIT_SPEED_SOURCE = "Bohannon & Andrews 2011 meta-analysis, comfortable speed [48,49]"
GAIT_SPEED_NORMS = {
    "male": {20: 1.36, 30: 1.43, 40: 1.43, 50: 1.43, 60: 1.34, 70: 1.26, 80: 0.97},
    "female": {20: 1.34, 30: 1.34, 40: 1.39, 50: 1.31, 60: 1.24, 70: 1.13, 80: 0.94},
}


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
class RomNorm:
    low: float
    high: float
    source: str
    other_sources: tuple[str, ...] = ()

    @property
    def text(self) -> str:
        return f"{self.low:g}°" if self.low == self.high else f"{self.low:g}-{self.high:g}°"


_AFP = "AFP exam (Wilson 2014) [42]"
_AAOS = 'often quoted "AAOS-style", unconfirmed [43]'
_KOUYOUMDJIAN = "measured adults 20-60 (Kouyoumdjian 2012) [44]"
_LUMBAR = "commonly quoted; AMA Guides attribution unconfirmed [46]"
_MAGEE = "Magee [47]"

# The primary range decides "limited"; sources disagree, so the others travel with it for display.
ROM_NORMS = {
    "hip_flexion": RomNorm(110, 120, _AFP, (f"110-130° {_AAOS}",)),
    "hip_extension": RomNorm(10, 15, _AFP, (f"15-30° {_AAOS}",)),
    "hip_abduction": RomNorm(30, 50, _AFP, (f"45-50° {_AAOS}",)),
    "hip_adduction": RomNorm(20, 30, _AFP, (f"20-45° {_AAOS}",)),
    "hip_internal_rotation": RomNorm(
        30, 40, f"{_AFP}, hip at 90°", (f"40-45° {_AAOS}", f"29.6 supine, 35.2 prone, 37.9 seated, {_KOUYOUMDJIAN}")
    ),
    "hip_external_rotation": RomNorm(40, 60, _AFP, (f"45° {_AAOS}", f"38.5 supine, 41.8 prone, {_KOUYOUMDJIAN}")),
    "lumbar_flexion": RomNorm(60, 60, _LUMBAR, (f"40-60° {_MAGEE}",)),
    "lumbar_extension": RomNorm(25, 25, _LUMBAR, (f"20-35° {_MAGEE}",)),
    "lumbar_side_bending": RomNorm(
        25, 25, f"each way, {_LUMBAR}", (f"20-30° {_MAGEE}", "15-20° (another source) [47]")
    ),
}


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
