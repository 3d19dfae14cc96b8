"""The clinician's exam: what each section records, how it is validated and how it is stored.

Each section form reads its initial values from `Exam.findings[section]` (`initial_from`) and turns
what was typed into the JSON stored there (`to_findings`); the assessment's working diagnoses are rows of their
own (exams.models.WorkingDiagnosis). The catalogues (tests, motions, norms) with the labels and source figures
shown beside the fields are in exams.catalogue, the diagnoses and their codes in exams.diagnoses; the figures
come from docs/clinical-rules.md.
"""

import uuid

from django import forms
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from clinic import dates
from intake import instruments, vocabulary
from intake import selectors as intake_selectors
from intake.instruments import NPRS, ODI_SECTIONS, PSFS
from intake.questionnaire import PSFS_SLOTS
from patients.models import PatientDocument
from scheduling.models import VisitType

from . import diagnoses, neuro, rules
from .catalogue import (
    GAIT_MEASURES,
    GAITS,
    MOTIONS,
    NEGATIVE,
    NOT_TESTED,
    POSITIONS,
    POSITIVE,
    ROOT_FINDINGS,
    ROTATIONS,
    SEX_QUESTION_REASON,
    TESTS,
    US_STRUCTURES,
    gait_value_keys,
    motion_keys,
)

SIDES = vocabulary.LIMB_SIDES


def _number(label, *, low, high, places=1, help_text=""):
    return forms.DecimalField(
        label=label, required=False, min_value=low, max_value=high, decimal_places=places, help_text=help_text,
        widget=forms.TextInput(attrs={"inputmode": "decimal", "autocomplete": "off", "class": "form-control num"}),
        error_messages={"invalid": "Enter a number, e.g. 1.2."},
    )


def _plain(value):
    """A JSON-friendly number: int when whole, else float (Decimal is not JSON)."""
    if value is None:
        return None
    number = float(value)
    return int(number) if number.is_integer() else number


def _tick(label):
    return forms.BooleanField(label=label, required=False, widget=forms.CheckboxInput(attrs={"class": "form-check-input"}))


def _choice(label, choices, *, blank="—"):
    return forms.ChoiceField(
        label=label, required=False, choices=[("", blank), *choices],
        widget=forms.Select(attrs={"class": "form-select"}),
    )


class SectionForm(forms.Form):
    """A section of the exam: initial values from findings, cleaned values back to findings."""

    section = ""
    title = ""

    def __init__(self, *args, exam=None, **kwargs):
        self.exam = exam
        super().__init__(*args, **kwargs)

    @classmethod
    def initial_from(cls, stored, exam):
        return dict(stored or {})

    def to_findings(self):
        return {name: value for name, value in self.cleaned_data.items()}


# --- Today's scores (NPRS, ODI) ----------------------------------------------------------------------


class ScoresForm(SectionForm):
    section, title = "scores", _("Today's scores")

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["nprs"] = forms.TypedChoiceField(
            label="Pain now (NPRS, 0 = no pain, 10 = worst imaginable)", required=False,
            choices=[("", "—"), *((v, str(v)) for v in range(11))], coerce=int, empty_value=None,
            widget=forms.Select(attrs={"class": "form-select"}),
        )
        self.odi_offer = self._odi_offer()
        for n, (key, topic) in enumerate(ODI_SECTIONS if self.odi_offer else (), start=1):
            self.fields[f"odi_{key}"] = forms.TypedChoiceField(
                label=f"ODI section {n}: {topic}", required=False,
                choices=[("", "—"), *((v, str(v)) for v in range(6))], coerce=int, empty_value=None,
                widget=forms.Select(attrs={"class": "form-select form-select-sm"}),
            )

        for n in range(1, PSFS_SLOTS + 1):
            self.fields[f"psfs_activity_{n}"] = forms.CharField(
                label=_("PSFS activity %(n)s") % {"n": n}, required=False, max_length=120,
                widget=forms.TextInput(attrs={"class": "form-control form-control-sm"}),
            )
            self.fields[f"psfs_rating_{n}"] = forms.TypedChoiceField(
                label=_("PSFS activity %(n)s rating (0-10)") % {"n": n}, required=False,
                choices=[("", "—"), *((v, str(v)) for v in range(11))], coerce=int, empty_value=None,
                widget=forms.Select(attrs={"class": "form-select form-select-sm"}),
            )

    def _stored(self):
        return (self.exam.findings.get("scores") or {}) if self.exam else {}

    @staticmethod
    def _offer(version, demo_wording, title=""):
        return {"version": version, "title": title,
                "demo_wording": instruments.is_demo_version("odi", version or "", demo_wording)}

    def _odi_offer(self):
        """The ODI wording the section scores are entered for: the intake's (when it gave them), else the one
        saved before, else the clinic's loaded ODI in force; None when there is none (no ODI entry at all)."""
        stored = self._stored()
        from_intake = stored.get("from_intake") or {}
        if from_intake.get("odi"):
            return self._offer(from_intake.get("odi_version"), from_intake.get("odi_demo_wording"))
        if stored.get("odi"):
            return self._offer(stored.get("odi_version"), stored.get("odi_demo_wording"))
        return self._in_force()

    def _in_force(self):
        if not hasattr(self, "_odi_row"):
            self._odi_row = intake_selectors.odi_in_force()
        row = self._odi_row
        return self._offer(row.version, row.demo_wording, row.title) if row else None

    def _odi_measured(self, odi):
        """The wording today's ODI values were given on: kept from the intake or the last save when unchanged,
        else the ODI in force (the clinic's paper copy is its loaded wording)."""
        stored = self._stored()
        given = {k: v for k, v in odi.items() if v is not None}
        for source, values in ((stored.get("from_intake") or {}, (stored.get("from_intake") or {}).get("odi")),
                               (stored, stored.get("odi"))):
            if values and given == {k: v for k, v in values.items() if v is not None}:
                return self._offer(source.get("odi_version"), source.get("odi_demo_wording"))
        return self._in_force() or self.odi_offer

    @property
    def odi_fields(self):
        return [self[f"odi_{key}"] for key, _topic in ODI_SECTIONS if f"odi_{key}" in self.fields]

    @property
    def psfs_rows(self):
        return [(self[f"psfs_activity_{n}"], self[f"psfs_rating_{n}"]) for n in range(1, PSFS_SLOTS + 1)]

    @classmethod
    def initial_from(cls, stored, exam):
        stored = stored or {}
        initial = {"nprs": stored.get("nprs")}
        initial.update({f"odi_{key}": value for key, value in (stored.get("odi") or {}).items()})
        for n, row in enumerate(stored.get("psfs") or [], start=1):
            initial.update({f"psfs_activity_{n}": row.get("activity"), f"psfs_rating_{n}": row.get("rating")})
        return initial

    def clean(self):
        cleaned = super().clean()
        for n in range(1, PSFS_SLOTS + 1):
            activity = (cleaned.get(f"psfs_activity_{n}") or "").strip()
            rating = cleaned.get(f"psfs_rating_{n}")
            if activity and rating is None and f"psfs_rating_{n}" not in self.errors:
                self.add_error(f"psfs_rating_{n}", _("Rate this activity from 0 to 10, or clear its name."))
            if rating is not None and not activity:
                self.add_error(f"psfs_activity_{n}", _("Name the activity this rating is for, or clear the rating."))
        return cleaned

    def to_findings(self):
        data = self.cleaned_data
        odi = {key: data.get(f"odi_{key}") for key, _topic in ODI_SECTIONS if f"odi_{key}" in self.fields}
        psfs = [
            {"activity": data[f"psfs_activity_{n}"].strip(), "rating": data.get(f"psfs_rating_{n}")}
            for n in range(1, PSFS_SLOTS + 1) if (data.get(f"psfs_activity_{n}") or "").strip()
        ]
        findings = {
            "nprs": data.get("nprs"),
            "nprs_version": NPRS.version,
            "odi": odi if any(v is not None for v in odi.values()) else {},
            "psfs": psfs,
            "psfs_version": PSFS.version,
        }
        offer = self._odi_measured(odi) if findings["odi"] else self.odi_offer
        if offer:
            findings.update(odi_version=offer["version"], odi_demo_wording=offer["demo_wording"])
        stored = self._stored()
        if "from_intake" in stored:  # what the patient submitted stays beside what the clinician kept or changed
            findings["from_intake"] = stored["from_intake"]
        return findings


# --- History from the intake -------------------------------------------------------------------------

ONSET_CHOICES = vocabulary.ONSETS
SIDE_CHOICES = vocabulary.SIDES


class HistoryForm(SectionForm):
    section, title = "history", _("History")

    onset_mechanism = _choice("How it started", ONSET_CHOICES, blank="Not recorded")
    onset_date = dates.PastDateField(
        label=_("Onset date"), required=False,
        widget=forms.DateInput(attrs={"type": "date", "class": "form-control"}, format="%Y-%m-%d"),
        error_messages={"invalid": _("Enter a date, e.g. 2026-03-10.")},
    )
    onset_notes = forms.CharField(label="Onset notes", required=False, max_length=500,
                                  widget=forms.TextInput(attrs={"class": "form-control"}))
    side = _choice("Side of symptoms", SIDE_CHOICES, blank="Not recorded")
    long_term_steroids = _tick("Long-term steroids")
    osteoporosis = _tick("Osteoporosis")

    def to_findings(self):
        data = dict(self.cleaned_data)
        data["onset_date"] = data["onset_date"].isoformat() if data.get("onset_date") else None
        stored = (self.exam.findings.get("history") or {}) if self.exam else {}
        if "from_intake" in stored:  # what the patient answered stays with the exam, as prefilled
            data["from_intake"] = stored["from_intake"]
        return data


# --- Gait --------------------------------------------------------------------------------------------

GAIT_DEVIATIONS = (
    ("trendelenburg", "Trendelenburg (pelvic drop)"),
    ("antalgic", "Antalgic"),
    ("reduced_hip_extension", "Reduced hip extension"),
    ("overstriding", "Overstriding"),
    ("crossover", "Crossover"),
)
# The answer to the exam's optional question (asked when the patient record does not say male or female).
# Blank is "not asked", never "prefer not to say".
SEX_ANSWERS = (("female", _("Female")), ("male", _("Male")), ("declined", _("Prefer not to say")))
# Walking values recorded before step length was asked (a stride per side): kept as they were, shown as
# recorded, never turned into a symmetry index.
LEGACY_WALKING_KEYS = ("stride_length_left", "stride_length_right")


def gait_field_name(kind, key):
    return f"{kind}_{key}"


def _gait_label(kind, measure, side):
    side_text = f", {side}" if side else ""
    unit = f" ({measure.unit})" if measure.unit else ""
    return f"{GAITS[kind]} {measure.label.lower()}{side_text}{unit}"


def asks_sex(patient) -> bool:
    """The exam asks sex for the walking norms only when the patient record does not say male or female."""
    return patient is None or patient.sex not in ("male", "female")


class GaitForm(SectionForm):
    """Walking and running, each recorded apart with its own values, observed deviations and symmetry."""

    section, title = "gait", _("Gait analysis")

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        if asks_sex(self.exam.patient if self.exam else None):
            self.fields["sex"] = _choice(_("Sex, for the walking norms"), SEX_ANSWERS, blank=_("Not asked"))
            self.fields["sex"].help_text = SEX_QUESTION_REASON
            self.fields["sex"].widget.attrs["aria-describedby"] = "gait-sex-why"
        for kind in GAITS:
            for measure in GAIT_MEASURES[kind]:
                for side in ("left", "right") if measure.sided else ("",):
                    name = gait_field_name(kind, f"{measure.key}_{side}" if side else measure.key)
                    label = _gait_label(kind, measure, side)
                    self.fields[name] = (
                        _choice(label, measure.choices) if measure.choices
                        else _number(label, low=measure.low, high=measure.high, places=measure.places)
                    )
            for side in ("left", "right"):
                self.fields[f"{kind}_deviations_{side}"] = forms.MultipleChoiceField(
                    label=f"{GAITS[kind]} deviations, {side}", required=False, choices=GAIT_DEVIATIONS,
                    widget=forms.CheckboxSelectMultiple,
                )
            self.fields[f"{kind}_deviations_other"] = forms.CharField(
                label=f"{GAITS[kind]}: other deviations", required=False, max_length=500,
                widget=forms.TextInput(attrs={"class": "form-control"}),
            )

    @classmethod
    def initial_from(cls, stored, exam):
        stored = stored or {}
        initial = {"sex": stored.get("sex", "")}
        for kind in GAITS:
            entry = stored.get(kind) or {}
            for key in gait_value_keys(kind):
                initial[gait_field_name(kind, key)] = entry.get(key)
            deviations = entry.get("deviations") or {}
            initial[f"{kind}_deviations_left"] = deviations.get("left", [])
            initial[f"{kind}_deviations_right"] = deviations.get("right", [])
            initial[f"{kind}_deviations_other"] = entry.get("deviations_other", "")
        return initial

    def to_findings(self):
        """{"sex": answer (when asked), "walking": {...}, "running": {...}}: a gait only when something was
        recorded for it; the symmetry index is stored with the raw left and right values and the formula."""
        data = self.cleaned_data
        stored = (self.exam.findings.get("gait") or {}) if self.exam else {}
        found = {"sex": data["sex"]} if "sex" in self.fields else {}
        for kind in GAITS:
            values = {}
            for key in gait_value_keys(kind):
                value = data[gait_field_name(kind, key)]
                values[key] = value if isinstance(value, str) else _plain(value)
                values[key] = values[key] if values[key] != "" else None
            deviations = {side: data[f"{kind}_deviations_{side}"] for side in ("left", "right")}
            other = data[f"{kind}_deviations_other"].strip()
            before = stored.get(kind) or {}
            legacy = {key: before[key] for key in LEGACY_WALKING_KEYS if before.get(key) is not None} \
                if kind == "walking" else {}
            recorded = any(v is not None for v in values.values()) or any(deviations.values()) or other
            if not recorded and not legacy:
                continue
            symmetry = {
                key: {"left": si.left, "right": si.right, "percent": si.percent, "formula": si.formula,
                      "larger_side": si.larger_side}
                for key, si in rules.gait_symmetry(kind, values).items()
            }
            if legacy and "stride_length" in (before.get("symmetry") or {}):
                symmetry["stride_length"] = before["symmetry"]["stride_length"]  # as stored then
            found[kind] = {**values, **legacy, "deviations": deviations, "deviations_other": other,
                           "symmetry": symmetry}
        return found


# --- Mobility ----------------------------------------------------------------------------------------


class MobilityForm(SectionForm):
    section, title = "mobility", _("Mobility")

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        for motion, (label, sided) in MOTIONS.items():
            if motion in ROTATIONS:  # its norms differ supine, prone and seated
                self.fields[f"{motion}_position"] = _choice(
                    _("%(motion)s: position measured in") % {"motion": label}, POSITIONS.items(),
                    blank=_("Position?"),
                )
            for key in motion_keys(motion):
                suffix = f", {key}" if sided else ""
                self.fields[f"{motion}_{key}"] = _number(f"{label}{suffix} (degrees)", low=0, high=180)
                self.fields[f"{motion}_{key}_pain"] = _tick(f"Pain on {label.lower()}{suffix}")

    @classmethod
    def initial_from(cls, stored, exam):
        initial = {}
        for motion, values in (stored or {}).items():
            for key, value in values.items():
                initial[f"{motion}_{key}"] = value
        return initial

    def to_findings(self):
        data = self.cleaned_data
        found = {}
        for motion in MOTIONS:
            entry = {}
            if motion in ROTATIONS:
                entry["position"] = data[f"{motion}_position"] or None
            for key in motion_keys(motion):
                entry[key] = _plain(data[f"{motion}_{key}"])
                entry[f"{key}_pain"] = data[f"{motion}_{key}_pain"]
            found[motion] = entry
        return found


# --- Strength ----------------------------------------------------------------------------------------

MUSCLES = {
    "gluteus_maximus": "Gluteus maximus (hip extension)",
    "gluteus_medius": "Gluteus medius (hip abduction)",
    "hip_flexors": "Hip flexors (iliopsoas)",
    "hip_adductors": "Hip adductors",
    "hip_external_rotators": "Hip external rotators",
    "hip_internal_rotators": "Hip internal rotators",
}
STRENGTH_GRADES = tuple((v, f"{v}/5") for v in range(5, -1, -1))


class StrengthForm(SectionForm):
    section, title = "strength", _("Strength")

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        for muscle, label in MUSCLES.items():
            for side, _label in SIDES:
                self.fields[f"{muscle}_{side}"] = forms.TypedChoiceField(
                    label=f"{label.split(' (')[0]}, {side}", required=False, coerce=int, empty_value=None,
                    choices=[("", "—"), *STRENGTH_GRADES], widget=forms.Select(attrs={"class": "form-select"}),
                )

    @classmethod
    def initial_from(cls, stored, exam):
        return {f"{m}_{side}": v for m, sides in (stored or {}).items() for side, v in sides.items()}

    def to_findings(self):
        return {m: {side: self.cleaned_data[f"{m}_{side}"] for side, _label in SIDES} for m in MUSCLES}


# --- Neuro screen --------------------------------------------------------------------------------------

def legacy_neuro_rows(stored):
    """[(root, [(text, left, right)])] of the yes/no findings an exam recorded before the graded screen: still
    shown (read-only) and counted by the rules."""
    stored = stored or {}
    ticked = {side: set(stored.get(side) or []) for side, _label in SIDES}
    rows = []
    for root in ("L4", "L5", "S1"):
        items = [(text, key in ticked["left"], key in ticked["right"])
                 for key, (r, text) in ROOT_FINDINGS.items() if r == root and (key in ticked["left"] or key in ticked["right"])]
        if items:
            rows.append((root, items))
    return rows


def _grade_field(label, grades):
    return forms.TypedChoiceField(
        label=label, required=False, coerce=int, empty_value=None, choices=[("", "—"), *grades],
        widget=forms.Select(attrs={"class": "form-select form-select-sm"}),
    )


def _cap(text):
    return text[:1].upper() + text[1:]


def _neuro_choice(label, choices, blank="—"):
    return forms.ChoiceField(label=label, required=False, choices=[("", blank), *choices],
                             widget=forms.Select(attrs={"class": "form-select form-select-sm"}))


# (stored key, field prefix, catalogue rows, make a field for a row and side)
_GRIDS = (
    ("myotomes", "m", neuro.MYOTOMES,
     lambda row, side: _grade_field(f"{_cap(row.label)} ({row.root_label}), {side}",
                                    ((g, f"{g}/5") for g in neuro.MRC_GRADES))),
    ("reflexes", "r", neuro.REFLEXES,
     lambda row, side: _grade_field(f"{_cap(row.label)} reflex ({row.root_label}), {side}",
                                    ((g, f"{g} {word}") for g, word in neuro.REFLEX_GRADES))),
    ("dermatomes", "d", neuro.DERMATOMES,
     lambda row, side: _neuro_choice(f"{row.key} sensation ({row.label}), {side}", neuro.SENSATION)),
    ("quick_screens", "q", neuro.QUICK_SCREENS,
     lambda row, side: _neuro_choice(f"{_cap(row.label)} ({row.root_label}), {side}", neuro.QUICK_SCREEN_VALUES)),
    ("umn", "u", tuple(neuro.Row(key, label, ()) for key, label in neuro.UMN_SIGNS),
     lambda row, side: _neuro_choice(f"{_cap(row.label)}, {side}", neuro.UMN_VALUES)),
)


class NeuroForm(SectionForm):
    """The graded neuro screen (exams.neuro): key movements 0-5, reflexes 0-4, dermatomes L2-S2 and quick screens
    per side; saddle sensation, anal tone (when examined) and upper motor neuron signs. A blank is not tested.
    Stored by catalogue key; the yes/no findings of an exam recorded before ("left"/"right" lists) are kept."""

    section, title = "neuro", _("Neuro screen")

    saddle_sensation = _neuro_choice("Saddle (perineal) sensation", neuro.SADDLE_SENSATION, blank="Not tested")
    anal_tone = _neuro_choice("Anal tone", neuro.ANAL_TONE, blank="Not examined")
    notes = forms.CharField(label="Neuro notes", required=False, max_length=1000,
                            widget=forms.Textarea(attrs={"rows": 2, "class": "form-control"}))

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        for _stored, prefix, rows, make in _GRIDS:
            for row in rows:
                for side, _label in SIDES:
                    self.fields[f"{prefix}__{row.key}__{side}"] = make(row, side)

    def grid(self, stored_key):
        """[(row, left field, right field)] of one grid, for the page."""
        _stored, prefix, rows, _make = next(g for g in _GRIDS if g[0] == stored_key)
        return [(row, self[f"{prefix}__{row.key}__left"], self[f"{prefix}__{row.key}__right"]) for row in rows]

    @classmethod
    def initial_from(cls, stored, exam):
        stored = stored or {}
        initial = {name: stored.get(name) or "" for name in ("saddle_sensation", "anal_tone", "notes")}
        for key, prefix, rows, _make in _GRIDS:
            for row in rows:
                for side, _label in SIDES:
                    initial[f"{prefix}__{row.key}__{side}"] = ((stored.get(key) or {}).get(row.key) or {}).get(side)
        return initial

    def to_findings(self):
        data = self.cleaned_data
        found = {"graded": 1}
        for key, prefix, rows, _make in _GRIDS:
            found[key] = {}
            for row in rows:
                values = {side: data.get(f"{prefix}__{row.key}__{side}") for side, _label in SIDES}
                found[key][row.key] = {side: (None if value in ("", None) else value) for side, value in values.items()}
        found["saddle_sensation"] = data["saddle_sensation"]
        found["anal_tone"] = data["anal_tone"]
        found["notes"] = data["notes"]
        stored = (self.exam.findings.get("neuro") or {}) if self.exam else {}
        for side, _label in SIDES:  # yes/no findings recorded before the graded screen stay with the exam
            if stored.get(side):
                found[side] = list(stored[side])
        return found


# --- Special tests ---------------------------------------------------------------------------------------


def test_field_names(info):
    return [f"{info.key}_{side}" for side, _ in SIDES] if info.sided else [info.key]


class SpecialTestsForm(SectionForm):
    section, title = "special_tests", _("Special tests")

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        for info in TESTS.values():
            for name in test_field_names(info):
                side = name.rsplit("_", 1)[1] if info.sided else ""
                choices = ((NOT_TESTED, "Not tested"), (POSITIVE, info.words[0]), (NEGATIVE, info.words[1]))
                self.fields[name] = forms.ChoiceField(
                    label=f"{info.label}, {side}" if side else info.label, choices=choices, required=False,
                    initial=NOT_TESTED, widget=forms.RadioSelect,
                )

    @classmethod
    def initial_from(cls, stored, exam):
        initial = {}
        for key, value in (stored or {}).items():
            if isinstance(value, dict):
                initial.update({f"{key}_{side}": v for side, v in value.items()})
            else:
                initial[key] = value
        return initial

    def to_findings(self):
        data = self.cleaned_data
        found = {}
        for info in TESTS.values():
            if info.sided:
                found[info.key] = {side: data[f"{info.key}_{side}"] or NOT_TESTED for side, _ in SIDES}
            else:
                found[info.key] = data[info.key] or NOT_TESTED
        return found


# --- Ultrasound --------------------------------------------------------------------------------------------

US_UNITS = (("cm", "cm"), ("mm", "mm"), ("mm2", "mm²"))


class UltrasoundRowForm(forms.Form):
    id = forms.CharField(required=False, widget=forms.HiddenInput)
    structure = _choice("Structure", US_STRUCTURES)
    side = _choice("Side", vocabulary.LIMB_OR_BOTH)
    mode = _choice("Static or dynamic", (("static", "Static"), ("dynamic", "Dynamic (under contraction)")))
    measurement = _number("Measurement", low=0, high=10000, places=2)
    unit = _choice("Unit", US_UNITS, blank="unit")
    finding = forms.CharField(label="Finding", required=False, max_length=1000,
                              widget=forms.Textarea(attrs={"rows": 2, "class": "form-control"}))

    def clean(self):
        data = super().clean()
        if data.get("finding") or data.get("measurement") is not None:
            if not data.get("structure"):
                self.add_error("structure", "Choose the structure this finding is about.")
            if not data.get("side"):
                self.add_error("side", "Choose the side.")
        if data.get("measurement") is not None and not data.get("unit"):
            self.add_error("unit", "Choose the unit of the measurement.")
        return data

    @property
    def is_blank(self):
        data = getattr(self, "cleaned_data", {})
        return not any(data.get(k) not in (None, "") for k in ("structure", "side", "mode", "measurement", "finding"))


class _UltrasoundFormSet(forms.BaseFormSet):
    def __init__(self, *args, exam=None, **kwargs):
        self.exam = exam
        super().__init__(*args, **kwargs)


UltrasoundRows = forms.formset_factory(UltrasoundRowForm, formset=_UltrasoundFormSet, extra=1, max_num=30)


class UltrasoundForm:
    """The ultrasound section: a list of findings (a formset), each with its still images."""

    section, title = "ultrasound", _("Ultrasound")
    prefix = "us"

    def __init__(self, data=None, *, exam=None, initial=None):
        self.exam = exam
        self.formset = UltrasoundRows(data, exam=exam, initial=initial, prefix=self.prefix)

    @classmethod
    def initial_from(cls, stored, exam):
        return [dict(row) for row in (stored or [])]

    def is_valid(self):
        return self.formset.is_valid()

    @property
    def errors(self):
        found = {}
        for i, form in enumerate(self.formset.forms):
            for field, messages in form.errors.items():
                found[f"{self.prefix}-{i}-{field}"] = messages
        if self.formset.non_form_errors():
            found["__all__"] = self.formset.non_form_errors()
        return found

    def to_findings(self):
        stored = {row.get("id"): row for row in (self.exam.findings.get("ultrasound") or [])} if self.exam else {}
        rows = []
        self.assigned = {}  # input name -> the id given to a new row, for the page to keep
        for form in self.formset.forms:
            if form.is_blank:
                continue
            data = form.cleaned_data
            row_id = data.get("id") or uuid.uuid4().hex[:8]
            if not data.get("id"):
                self.assigned[form.add_prefix("id")] = row_id
            rows.append({
                "id": row_id, "structure": data["structure"], "side": data["side"], "mode": data["mode"],
                "measurement": _plain(data["measurement"]), "unit": data["unit"], "finding": data["finding"],
                "image_ids": stored.get(row_id, {}).get("image_ids", []),
            })
        return rows


# --- Assessment and plan -------------------------------------------------------------------------------------


class DiagnosisRowForm(forms.Form):
    """One working diagnosis: from the clinic's table, with its side; the code follows (typed for Trauma, Other)."""

    id = forms.IntegerField(required=False, widget=forms.HiddenInput)
    diagnosis = forms.ChoiceField(
        label=_("Diagnosis"), required=False, choices=[("", _("Choose a diagnosis")), *diagnoses.grouped_choices()],
        widget=forms.Select(attrs={"class": "form-select", "data-dx-diagnosis": ""}),
    )
    side = _choice(_("Side"), diagnoses.SIDES, blank="—")
    icd10_code = forms.CharField(
        label=_("ICD-10-CM code"), required=False, max_length=10,
        widget=forms.TextInput(attrs={"class": "form-control", "autocomplete": "off", "spellcheck": "false",
                                      "data-dx-code": ""}),
    )
    primary = forms.BooleanField(label=_("Primary"), required=False,
                                 widget=forms.CheckboxInput(attrs={"class": "form-check-input"}))
    note = forms.CharField(label=_("Note"), required=False, max_length=500,
                           widget=forms.TextInput(attrs={"class": "form-control"}))

    @property
    def is_blank(self):
        data = getattr(self, "cleaned_data", {})
        return not any(data.get(k) for k in ("diagnosis", "side", "icd10_code", "note"))

    def clean(self):
        data = super().clean()
        if not any(data.get(k) for k in ("diagnosis", "side", "icd10_code", "note")):
            return data
        for field, message in diagnoses.check(data.get("diagnosis", ""), data.get("side", ""),
                                              data.get("icd10_code", ""), data.get("note", "")).items():
            if field not in self.errors:
                self.add_error(field, message)
        return data


class _DiagnosisRows(forms.BaseFormSet):
    def clean(self):
        if any(self.errors):
            return
        primaries = [form for form in self.forms if not form.is_blank and form.cleaned_data.get("primary")]
        if len(primaries) > 1:
            for form in primaries:
                form.add_error("primary", _("Mark one diagnosis as the primary one."))
            raise forms.ValidationError(_("Mark one diagnosis as the primary one."))


DiagnosisRows = forms.formset_factory(DiagnosisRowForm, formset=_DiagnosisRows, extra=1, max_num=12)


class AssessmentForm:
    """The assessment: the working diagnoses (a formset, several per exam) and the clinical reasoning."""

    section, title = "assessment", _("Assessment")
    prefix = "dx"

    def __init__(self, data=None, *, exam=None, initial=None):
        self.exam = exam
        initial = initial or {}
        self.formset = DiagnosisRows(data, initial=initial.get("diagnoses"), prefix=self.prefix)
        self._notes_form = _NotesForm(data, initial={"assessment_notes": initial.get("assessment_notes", "")})

    @classmethod
    def initial_from(cls, stored, exam):
        rows = [{"id": d.pk, "diagnosis": d.diagnosis, "side": d.side, "icd10_code": d.icd10_code,
                 "primary": d.primary, "note": d.note} for d in exam.diagnoses.all()]
        return {"diagnoses": rows, "assessment_notes": exam.assessment_notes}

    @property
    def assessment_notes(self):
        return self._notes_form["assessment_notes"]

    def is_valid(self):
        rows_ok = self.formset.is_valid()
        return self._notes_form.is_valid() and rows_ok

    @property
    def errors(self):
        found = dict(self._notes_form.errors)
        for i, form in enumerate(self.formset.forms):
            for field, messages in form.errors.items():
                found[f"{self.prefix}-{i}-{field}"] = messages
        if self.formset.non_form_errors():
            found["__all__"] = self.formset.non_form_errors()
        return found

    def to_findings(self):
        rows = []
        for position, form in enumerate(self.formset.forms):
            if form.is_blank:
                continue
            data = form.cleaned_data
            rows.append({"id": data.get("id"), "diagnosis": data["diagnosis"], "side": data["side"],
                         "icd10_code": data["icd10_code"], "primary": data["primary"], "note": data["note"].strip(),
                         "position": position})
        return {"diagnoses": rows, "assessment_notes": self._notes_form.cleaned_data["assessment_notes"]}

    def values_after_save(self, saved):
        """The inputs the page updates after a save: each row's id and code (a cleared row loses its id)."""
        by_position = {d.position: d for d in saved}
        values = {}
        for position in range(len(self.formset.forms)):
            row = by_position.get(position)
            values[f"{self.prefix}-{position}-id"] = row.pk if row else ""
            if row:
                values[f"{self.prefix}-{position}-icd10_code"] = row.icd10_code
        return values


class _NotesForm(forms.Form):
    assessment_notes = forms.CharField(label=_("Clinical reasoning"), required=False, max_length=5000,
                                       widget=forms.Textarea(attrs={"rows": 3, "class": "form-control"}))


INTERVENTIONS = (
    ("education", "Education and load management"),
    ("exercise", "Therapeutic exercise"),
    ("manual_therapy", "Manual therapy"),
    ("gait_retraining", "Gait retraining"),
    ("neural_mobilisation", "Neural mobilisation"),
    ("dry_needling", "Dry needling"),
)


class PlanForm(SectionForm):
    section, title = "plan", _("Plan")

    frequency_per_week = forms.TypedChoiceField(
        label="Visits per week", required=False, coerce=int, empty_value=None,
        choices=[("", "—"), *((n, str(n)) for n in range(1, 6))], widget=forms.Select(attrs={"class": "form-select"}),
    )
    weeks = forms.IntegerField(label="For how many weeks", required=False, min_value=1, max_value=52,
                               widget=forms.TextInput(attrs={"inputmode": "numeric", "class": "form-control num"}))
    interventions = forms.MultipleChoiceField(label="Interventions", required=False, choices=INTERVENTIONS,
                                              widget=forms.CheckboxSelectMultiple)
    interventions_other = forms.CharField(label="Other interventions", required=False, max_length=500,
                                          widget=forms.TextInput(attrs={"class": "form-control"}))
    home_exercises = forms.CharField(label="Home exercises", required=False, max_length=5000,
                                     widget=forms.Textarea(attrs={"rows": 3, "class": "form-control"}))
    goals = forms.CharField(label="Goals", required=False, max_length=5000,
                            widget=forms.Textarea(attrs={"rows": 3, "class": "form-control"}))


SECTION_FORMS = {
    form.section: form
    for form in (ScoresForm, HistoryForm, GaitForm, MobilityForm, StrengthForm, NeuroForm, SpecialTestsForm,
                 UltrasoundForm, AssessmentForm, PlanForm)
}


def section_form(section, exam, data=None):
    """The bound (with data) or initial form of one section of `exam`."""
    cls = SECTION_FORMS[section]
    stored = exam.findings.get(section)
    return cls(data, exam=exam, initial=cls.initial_from(stored, exam))


# --- Forms outside the findings ------------------------------------------------------------------------------


class AddendumForm(forms.Form):
    text = forms.CharField(label="Addendum", max_length=5000,
                           widget=forms.Textarea(attrs={"rows": 3, "class": "form-control"}),
                           error_messages={"required": "Write the correction or addition first."})


class AttachmentForm(forms.Form):
    KINDS = ((PatientDocument.Kind.GAIT, "Gait video or 3D gait report"),
             (PatientDocument.Kind.ULTRASOUND, "Ultrasound still"))

    kind = forms.ChoiceField(label="What", choices=KINDS, widget=forms.Select(attrs={"class": "form-select"}))
    file = forms.FileField(label="File", widget=forms.ClearableFileInput(attrs={"class": "form-control"}))
    caption = forms.CharField(label="Caption", required=False, max_length=200,
                              widget=forms.TextInput(attrs={"class": "form-control"}))
    finding = forms.CharField(label="For finding", required=False, widget=forms.Select(attrs={"class": "form-select"}))

    def __init__(self, *args, exam=None, **kwargs):
        super().__init__(*args, **kwargs)
        self.exam = exam
        rows = (exam.findings.get("ultrasound") or []) if exam else []
        labels = dict(US_STRUCTURES)
        self.finding_choices = [("", "— none —")] + [
            (row["id"], f"{labels.get(row['structure'], row['structure'])}, {row['side']}") for row in rows
        ]
        self.fields["finding"].widget.choices = self.finding_choices

    def clean_finding(self):
        value = self.cleaned_data["finding"]
        if value and value not in dict(self.finding_choices):
            raise forms.ValidationError("That ultrasound finding no longer exists; save the section first.")
        return value


WEEKDAYS = ((0, "Mon"), (1, "Tue"), (2, "Wed"), (3, "Thu"), (4, "Fri"), (5, "Sat"), (6, "Sun"))


def default_weekdays(first_weekday, per_week):
    """Spread N visits a week over Monday-Friday from the first visit's weekday (a suggestion to edit)."""
    per_week = max(1, min(per_week or 1, 5))
    step = {1: 5, 2: 3, 3: 2}.get(per_week, 1)
    modulo = 5 if first_weekday < 5 else 7
    return sorted({(first_weekday + i * step) % modulo for i in range(per_week)})


class BookSeriesForm(forms.Form):
    visit_type = forms.ModelChoiceField(
        label="Visit type", queryset=VisitType.objects.filter(is_active=True), empty_label=None,
        widget=forms.Select(attrs={"class": "form-select"}),
    )
    first_start = dates.InstantField(
        label="First visit", widget=forms.DateTimeInput(attrs={"type": "datetime-local", "class": "form-control"}),
        input_formats=["%Y-%m-%dT%H:%M", "%Y-%m-%d %H:%M"],
    )
    weekdays = forms.TypedMultipleChoiceField(label="On", choices=WEEKDAYS, coerce=int,
                                              widget=forms.CheckboxSelectMultiple)
    weeks = forms.IntegerField(label="Weeks", min_value=1, max_value=52,
                               widget=forms.TextInput(attrs={"inputmode": "numeric", "class": "form-control num"}))

    def clean_first_start(self):
        start = self.cleaned_data["first_start"]
        if start <= timezone.now():
            raise forms.ValidationError("Choose a time in the future.")
        return start

    def clean(self):
        data = super().clean()
        start, weekdays = data.get("first_start"), data.get("weekdays")
        if start and weekdays and timezone.localtime(start).weekday() not in weekdays:
            self.add_error("weekdays", "Include the weekday of the first visit.")
        return data
