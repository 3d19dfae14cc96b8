"""The red-flag re-screen of a follow-up: the items that alert on their own (and a minor fall or lift, which alerts
with age over 70, osteoporosis or steroids), each new or worsening since the last visit, yes or no, or "none of
these". A reusable piece: the exam page and the re-screen page show it today (templates/exams/_red_flag_screen.html),
a visit's daily note can embed the same form. exams.services.red_flag_screen_record stores it and runs the intake's
rules (intake.rules.red_flags), raising the same alert.
"""

from django import forms
from django.utils.translation import gettext_lazy as _

from intake.rules import RED_FLAG_ITEMS

# (heading, [(item, the clinician's question)]): the intake's items in clinical words.
SCREEN_GROUPS = (
    (_("Cauda equina (an emergency; leg symptoms on both sides alone: the same day)"), (
        ("saddle_numbness", _("Saddle or perineal numbness")),
        ("urinary_retention", _("Urinary retention")),
        ("bladder_change", _("Bladder change: hesitancy, poor stream, loss of the urge to void")),
        ("bowel_incontinence", _("Bowel incontinence or loss of bowel sensation")),
        ("sexual_dysfunction", _("Sexual dysfunction")),
        ("worsening_leg_weakness", _("Leg weakness getting worse")),
        ("bilateral_sciatica", _("Leg symptoms on both sides")),
    )),
    (_("Other red flags (urgent on their own)"), (
        ("major_motor_weakness", _("Major motor weakness (leg giving way, foot drop)")),
        ("progressive_deficit", _("Progressive numbness or neurological deficit")),
        ("previous_cancer", _("Cancer diagnosed or suspected")),
        ("unexplained_weight_loss", _("Unexplained weight loss")),
        ("fever", _("Fever, chills or night sweats")),
        ("immunosuppression", _("Immunosuppression (new treatment or condition)")),
        ("iv_drug_use", _("Intravenous drug use")),
        ("major_trauma", _("Major trauma (fall from a height, road accident)")),
    )),
    (_("Fracture risk (urgent with age over 70, osteoporosis or long-term steroids)"), (
        ("minor_trauma", _("A minor fall or lift")),
    )),
)
SCREEN_ITEMS = tuple(item for _heading, items in SCREEN_GROUPS for item, _question in items)
assert set(SCREEN_ITEMS) <= set(RED_FLAG_ITEMS)
YES_NO = (("yes", _("Yes")), ("no", _("No")))


class RedFlagScreenForm(forms.Form):
    """Each item new or worsening since the last visit, yes or no, or "None of these" (every item no). Field names
    carry the prefix "rf", so the form can share a page (the exam, a daily note) with other forms."""

    prefix = "rf"
    none_apply = forms.BooleanField(label=_("None of these: nothing new or worse since the last visit"),
                                    required=False)
    notes = forms.CharField(label=_("Notes"), required=False, max_length=2000,
                            widget=forms.Textarea(attrs={"rows": 2, "class": "form-control"}))

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        items = {}
        for _heading, group in SCREEN_GROUPS:
            for item, question in group:
                items[item] = forms.ChoiceField(label=question, choices=YES_NO, required=False,
                                                widget=forms.RadioSelect(attrs={"class": "form-check-input"}))
        self.fields = {**items, **self.fields}

    def groups(self):
        """[(heading, [bound field])] for the page."""
        return [(heading, [self[item] for item, _question in group]) for heading, group in SCREEN_GROUPS]

    def clean(self):
        cleaned = super().clean()
        yes = [item for item in SCREEN_ITEMS if cleaned.get(item) == "yes"]
        unanswered = [item for item in SCREEN_ITEMS if not cleaned.get(item)]
        if cleaned.get("none_apply") and yes:
            self.add_error("none_apply", _("“None of these” is ticked, but %(count)s item(s) are answered Yes. "
                                           "Untick it, or answer those items No.") % {"count": len(yes)})
        elif not cleaned.get("none_apply") and unanswered:
            self.add_error("none_apply", _("Answer each item Yes or No, or tick “None of these”."))
            for item in unanswered:
                self.add_error(item, _("Yes or No?"))
        return cleaned

    def answers(self) -> dict[str, bool]:
        """{item: new or worsening}: with "None of these", every item not answered Yes is No."""
        return {item: self.cleaned_data.get(item) == "yes" for item in SCREEN_ITEMS}
