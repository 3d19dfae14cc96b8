"""What a patient types on the public booking pages (the steps before are scheduling.booking_wizard)."""

from django import forms

from clinic import dates
from patients import phone as phones

from .booking_wizard import parse_slot


class DetailsForm(forms.Form):
    """Who the patient is; the chosen time rides along in `slot`."""

    slot = forms.CharField(widget=forms.HiddenInput)
    first_name = forms.CharField(
        label="First name", max_length=100,
        widget=forms.TextInput(attrs={"autocomplete": "given-name", "autocapitalize": "words"}),
        error_messages={"required": "Enter your first name."},
    )
    last_name = forms.CharField(
        label="Last name", max_length=100,
        widget=forms.TextInput(attrs={"autocomplete": "family-name", "autocapitalize": "words"}),
        error_messages={"required": "Enter your last name."},
    )
    date_of_birth = dates.BirthDateField(
        label="Date of birth",
        widget=forms.DateInput(attrs={"type": "date", "autocomplete": "bday"}, format="%Y-%m-%d"),
        error_messages={
            "required": "Enter your date of birth.",
            "invalid": "Enter your date of birth as year-month-day, for example 1985-04-12.",
        },
    )
    email = forms.EmailField(
        label="Email", max_length=254,
        widget=forms.EmailInput(attrs={"autocomplete": "email", "inputmode": "email"}),
        help_text="We send your confirmation and your private link to change the visit here.",
        error_messages={
            "required": "Enter your email address.",
            "invalid": "Enter an email address like name@example.com.",
        },
    )
    phone = forms.CharField(
        label="Mobile phone", max_length=30,
        widget=forms.TextInput(attrs={"type": "tel", "autocomplete": "tel", "placeholder": "(617) 555-0134"}),
        error_messages={"required": "Enter your mobile number so we can reach you about the visit."},
    )
    reason = forms.CharField(
        label="What brings you in? (optional)", max_length=500, required=False,
        widget=forms.Textarea(attrs={"rows": 3}),
        help_text="For example: pain deep in the right buttock when sitting, for three weeks.",
    )
    # Honeypot: hidden from people, so only robots fill it.
    website = forms.CharField(
        label="Leave this empty", required=False,
        widget=forms.TextInput(attrs={"tabindex": "-1", "autocomplete": "off"}),
    )

    def clean_slot(self):
        parsed = parse_slot(self.cleaned_data["slot"])
        if parsed is None:
            raise forms.ValidationError("Choose a time for your visit.")
        return parsed

    def clean_phone(self):
        try:
            return phones.to_e164(self.cleaned_data["phone"])
        except forms.ValidationError as exc:
            raise forms.ValidationError(exc.messages) from None

    @property
    def is_robot(self):
        return bool(self.data.get("website", "").strip())


class CancelForm(forms.Form):
    reason = forms.CharField(
        label="Why are you cancelling? (optional)", max_length=150, required=False,
        widget=forms.Textarea(attrs={"rows": 2}),
        help_text="It helps us offer the time to someone on the waiting list.",
    )


class RescheduleForm(forms.Form):
    slot = forms.CharField()

    def clean_slot(self):
        parsed = parse_slot(self.cleaned_data["slot"])
        if parsed is None:
            raise forms.ValidationError("Choose a new time.")
        return parsed
