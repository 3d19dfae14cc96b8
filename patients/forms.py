from crispy_forms.helper import FormHelper
from crispy_forms.layout import Column, Fieldset, Layout, Row, Submit
from django import forms

from .models import Consent, Patient, PatientDocument


class PatientForm(forms.ModelForm):
    confirm_not_duplicate = forms.BooleanField(
        required=False,
        label="I checked: this is a different person from the matching records above",
    )

    class Meta:
        model = Patient
        fields = [
            "first_name", "last_name", "preferred_name", "date_of_birth", "sex", "gender_identity", "pronouns",
            "email", "mobile_phone", "preferred_channel", "reminder_email_consent", "reminder_sms_consent",
            "address_line1", "address_line2", "city", "state", "postal_code", "country",
            "emergency_contact_name", "emergency_contact_relationship", "emergency_contact_phone",
            "insurance_carrier", "insurance_member_id", "insurance_group_number",
            "referring_physician", "occupation", "sport_activity",
        ]
        widgets = {
            "date_of_birth": forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d"),
            "email": forms.EmailInput(attrs={"autocomplete": "off"}),
            "mobile_phone": forms.TextInput(attrs={"type": "tel", "placeholder": "(617) 555-0134"}),
            "emergency_contact_phone": forms.TextInput(attrs={"type": "tel"}),
        }

    def __init__(self, *args, duplicates=None, **kwargs):
        super().__init__(*args, **kwargs)
        self.duplicates = list(duplicates or [])
        self.fields["mobile_phone"].label = "Mobile phone"
        self.helper = FormHelper()
        self.helper.form_tag = False
        confirm = ["confirm_not_duplicate"] if self.duplicates else []
        if not self.duplicates:
            del self.fields["confirm_not_duplicate"]
        self.helper.layout = Layout(
            *confirm,
            Fieldset(
                "Who",
                Row(Column("first_name"), Column("last_name"), Column("preferred_name")),
                Row(Column("date_of_birth"), Column("sex"), Column("gender_identity"), Column("pronouns")),
            ),
            Fieldset(
                "Contact",
                Row(Column("email"), Column("mobile_phone"), Column("preferred_channel")),
                Row(Column("reminder_email_consent"), Column("reminder_sms_consent")),
                Row(Column("address_line1"), Column("address_line2")),
                Row(Column("city"), Column("state"), Column("postal_code"), Column("country")),
            ),
            Fieldset(
                "Emergency contact",
                Row(Column("emergency_contact_name"), Column("emergency_contact_relationship"), Column("emergency_contact_phone")),
            ),
            Fieldset(
                "Insurance and referral",
                Row(Column("insurance_carrier"), Column("insurance_member_id"), Column("insurance_group_number")),
                Row(Column("referring_physician"), Column("occupation"), Column("sport_activity")),
            ),
        )


class DocumentForm(forms.ModelForm):
    class Meta:
        model = PatientDocument
        fields = ["kind", "title", "file"]

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["title"].required = False
        self.helper = FormHelper()
        self.helper.form_tag = False  # the chart's <form> carries the action and the CSRF token
        self.helper.layout = Layout("kind", "title", "file", Submit("upload", "Upload document"))


class ConsentForm(forms.ModelForm):
    class Meta:
        model = Consent
        fields = ["kind", "signed_name"]
        labels = {"signed_name": "Full name as signed"}

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.helper = FormHelper()
        self.helper.form_tag = False  # the chart's <form> carries the action and the CSRF token
        self.helper.layout = Layout("kind", "signed_name", Submit("record", "Record consent"))


class EmergencyAccessForm(forms.Form):
    reason = forms.CharField(
        label="Why do you need this record now?",
        min_length=20, max_length=1000,
        widget=forms.Textarea(attrs={"rows": 3}),
        help_text="For example: covering Dr. Chen's patient who arrived in pain today. Admins read every reason.",
        error_messages={"min_length": "Say why in a full sentence (at least 20 characters): admins review it."},
    )
