"""`manage.py check --database default`: say when the intake leaves the ODI out (no licensed ODI loaded), the
same notice the staff admin's instrument list shows."""

from django.core.checks import Tags, Warning, register
from django.db import DatabaseError
from django.utils.translation import gettext as _


def odi_notice(active) -> str:
    """Why the ODI is not scored, from the active instrument rows; "" when a licensed ODI is in force."""
    odi = next((row for row in active if row.code == "odi"), None)
    if odi is None:
        return _("No ODI is loaded: the intake form leaves the ODI out and no ODI is scored until a clinician or "
                 "admin loads the clinic's licensed ODI file (the Questionnaires page, the staff admin's Instruments, "
                 "or manage.py load_instrument FILE).")
    if odi.demo_wording:
        return _("The ODI in force (%(title)s, version %(version)s) has demo wording: patients answer placeholder "
                 "statements, and their scores are marked demo wording, never shown or banded as ODI scores. Load "
                 "the clinic's licensed ODI file to score the ODI.") % {"title": odi.title, "version": odi.version}
    return ""


@register(Tags.database)
def licensed_odi_check(app_configs=None, databases=None, **kwargs):
    if not databases:
        return []
    from . import selectors

    try:
        notice = odi_notice(selectors.active_instruments())
    except DatabaseError:  # not migrated yet
        return []
    return [Warning(notice, id="stride.W101")] if notice else []
