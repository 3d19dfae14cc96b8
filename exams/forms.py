"""The clinician's exam: what each section records, how it is validated and how it is stored.

Each section form reads its initial values from `Exam.findings[section]` (`initial_from`) and turns
what was typed into the JSON stored there (`to_findings`). The catalogues (tests, motions, norms,
diagnoses) with the labels and source figures shown beside the fields are in exams.catalogue; the figures come
from docs/clinical-rules.md.
"""

import re
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

from . import rules
from .catalogue import (
    DIAGNOSES,
    GAIT_SIDED,
    MOTIONS,
    NEGATIVE,
    NOT_TESTED,
    POSITIVE,
    ROOT_FINDINGS,
    TESTS,
    US_STRUCTURES,
    motion_keys,
)

SIDES = vocabulary.LIMB_SIDES
TEST_VALUES = ((NOT_TESTED, "Not tested"), (POSITIVE, "Positive"), (NEGATIVE, "Negative"))


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
    section, title = "scores", "Today's scores"

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
    section, title = "history", "History"

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


class GaitForm(SectionForm):
    section, title = "gait", "Gait analysis"

    speed = _number("Gait speed (m/s)", low=0, high=5, places=2)
    cadence = _number("Cadence (steps/min)", low=0, high=300)
    stride_length_left = _number("Stride length, left (cm)", low=0, high=400)
    stride_length_right = _number("Stride length, right (cm)", low=0, high=400)
    step_width = _number("Step width (cm)", low=0, high=60)
    stance_left = _number("Stance, left (% of gait cycle)", low=0, high=100)
    stance_right = _number("Stance, right (% of gait cycle)", low=0, high=100)
    deviations_left = forms.MultipleChoiceField(
        label="Deviations, left", required=False, choices=GAIT_DEVIATIONS, widget=forms.CheckboxSelectMultiple
    )
    deviations_right = forms.MultipleChoiceField(
        label="Deviations, right", required=False, choices=GAIT_DEVIATIONS, widget=forms.CheckboxSelectMultiple
    )
    deviations_other = forms.CharField(label="Other deviations", required=False, max_length=500,
                                       widget=forms.TextInput(attrs={"class": "form-control"}))

    @classmethod
    def initial_from(cls, stored, exam):
        stored = dict(stored or {})
        deviations = stored.pop("deviations", {}) or {}
        stored.pop("symmetry", None)
        stored["deviations_left"] = deviations.get("left", [])
        stored["deviations_right"] = deviations.get("right", [])
        return stored

    def to_findings(self):
        data = self.cleaned_data
        found = {
            name: _plain(data[name])
            for name in ("speed", "cadence", "stride_length_left", "stride_length_right", "step_width",
                         "stance_left", "stance_right")
        }
        found["deviations"] = {"left": data["deviations_left"], "right": data["deviations_right"]}
        found["deviations_other"] = data["deviations_other"]
        # The symmetry index is stored with the raw left and right values and the formula used.
        found["symmetry"] = {}
        for name in GAIT_SIDED:
            si = rules.symmetry_index(found[f"{name}_right"], found[f"{name}_left"])
            if si is not None:
                found["symmetry"][name] = {
                    "left": si.left, "right": si.right, "percent": si.percent, "formula": si.formula,
                    "larger_side": si.larger_side,
                }
        return found


# --- Mobility ----------------------------------------------------------------------------------------


class MobilityForm(SectionForm):
    section, title = "mobility", "Mobility"

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        for motion, (label, sided) in MOTIONS.items():
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
    section, title = "strength", "Strength"

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

NEURO_KINDS = (
    ("sensation", "Sensation (reduced)", "numbness"),
    ("muscles", "Key muscles (weak)", "weakness"),
    ("reflexes", "Reflexes (reduced)", "reduced_"),
    ("screen", "Quick screen (difficult)", "difficulty"),
)


def _neuro_kind(key):
    return next(kind for kind, _, marker in NEURO_KINDS if marker in key)


def neuro_rows():
    """[(root, [(kind label, [(key, text)])])] from the root screening table, in L4, L5, S1 order."""
    rows = []
    for root in ("L4", "L5", "S1"):
        groups = []
        for kind, label, _unused in NEURO_KINDS:
            items = [(k, text) for k, (r, text) in ROOT_FINDINGS.items() if r == root and _neuro_kind(k) == kind]
            if items:
                groups.append((label, items))
        rows.append((root, groups))
    return rows


class NeuroForm(SectionForm):
    section, title = "neuro", "Neuro screen"

    notes = forms.CharField(label="Neuro notes", required=False, max_length=1000,
                            widget=forms.Textarea(attrs={"rows": 2, "class": "form-control"}))

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        for side, _label in SIDES:
            for key, (root, text) in ROOT_FINDINGS.items():
                self.fields[f"{side}__{key}"] = _tick(f"{text} ({root}), {side}")

    @classmethod
    def initial_from(cls, stored, exam):
        stored = stored or {}
        initial = {"notes": stored.get("notes", "")}
        for side, _label in SIDES:
            initial.update({f"{side}__{key}": True for key in stored.get(side, [])})
        return initial

    def to_findings(self):
        data = self.cleaned_data
        found = {side: [k for k in ROOT_FINDINGS if data[f"{side}__{k}"]] for side, _ in SIDES}
        found["notes"] = data["notes"]
        return found


# --- Special tests ---------------------------------------------------------------------------------------


def test_field_names(info):
    return [f"{info.key}_{side}" for side, _ in SIDES] if info.sided else [info.key]


class SpecialTestsForm(SectionForm):
    section, title = "special_tests", "Special tests"

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        for info in TESTS.values():
            for name in test_field_names(info):
                side = name.rsplit("_", 1)[1] if info.sided else ""
                self.fields[name] = forms.ChoiceField(
                    label=f"{info.label}, {side}" if side else info.label, choices=TEST_VALUES, required=False,
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

    section, title = "ultrasound", "Ultrasound"
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

ICD10_RE = re.compile(r"^[A-TV-Z][0-9][0-9A-Z](\.?[0-9A-Z]{1,4})?$")


class AssessmentForm(SectionForm):
    section, title = "assessment", "Assessment"

    working_diagnosis = _choice("Working diagnosis", DIAGNOSES.items(), blank="Not chosen yet")
    icd10_code = forms.CharField(
        label="ICD-10 code (optional)", required=False, max_length=10,
        widget=forms.TextInput(attrs={"class": "form-control", "autocomplete": "off", "spellcheck": "false"}),
    )
    assessment_notes = forms.CharField(label="Clinical reasoning", required=False, max_length=5000,
                                       widget=forms.Textarea(attrs={"rows": 3, "class": "form-control"}))

    @classmethod
    def initial_from(cls, stored, exam):
        return {"working_diagnosis": exam.working_diagnosis, "icd10_code": exam.icd10_code,
                "assessment_notes": exam.assessment_notes}

    def clean_icd10_code(self):
        code = self.cleaned_data["icd10_code"].strip().upper().replace(" ", "")
        if code and not ICD10_RE.match(code):
            raise forms.ValidationError("Enter an ICD-10 code like M53.3 or G57.01, or leave it blank.")
        if code and "." not in code and len(code) > 3:
            code = f"{code[:3]}.{code[3:]}"
        return code


INTERVENTIONS = (
    ("education", "Education and load management"),
    ("exercise", "Therapeutic exercise"),
    ("manual_therapy", "Manual therapy"),
    ("gait_retraining", "Gait retraining"),
    ("neural_mobilisation", "Neural mobilisation"),
    ("dry_needling", "Dry needling"),
)


class PlanForm(SectionForm):
    section, title = "plan", "Plan"

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
