"""What a patient types on the public booking pages (the steps before are scheduling.booking_wizard)."""

from django import forms
from django.utils.translation import gettext_lazy as _

from clinic import dates
from patients import phone as phones

from .booking_wizard import parse_slot
from .services import POLICY_CHANGED, POLICY_NOT_ACCEPTED


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
    # Asked only while the clinic has a cancellation policy (removed in __init__ otherwise); the version shown rides
    # along, so the visit keeps the words the patient read (scheduling.services.cancellation_policy_accepted).
    accepts_cancellation_policy = forms.BooleanField(
        label=_("I have read and accept the cancellation policy"), required=False,
    )
    cancellation_policy_version = forms.IntegerField(required=False, min_value=1, widget=forms.HiddenInput)
    # Honeypot: hidden from people, so only robots fill it.
    website = forms.CharField(
        label="Leave this empty", required=False,
        widget=forms.TextInput(attrs={"tabindex": "-1", "autocomplete": "off"}),
    )

    def __init__(self, *args, policy=None, **kwargs):
        super().__init__(*args, **kwargs)
        self.policy = policy
        if policy is None:
            del self.fields["accepts_cancellation_policy"], self.fields["cancellation_policy_version"]

    def clean_accepts_cancellation_policy(self):
        """Said here, next to the box, with the rest of the form's errors (the booking service checks it again)."""
        shown = self.data.get("cancellation_policy_version")
        if shown and shown != str(self.policy.version):
            raise forms.ValidationError(POLICY_CHANGED)
        if not self.cleaned_data["accepts_cancellation_policy"]:
            raise forms.ValidationError(POLICY_NOT_ACCEPTED)
        return True

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


class PatientCancelForm(forms.Form):
    """Why the patient cancels: one question, the same from the manage link and from the links in messages
    (notifications' cancel link leads here), so the front desk reads the same choices whichever way it came."""

    REASONS = [
        ("better", _("I'm feeling better")),
        ("unwell", _("I'm unwell")),
        ("clash", _("Something came up (work, school, family)")),
        ("travel", _("I can't get there")),
        ("cost", _("Cost or insurance")),
        ("elsewhere", _("I'm seeing someone else")),
        ("other", _("Other")),
    ]
    reason = forms.ChoiceField(
        label=_("Why are you cancelling?"), choices=REASONS, widget=forms.RadioSelect,
        error_messages={"required": _("Choose why you are cancelling (or Other)."),
                        "invalid_choice": _("Choose one of the reasons listed.")},
    )
    details = forms.CharField(
        label=_("Anything to add? (optional)"), max_length=120, required=False,
        widget=forms.Textarea(attrs={"rows": 2}),
        help_text=_("It helps us offer the time to someone on the waiting list."),
    )

    def reason_text(self) -> str:
        """The words the front desk reads: the choice, then what the patient added."""
        label = str(dict(self.REASONS)[self.cleaned_data["reason"]])
        details = self.cleaned_data["details"].strip()
        return f"{label}: {details}" if details else label


class RescheduleForm(forms.Form):
    slot = forms.CharField()

    def clean_slot(self):
        parsed = parse_slot(self.cleaned_data["slot"])
        if parsed is None:
            raise forms.ValidationError("Choose a new time.")
        return parsed
