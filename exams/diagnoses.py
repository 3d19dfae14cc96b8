"""The working diagnoses a buttock and lumbo-pelvic pain clinic records, each with its ICD-10-CM code.

Pure data and pure checks (no models): the exam's form, its service and the model's clean() all call `check`, so
the page, the API and the staff admin refuse the same rows. The code follows the diagnosis and its side: where
ICD-10-CM codes a condition by side the table holds one code per side (and "both" only where the classification
has a bilateral code); elsewhere one code whatever the side. "Trauma" and "Other" take the code the clinician types.

Codes are from the ICD-10-CM FY2026 tabular list (CMS/NCHS) [71]. They could not be checked against the CMS files
offline: `seen` says whether the code and its title were found in a stored code reference quoting that edition;
an unseen code is shown as "verify before billing". Where the code depends on more than the side (the trimester,
claudication, the spinal region) the choice is a separate entry, grouped under one heading on the form.
"""

import re
from dataclasses import dataclass, field

from django.utils.translation import gettext_lazy as _

from intake import vocabulary

CODE_SOURCE = "ICD-10-CM FY2026 tabular list (CMS/NCHS)"
SIDES = vocabulary.LIMB_OR_BOTH  # left, right, both
ANY_SIDE = ""  # the key of a code that does not depend on the side
ICD10_RE = re.compile(r"^[A-TV-Z][0-9][0-9A-Z](\.?[0-9A-Z]{1,4})?$")  # the shape of a code, for typed ones


@dataclass(frozen=True)
class Diagnosis:
    key: str
    label: str
    group: str
    codes: dict = field(default_factory=dict)  # side (or ANY_SIDE) -> ICD-10-CM code; empty: the clinician types one
    titles: str = ""  # the code's ICD-10-CM title(s), shown beside it
    sided: bool = False  # the side must be given (the condition has one, or the code depends on it)
    seen: bool = True  # code and title found in a stored code reference (see the module docstring)
    note: str = ""  # why this code, when ICD-10-CM has none of its own

    @property
    def by_side(self) -> bool:
        return ANY_SIDE not in self.codes and bool(self.codes)

    @property
    def free_code(self) -> bool:
        return not self.codes

    def code_for(self, side: str) -> str:
        """The ICD-10-CM code for this side ("" when the side has none or the clinician types it)."""
        if not self.codes:
            return ""
        return self.codes.get(ANY_SIDE) or self.codes.get(side or "", "")


def _sided(key, label, group, left, right, titles, both="", **extra):
    codes = {"left": left, "right": right, **({"both": both} if both else {})}
    return Diagnosis(key, label, group, codes, titles, sided=True, **extra)


def _one(key, label, group, code, titles, **extra):
    return Diagnosis(key, label, group, {ANY_SIDE: code}, titles, **extra)


_DEEP = _("Deep gluteal")
_SI = _("Sacroiliac joint")
_SPINE = _("Lumbar spine")
_HAMSTRING = _("Proximal hamstring")
_LATERAL = _("Lateral hip")
_HIP = _("Hip joint referring to the buttock")
_PELVIS = _("Pelvis, sacrum and coccyx")
_OTHER = _("Other")

TABLE = (
    _sided("deep_gluteal_syndrome", _("Deep gluteal syndrome"), _DEEP, "G57.02", "G57.01",
           "Lesion of sciatic nerve, left / right / bilateral lower limbs", both="G57.03", seen=False,
           note="No code of its own: sciatic nerve entrapment in the deep gluteal space is a lesion of the sciatic "
                "nerve (G57.0-), as piriformis syndrome is indexed [70]."),
    _sided("piriformis_syndrome", _("Piriformis syndrome"), _DEEP, "G57.02", "G57.01",
           "Lesion of sciatic nerve, left / right / bilateral lower limbs", both="G57.03", seen=False,
           note="No code of its own; indexed to G57.0-, lesion of sciatic nerve [70]."),
    _sided("ischiofemoral_impingement", _("Ischiofemoral impingement"), _DEEP, "M25.852", "M25.851",
           "Other specified joint disorders, left / right hip", seen=False,
           note="No code of its own; coded as another specified disorder of the hip."),
    _one("si_joint_dysfunction", _("SI joint pain (dysfunction)"), _SI, "M53.3",
         "Sacrococcygeal disorders, not elsewhere classified", sided=True),
    _one("si_joint_instability", _("SI joint instability (hypermobility)"), _SI, "M53.2X8",
         "Spinal instabilities, sacral and sacrococcygeal region", sided=True),
    _one("sacroiliitis", _("Sacroiliitis"), _SI, "M46.1", "Sacroiliitis, not elsewhere classified", sided=True),
    _one("axial_spa_radiographic", _("Axial spondyloarthritis, radiographic (ankylosing spondylitis)"), _SI,
         "M45.8", "Ankylosing spondylitis, sacral and sacrococcygeal region"),
    _one("axial_spa_non_radiographic", _("Axial spondyloarthritis, non-radiographic"), _SI, "M45.A8",
         "Non-radiographic axial spondyloarthritis of sacral and sacrococcygeal region"),
    _sided("sciatica", _("Sciatica"), _SPINE, "M54.32", "M54.31", "Sciatica, left / right side", seen=False,
           note="ICD-10-CM has no code for sciatica on both sides: record a row for each side."),
    _sided("lumbago_with_sciatica", _("Low back pain with sciatica"), _SPINE, "M54.42", "M54.41",
           "Lumbago with sciatica, left / right side", seen=False),
    _one("lumbar_radiculopathy", _("Lumbar radiculopathy"), _SPINE, "M54.16", "Radiculopathy, lumbar region",
         sided=True),
    _one("lumbosacral_radiculopathy", _("Lumbosacral radiculopathy"), _SPINE, "M54.17",
         "Radiculopathy, lumbosacral region", sided=True),
    _one("lumbar_disc", _("Lumbar disc disorder with radiculopathy"), _SPINE, "M51.16",
         "Intervertebral disc disorders with radiculopathy, lumbar region", sided=True, seen=False),
    _one("lumbosacral_disc", _("Lumbosacral disc disorder with radiculopathy"), _SPINE, "M51.17",
         "Intervertebral disc disorders with radiculopathy, lumbosacral region", sided=True, seen=False),
    _one("stenosis_with_claudication", _("Lumbar spinal stenosis with neurogenic claudication"), _SPINE, "M48.062",
         "Spinal stenosis, lumbar region with neurogenic claudication"),
    _one("stenosis_without_claudication", _("Lumbar spinal stenosis without neurogenic claudication"), _SPINE,
         "M48.061", "Spinal stenosis, lumbar region without neurogenic claudication"),
    _sided("hamstring_tendinopathy", _("Proximal hamstring tendinopathy"), _HAMSTRING, "M76.892", "M76.891",
           "Other specified enthesopathies of left / right lower limb, excluding foot", seen=False),
    _sided("hamstring_avulsion", _("Proximal hamstring avulsion"), _HAMSTRING, "S76.312D", "S76.311D",
           "Strain of muscle, fascia and tendon of the posterior muscle group at thigh level, left / right thigh, "
           "subsequent encounter", seen=False,
           note="7th character D: care in the healing phase, after the injury's active treatment; for another "
                "encounter choose Other and type the code."),
    _sided("gluteal_tendinopathy", _("Gluteal tendinopathy (greater trochanteric pain)"), _LATERAL, "M76.02",
           "M76.01", "Gluteal tendinitis, left / right hip",
           note="ICD-10-CM has no code for both hips: record a row for each side."),
    _sided("trochanteric_bursitis", _("Trochanteric bursitis"), _LATERAL, "M70.62", "M70.61",
           "Trochanteric bursitis, left / right hip"),
    _sided("fai", _("Femoroacetabular impingement (FAI)"), _HIP, "M25.852", "M25.851",
           "Other specified joint disorders, left / right hip", seen=False,
           note="No code of its own; coded as another specified disorder of the hip."),
    _sided("labral_tear", _("Hip labral tear, not from an injury"), _HIP, "M24.152", "M24.151",
           "Other articular cartilage disorders, left / right hip",
           note="A tear from an injury is a sprain of the hip (S73.19-): choose Other and type the code."),
    _sided("hip_oa", _("Hip osteoarthritis"), _HIP, "M16.12", "M16.11",
           "Unilateral primary osteoarthritis, left / right hip; bilateral primary osteoarthritis of hip",
           both="M16.0"),
    _one("pudendal_neuralgia", _("Pudendal neuralgia"), _PELVIS, "G58.8", "Other specified mononeuropathies",
         seen=False, note="No code of its own; the pudendal nerve is not a nerve of the lower limb (G57)."),
    _one("sacral_stress_fracture", _("Sacral stress fracture"), _PELVIS, "M48.48XD",
         "Fatigue fracture of vertebra, sacral and sacrococcygeal region, subsequent encounter for fracture with "
         "routine healing",
         note="7th character D: care in the healing phase; for another encounter choose Other and type the code."),
    _one("pgp_pregnancy_1", _("Pelvic girdle pain in pregnancy, first trimester"), _PELVIS, "O26.891",
         "Other specified pregnancy related conditions, first trimester", seen=False),
    _one("pgp_pregnancy_2", _("Pelvic girdle pain in pregnancy, second trimester"), _PELVIS, "O26.892",
         "Other specified pregnancy related conditions, second trimester", seen=False),
    _one("pgp_pregnancy_3", _("Pelvic girdle pain in pregnancy, third trimester"), _PELVIS, "O26.893",
         "Other specified pregnancy related conditions, third trimester", seen=False),
    _one("coccydynia", _("Coccydynia"), _PELVIS, "M53.3", "Sacrococcygeal disorders, not elsewhere classified "
         "(includes coccygodynia)"),
    Diagnosis("trauma", _("Trauma"), _OTHER, note="Type the injury's code (with its 7th character)."),
    Diagnosis("other", _("Other"), _OTHER, note="Name the diagnosis in the note; type its code if it has one."),
)
DIAGNOSES = {d.key: d for d in TABLE}
assert len(DIAGNOSES) == len(TABLE), "diagnosis keys must be unique"


def grouped_choices():
    """Choices for a select, grouped by region in the table's order."""
    groups: dict[str, list] = {}
    for d in TABLE:
        groups.setdefault(str(d.group), []).append((d.key, d.label))
    return list(groups.items())


def normalise_code(code: str) -> str:
    """A typed code in the classification's shape: upper case, the dot after the third character."""
    code = (code or "").strip().upper().replace(" ", "")
    if code and "." not in code and len(code) > 3:
        code = f"{code[:3]}.{code[3:]}"
    return code


def check(key: str, side: str, code: str = "", note: str = "") -> dict[str, str]:
    """What is wrong with one diagnosis row, by field name ({} when nothing is)."""
    diagnosis = DIAGNOSES.get(key)
    if diagnosis is None:
        return {"diagnosis": str(_("Choose a diagnosis from the list."))}
    errors = {}
    if side and side not in dict(SIDES):
        errors["side"] = str(_("Choose left, right or both sides."))
    elif diagnosis.sided and not side:
        errors["side"] = str(_("Choose the side: %(name)s is recorded with its side.") % {"name": diagnosis.label})
    elif diagnosis.by_side and side and not diagnosis.code_for(side):
        errors["side"] = str(_(
            "ICD-10-CM has no code for %(name)s on both sides: record one row for the left and one for the right."
        ) % {"name": diagnosis.label})
    if diagnosis.free_code:
        if code and not ICD10_RE.match(normalise_code(code)):
            errors["icd10_code"] = str(_("Enter an ICD-10-CM code like S76.311D or M53.3, or leave it blank."))
        if key == "other" and not (note or "").strip():
            errors["note"] = str(_("Name the diagnosis here."))
    return errors


def code_for(key: str, side: str, typed: str = "") -> str:
    """The code a row stores: the table's for this diagnosis and side, or the typed one for Trauma and Other."""
    diagnosis = DIAGNOSES[key]
    return normalise_code(typed) if diagnosis.free_code else diagnosis.code_for(side)
