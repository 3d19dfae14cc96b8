"""How far a visit's intake form has got, for the calendar, its panel and the chart ("Intake 3 of 7").

Scheduling does not import intake: the intake app registers its steps when it loads (IntakeConfig.ready), and
scheduling's own queries count the steps the form has saved answers for through its relation name, as they count
red flags, so the calendar runs no query more.
"""

from django.db.models import Case, IntegerField, Value, When
from django.utils.translation import gettext as _

_steps: tuple[str, ...] = ()


def register_steps(steps):
    """The intake form's steps, in order (a draft saves its answers keyed by step)."""
    global _steps
    _steps = tuple(steps)


def total() -> int:
    return len(_steps)


def steps_saved():
    """An annotation: how many steps of the visit's intake form have saved answers (0 without a form)."""
    if not _steps:
        return Value(0)
    counted = [Case(When(intake_form__answers__has_key=step, then=Value(1)), default=Value(0),
                    output_field=IntegerField()) for step in _steps]
    return sum(counted[1:], counted[0])


def label(*, needs_intake, completed, steps_saved, upcoming) -> str:
    """What a visit says about its intake form, or "" when nothing (no form needed, or the visit is past, cancelled
    or under way): "Intake done", "Intake not started", "Intake 3 of 7"."""
    if not needs_intake or not upcoming:
        return ""
    if completed:
        return _("Intake done")
    steps = total()
    if steps_saved is None or not steps:
        return _("Intake missing")  # counted nowhere: say only that it is not done
    if not steps_saved:
        return _("Intake not started")
    if steps_saved >= steps:
        return _("Intake %(total)s of %(total)s, not submitted") % {"total": steps}
    return _("Intake %(saved)s of %(total)s") % {"saved": steps_saved, "total": steps}
