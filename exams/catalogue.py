"""The exam's catalogues: special tests, neuro root findings, range-of-motion and gait norms, and
ultrasound structures, each with the labels and source figures shown beside the fields.

No Django (the diagnoses' labels are marked for translation). Figures come from docs/clinical-rules.md
(bracketed numbers are its references); the forms (exams.forms) draw fields from these tables and the rules
(exams.rules) read them.
"""

from dataclasses import dataclass

from . import diagnoses

# --- Diagnoses ---------------------------------------------------------------------------------------

# The working diagnoses a clinician picks from, with their ICD-10-CM codes, are in exams.diagnoses; the
# suggestions (exams.rules) name the same conditions.
DIAGNOSES = {d.key: d.label for d in diagnoses.TABLE}

# --- Special tests -----------------------------------------------------------------------------------

POSITIVE, NEGATIVE, NOT_TESTED = "positive", "negative", "not_tested"

SPECIAL_TESTS = {
    "centralisation": "repeated movements: centralisation",
    "distraction": "SI distraction",
    "thigh_thrust": "thigh thrust",
    "compression": "SI compression",
    "sacral_thrust": "sacral thrust",
    "gaenslen": "Gaenslen",
    "faber": "FABER (posterior SI pain)",  # groin pain points to the hip: recorded as faber_groin
    "faber_groin": "FABER (groin pain)",
    "fadir": "FADIR",
    "single_leg_stance": "single-leg stance, 30 seconds",
    "resisted_external_derotation": "resisted external derotation",
    "puranen_orava": "Puranen-Orava test",
    "bent_knee_stretch": "bent-knee stretch test",
    "modified_bent_knee_stretch": "modified bent-knee stretch test",
    "long_stride_walk": "long-stride walking test",
    "ifi_test": "ischiofemoral impingement (IFI) test",
    "active_piriformis": "active piriformis test",
    "seated_piriformis_stretch": "seated piriformis stretch test",
    "fair": "FAIR",
    "freiberg": "Freiberg",
    "pace": "Pace",
    "beatty": "Beatty",
    "slr": "straight leg raise",
    "crossed_slr": "crossed straight leg raise",
    "slump": "slump test",
    "tender_greater_trochanter": "tenderness: greater trochanter",
    "tender_ischial_tuberosity": "tenderness: ischial tuberosity",
    "tender_sciatic_notch": "tenderness: sciatic notch (piriformis)",
    "tender_long_dorsal_ligament": "tenderness: long dorsal SI ligament",
    "tender_sacrum": "tenderness: sacrum",
    "tender_coccyx": "tenderness: coccyx",
}

POSITIVE_NEGATIVE = ("Positive", "Negative")
TENDER = ("Tender", "Not tender")


@dataclass(frozen=True)
class TestInfo:
    key: str
    sided: bool
    figures: str
    words: tuple[str, str] = POSITIVE_NEGATIVE  # how "positive" and "negative" read for this test

    @property
    def label(self):
        return SPECIAL_TESTS[self.key][:1].upper() + SPECIAL_TESTS[self.key][1:]


_NOT_IN_REFERENCE = "no figures in the clinic's reference"

# Figures from the clinical reference, section 2, and the sources added for the tests it does not cover
# (bracketed numbers are docs/clinical-rules.md's; "unconfirmed": read in a secondary source only).
TEST_GROUPS = (
    ("Lumbar repeated movements (before the SI tests)", (
        TestInfo("centralisation", False, "Positive = the pain centralises (moves toward the spine) with repeated "
                                          "movements. The SI cluster's specificity is 0.78, 0.87 once patients "
                                          "whose pain centralises are excluded (Laslett) [20]",
                 ("Centralises", "Does not centralise")),
    )),
    ("SI joint provocation (Laslett: 3 or more of 5; 3 or more of 6 with Gaenslen left and right apart; "
     "any 2 of the first 4)", (
        TestInfo("distraction", False, "Sn .60, Sp .81 [22]"),
        TestInfo("thigh_thrust", True, "Sn .88, Sp .69 [22]"),
        TestInfo("compression", False, "Sn .69, Sp .69 [22]"),
        TestInfo("sacral_thrust", False, "Sn .63, Sp .75 [22]"),
        TestInfo("gaenslen", True, "Sn .53, Sp .71 [22]; left and right count as two tests in the 6-test rule [21]"),
    )),
    ("Hip joint and SI", (
        TestInfo("faber", True, "Positive = posterior SI pain. Sn 0.35-0.69, Sp 0.16-1.00 across studies [22,23]"),
        TestInfo("faber_groin", True, f"Groin pain points to the hip joint rather than the SI joint [22,23]; "
                                      f"{_NOT_IN_REFERENCE} for the hip"),
        TestInfo("fadir", True, f"Flexion, adduction, internal rotation; positive = the familiar groin or hip pain "
                                f"(FAI, labral tear); {_NOT_IN_REFERENCE}"),
    )),
    ("Gluteal tendinopathy (greater trochanteric pain)", (
        TestInfo("single_leg_stance", True, "Positive = the familiar lateral hip pain within 30 seconds. Lequesne "
                                            "2008 (17 patients against MRI, with controls): Sn 1.00, Sp 0.97 [72]; "
                                            "Grimaldi 2017: Sn 0.38, Sp 1.00 (unconfirmed) [73]"),
        TestInfo("resisted_external_derotation", True, "Positive = the familiar lateral hip pain. Lequesne 2008: "
                                                       "Sn 0.88, Sp 0.97 (supine) [72]"),
    )),
    ("Proximal hamstring (tendinopathy or avulsion)", (
        TestInfo("puranen_orava", True, "Cacchio 2012 (92 athletes, MRI-confirmed): Sn 0.76, Sp 0.82 "
                                        "(unconfirmed) [74]"),
        TestInfo("bent_knee_stretch", True, "Cacchio 2012: Sn 0.84, Sp 0.87 (unconfirmed) [74]"),
        TestInfo("modified_bent_knee_stretch", True, "Cacchio 2012: Sn 0.89, Sp 0.91, the most valid of the three "
                                                     "[74]; figures unconfirmed"),
    )),
    ("Ischiofemoral impingement", (
        TestInfo("long_stride_walk", True, "Positive = buttock pain lateral to the ischium on long strides, eased on "
                                           "short ones. Gómez-Hoyos 2016: Sn 0.95, Sp 0.84 (unconfirmed) [75]"),
        TestInfo("ifi_test", True, "Positive = the familiar pain with the hip extended in adduction, eased in "
                                   f"abduction. Gómez-Hoyos 2016 [75]; {_NOT_IN_REFERENCE}"),
    )),
    ("Deep gluteal and piriformis", (
        TestInfo("active_piriformis", True, "Sn 0.78, Sp 0.80 (Martin 2014, n=33) [24]"),
        TestInfo("seated_piriformis_stretch", True, "Sn 0.52, Sp 0.90, LR+ 5.22 [24,25]"),
        TestInfo("fair", True, "Sn 0.88, Sp 0.83 for the electrodiagnostic version (H-reflex delay), "
                               "not the bedside test [27]"),
        TestInfo("freiberg", True, "Pain on passive internal rotation of the extended thigh; accuracy unconfirmed [28]"),
        TestInfo("pace", True, "Pain on resisted abduction and external rotation, seated; accuracy unconfirmed [28]"),
        TestInfo("beatty", True, "Active abduction of the flexed thigh, side-lying; accuracy unconfirmed [28]"),
    )),
    ("Neural tension", (
        TestInfo("slr", True, "Disc herniation (surgical reference): Sn 0.90, Sp 0.23 [29]; against MRI: "
                              "Sn 0.36, Sp 0.74 [30]"),
        TestInfo("crossed_slr", True, "Raising the other leg brings on the familiar leg pain: record it on the "
                                      "painful side. Disc herniation (surgical reference): Sn 0.29, Sp 0.88 "
                                      "(Devillé 2000, pooled) [76]"),
        TestInfo("slump", True, "Sn 0.84, Sp 0.83 (Majlesi 2008; a secondary appraisal reports them swapped) [31]"),
    )),
    ("Palpation (tender = the familiar pain on pressure)", (
        TestInfo("tender_greater_trochanter", True, f"Points to gluteal tendinopathy; {_NOT_IN_REFERENCE}", TENDER),
        TestInfo("tender_ischial_tuberosity", True, f"Points to the proximal hamstring; {_NOT_IN_REFERENCE}", TENDER),
        TestInfo("tender_sciatic_notch", True, f"Points to the deep gluteal space; {_NOT_IN_REFERENCE}", TENDER),
        TestInfo("tender_long_dorsal_ligament", True, f"Just below the posterior superior iliac spine; "
                                                      f"{_NOT_IN_REFERENCE}", TENDER),
        TestInfo("tender_sacrum", True, f"Over the sacral ala: think of a stress fracture; {_NOT_IN_REFERENCE}",
                 TENDER),
        TestInfo("tender_coccyx", False, f"Points to coccydynia; {_NOT_IN_REFERENCE}", TENDER),
    )),
)
TESTS = {info.key: info for _, infos in TEST_GROUPS for info in infos}
assert set(TESTS) == set(SPECIAL_TESTS)

# --- Neuro screen ------------------------------------------------------------------------------------

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

# --- Range of motion ---------------------------------------------------------------------------------

MOTIONS = {
    "hip_flexion": ("Hip flexion", True),
    "hip_extension": ("Hip extension", True),
    "hip_abduction": ("Hip abduction", True),
    "hip_adduction": ("Hip adduction", True),
    "hip_internal_rotation": ("Hip internal rotation", True),
    "hip_external_rotation": ("Hip external rotation", True),
    "lumbar_flexion": ("Lumbar flexion", False),
    "lumbar_extension": ("Lumbar extension", False),
    "lumbar_side_bending": ("Lumbar side bending", True),
}


def motion_keys(motion):
    """The stored value keys of a motion: left/right, or value for a midline motion."""
    return ("left", "right") if MOTIONS[motion][1] else ("value",)


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

# The primary range decides "limited"; sources disagree, so the others travel with it for display. Hip
# rotation is not here: its norms depend on the position measured in (POSITION_NORMS).
ROM_NORMS = {
    "hip_flexion": RomNorm(110, 120, _AFP, (f"110-130° {_AAOS}",)),
    "hip_extension": RomNorm(10, 15, _AFP, (f"15-30° {_AAOS}",)),
    "hip_abduction": RomNorm(30, 50, _AFP, (f"45-50° {_AAOS}",)),
    "hip_adduction": RomNorm(20, 30, _AFP, (f"20-45° {_AAOS}",)),
    "lumbar_flexion": RomNorm(60, 60, _LUMBAR, (f"40-60° {_MAGEE}",)),
    "lumbar_extension": RomNorm(25, 25, _LUMBAR, (f"20-35° {_MAGEE}",)),
    "lumbar_side_bending": RomNorm(
        25, 25, f"each way, {_LUMBAR}", (f"20-30° {_MAGEE}", "15-20° (another source) [47]")
    ),
}

# --- Hip rotation by position ------------------------------------------------------------------------

POSITIONS = {"supine": "Supine", "prone": "Prone", "seated": "Seated"}


@dataclass(frozen=True)
class PositionNorm:
    """A rotation norm in one position: a range (its lower bound decides "limited") and/or a measured mean
    (shown for comparison only: a mean is not a cut-off)."""

    range: RomNorm | None = None
    mean: float | None = None
    mean_source: str = ""


# Clinical reference, section 4: AFP's internal rotation range is for the hip at 90° (seated); Kouyoumdjian
# measured means supine, prone and seated (external rotation: supine and prone only).
POSITION_NORMS = {
    "hip_internal_rotation": {
        "supine": PositionNorm(mean=29.6, mean_source=_KOUYOUMDJIAN),
        "prone": PositionNorm(mean=35.2, mean_source=_KOUYOUMDJIAN),
        "seated": PositionNorm(RomNorm(30, 40, f"{_AFP}, hip at 90°"), 37.9, _KOUYOUMDJIAN),
    },
    "hip_external_rotation": {
        "supine": PositionNorm(mean=38.5, mean_source=_KOUYOUMDJIAN),
        "prone": PositionNorm(mean=41.8, mean_source=_KOUYOUMDJIAN),
    },
}
# Sources that do not say the position: listed as context, never compared with.
POSITION_UNSTATED = {
    "hip_internal_rotation": (f"40-45° {_AAOS}, position not stated",),
    "hip_external_rotation": (f"40-60° {_AFP}, position not stated", f"45° {_AAOS}, position not stated"),
}
ROTATIONS = tuple(POSITION_NORMS)
assert set(MOTIONS) == set(ROM_NORMS) | set(ROTATIONS)

# --- Gait --------------------------------------------------------------------------------------------

# Walking and running are recorded apart: the reference's gait norms [48-53] are for walking; for running
# it gives none, so every running value is shown as "no norm" and never flagged.
GAITS = {"walking": "Walking", "running": "Running"}


@dataclass(frozen=True)
class GaitMeasure:
    key: str
    label: str
    unit: str
    sided: bool = False
    low: float = 0
    high: float = 400
    places: int = 1
    help: str = ""
    choices: tuple[tuple[str, str], ...] = ()  # a choice per side instead of a number (foot strike)

    @property
    def unit_label(self) -> str:
        return "degrees" if self.unit == "°" else self.unit


FOOT_STRIKES = (("rearfoot", "Rearfoot"), ("midfoot", "Midfoot"), ("forefoot", "Forefoot"))
_SPEED = GaitMeasure("speed", "Speed", "m/s", high=10, places=2)
_CADENCE = GaitMeasure("cadence", "Cadence", "steps/min", high=300)
_STEP = GaitMeasure("step_length", "Step length", "cm", sided=True, high=300,
                    help="One step: from one foot's contact to the other's (a stride holds two steps)")
_PELVIC_DROP = GaitMeasure("pelvic_drop", "Pelvic drop", "°", sided=True, high=45,
                           help="Of the opposite side of the pelvis, in stance on this leg")
GAIT_MEASURES = {
    "walking": (
        _SPEED, _CADENCE, _STEP,
        GaitMeasure("stride_length", "Stride length", "cm", help="Two steps: both feet"),
        GaitMeasure("step_width", "Step width", "cm", high=60),
        GaitMeasure("stance", "Stance", "% of gait cycle", sided=True, high=100),
        _PELVIC_DROP,
    ),
    "running": (
        _SPEED, _CADENCE, _STEP,
        GaitMeasure("ground_contact", "Ground contact time", "ms", sided=True, high=2000, places=0),
        GaitMeasure("vertical_oscillation", "Vertical oscillation", "cm", high=50),
        GaitMeasure("overstride", "Overstride", "cm", sided=True, high=100,
                    help="How far the foot lands ahead of the body at initial contact"),
        GaitMeasure("foot_strike", "Foot strike", "", sided=True, choices=FOOT_STRIKES),
        GaitMeasure("tibial_angle", "Tibial angle at initial contact", "°", sided=True, low=-45, high=45,
                    help="From vertical; positive = ankle ahead of the knee"),
        _PELVIC_DROP,
    ),
}
# The sided measures whose symmetry index is computed: step length (never stride length, which holds both
# steps and is near symmetric by definition) and, walking, stance.
GAIT_SYMMETRY = {"walking": ("step_length", "stance"), "running": ("step_length",)}
SYMMETRY_FORMULA = "SI = (R - L) / (0.5 x (R + L)) x 100"
SYMMETRY_SOURCE = "Herzog 1989 [55,56]; 0 = symmetric, positive = right larger; the 10% cut-off is arbitrary"
NO_NORM = "No norm"
NO_NORM_SOURCE = "the clinical reference gives none for this value"


def gait_value_keys(kind):
    """The stored value keys of a gait (e.g. "cadence", "step_length_left"), in display order."""
    return [f"{m.key}_{side}" if m.sided else m.key
            for m in GAIT_MEASURES[kind] for side in (("left", "right") if m.sided else ("",))]


# Bohannon & Andrews 2011 comfortable gait speed (m/s) by age band; 1.43 and 0.94 are confirmed in the
# abstract, the other cells come from a secondary table [48,49].
GAIT_SPEED_SOURCE = "Bohannon & Andrews 2011 meta-analysis, comfortable speed [48,49]"
GAIT_SPEED_NORMS = {
    "male": {20: 1.36, 30: 1.43, 40: 1.43, 50: 1.43, 60: 1.34, 70: 1.26, 80: 0.97},
    "female": {20: 1.34, 30: 1.34, 40: 1.39, 50: 1.31, 60: 1.24, 70: 1.13, 80: 0.94},
}
# Murray's walking step and stride lengths (cm) by sex [51]: typical values, no cut-off.
STEP_LENGTH_NORMS = {"male": 79, "female": 66}
STRIDE_LENGTH_NORMS = {"male": 158, "female": 132}
# Why the exam asks sex when the patient record does not give male or female (shown beside the question).
SEX_QUESTION_REASON = ("Optional. Walking speed and step and stride length norms are given for men and women "
                       "[48,51]; without an answer they are shown for both and speed has no norm.")

# --- Ultrasound --------------------------------------------------------------------------------------

US_STRUCTURES = (
    ("piriformis", "Piriformis"),
    ("sciatic_nerve", "Sciatic nerve"),
    ("gluteus_medius_tendon", "Gluteus medius tendon"),
    ("gluteus_minimus_tendon", "Gluteus minimus tendon"),
    ("hamstring_origin", "Proximal hamstring origin"),
    ("quadratus_femoris", "Quadratus femoris"),
    ("trochanteric_bursa", "Trochanteric bursa"),
    ("posterior_si_ligament", "Posterior SI ligament"),
    ("other", "Other (describe in the finding)"),
)
# Reference figures shown beside a structure (clinical reference, section 4): comparison only, never a flag.
US_REFERENCE = {
    "piriformis": "Thickness 1.16±0.13 cm in piriformis syndrome vs 0.85±0.11 cm in controls; cut-off 0.995 cm, "
                  "AUC 0.97 [57]. Symptomatic side thicker, side-to-side AUC 0.78 [58]. Record both sides.",
    "sciatic_nerve": "Larger on the symptomatic side, side-to-side AUC 0.87 [58]; CSA at the gluteal fold in S1 "
                     "radiculopathy 39.6 vs 32.9 mm² (symptomatic vs other side) [59]. Record both sides.",
}
