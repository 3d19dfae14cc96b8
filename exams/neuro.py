"""The graded neuro screen's catalogue: key movements (MRC 0-5), reflexes (0-4, 2 normal), dermatomes L2-S2,
quick screens, saddle sensation, anal tone and upper motor neuron signs, each with the root(s) it tests.

No Django. The reference's root table covers L4, L5 and S1 (docs/clinical-rules.md, root screening [60-63]);
rows outside it say so and are marked unconfirmed. Where charts disagree about a root (knee extension L3-L4,
ankle dorsiflexion L4 or L5) a row names both, the reference's root first: the rules (exams.rules) count the
fewest roots that explain the findings, so chart overlap never makes one root look like two levels.
"""

from dataclasses import dataclass
from itertools import combinations

from .catalogue import ROOT_FINDINGS

SIDES = ("left", "right")
ROOTS = ("L2", "L3", "L4", "L5", "S1", "S2")
REFERENCE_ROOTS = ("L4", "L5", "S1")  # the reference's table


@dataclass(frozen=True)
class Row:
    key: str
    label: str
    roots: tuple[str, ...]  # the roots it tests; the first is the one the reference (or the usual chart) names
    note: str = ""

    @property
    def root_label(self) -> str:
        return "/".join(sorted(self.roots, key=ROOTS.index))


# Key movements, graded 0-5 (Medical Research Council). Below 5 is weakness; 3 or less (no more than against
# gravity) is major motor weakness, a red flag on its own (our reading of "major", docs/clinical-rules.md).
MYOTOMES = (
    Row("hip_flexion", "hip flexion (iliopsoas)", ("L2",), "usual L2 key muscle; not in the reference's table"),
    Row("knee_extension", "knee extension (quadriceps)", ("L4", "L3"), "the reference's L4 key muscle; L3 in some charts"),
    Row("ankle_dorsiflexion", "ankle dorsiflexion (tibialis anterior)", ("L5", "L4"),
        "dorsiflexors are L5 in the reference; tibialis anterior is L4 in some charts"),
    Row("great_toe_extension", "great-toe extension (EHL)", ("L5",)),
    Row("ankle_plantarflexion", "ankle plantarflexion (gastrocnemius/soleus)", ("S1",)),
)
MRC_GRADES = tuple(range(5, -1, -1))
MRC_NORMAL = 5
MAJOR_WEAKNESS_AT_OR_BELOW = 3

# Reflexes graded 0 absent, 1 reduced, 2 normal, 3 brisk, 4 very brisk (with clonus). Below 2 counts as reduced.
REFLEXES = (
    Row("patellar", "patellar (knee jerk)", ("L4", "L3")),
    Row("medial_hamstring", "medial hamstring", ("L5",), "the reference: no reliable L5 reflex; sometimes used"),
    Row("achilles", "Achilles (ankle jerk)", ("S1",)),
)
REFLEX_GRADES = ((0, "absent"), (1, "reduced"), (2, "normal"), (3, "brisk"), (4, "very brisk"))
REFLEX_NORMAL = 2

# Dermatome sensation: reduced or absent is a deficit; increased (hyperaesthesia) is shown, not counted.
DERMATOMES = (
    Row("L2", "upper front of the thigh", ("L2",), "not in the reference's table (usual chart, unconfirmed)"),
    Row("L3", "lower front of the thigh, medial knee", ("L3",), "not in the reference's table (usual chart, unconfirmed)"),
    Row("L4", "medial leg and calf to the medial malleolus", ("L4",)),
    Row("L5", "lateral calf, dorsum of foot, great toe / first web space", ("L5",)),
    Row("S1", "lateral foot, sole, little toe, posterior calf", ("S1",)),
    Row("S2", "back of the thigh", ("S2",), "not in the reference's table (usual chart, unconfirmed)"),
)
SENSATION = (("normal", "Normal"), ("reduced", "Reduced"), ("absent", "Absent"), ("increased", "Increased"))
SENSORY_DEFICITS = ("reduced", "absent")

# The reference's quick screens: a difficulty supports a root suggestion, but is not counted as a deficit
# (pain alone can make a squat hard).
QUICK_SCREENS = (
    Row("squat", "squat", ("L4",)),
    Row("heel_walk", "heel walk", ("L5",)),
    Row("toe_walk", "toe walk", ("S1",)),
)
QUICK_SCREEN_VALUES = (("normal", "Normal"), ("difficult", "Difficult"))

# Midline signs of cauda equina: an emergency on their own (intake.rules: saddle numbness, reduced anal tone).
SADDLE_SENSATION = (("normal", "Normal"), ("reduced", "Reduced"), ("absent", "Absent"))
ANAL_TONE = (("normal", "Normal"), ("reduced", "Reduced"))

# Upper motor neuron signs point above the lumbar roots (cord or brain). The reference's red-flag table does not
# list them, so they give a reminder, not an alert.
UMN_SIGNS = (
    ("babinski", "Babinski (up-going great toe)"),
    ("clonus", "ankle clonus (sustained)"),
    ("hyperreflexia", "hyperreflexia"),
)
UMN_VALUES = (("absent", "Absent"), ("present", "Present"))

DISC_ABOVE = {"L2": "L1/2", "L3": "L2/3", "L4": "L3/4", "L5": "L4/5", "S1": "L5/S1"}  # S2: no lumbar disc


# --- Reading the stored section ---------------------------------------------------------------------------------


@dataclass(frozen=True)
class Finding:
    """One abnormal finding on one side: `deficit` for weakness, a reduced reflex or reduced/absent sensation
    (what counts towards levels and sides); a difficult quick screen only supports a root suggestion."""

    side: str
    roots: tuple[str, ...]
    text: str
    deficit: bool = True


def _grade(value):
    return value if isinstance(value, int) and not isinstance(value, bool) else None


def findings_of(neuro) -> list[Finding]:
    """The abnormal findings of a stored neuro section: the graded screen, and the yes/no findings of exams
    recorded before it ({"left": [key], "right": [key]}, keys of exams.catalogue.ROOT_FINDINGS)."""
    neuro = neuro or {}
    found = []
    for row in MYOTOMES:
        for side in SIDES:
            grade = _grade(((neuro.get("myotomes") or {}).get(row.key) or {}).get(side))
            if grade is not None and grade < MRC_NORMAL:
                found.append(Finding(side, row.roots, f"{side}: {row.label} {grade}/5"))
    for row in REFLEXES:
        for side in SIDES:
            grade = _grade(((neuro.get("reflexes") or {}).get(row.key) or {}).get(side))
            if grade is not None and grade < REFLEX_NORMAL:
                found.append(Finding(side, row.roots, f"{side}: {row.label} reflex {grade} ({dict(REFLEX_GRADES)[grade]})"))
    for row in DERMATOMES:
        for side in SIDES:
            value = ((neuro.get("dermatomes") or {}).get(row.key) or {}).get(side)
            if value in SENSORY_DEFICITS:
                found.append(Finding(side, row.roots, f"{side}: {row.key} sensation {value}"))
    for row in QUICK_SCREENS:
        for side in SIDES:
            if ((neuro.get("quick_screens") or {}).get(row.key) or {}).get(side) == "difficult":
                found.append(Finding(side, row.roots, f"{side}: difficulty with {row.label}", deficit=False))
    for side in SIDES:
        for key in neuro.get(side) or []:
            if key not in ROOT_FINDINGS:
                raise ValueError(f"unknown neuro finding '{key}' (known: {', '.join(ROOT_FINDINGS)})")
            root, text = ROOT_FINDINGS[key]
            found.append(Finding(side, (root,), f"{side}: {text}", deficit="difficulty" not in key))
    return found


def fewest_roots(findings) -> tuple[str, ...]:
    """The fewest roots that explain every finding (each finding is explained by any of its roots), in root
    order; among equally few, the one naming most findings' first (the reference's) root."""
    sets = [set(f.roots) for f in findings]
    candidates = sorted(set().union(*sets), key=ROOTS.index) if sets else []
    for size in range(1, len(candidates) + 1):
        covers = [c for c in combinations(candidates, size) if all(s & set(c) for s in sets)]
        if covers:
            return min(covers, key=lambda c: (-sum(f.roots[0] in c for f in findings), [ROOTS.index(r) for r in c]))
    return ()


def root_of(finding, cover) -> str:
    """The root of `cover` a finding is put under: its first root if the cover has it, else the first it shares."""
    return finding.roots[0] if finding.roots[0] in cover else next(r for r in cover if r in finding.roots)


def major_weakness(neuro) -> list[str]:
    """Key movements graded 3 or less: "left: Great-toe extension (EHL) 2/5"."""
    found = []
    for row in MYOTOMES:
        for side in SIDES:
            grade = _grade((((neuro or {}).get("myotomes") or {}).get(row.key) or {}).get(side))
            if grade is not None and grade <= MAJOR_WEAKNESS_AT_OR_BELOW:
                found.append(f"{side}: {row.label} {grade}/5")
    return found


def umn_signs(neuro) -> list[str]:
    labels = dict(UMN_SIGNS)
    return [f"{side}: {labels[sign]}" for sign, _label in UMN_SIGNS for side in SIDES
            if (((neuro or {}).get("umn") or {}).get(sign) or {}).get(side) == "present"]
