"""The instrument file a clinician or admin loads (intake.services.instrument_load validates and versions it): one
form for the Questionnaires page and the staff admin."""

from django import forms
from django.core.exceptions import ValidationError
from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _

from . import instruments, services


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

    def load(self, *, actor, ip):
        """Load the valid file as the new version in force; None, with every problem beside the field, otherwise."""
        if not self.is_valid():
            return None
        try:
            return services.instrument_load(content=self.content, source_name=self.cleaned_data["file"].name,
                                            actor=actor, ip=ip)
        except services.InstrumentFileInvalid as exc:
            self.add_error("file", [str(problem) for problem in exc.problems])
            return None

    def loaded_message(self, row):
        return gettext("Loaded %(title)s (version %(version)s). The intake form asks it from now on.") % {
            "title": row.title, "version": row.version}
