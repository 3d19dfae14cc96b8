"""Template filters for the chart's progress section and the intake pages (no queries)."""

from django import template
from django.utils.translation import gettext_lazy as _

register = template.Library()


@register.filter
def num(value):
    if value is None or value == "":
        return "—"
    return f"{float(value):g}"


@register.filter
def signed_num(value):
    if value is None:
        return "—"
    return f"{float(value):+g}"


SCORE_NAMES = {"odi": _("Oswestry Disability Index (ODI)"), "nprs": _("Pain now (NPRS)"),
               "psfs": _("Patient-Specific Functional Scale (PSFS)"), "lefs": _("Lower Extremity Functional Scale (LEFS)")}


@register.filter
def score_name(score):
    """What a stored score is called; demo wording says so, as it is never that instrument's score."""
    name = SCORE_NAMES.get(score.instrument, score.instrument.upper())
    if score.demo_wording:
        return _("%(name)s: demo wording, not a real score") % {"name": name}
    return name
