from django import forms


class PatientCancelForm(forms.Form):
    reason = forms.CharField(
        label="Why are you cancelling?", max_length=150,
        widget=forms.Textarea(attrs={"rows": 3, "placeholder": "For example: feeling better, a clash with work"}),
        help_text="It helps us offer your time to someone on the waiting list.",
    )
