"""The patient's intake form: one Django form per step, in plain words, with the clinical term in brackets.

Each step's answers are stored as JSON on IntakeForm.answers[step]. The stored shape is the step
form's cleaned data (dates as ISO text), except the body map, stored as {region: [kinds]} (a region can
carry pain, tingling and numbness at once), and the red-flag screen, stored as {item: ticked} with
"none_apply". The patient API accepts that same shape, so `to_data(answers)` turns it back into form
data for both.

Questions that only apply sometimes carry a condition (`depends_on`): the page shows them when the
controlling answer matches (intake.js), and validation requires them only then and drops their
value otherwise.
"""

import copy
import datetime
import re

from django import forms
from django.core.exceptions import ValidationError
from django.urls import reverse
from django.utils import timezone
from django.utils.html import format_html
from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _

from clinic import dates
from patients import phone

from . import instruments, scoring, selectors, signatures, vocabulary
from .models import INTAKE_STEPS
from .rules import RED_FLAG_ITEMS


class YesNoRadio(forms.RadioSelect):
    """A yes/no question drawn as two large buttons."""


class ScaleRadio(forms.RadioSelect):
    """A 0-10 scale drawn as a grid of numbered buttons."""


def _is_yes(value):
    return value in (True, "True", "true")


def yes_no(label, *, help_text="", urgent=False):
    attrs = {"data-urgent": "emergency"} if urgent else {}
    return forms.TypedChoiceField(
        label=label,
        choices=[(True, "Yes"), (False, "No")],
        coerce=_is_yes,
        empty_value=None,
        widget=YesNoRadio(attrs=attrs),
        help_text=help_text,
        error_messages={"required": "Choose yes or no."},
    )


def scale(label, *, help_text="0 = no pain, 10 = worst pain imaginable", required=True):
    return forms.TypedChoiceField(
        label=label,
        choices=[(n, str(n)) for n in range(11)],
        coerce=int,
        empty_value=None,
        required=required,
        widget=ScaleRadio,
        help_text=help_text,
        error_messages={"required": "Choose a number from 0 to 10."},
    )


def radio(label, choices, *, required=True, help_text="", message="Choose one answer."):
    return forms.ChoiceField(
        label=label, choices=choices, required=required, widget=forms.RadioSelect, help_text=help_text,
        error_messages={"required": message},
    )


def ticks(label, choices, *, help_text="Tick all that apply.", compact=False):
    field = forms.MultipleChoiceField(
        label=label, choices=choices, required=False, widget=forms.CheckboxSelectMultiple, help_text=help_text
    )
    field.compact = compact  # short answers: two columns on a phone
    return field


def text(label, *, required=True, max_length=200, help_text="", autocomplete=None, kind="text", message=None):
    attrs = {"autocomplete": autocomplete} if autocomplete else {}
    if kind == "tel":
        attrs.update(type="tel", inputmode="tel")
    widget = forms.Textarea(attrs={"rows": 3, **attrs}) if kind == "long" else forms.TextInput(attrs=attrs)
    return forms.CharField(
        label=label, required=required, max_length=max_length, help_text=help_text, widget=widget,
        error_messages={"required": message} if message else None,
    )


def number(label, *, low, high, required=True, help_text="", message="Enter a number."):
    return forms.IntegerField(
        label=label, min_value=low, max_value=high, required=required, help_text=help_text,
        widget=forms.NumberInput(attrs={"inputmode": "numeric"}),
        error_messages={"required": message, "invalid": "Enter a whole number, for example 4."},
    )


def _jsonable(value):
    if isinstance(value, datetime.date):
        return value.isoformat()
    return value


DRAFT_TEXT_LIMIT = 2000  # the longest answer a step takes


def _normalise_name(name):
    return " ".join(re.sub(r"[^\w\s'-]", " ", name.casefold()).split())


class StepForm(forms.Form):
    """One step: its title, sections of questions, conditional questions and stored shape."""

    step = ""
    title = ""
    intro = ""
    # (heading, note, field names); the template draws each as a group.
    sections: tuple = ()
    # field -> (controlling field, values that show it, message when it is shown but empty, or None)
    depends_on: dict = {}

    def __init__(self, *args, patient=None, visit=None, **kwargs):
        kwargs.setdefault("label_suffix", "")
        super().__init__(*args, **kwargs)
        self.patient = patient
        self.visit = visit  # the appointment the form is for (None: the visit was deleted)
        for name, (source, values, message) in self.depends_on.items():
            field = self.fields[name]
            field.show_if = f"{source}={'|'.join(values)}"
            field.required = False
            field.required_when_shown = bool(message)
        for field in self.fields.values():
            widget = field.widget
            if isinstance(widget, forms.HiddenInput):
                continue
            if isinstance(widget, forms.RadioSelect | forms.CheckboxSelectMultiple):
                widget.attrs.setdefault("class", "intake-choice-input")
            elif isinstance(widget, forms.CheckboxInput):
                widget.attrs.setdefault("class", "form-check-input")
            elif isinstance(widget, forms.Select):
                widget.attrs.setdefault("class", "form-select form-select-lg")
            else:
                widget.attrs.setdefault("class", "form-control form-control-lg")

    # --- conditional questions ---

    def value_of(self, name) -> list[str]:
        """The current answer(s) to a question as text, from the submitted data or the initial values."""
        field = self.fields[name]
        if self.is_bound:
            value = field.widget.value_from_datadict(self.data, self.files, self.add_prefix(name))
        else:
            value = self.get_initial_for_field(field, name)
        values = value if isinstance(value, list | tuple) else [value]
        return [str(v) for v in values if v is not None and v != ""]

    def is_shown(self, name) -> bool:
        condition = self.depends_on.get(name)
        if condition is None:
            return True
        source, values, _message = condition
        return self.is_shown(source) and bool(set(self.value_of(source)) & set(values))

    def _empty(self, name):
        field = self.fields[name]
        if isinstance(field, forms.MultipleChoiceField):
            return []
        if isinstance(field, forms.CharField):
            return ""
        if isinstance(field, forms.BooleanField):
            return False
        return None

    def clean(self):
        cleaned = super().clean()
        for name, (_source, _values, message) in self.depends_on.items():
            if not self.is_shown(name):
                self._errors.pop(name, None)
                cleaned[name] = self._empty(name)
            elif message and cleaned.get(name) in (None, "", []) and name not in self._errors:
                self.add_error(name, message)
        return cleaned

    # --- layout and stored shape ---

    def _mark_visibility(self):
        for name in self.depends_on:
            self.fields[name].hidden_now = not self.is_shown(name)
        for field in self.fields.values():
            if not hasattr(field, "marked_optional"):
                field.marked_optional = not field.required and not getattr(field, "required_when_shown", False)

    def grouped(self):
        """[(heading, note, [bound fields])] for the template, conditional questions marked shown or not."""
        self._mark_visibility()
        return [(heading, note, [self[name] for name in names]) for heading, note, names in self.sections]

    def to_answers(self) -> dict:
        """The stored (JSON) form of the cleaned answers."""
        return {name: _jsonable(value) for name, value in self.cleaned_data.items()}

    # Questions whose entry is not kept in a draft (the drawn signature: large, and asked again).
    not_in_draft: tuple = ()

    def draft_data(self) -> dict:
        """What was entered on this bound step, as form data that JSON keeps (IntakeForm.step_drafts): each of this
        step's questions as posted, empty ones left out, text cut at DRAFT_TEXT_LIMIT. Not validated: it only
        fills the step in again."""
        data = {}
        for name, field in self.fields.items():
            if name in self.not_in_draft:
                continue
            value = field.widget.value_from_datadict(self.data, self.files, self.add_prefix(name))
            if isinstance(field.widget, forms.CheckboxInput):
                if value:
                    data[name] = "on"
            elif isinstance(value, list | tuple):
                if kept := [str(v)[:DRAFT_TEXT_LIMIT] for v in value if v not in (None, "")]:
                    data[name] = kept
            elif value not in (None, ""):
                data[name] = str(value)[:DRAFT_TEXT_LIMIT]
        return data

    @classmethod
    def to_data(cls, answers: dict) -> dict:
        """Form data (or initial values) from stored answers or an API body."""
        return dict(answers or {})

    @classmethod
    def initial_for(cls, patient) -> dict:
        """Starting values before the patient has saved this step."""
        return {}

    def describe(self, answers: dict) -> list[tuple[str, str]]:
        """(question, answer) pairs in plain words for staff summaries; unanswered questions left out."""
        rows = []
        for name, field in self.fields.items():
            value = answers.get(name)
            if value in (None, "", []) or isinstance(field.widget, forms.HiddenInput):
                continue
            choices = {str(k): v for k, v in getattr(field, "choices", ())}
            if isinstance(value, bool) and not choices:
                shown = "Yes" if value else "No"
            elif isinstance(value, list):
                shown = "; ".join(str(choices.get(str(v), v)) for v in value)
            else:
                shown = str(choices.get(str(value), value))
            rows.append((str(field.label), shown))
        return rows


# --- 1. Contact details ----------------------------------------------------------------------------

CONTACT_PATIENT_FIELDS = (
    "email", "mobile_phone", "address_line1", "address_line2", "city", "state", "postal_code",
    "emergency_contact_name", "emergency_contact_relationship", "emergency_contact_phone",
    "insurance_carrier", "insurance_member_id", "insurance_group_number",
)


# How the patient wants their reminders: (answer, Patient.preferred_channel, email reminders, text reminders).
REMINDER_CHANNELS = [
    ("email", _("Email")),
    ("sms", _("Text message")),
    ("both", _("Both email and text message")),
]
TEXTING_CHANNELS = ("sms", "both")


def reminder_preferences(answers: dict) -> dict:
    """The Patient fields the reminder answers set; {} for a form saved before the question was asked.

    Texts need the explicit opt-in: without it nothing goes by text, whatever channel was chosen."""
    channel = answers.get("reminder_channel")
    if not channel:
        return {}
    texts = channel in TEXTING_CHANNELS and bool(answers.get("sms_opt_in"))
    return {
        "preferred_channel": "sms" if texts else "email",
        "reminder_email_consent": channel in ("email", "both"),
        "reminder_sms_consent": texts,
    }


class ContactForm(StepForm):
    step = "contact"
    title = "Your details"
    intro = "Check that we have the right details, and change anything that is out of date."

    email = forms.EmailField(
        label="Email", required=False, widget=forms.EmailInput(attrs={"autocomplete": "email"}),
        error_messages={"invalid": "Enter an email address like name@example.com."},
    )
    mobile_phone = text("Mobile phone", required=False, max_length=30, kind="tel", autocomplete="tel",
                        help_text="For example (617) 555-0134.")
    address_line1 = text("Street address", autocomplete="address-line1", message="Enter your street address.")
    address_line2 = text("Apartment, suite or unit", required=False, autocomplete="address-line2")
    city = text("Town or city", max_length=100, autocomplete="address-level2", message="Enter your town or city.")
    state = text("State", required=False, max_length=100, autocomplete="address-level1")
    postal_code = text("ZIP code", max_length=20, autocomplete="postal-code", message="Enter your ZIP code.")
    emergency_contact_name = text("Emergency contact: name", message="Tell us who we should call in an emergency.")
    emergency_contact_relationship = text(
        "Emergency contact: how you know them", max_length=60, help_text="For example partner, parent or friend.",
        message="Tell us how you know your emergency contact.",
    )
    emergency_contact_phone = text("Emergency contact: phone", max_length=30, kind="tel",
                                   message="Enter your emergency contact's phone number.")
    has_insurance = yes_no("Will you use health insurance for these visits?")
    insurance_carrier = text("Insurance company", required=False, max_length=120)
    insurance_member_id = text("Member ID", required=False, max_length=60, help_text="It is on your insurance card.")
    insurance_group_number = text("Group number", required=False, max_length=60)
    reminder_channel = radio(_("How should we send your appointment reminders?"), REMINDER_CHANNELS,
                             message=_("Choose how you would like your reminders."))
    sms_opt_in = forms.BooleanField(
        label=_("Yes, the clinic may send me text messages about my visits: reminders and changes to my bookings. "
                "Message and data rates may apply. Reply STOP to any text to stop them."),
        required=False,
    )

    sections = (
        ("How we reach you", "", ("email", "mobile_phone", "address_line1", "address_line2", "city", "state",
                                  "postal_code")),
        (_("Reminders"), "", ("reminder_channel", "sms_opt_in")),
        ("Emergency contact", "", ("emergency_contact_name", "emergency_contact_relationship",
                                   "emergency_contact_phone")),
        ("Insurance", "", ("has_insurance", "insurance_carrier", "insurance_member_id", "insurance_group_number")),
    )
    depends_on = {
        "insurance_carrier": ("has_insurance", ("True",), "Enter the name of your insurance company."),
        "insurance_member_id": ("has_insurance", ("True",), "Enter your member ID from your insurance card."),
        "insurance_group_number": ("has_insurance", ("True",), None),
        # Checked in clean(): the opt-in is a tick box, so "empty" is False rather than missing.
        "sms_opt_in": ("reminder_channel", TEXTING_CHANNELS, None),
    }

    @classmethod
    def initial_for(cls, patient):
        values = {name: getattr(patient, name) for name in CONTACT_PATIENT_FIELDS}
        values["mobile_phone"] = patient.mobile_phone_display
        values["emergency_contact_phone"] = patient.emergency_contact_phone_display
        values["has_insurance"] = True if patient.insurance_carrier else None
        # The channel on the record is a starting point; the text opt-in is asked afresh, never pre-ticked.
        if patient.reminder_sms_consent and patient.mobile_phone:
            values["reminder_channel"] = "both" if patient.reminder_email_consent and patient.email else "sms"
        elif patient.reminder_email_consent and patient.email:
            values["reminder_channel"] = "email"
        return values

    def _phone(self, name):
        try:
            return phone.to_e164(self.cleaned_data.get(name, ""))
        except ValidationError as exc:
            raise ValidationError(exc.messages) from None

    def clean_mobile_phone(self):
        return self._phone("mobile_phone")

    def clean_emergency_contact_phone(self):
        return self._phone("emergency_contact_phone")

    def clean(self):
        cleaned = super().clean()
        if "email" in cleaned and "mobile_phone" in cleaned and not cleaned["email"] and not cleaned["mobile_phone"]:
            self.add_error("email", "Give us an email address or a mobile number so we can reach you.")
        channel = cleaned.get("reminder_channel")
        if channel in TEXTING_CHANNELS:
            if not cleaned.get("sms_opt_in") and "sms_opt_in" not in self._errors:
                self.add_error("sms_opt_in", gettext("Tick to agree to text messages, or choose email reminders."))
            if "mobile_phone" in cleaned and not cleaned["mobile_phone"]:
                self.add_error("mobile_phone", gettext("Add your mobile number to get reminders by text message."))
        if channel in ("email", "both") and "email" in cleaned and not cleaned["email"]:
            self.add_error("email", gettext("Add your email address to get reminders by email, or choose text "
                                            "messages."))
        if self.patient is not None and not self.errors:
            # The record's own rules (e.g. email reminders need an email address), with its messages.
            candidate = copy.copy(self.patient)
            for name, value in self.patient_fields(self.to_answers()).items():
                setattr(candidate, name, value)
            try:
                candidate.clean()
            except ValidationError as exc:
                for name, messages in exc.message_dict.items():
                    self.add_error(name if name in self.fields else None, messages)
        return cleaned

    def describe(self, answers):
        shown = {**answers, **{n: phone.pretty(answers.get(n) or "") for n in ("mobile_phone", "emergency_contact_phone")}}
        return super().describe(shown)

    def patient_fields(self, answers=None) -> dict:
        """The Patient fields these answers set (insurance cleared for self-pay; the reminder channels)."""
        answers = answers if answers is not None else self.to_answers()
        return {**{name: answers.get(name) or "" for name in CONTACT_PATIENT_FIELDS}, **reminder_preferences(answers)}


# --- 2. Health history -----------------------------------------------------------------------------

CONDITIONS = [
    ("high_blood_pressure", "High blood pressure"),
    ("heart_disease", "Heart disease"),
    ("osteoporosis", "Thin or weak bones (osteoporosis)"),
    ("arthritis", "Arthritis (wear and tear)"),
    ("inflammatory_arthritis", "Inflammatory arthritis, such as rheumatoid arthritis or ankylosing spondylitis"),
    ("lung_disease", "Asthma or another lung disease"),
    ("kidney_disease", "Kidney disease"),
    ("mental_health", "Depression or anxiety"),
    ("pregnant", "I am pregnant"),
]
ACTIVITY_LEVELS = [
    ("mostly_sitting", "Mostly sitting, little exercise"),
    ("light", "Light: walking or gentle exercise"),
    ("moderate", "Moderate: exercise 2 to 3 times a week"),
    ("very_active", "Very active: exercise most days"),
    ("competitive", "I compete in a sport"),
]


class HistoryForm(StepForm):
    step = "history"
    title = "Health history"
    intro = "Some questions about your health in general, and what has been done for this problem so far."

    health_conditions = ticks("Do you have, or have you had, any of these?", CONDITIONS)
    other_conditions = text("Any other health conditions?", required=False, max_length=1000, kind="long")
    had_surgery = yes_no("Have you ever had an operation (surgery)?")
    surgeries = text("Which operations, and when?", required=False, max_length=1000, kind="long")
    takes_medication = yes_no("Do you take any medicines, including ones bought without a prescription?")
    medications = text("Which medicines, and how much?", required=False, max_length=1000, kind="long")
    has_allergies = yes_no("Do you have any allergies, for example to medicines, latex or tape?")
    allergies = text("What are you allergic to, and what happens?", required=False, max_length=1000, kind="long")
    prior_imaging = yes_no("Have you had any scans or X-rays for this problem?")
    imaging_types = ticks("Which scans?", [("xray", "X-ray"), ("mri", "MRI scan"), ("ct", "CT scan"),
                                           ("ultrasound", "Ultrasound scan"), ("other", "Another kind")], compact=True)
    imaging_notes = text("When were they, and what did they show, if you know?", required=False, max_length=1000,
                         kind="long")
    prior_treatment = yes_no("Have you had any treatment for this problem already?")
    treatments = ticks("Which treatment?", [
        ("physical_therapy", "Physical therapy"), ("chiropractic", "Chiropractic"), ("massage", "Massage"),
        ("injection", "An injection"), ("medication", "Pain medicine"), ("surgery", "Surgery"), ("other", "Other"),
    ], compact=True)
    treatment_helped = radio("Did it help?", [("a_lot", "Yes, a lot"), ("a_little", "A little"),
                                              ("no", "Not at all"), ("worse", "It made it worse")], required=False)
    activity_level = radio("How active are you, usually?", ACTIVITY_LEVELS)
    sports = text("Which sports or activities do you do?", required=False)
    occupation = text("What is your job (occupation)?", required=False, max_length=120,
                      help_text="Write retired or student if that fits.")
    sitting_hours = number("About how many hours a day do you spend sitting?", low=0, high=24,
                           help_text="Count work, driving and screens.",
                           message="Enter a number of hours from 0 to 24.")

    sections = (
        ("Your health", "", ("health_conditions", "other_conditions", "had_surgery", "surgeries", "takes_medication",
                             "medications", "has_allergies", "allergies")),
        ("Care for this problem so far", "", ("prior_imaging", "imaging_types", "imaging_notes", "prior_treatment",
                                              "treatments", "treatment_helped")),
        ("Activity and work", "", ("activity_level", "sports", "occupation", "sitting_hours")),
    )
    depends_on = {
        "surgeries": ("had_surgery", ("True",), "List your operations, or answer No above."),
        "medications": ("takes_medication", ("True",), "List your medicines, or answer No above."),
        "allergies": ("has_allergies", ("True",), "List your allergies, or answer No above."),
        "imaging_types": ("prior_imaging", ("True",), "Tick at least one kind of scan."),
        "imaging_notes": ("prior_imaging", ("True",), None),
        "treatments": ("prior_treatment", ("True",), "Tick at least one treatment."),
        "treatment_helped": ("prior_treatment", ("True",), "Tell us whether the treatment helped."),
        "sports": ("activity_level", ("light", "moderate", "very_active", "competitive"), None),
    }

    @classmethod
    def initial_for(cls, patient):
        return {"occupation": patient.occupation, "sports": patient.sport_activity}


# --- 3. This complaint ------------------------------------------------------------------------------

MAP_KINDS = [("pain", "Pain"), ("tingling", "Tingling"), ("numbness", "Numbness")]
_MAP_PROBLEM = "_body_map_problem"  # set by to_data when an API body's body_map is malformed


def map_kinds(value) -> list[str]:
    """The kinds marked on one region, in MAP_KINDS order, from a stored value: a list, or the single kind
    that forms saved before a region could carry several hold."""
    values = value if isinstance(value, list | tuple) else [value]
    return [kind for kind, _label in MAP_KINDS if kind in values]


def _region(view, part, side, label, box):
    return {"key": f"{view}_{part}_{side}", "view": view, "label": f"{side.capitalize()} {label}", "box": box}


# Boxes (x, y, width, height) on the 200 x 300 lower-body outline (templates/intake/_body_outline.html), waist at
# the top, each inside the figure's edge. The back view shows the patient's left on the viewer's left; the front
# view is mirrored.
_BACK = [("lower_back", "lower back", 66, 4, 32, 26), ("si_area", "SI area (sacroiliac joint)", 70, 32, 28, 26),
         ("buttock", "buttock", 62, 60, 36, 44), ("hip", "outer hip", 36, 52, 24, 44),
         ("back_thigh", "back of thigh", 56, 114, 38, 62), ("calf", "calf", 58, 194, 36, 56)]
_FRONT = [("groin", "groin", 72, 80, 26, 26), ("front_thigh", "front of thigh", 56, 114, 38, 62),
          ("shin", "shin", 62, 196, 30, 60), ("foot", "foot", 62, 266, 30, 28)]


def _mirror(box):
    x, y, w, h = box
    return (200 - x - w, y, w, h)


BODY_REGIONS = tuple(
    [_region("back", part, "left", label, (x, y, w, h)) for part, label, x, y, w, h in _BACK]
    + [_region("back", part, "right", label, _mirror((x, y, w, h))) for part, label, x, y, w, h in _BACK]
    + [_region("front", part, "right", label, (x, y, w, h)) for part, label, x, y, w, h in _FRONT]
    + [_region("front", part, "left", label, _mirror((x, y, w, h))) for part, label, x, y, w, h in _FRONT]
)
BODY_REGION_LABELS = {r["key"]: r["label"] for r in BODY_REGIONS}
BODY_MAP_VIEWS = (("back", "Back of the body", "Your left", "Your right"),
                  ("front", "Front of the body", "Your right", "Your left"))

ONSET = list(vocabulary.ONSETS_FOR_PATIENT)
SYMPTOMS = [
    ("leg_symptoms", "Pain, tingling or numbness going down the leg"),
    ("one_sided_back_buttock", "Pain on one side of the low back and buttock"),
    ("spreads_hip_groin_thigh", "Pain spreading to the hip, groin or upper thigh"),
    ("tender_buttock", "A tender or aching buttock"),
    ("difficulty_sitting", "Difficulty sitting"),
    ("worse_longer_sitting", "It gets worse the longer you sit"),
    ("only_with_activity", "It only hurts when walking or being active"),
]
WORSE_WITH = [("sitting", "Sitting"), ("standing", "Standing"), ("sleeping", "Lying down or sleeping"),
              ("walking", "Walking"), ("stairs", "Stairs"), ("bending", "Bending forward")]
EASES = [("rest", "Rest"), ("lying_down", "Lying down"), ("moving", "Moving or walking"), ("stretching", "Stretching"),
         ("heat", "Heat"), ("ice", "Ice"), ("pain_medicine", "Pain medicine"),
         ("changing_position", "Changing position"), ("nothing", "Nothing helps")]
SIDES = list(vocabulary.SIDES_FOR_PATIENT)


class ComplaintForm(StepForm):
    step = "complaint"
    title = "This problem"
    intro = "Tell us about the problem you are coming in for."
    map_kinds = MAP_KINDS

    onset_date = dates.PastDateField(
        label="When did it start?", help_text="A rough date is fine.",
        widget=forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d"),
        error_messages={"required": "Tell us roughly when it started.", "invalid": "Enter a date."},
    )
    onset_how = radio("How did it start?", ONSET)
    onset_sport = text("Which sport or exercise?", required=False)
    onset_details = text("Tell us what happened", required=False, max_length=2000, kind="long")
    side = radio("Which side is the problem on?", SIDES)
    symptoms = ticks("Do you have any of these?", SYMPTOMS)
    leg_side = radio("Which leg?", list(vocabulary.LIMB_OR_BOTH), required=False)
    leg_extent = radio("How far down the leg does it go?", [
        ("buttock", "Buttock only"), ("above_knee", "Into the thigh, above the knee"),
        ("below_knee", "Below the knee, into the calf or shin"), ("foot", "Down to the foot or toes"),
    ], required=False)
    worse_with = ticks("What makes it worse?", WORSE_WITH, compact=True)
    sitting_minutes = number("How many minutes can you sit before it hurts more?", low=0, high=600, required=False)
    eases = ticks("What eases it?", EASES, compact=True)
    eases_other = text("Anything else that helps?", required=False)
    pain_now = scale("Your pain right now (pain score)")
    pain_best = scale("Your pain at its best in the past week")
    pain_worst = scale("Your pain at its worst in the past week")

    sections = (
        ("How it started", "", ("onset_date", "onset_how", "onset_sport", "onset_details", "side")),
        ("Where you feel it", "", ("__body_map__",)),
        ("What you notice", "", ("symptoms", "leg_side", "leg_extent", "worse_with", "sitting_minutes", "eases",
                                 "eases_other")),
        ("How much it hurts", "", ("pain_now", "pain_best", "pain_worst")),
    )
    depends_on = {
        "onset_sport": ("onset_how", ("sport",), "Tell us which sport or exercise."),
        "onset_details": ("onset_how", ("sport", "fall", "accident", "other"), None),
        "leg_side": ("symptoms", ("leg_symptoms",), "Tell us which leg."),
        "leg_extent": ("symptoms", ("leg_symptoms",), "Tell us how far down the leg it goes."),
        "sitting_minutes": ("worse_with", ("sitting",), None),
    }

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        # One tick box per region and kind: the list the page shows without JavaScript, and the state the
        # drawn map (intake.js) toggles, so both post the same data.
        for region in BODY_REGIONS:
            field = forms.MultipleChoiceField(
                label=region["label"], choices=MAP_KINDS, required=False,
                widget=forms.CheckboxSelectMultiple(attrs={"class": "body-map-tick-input"}),
            )
            field.body_region = region
            self.fields[f"map_{region['key']}"] = field

    def grouped(self):
        self._mark_visibility()
        return [
            (heading, note, [name if name == "__body_map__" else self[name] for name in names])
            for heading, note, names in self.sections
        ]

    def _marked(self, region) -> list[str]:
        return map_kinds(self.value_of(f"map_{region['key']}"))

    @staticmethod
    def kinds_text(kinds) -> str:
        """"pain, tingling" for a region's marks, "no symptoms" for none (the button's name says it)."""
        labels = dict(MAP_KINDS)
        return ", ".join(str(labels[kind]).lower() for kind in kinds) or gettext("no symptoms")

    def body_map(self):
        """The back and front views with each region's box (percent of the figure) and current marks."""
        letters = {kind: str(label)[:1] for kind, label in MAP_KINDS}
        views = []
        for view, title, left, right in BODY_MAP_VIEWS:
            regions = []
            for region in (r for r in BODY_REGIONS if r["view"] == view):
                kinds = self._marked(region)
                x, y, w, h = region["box"]
                regions.append({
                    **region, "kinds": kinds, "kinds_text": self.kinds_text(kinds),
                    "marks": [(kind, letters[kind]) for kind in kinds],
                    "style": f"left:{x / 2:g}%;top:{y / 3:.3f}%;width:{w / 2:g}%;height:{h / 3:.3f}%",
                })
            views.append({"key": view, "title": title, "left": left, "right": right, "regions": regions})
        return views

    def body_map_list(self):
        """The tick-box list (no JavaScript): per view, one row per region (left and right side by side in the
        order of the body, top to bottom) with a tick box per kind."""
        rows = []
        for view, title, _left, _right in BODY_MAP_VIEWS:
            regions = sorted((r for r in BODY_REGIONS if r["view"] == view),
                             key=lambda r: (r["box"][1], r["key"].endswith("_right")))
            rows.append({"title": title, "fields": [self[f"map_{r['key']}"] for r in regions]})
        return rows

    def body_map_summary(self):
        marked = [f"{region['label']} ({self.kinds_text(kinds)})"
                  for region in BODY_REGIONS if (kinds := self._marked(region))]
        return f"You marked: {', '.join(marked)}." if marked else "Nothing marked yet."

    def clean_onset_date(self):
        day = self.cleaned_data["onset_date"]
        if day > timezone.localdate():
            raise ValidationError("That date is in the future; enter the day it started.")
        return day

    def clean(self):
        cleaned = super().clean()
        problem = self.data.get(_MAP_PROBLEM)
        if problem:
            self._errors["body_map"] = self.error_class(problem)
        best, worst = cleaned.get("pain_best"), cleaned.get("pain_worst")
        if best is not None and worst is not None and best > worst:
            self.add_error("pain_best", "Your best should not be higher than your worst; check both numbers.")
        return cleaned

    def to_answers(self):
        answers = super().to_answers()
        body_map = {}
        for region in BODY_REGIONS:
            kinds = map_kinds(answers.pop(f"map_{region['key']}", []))
            if kinds:
                body_map[region["key"]] = kinds
        answers["body_map"] = body_map
        return answers

    @classmethod
    def to_data(cls, answers):
        """Form data from stored answers or an API body: body_map is {region: [kinds]}; a single kind per
        region (older clients, forms saved before) is read as a list of one."""
        data = dict(answers or {})
        body_map = data.pop("body_map", None) or {}
        if not isinstance(body_map, dict):
            data[_MAP_PROBLEM] = [gettext("body_map must map regions to a list of kinds (pain, tingling, numbness).")]
            return data
        problems = []
        unknown = sorted(str(key) for key in body_map if key not in BODY_REGION_LABELS)
        if unknown:
            problems.append(gettext("Unknown body map regions: %(regions)s.") % {"regions": ", ".join(unknown)})
        known = dict(MAP_KINDS)
        for key, value in body_map.items():
            values = value if isinstance(value, list) else [value]
            wrong = [str(v) for v in values if not isinstance(v, str) or v not in known]
            if wrong and key in BODY_REGION_LABELS:
                problems.append(gettext("Unknown kinds for %(region)s: %(kinds)s. Use pain, tingling or numbness.")
                                % {"region": key, "kinds": ", ".join(wrong)})
            data[f"map_{key}"] = map_kinds([v for v in values if isinstance(v, str)])
        if problems:
            data[_MAP_PROBLEM] = problems
        return data

    def describe(self, answers):
        rows = super().describe({k: v for k, v in answers.items() if k != "body_map"})
        marks = answers.get("body_map") or {}
        marked = [(region["label"], map_kinds(marks.get(region["key"]))) for region in BODY_REGIONS]
        if any(kinds for _label, kinds in marked):  # in the map's order: jsonb does not keep the keys' order
            rows.append(("Where it is felt (body map)", "; ".join(
                f"{label}: {self.kinds_text(kinds)}" for label, kinds in marked if kinds)))
        return rows


# --- 4. Red-flag screen -----------------------------------------------------------------------------

# Plain-words items for what a patient can report, worded to be ticked. Reduced anal tone and a deficit at
# more than one level are exam findings: the clinician records them, the form does not ask. The bladder, bowel and
# nerve items ask what is new or getting worse (docs/clinical-rules.md): a long-standing, unchanged symptom is not
# the warning sign, and most of the clinic's patients have had leg symptoms for a while.
RED_FLAG_QUESTIONS = {
    "saddle_numbness": _("New or worsening numbness or tingling around your bottom, between your legs or in your "
                         "genitals (saddle area)"),
    "urinary_retention": _("Newly being unable to pass urine, or feeling your bladder does not empty (urinary "
                           "retention)"),
    "bladder_change": _("A new change in passing urine: trouble starting, a weak stream, or not feeling when your "
                        "bladder is full"),
    "bowel_incontinence": _("Newly losing control of your bowels, or not feeling when you need to go (bowel "
                            "incontinence)"),
    "sexual_dysfunction": _("A new change in sexual function, such as numbness or erection problems"),
    "bilateral_sciatica": _("New or worsening pain, tingling or numbness going down both legs"),
    "worsening_leg_weakness": _("Weakness in one or both legs that is getting worse"),
    "major_motor_weakness": _("A leg giving way, or being unable to lift your foot or toes (foot drop)"),
    "progressive_deficit": _("Numbness that is spreading or getting worse"),
    "previous_cancer": _("Cancer, now or at any time in the past"),
    "unexplained_weight_loss": _("Losing weight without trying (unexplained weight loss)"),
    "fever": _("Fever, chills or night sweats in the past few weeks"),
    "recent_infection": _("A recent bladder infection (UTI) or another infection"),
    "immunosuppression": _("A weak immune system, for example from chemotherapy, an organ transplant, HIV, or "
                           "medicines that lower immunity (immunosuppression)"),
    "diabetes": _("Diabetes"),
    "iv_drug_use": _("Injecting drugs that were not prescribed to you"),
    "long_term_steroids": _("Taking steroid tablets, such as prednisone, for 3 months or more (long-term steroids)"),
    "pain_not_eased_by_rest": _("Pain that does not ease when you rest or lie down, including at night"),
    "no_improvement_1_month": _("Pain that has not improved at all over the past month"),
    "major_trauma": _("It started after a major injury, such as a fall from a height or a road accident"),
    "minor_trauma": _("It started after a minor fall, or after lifting something"),
}
assert set(RED_FLAG_QUESTIONS) <= set(RED_FLAG_ITEMS)
# Ticking one of these shows "go to an emergency department now" at once; leg symptoms on both sides alone are
# urgent, the same day, so they ask the patient to call the clinic today instead (intake.js).
SAME_DAY_ITEMS = ("bilateral_sciatica",)
EMERGENCY_ITEMS = tuple(key for key in RED_FLAG_QUESTIONS
                        if RED_FLAG_ITEMS[key][0] == "cauda_equina" and key not in SAME_DAY_ITEMS)
# (field, heading, question, items): the items are ticked in three groups, so a phone shows short lists.
RED_FLAG_GROUPS = (
    ("nerves", _("Bladder, bowel and nerves"), _("Is any of these new, or getting worse, in the past few weeks?"), (
        "saddle_numbness", "urinary_retention", "bladder_change", "bowel_incontinence", "sexual_dysfunction",
        "bilateral_sciatica", "worsening_leg_weakness", "major_motor_weakness", "progressive_deficit")),
    ("general_health", _("Your general health"), _("Do any of these apply to you?"), (
        "previous_cancer", "unexplained_weight_loss", "fever", "recent_infection", "immunosuppression",
        "diabetes", "iv_drug_use", "long_term_steroids")),
    ("pain_and_onset", _("Your pain and how it started"), _("Does any of this describe your pain?"), (
        "pain_not_eased_by_rest", "no_improvement_1_month", "major_trauma", "minor_trauma")),
)
assert sorted(k for *_rest, keys in RED_FLAG_GROUPS for k in keys) == sorted(RED_FLAG_QUESTIONS)
_RED_FLAG_PROBLEM = "_red_flag_problem"  # set by to_data when an API body names unknown items


class RedFlagTicks(forms.CheckboxSelectMultiple):
    """Tick boxes for red-flag items; the emergency and same-day ones carry data-urgent, so the page gives its
    advice the moment one is ticked (intake.js)."""

    def __init__(self, *args, urgent=(), same_day=(), **kwargs):
        super().__init__(*args, **kwargs)
        self.urgent = frozenset(urgent)
        self.same_day = frozenset(same_day)

    def create_option(self, name, value, *args, **kwargs):
        option = super().create_option(name, value, *args, **kwargs)
        if value in self.urgent:
            option["attrs"] = {**option["attrs"], "data-urgent": "emergency"}
        elif value in self.same_day:
            option["attrs"] = {**option["attrs"], "data-urgent": "same_day"}
        return option


class RedFlagForm(StepForm):
    """The red-flag screen as lists to tick plus one "None of these apply to me", instead of a yes/no per item.

    Stored as {item: ticked} for every item (the shape intake.rules.red_flags and the exam read, the same as
    the yes/no answers of forms saved before), plus "none_apply" and "notes". The API also takes
    {"items": [item, ...]}. A form saved before has no "none_apply": every item answered No reads as it.
    """

    step = "red_flags"
    title = _("Safety questions")
    intro = _(
        "These questions check for rare but serious problems. Tick everything that applies to you, or tick "
        "“None of these apply to me” at the end. If you have new numbness between your legs, or cannot "
        "control your bladder or bowels, do not wait for your appointment: go to an emergency department now."
    )
    none_apply = forms.BooleanField(label=_("None of these apply to me"), required=False)
    notes = text("Anything you want to add about these answers?", required=False, max_length=2000, kind="long")

    sections = (
        *((heading, "", (name,)) for name, heading, _question, _keys in RED_FLAG_GROUPS),
        (_("None of these?"), _("Tick this only if nothing above applies to you."), ("none_apply",)),
        (_("Anything to add"), "", ("notes",)),
    )

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        groups = {}
        for name, _heading, question, keys in RED_FLAG_GROUPS:
            groups[name] = forms.MultipleChoiceField(
                label=question, choices=[(key, RED_FLAG_QUESTIONS[key]) for key in keys], required=False,
                help_text=_("Tick all that apply."),
                widget=RedFlagTicks(attrs={"class": "intake-choice-input"}, urgent=EMERGENCY_ITEMS,
                                    same_day=SAME_DAY_ITEMS),
            )
            groups[name].marked_optional = False  # not required one by one, but the step needs an answer
        self.fields = {**groups, **self.fields}
        self.fields["none_apply"].marked_optional = False

    def ticked(self) -> list[str]:
        return [key for name, *_rest in RED_FLAG_GROUPS for key in self.cleaned_data.get(name) or []]

    def clean(self):
        cleaned = super().clean()
        problem = self.data.get(_RED_FLAG_PROBLEM)
        if problem:
            self._errors["items"] = self.error_class(problem)
        ticked = self.ticked()
        if cleaned.get("none_apply") and ticked:
            self.add_error("none_apply", gettext(
                "You ticked “None of these apply to me” and also %(count)s item(s) above. Untick "
                "“None of these apply to me” if anything above applies to you, or untick the items."
            ) % {"count": len(ticked)})
        elif not cleaned.get("none_apply") and not ticked and not any(name in self._errors for name, *_r in RED_FLAG_GROUPS):
            self.add_error("none_apply", gettext(
                "Tick each item above that applies to you, or tick “None of these apply to me”."
            ))
        return cleaned

    def to_answers(self):
        ticked = set(self.ticked())
        return {
            "none_apply": bool(self.cleaned_data.get("none_apply")),
            **{key: key in ticked for key in RED_FLAG_QUESTIONS},
            "notes": self.cleaned_data.get("notes") or "",
        }

    @classmethod
    def to_data(cls, answers):
        answers = dict(answers or {})
        items = answers.get("items")
        data = {}
        if isinstance(items, list):
            ticked = {str(item) for item in items}
            unknown = sorted(ticked - set(RED_FLAG_QUESTIONS))
            if unknown:
                data[_RED_FLAG_PROBLEM] = [f"Unknown red-flag items: {', '.join(unknown)}."]
        elif items is not None:
            data[_RED_FLAG_PROBLEM] = ["items must be a list of red-flag items."]
            ticked = set()
        else:
            ticked = {key for key in RED_FLAG_QUESTIONS if _is_yes(answers.get(key))}
        for name, *_rest, keys in RED_FLAG_GROUPS:
            data[name] = [key for key in keys if key in ticked]
        none_apply = answers.get("none_apply")
        if none_apply is None and all(answers.get(key) is False for key in RED_FLAG_QUESTIONS):
            none_apply = True  # saved as 21 yes/no answers, all No
        data["none_apply"] = none_apply if none_apply is not None else False
        data["notes"] = answers.get("notes", "")
        return data

    def describe(self, answers):
        shown = self.to_data(answers)
        if not _is_yes(shown["none_apply"]):
            shown.pop("none_apply")
        else:
            shown["none_apply"] = True
        return super().describe(shown)

    @staticmethod
    def red_flag_answers(answers: dict) -> dict:
        """The screen's answers as intake.rules.red_flags takes them (None: not asked)."""
        return {key: answers.get(key) for key in RED_FLAG_QUESTIONS}


# --- 5. Outcome measures ----------------------------------------------------------------------------

PSFS_SLOTS = 5
# In the stored answers of this step: {code: {"version", "demo_wording"}} of each loaded instrument asked, so
# every response names the wording it was answered on.
ANSWERED_ON = "instruments"


def answered_on(answers: dict) -> dict:
    """{code: {"version", "demo_wording"}} the step's answers were given on; answers saved before instrument
    files existed were given on the built-in ODI placeholder (demo wording)."""
    recorded = (answers or {}).get(ANSWERED_ON)
    if isinstance(recorded, dict):
        return recorded
    if any(str(name).startswith("odi_") for name in answers or {}):
        return {"odi": {"version": instruments.LEGACY_PLACEHOLDER_VERSION, "demo_wording": True}}
    return {}


class OutcomesForm(StepForm):
    step = "outcomes"
    title = "Daily activities"
    intro = _("Short questionnaires about how this problem affects your everyday life.")

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.loaded = selectors.active_instruments()  # Instrument rows in force, the ODI first
        sections, self.notices = [], []
        for row in self.loaded:
            instrument = row.parsed
            names = tuple(self._add_items(instrument))
            sections.append((instrument.name, instrument.instructions or self._default_note(instrument), names))
            self.notices.append({"heading": instrument.name, "demo": instrument.demo_wording,
                                 "notice": instrument.copyright})
        rating_choices = [("", "Choose 0 to 10"), (0, "0: unable to do it"),
                          *[(n, str(n)) for n in range(1, 10)], (10, "10: as well as before the problem")]
        for n in range(1, PSFS_SLOTS + 1):
            self.fields[f"psfs_activity_{n}"] = forms.CharField(
                label=f"Activity {n}", required=False, max_length=120,
                widget=forms.TextInput(attrs={"class": "form-control form-control-lg"}),
            )
            self.fields[f"psfs_rating_{n}"] = forms.TypedChoiceField(
                label=f"Activity {n}: how well can you do it now?", choices=rating_choices, coerce=int,
                empty_value=None, required=False, widget=forms.Select(attrs={"class": "form-select form-select-lg"}),
            )
        self.fields["psfs_activity_1"].help_text = "For example: sitting through a meeting, running, climbing stairs."
        # Not required one by one, but not optional either: clean() asks for 8 ODI sections and one activity.
        for name in [f"odi_{key}" for key in self._odi_keys()] + ["psfs_activity_1", "psfs_rating_1"]:
            self.fields[name].marked_optional = False
        psfs = instruments.PSFS
        self.sections = (
            *sections,
            ("Activities you find hard (Patient-Specific Functional Scale)", psfs.instructions,
             tuple(name for n in range(1, PSFS_SLOTS + 1) for name in (f"psfs_activity_{n}", f"psfs_rating_{n}"))),
        )

    @staticmethod
    def _default_note(instrument):
        if instrument.rule.name == "odi":
            return _("For each section, choose the one statement that best describes you today. You may skip a "
                     "section that does not apply to you.")
        return _("For each question, choose the answer that fits you best today.")

    def _add_items(self, instrument):
        odi = instrument.rule.name == "odi"
        for item in instrument.items:
            name = f"{instrument.key}_{item.key}"
            self.fields[name] = forms.TypedChoiceField(
                label=item.text, choices=[(o.value, o.text) for o in item.options], coerce=int, empty_value=None,
                required=not odi,  # the ODI may skip sections (clean); a summed score needs every item
                widget=forms.RadioSelect(attrs={"class": "intake-choice-input"}),
                error_messages={"required": _("Choose the answer that fits best.")},
            )
            yield name

    def _odi_keys(self):
        return [item.key for row in self.loaded if row.code == "odi" for item in row.parsed.items]

    def clean(self):
        cleaned = super().clean()
        odi_keys = [f"odi_{key}" for key in self._odi_keys()]
        unanswered = [name for name in odi_keys if cleaned.get(name) is None and name not in self._errors]
        if odi_keys and len(odi_keys) - len(unanswered) < scoring.ODI_MIN_ANSWERED:
            for name in unanswered:
                self.add_error(name, f"Choose the statement that fits best (answer at least {scoring.ODI_MIN_ANSWERED} "
                                     f"of the {len(odi_keys)} sections).")
        recorded = self.data.get(ANSWERED_ON) if isinstance(self.data, dict) else None
        for row in self.loaded:  # saved answers checked again at submit: on the wording now in force?
            given = recorded.get(row.code) if isinstance(recorded, dict) else None
            if isinstance(given, dict) and given.get("version") != row.version:
                self.add_error(None, gettext(
                    "The clinic has updated the questionnaire “%(title)s” since you answered it. Please open this "
                    "step and check your answers again.") % {"title": row.title})
        named = 0
        for n in range(1, PSFS_SLOTS + 1):
            activity = (cleaned.get(f"psfs_activity_{n}") or "").strip()
            rating = cleaned.get(f"psfs_rating_{n}")
            if activity and rating is None and f"psfs_rating_{n}" not in self._errors:
                self.add_error(f"psfs_rating_{n}", "Rate this activity from 0 to 10.")
            if rating is not None and not activity:
                self.add_error(f"psfs_activity_{n}", "Name the activity you rated, or clear its number.")
            named += bool(activity)
        if not named and "psfs_activity_1" not in self._errors:
            self.add_error("psfs_activity_1", "Name at least one activity you find hard because of this problem.")
        return cleaned

    def to_answers(self) -> dict:
        answers = super().to_answers()
        answers[ANSWERED_ON] = {row.code: {"version": row.version, "demo_wording": row.demo_wording}
                                for row in self.loaded}
        return answers

    def instrument_answers(self, answers=None) -> list[tuple]:
        """[(Instrument row, {item key: value})] of each loaded instrument asked."""
        answers = answers if answers is not None else self.to_answers()
        return [(row, {item.key: answers.get(f"{row.code}_{item.key}") for item in row.parsed.items})
                for row in self.loaded]

    def psfs_answers(self, answers=None) -> list[dict]:
        answers = answers if answers is not None else self.to_answers()
        return [
            {"activity": answers[f"psfs_activity_{n}"].strip(), "rating": answers.get(f"psfs_rating_{n}")}
            for n in range(1, PSFS_SLOTS + 1)
            if (answers.get(f"psfs_activity_{n}") or "").strip()
        ]

    def describe(self, answers):
        """Each loaded instrument's answers in the wording they were given on (not the wording in force now),
        then the PSFS."""
        given = answered_on(answers)
        in_force = {row.code: row for row in self.loaded}
        older = {code: info.get("version") for code, info in given.items()
                 if code not in in_force or in_force[code].version != info.get("version")}
        rows_by_code = {**in_force, **selectors.instruments_answered_on(older)}  # a query only for older wording
        rows = []
        for code, info in given.items():
            row = rows_by_code.get(code)
            instrument = row.parsed if row else (
                instruments.legacy_placeholder_odi() if code == "odi" else None)
            demo = instruments.is_demo_version(code, info.get("version", ""), info.get("demo_wording"))
            title = instrument.name if instrument else code.upper()
            rows.append((title, gettext("version %(version)s%(demo)s") % {
                "version": info.get("version", ""), "demo": gettext(", demo wording (not a real score)") if demo else ""}))
            for item in instrument.items if instrument else ():
                value = answers.get(f"{code}_{item.key}")
                if value is None:
                    continue
                text = {o.value: o.text for o in item.options}.get(value, str(value))
                rows.append((item.text, text))
        return rows + super().describe({k: v for k, v in (answers or {}).items() if k.startswith("psfs_")})


# --- 6. Goals ---------------------------------------------------------------------------------------


class GoalsForm(StepForm):
    step = "goals"
    title = "Your goals"
    intro = "What would you like to get out of your care?"

    goals = text("What do you most want to be able to do again?", max_length=2000, kind="long",
                 help_text="For example: sit through a workday, run 5 km, pick up my child.",
                 message="Tell us at least one thing you want to get back to.")
    target = text("Is there a date or event you are working towards?", required=False,
                  help_text="For example: a race, a trip or going back to work.")
    concerns = text("Anything you are worried about, or want us to know?", required=False, max_length=2000,
                    kind="long")

    sections = (("Your goals", "", ("goals", "target", "concerns")),)


# --- 7. Consent and signature -----------------------------------------------------------------------

TYPED, DRAWN = "typed", "drawn"
SIGNATURE_METHODS = [(TYPED, _("Type my name")), (DRAWN, _("Draw my signature with a finger or the mouse"))]


class ConsentForm(StepForm):
    step = "consent"
    title = "Consent and signature"
    intro = "Please read and sign. You can ask us about any of this at your visit."

    consent_treatment = forms.BooleanField(
        label="I agree to be assessed and treated by the clinic's clinicians. I can ask questions or stop at any time.",
        error_messages={"required": "Tick to agree to assessment and treatment, or call us with your questions."},
    )
    privacy_ack = forms.BooleanField(
        label="I have read the clinic's notice of privacy practices.",
        error_messages={"required": "Tick to confirm you have read the privacy notice."},
    )
    answers_true = forms.BooleanField(
        label="My answers on this form are true, to the best of my knowledge.",
        error_messages={"required": "Tick to confirm your answers."},
    )
    consent_telehealth = forms.BooleanField(
        label=_("I agree to have my video visits by a secure video link (telehealth). I understand that the "
                "clinician cannot examine me in person, that I should be somewhere private for the call, and that "
                "I can ask for an in-office visit instead."),
        error_messages={"required": _("Tick to agree to video visits, or call us to change to an in-office visit.")},
    )
    signing_for_other = forms.BooleanField(
        label="I am signing for the patient, for example as a parent or guardian", required=False,
    )
    signer_relationship = text("Your relationship to the patient", required=False, max_length=60)
    # Typed or drawn: without JavaScript (no drawing box) or from the keyboard, typing the name is the way.
    signature_method = forms.ChoiceField(
        label=_("How would you like to sign?"), choices=SIGNATURE_METHODS, required=False, initial=TYPED,
        widget=forms.RadioSelect,
    )
    signed_name = text(
        _("Type your full name"), autocomplete="name",
        help_text=_("If you type your name to sign, your typed name is your signature. If you draw your signature, "
                    "we print this name with it. We record the date, the time and your internet address with your "
                    "signature."),
        message=_("Type your full name to sign the form."),
    )
    signature_drawing = forms.CharField(
        label=_("Draw your signature in the box"), required=False, widget=forms.HiddenInput,
        max_length=signatures.MAX_DATA_URL_LENGTH,
        error_messages={"max_length": _("The signature image is too large. Clear the box and sign again.")},
    )

    sections = (
        ("Consent", "", ("consent_treatment", "privacy_ack", "answers_true")),
        (_("Video visits (telehealth)"), _("Your visit is by video, so we need your consent to telehealth."),
         ("consent_telehealth",)),
        ("Signature", "", ("signing_for_other", "signer_relationship", "signature_method", "signed_name",
                           "signature_drawing")),
    )
    depends_on = {
        "signer_relationship": ("signing_for_other", ("True",), "Tell us how you are related to the patient."),
        "signature_drawing": ("signature_method", (DRAWN,), _("Draw your signature in the box, or choose to type "
                                                              "your name instead.")),
    }
    not_in_draft = ("signature_drawing",)  # large, and the box keeps it while the page is open

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["signature_method"].js_only = True  # drawing needs the page's script
        self.fields["signature_method"].marked_optional = False
        # Telehealth consent is asked only for a video visit: an in-office patient never sees it.
        if not self.asks_telehealth_consent:
            del self.fields["consent_telehealth"]
        # Each agreement links the clinic's wording in force (clinic.ClinicText; the consent records its version).
        for name, slug, words in (("consent_treatment", "treatment-consent", _("Read the consent in full")),
                                  ("privacy_ack", "privacy-notice", _("Read the notice of privacy practices")),
                                  ("consent_telehealth", "telehealth-consent", _("Read the telehealth consent"))):
            if name in self.fields:
                self.fields[name].help_text = format_html(
                    '<a href="{}" target="_blank" rel="noopener">{}</a> ({})',
                    reverse("clinic-text", args=[slug]), words, _("opens in a new tab"))
        self.sections = tuple(
            (heading, note, kept) for heading, note, names in type(self).sections
            if (kept := tuple(name for name in names if name in self.fields))
        )

    @property
    def asks_telehealth_consent(self) -> bool:
        return self.visit is not None and self.visit.is_telehealth

    @property
    def drawn_png(self) -> bytes | None:
        """The drawn signature's PNG once the form is valid, None when the patient typed their name."""
        return getattr(self, "_drawn_png", None) if self.cleaned_data.get("signature_method") == DRAWN else None

    def clean_signature_method(self):
        return self.cleaned_data["signature_method"] or TYPED  # not asked without JavaScript: typed

    def clean_signature_drawing(self):
        value = self.cleaned_data["signature_drawing"]
        if value:
            try:
                self._drawn_png = signatures.png_from_data_url(value)
            except signatures.SignatureProblem as exc:
                raise ValidationError(exc.message) from None
        return value

    def clean_signed_name(self):
        name = " ".join(self.cleaned_data["signed_name"].split())
        if len(name) < 3 or " " not in name:
            raise ValidationError("Type your first and last name.")
        return name

    def clean(self):
        cleaned = super().clean()
        name = cleaned.get("signed_name")
        if name and self.patient is not None and not cleaned.get("signing_for_other"):
            typed = _normalise_name(name).split()
            expected = _normalise_name(f"{self.patient.first_name} {self.patient.last_name}").split()
            if not all(part in typed for part in expected):
                self.add_error("signed_name", (
                    f"Type the patient's full name as it is on their record ({self.patient.first_name} "
                    f"{self.patient.last_name}), or tick the box if you are signing for someone else."
                ))
        return cleaned

    def to_answers(self):
        """The consent answers without the drawing itself (kept apart: intake.models.IntakeSignature)."""
        answers = super().to_answers()
        answers.pop("signature_drawing", None)
        return answers

    def describe(self, answers):
        return super().describe({k: v for k, v in answers.items() if k != "signature_method"})


# --- All steps -------------------------------------------------------------------------------------

STEP_FORMS = {
    form.step: form for form in (ContactForm, HistoryForm, ComplaintForm, RedFlagForm, OutcomesForm, GoalsForm,
                                 ConsentForm)
}
assert tuple(STEP_FORMS) == INTAKE_STEPS


def step_form(step, *, patient, visit=None, data=None, answers=None, draft=None):
    """The form for one step of the form for `visit`: bound to `data`, or showing a `draft` (form data the
    patient entered, StepForm.draft_data), saved `answers` or starting values."""
    form_class = STEP_FORMS[step]
    if data is not None:
        return form_class(data=data, patient=patient, visit=visit)
    if draft is not None:
        return form_class(initial=draft, patient=patient, visit=visit)
    initial = form_class.to_data(answers) if answers is not None else form_class.initial_for(patient)
    return form_class(initial=initial, patient=patient, visit=visit)


def answers_by_step(answers: dict, *, patient, visit=None, steps=INTAKE_STEPS) -> list[dict]:
    """Each step's answers in plain words, in order, for the review before signing, the patient's copy and the
    staff summary: [{"step", "title", "rows": [(question, answer)], "saved"}]."""
    sections = []
    for step in steps:
        form_class = STEP_FORMS[step]
        saved = (answers or {}).get(step)
        rows = form_class(patient=patient, visit=visit).describe(saved) if saved else []
        sections.append({"step": step, "title": form_class.title, "rows": rows, "saved": saved is not None})
    return sections


def validate_all(answers: dict, *, patient, visit=None, drawn_signature=None) -> tuple[dict, dict]:
    """Check every step's saved answers (and the signature drawn with the consent step, kept apart, as PNG bytes);
    return ({step: bound valid form}, {step: {field: [messages]}})."""
    forms_by_step, errors = {}, {}
    for step, form_class in STEP_FORMS.items():
        saved = (answers or {}).get(step)
        if saved is None:
            errors[step] = {"__all__": ["This step has not been filled in yet."]}
            continue
        data = form_class.to_data(saved)
        if step == "consent" and drawn_signature:
            data["signature_drawing"] = signatures.data_url(drawn_signature)
        form = form_class(data=data, patient=patient, visit=visit)
        if form.is_valid():
            forms_by_step[step] = form
        else:
            errors[step] = {name: list(messages) for name, messages in form.errors.items()}
    return forms_by_step, errors
