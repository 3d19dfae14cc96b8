"""The clinic's own texts (privacy notice, consents, cancellation policy): the version in force, and publishing
a new one."""

from django.db import IntegrityError, transaction
from django.db.models import Max

from .models import ClinicText


def current(kind: str) -> ClinicText | None:
    """The version of `kind` in force (the newest), or None before the clinic has one."""
    return ClinicText.objects.filter(kind=kind).order_by("-version").first()


def for_reading(kind: str, version: int | None = None) -> tuple[ClinicText | None, bool]:
    """The text a patient opens: `version` of `kind` (a consent's link) or the one in force; and whether a newer
    version is in force. (None, False) for an unknown kind or version."""
    if kind not in ClinicText.Kind.values:
        return None, False
    text = ClinicText.objects.filter(kind=kind, version=version).first() if version else current(kind)
    newer = text is not None and version is not None and ClinicText.objects.filter(kind=kind, version__gt=version).exists()
    return text, newer


def publish(*, kind: str, title: str, body: str, body_es: str = "", actor=None) -> ClinicText:
    """Put new wording in force as the next version; earlier versions stay as they were agreed to."""
    for _attempt in range(3):
        number = (ClinicText.objects.filter(kind=kind).aggregate(n=Max("version"))["n"] or 0) + 1
        text = ClinicText(kind=kind, version=number, title=title.strip(), body=body.strip(), body_es=body_es.strip(),
                          published_by=actor)
        text.full_clean(validate_constraints=False)  # the database settles a race for the number
        try:
            with transaction.atomic():
                text.save()
            return text
        except IntegrityError:  # a colleague published the same number a moment ago: take the next
            continue
    raise IntegrityError("Could not number the new version; try again.")
