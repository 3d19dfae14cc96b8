from django import forms
from django.utils.translation import gettext_lazy as _


class SignInCodeForm(forms.Form):
    code = forms.CharField(
        label="6-digit code", max_length=12,
        widget=forms.TextInput(attrs={"inputmode": "numeric", "autocomplete": "one-time-code", "autofocus": True}),
    )
    remember = forms.BooleanField(
        label=_("Remember this computer for 30 days"), required=False,
        help_text=_("Only on the clinic's own computers, never a shared or public one. Your password is still "
                    "asked; an admin can make this computer ask for the code again."),
    )

    def clean_code(self):
        code = self.cleaned_data["code"].replace(" ", "")
        if not (code.isdigit() and len(code) == 6):
            raise forms.ValidationError("Enter the 6 digits your authenticator app shows.")
        return code

