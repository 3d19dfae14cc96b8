"""The clinical words the patient's questionnaire and the clinician's exam share: one list of codes per concept.

Both store these codes, so an answer flows from the intake into the exam unchanged; each words them for its reader
(the patient in plain words, the clinician in clinical ones). Pure data, no Django models.
"""

from django.utils.translation import gettext_lazy as _

# Which side a problem is on. A sided test or a leg is only ever left or right (or, for symptoms, both).
SIDES = (("left", _("Left")), ("right", _("Right")), ("both", _("Both sides")), ("central", _("Central / midline")))
SIDES_FOR_PATIENT = (("left", _("Left")), ("right", _("Right")), ("both", _("Both sides")),
                     ("central", _("In the middle")))
LIMB_SIDES = SIDES[:2]
LIMB_OR_BOTH = SIDES[:3]
# Intakes saved before the questionnaire used the shared codes said "middle" for the midline.
_LEGACY_SIDES = {"middle": "central"}

# How a problem started. The questionnaire does not offer "lifting" (patients pick sport or another way); the
# clinician records it when the history shows it.
ONSETS = (
    ("gradual", _("Gradual, no clear cause")),
    ("sport", _("During sport or exercise")),
    ("lifting", _("Lifting or bending")),
    ("fall", _("Fall")),
    ("accident", _("Road or other accident")),
    ("other", _("Other")),
)
ONSETS_FOR_PATIENT = (
    ("gradual", _("Gradually, for no clear reason")),
    ("sport", _("During sport or exercise")),
    ("fall", _("After a fall")),
    ("accident", _("After an accident, such as a car crash")),
    ("other", _("Another way")),
)


def side_code(value) -> str:
    """The shared code for a stored side answer ("" when it is none of them)."""
    code = str(value or "").lower()
    code = _LEGACY_SIDES.get(code, code)
    return code if code in dict(SIDES) else ""


def onset_code(value) -> str:
    code = str(value or "").lower()
    return code if code in dict(ONSETS) else ""
