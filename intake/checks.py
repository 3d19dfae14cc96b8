"""`manage.py check --database default`: say when the intake leaves the ODI out (no licensed ODI loaded), the
same notice the staff admin's instrument list shows."""

from django.core.checks import Tags, Warning, register
from django.db import DatabaseError


def odi_notice(active) -> str:
    """Why the ODI is not scored, from the active instrument rows; "" when a licensed ODI is in force."""
    odi = next((row for row in active if row.code == "odi"), None)
    if odi is None:
        return ("No ODI is loaded: the intake form leaves the ODI out and no ODI is scored until an admin loads "
                "the clinic's licensed ODI file (staff admin, Instruments, or manage.py load_instrument FILE).")
    if odi.demo_wording:
        return (f"The ODI in force ({odi.title}, version {odi.version}) has demo wording: patients answer "
                "placeholder statements, and their scores are marked demo wording, never shown or banded as ODI "
                "scores. Load the clinic's licensed ODI file to score the ODI.")
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
