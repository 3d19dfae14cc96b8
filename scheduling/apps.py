from django.apps import AppConfig

from clinic import roles

_CONFIG = ["location", "room", "visittype", "clinician", "workinghours", "timeoff", "closure", "clinicsettings",
           "cancellationreason"]
_BOOKING = ["appointment", "appointmentseries", "waitlistentry"]


def _perms(models, actions):
    return [f"scheduling.{a}_{m}" for m in models for a in actions]


class SchedulingConfig(AppConfig):
    name = "scheduling"
    role_permissions = {
        roles.ADMIN: _perms(_CONFIG + _BOOKING, ("view", "add", "change", "delete")),
        roles.FRONT_DESK: _perms(_BOOKING, ("view", "add", "change"))
        + _perms(["location", "room", "visittype", "clinician", "workinghours", "timeoff", "closure"], ["view"])
        + ["scheduling.add_timeoff", "scheduling.change_timeoff"],
        roles.CLINICIAN: _perms(["appointment", "location", "room", "visittype", "clinician"], ["view"])
        + ["scheduling.change_appointment"],
    }

    def ready(self):
        from clinic import audit
        from patients import care

        from . import calendar_setup, chart_sections, online_offer  # noqa: F401  (chart_sections registers the chart's visits)
        from .models import Appointment, WaitlistEntry
        from .selectors import visits_in_care

        audit.track(Appointment, patient=lambda a: a.patient_id)
        audit.track(WaitlistEntry, patient=lambda w: w.patient_id)
        care.register_care_source(visits_in_care)
        calendar_setup.connect()
        online_offer.connect()
