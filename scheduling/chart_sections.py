"""Scheduling's section of the patient chart: the patient's visits."""

from django.utils.translation import gettext_lazy as _

from patients.chart import Section, register

from .selectors import patient_visits

PAST_SHOWN = 10


def _visits(chart):
    upcoming, past = patient_visits(chart.patient, past_shown=PAST_SHOWN)
    return {"upcoming": upcoming, "past": past[:PAST_SHOWN], "older": len(past) > PAST_SHOWN}


register(Section("visits", "summary", 30, "scheduling/staff/_patient_appointments.html", title=_("Appointments"),
                 load=_visits))
