"""What the front desk types on the calendar: booking, moving, cancelling, deciding, series, waitlist."""

from datetime import datetime

from django import forms
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from clinic.dates import DayField
from patients.models import Patient

from .models import (
    Appointment,
    CancellationReason,
    Clinician,
    Location,
    Modality,
    Room,
    VisitType,
    WaitlistEntry,
    WorkingHours,
)
from .selectors import clinic_tz

DATE = forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d")
TIME = forms.TimeInput(attrs={"type": "time", "step": 900}, format="%H:%M")


def clinic_instant(day, clock):
    """An aware instant for a wall-clock date and time at the clinic."""
    return timezone.make_aware(datetime.combine(day, clock), clinic_tz())


class ClinicianField(forms.ModelChoiceField):
    def label_from_instance(self, obj):
        return obj.display_name


def _clinicians():
    return Clinician.objects.filter(is_active=True).select_related("user")


def _patients():
    return Patient.objects.filter(status=Patient.Status.ACTIVE)


class WhenMixin:
    """`date` + `time` become `start`, an aware instant in the clinic's time zone."""

    def clean(self):
        data = super().clean()
        if data.get("date") and data.get("time"):
            data["start"] = clinic_instant(data["date"], data["time"])
        return data


class BookingForm(WhenMixin, forms.Form):
    patient = forms.ModelChoiceField(_patients(), required=False, widget=forms.HiddenInput)
    visit_type = forms.ModelChoiceField(VisitType.objects.filter(is_active=True), empty_label=None)
    modality = forms.ChoiceField(choices=Modality.choices, initial=Modality.IN_OFFICE, widget=forms.RadioSelect)
    location = forms.ModelChoiceField(Location.objects.filter(is_active=True), required=False, empty_label="—")
    clinician = ClinicianField(_clinicians(), empty_label="Choose a clinician")
    date = DayField(widget=DATE)
    time = forms.TimeField(widget=TIME)
    reason = forms.CharField(label="Reason for visit", required=False, widget=forms.Textarea(attrs={"rows": 2}))
    room = forms.ModelChoiceField(Room.objects.filter(is_active=True), required=False, widget=forms.HiddenInput)
    waitlist = forms.ModelChoiceField(
        WaitlistEntry.objects.filter(status=WaitlistEntry.Status.WAITING), required=False, widget=forms.HiddenInput
    )

    def clean(self):
        data = super().clean()
        if data.get("modality") == Modality.IN_OFFICE and not data.get("location"):
            self.add_error("location", "Choose the location for an in-office visit.")
        return data


class QuickPatientForm(forms.ModelForm):
    """The few details needed to book a new patient; the rest is filled in on the chart later."""

    use_required_attribute = False  # optional as a whole: only when no existing patient is chosen

    confirm_not_duplicate = forms.BooleanField(
        required=False, label="I checked: this is a different person from the matching records above"
    )

    class Meta:
        model = Patient
        fields = ["first_name", "last_name", "date_of_birth", "email", "mobile_phone"]
        labels = {"first_name": "First name", "last_name": "Last name", "mobile_phone": "Mobile phone"}
        widgets = {
            "date_of_birth": DATE,
            "email": forms.EmailInput(attrs={"autocomplete": "off"}),
            "mobile_phone": forms.TextInput(attrs={"type": "tel", "placeholder": "(617) 555-0134"}),
        }

    def clean(self):
        data = super().clean()
        # The patient is reached by email if we have one, else by phone; reminders are set up on the chart.
        self.instance.preferred_channel = (
            Patient.Channel.EMAIL if data.get("email") else Patient.Channel.SMS if data.get("mobile_phone")
            else Patient.Channel.PHONE
        )
        return data

    def filled(self):
        return any(self.data.get(self.add_prefix(name), "").strip() for name in self.Meta.fields)

    def patient_fields(self):
        fields = {name: self.cleaned_data[name] for name in self.Meta.fields}
        fields["mobile_phone"] = self.instance.mobile_phone  # normalised to E.164 by Patient.clean
        fields["preferred_channel"] = self.instance.preferred_channel
        return fields


class MoveForm(WhenMixin, forms.Form):
    date = DayField(label="New date", widget=DATE)
    time = forms.TimeField(label="New time", widget=TIME)
    clinician = ClinicianField(_clinicians(), empty_label=None, error_messages={
        "invalid_choice": _("That clinician does not offer this kind of visit: choose another."),
    })

    def __init__(self, *args, appointment, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["clinician"].queryset = _clinicians().filter(visit_types=appointment.visit_type_id)
        for name, field in self.fields.items():
            css = "form-select" if name == "clinician" else "form-control"
            field.widget.attrs["class"] = f"{css} {css}-sm"


class StatusForm(forms.Form):
    status = forms.ChoiceField(
        choices=[(s, s.label) for s in (
            Appointment.Status.CONFIRMED, Appointment.Status.CHECKED_IN, Appointment.Status.COMPLETED,
            Appointment.Status.NO_SHOW, Appointment.Status.BOOKED,
        )]
    )


class CancelForm(forms.Form):
    """Why the visit is cancelled, from the clinic's list or in words of one's own, and whether the patient hears."""

    OTHER = "other"

    reason = forms.ChoiceField(
        label=_("Reason for cancelling"),
        error_messages={"required": _("Choose why the visit is cancelled, or Other and type the reason."),
                        "invalid_choice": _("That reason is no longer on the list: choose another.")},
    )
    details = forms.CharField(
        label=_("Details"), max_length=150, required=False,
        help_text=_("Needed for Other, e.g. “Moving away”; optional otherwise."),
    )
    notify_patient = forms.BooleanField(
        label=_("Tell the patient"), required=False, initial=True,
        help_text=_("Send the patient the cancellation message (email or text)."),
    )

    def __init__(self, *args, **kwargs):
        kwargs.setdefault("auto_id", "cancel-%s")  # the panel holds other forms' fields called "reason"
        super().__init__(*args, **kwargs)
        self.reasons = {str(r.pk): r for r in CancellationReason.objects.filter(is_active=True)}
        self.fields["reason"].choices = [
            ("", _("Choose a reason…")), *((pk, r.name) for pk, r in self.reasons.items()), (self.OTHER, _("Other")),
        ]

    def clean(self):
        data = super().clean()
        if data.get("reason") == self.OTHER and not data.get("details", "").strip():
            self.add_error("details", _("Type the reason when it is Other."))
        return data

    def picked(self):
        """The clinic's reason that was chosen, or None for Other."""
        return self.reasons.get(self.cleaned_data["reason"])


class DecideForm(forms.Form):
    decision = forms.ChoiceField(choices=[("accept", "Accept"), ("decline", "Decline")])
    reason = forms.CharField(label="Reason for declining", max_length=170, required=False)  # the service asks why


class SeriesForm(WhenMixin, forms.Form):
    patient = forms.ModelChoiceField(_patients(), required=False, widget=forms.HiddenInput)
    visit_type = forms.ModelChoiceField(VisitType.objects.filter(is_active=True), empty_label=None)
    modality = forms.ChoiceField(choices=Modality.choices, initial=Modality.IN_OFFICE, widget=forms.RadioSelect)
    location = forms.ModelChoiceField(Location.objects.filter(is_active=True), required=False, empty_label="—")
    clinician = ClinicianField(_clinicians(), empty_label="Choose a clinician")
    date = DayField(label="First date", widget=DATE)
    time = forms.TimeField(widget=TIME)
    weekdays = forms.TypedMultipleChoiceField(
        label="On", choices=WorkingHours.Weekday.choices, coerce=int, widget=forms.CheckboxSelectMultiple,
        error_messages={"required": "Tick at least one weekday."},
    )
    weeks = forms.IntegerField(label="For how many weeks", min_value=1, max_value=26, initial=6)
    reason = forms.CharField(label="Reason for visit", required=False, widget=forms.Textarea(attrs={"rows": 2}))

    def clean(self):
        data = super().clean()
        if not data.get("patient"):
            self.add_error("patient", "Choose a patient.")
        if data.get("modality") == Modality.IN_OFFICE and not data.get("location"):
            self.add_error("location", "Choose the location for an in-office visit.")
        return data


class WaitlistForm(forms.Form):
    patient = forms.ModelChoiceField(
        _patients(), widget=forms.HiddenInput, error_messages={"required": "Choose a patient."}
    )
    visit_type = forms.ModelChoiceField(VisitType.objects.filter(is_active=True), empty_label=None)
    clinician = ClinicianField(_clinicians(), required=False, empty_label="Any clinician")
    earliest_date = DayField(label="From", widget=DATE)
    latest_date = DayField(label="Until", widget=DATE)
    notes = forms.CharField(max_length=200, required=False, help_text="e.g. “Mornings only, can come at short notice”.")

    def clean(self):
        data = super().clean()
        if data.get("earliest_date") and data.get("latest_date") and data["latest_date"] < data["earliest_date"]:
            self.add_error("latest_date", "The last date must be on or after the first.")
        return data
