"""The instrument file a clinician or admin loads (intake.services.instrument_load validates and versions it)."""

from django import forms
from django.core.exceptions import ValidationError
from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _

from . import instruments


class InstrumentFileForm(forms.Form):
    file = forms.FileField(
        label=_("Instrument file (YAML)"),
        help_text=_("The definition: code, title, version, wording (licensed or demo), copyright notice, scoring rule "
                    "and items with their answer options. The format is in docs/instrument-files.md; examples are in "
                    "intake/instrument_examples/."),
    )

    def clean_file(self):
        upload = self.cleaned_data["file"]
        if upload.size > instruments.MAX_FILE_BYTES:
            raise ValidationError(gettext("The file is larger than %(kb)s KB.") % {"kb": instruments.MAX_FILE_BYTES // 1024})
        self.content = upload.read()
        try:
            instruments.read_definition(self.content)
        except instruments.DefinitionError as exc:
            raise ValidationError([str(problem) for problem in exc.problems]) from None
        return upload
