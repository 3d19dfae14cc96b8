"""The exams app's section of the patient chart: the patient's exams, first beside latest range of motion
and gait (walking and running apart), and the recent visits still without an exam. Between intake's forms and
its progress plots."""

from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from patients.chart import Section, register
from scheduling.models import Appointment

from . import selectors


def _open_visits(chart, exams, shown=5):
    """Today's and recent visits that have no exam yet, from the visits section's rows (no query)."""
    visits = chart.data("visits")
    with_exam = {e.appointment_id for e in exams}
    today = timezone.localdate()
    candidates = [a for a in visits["upcoming"] if timezone.localdate(a.start_at) == today] + visits["past"]
    return [a for a in candidates if a.pk not in with_exam and a.status not in Appointment.CLOSED][:shown]


def _exams(chart):
    exams = selectors.chart_exams(chart.patient.pk)
    comparison = selectors.first_and_latest(exams, chart.patient)
    if comparison:
        comparison["tables"] = [("Range of motion", comparison["rom"]), ("Walking gait", comparison["walking"]),
                                ("Running gait", comparison["running"])]
    return {"exams": exams, "comparison": comparison, "open_visits": _open_visits(chart, exams)}


def _reads_clinical(chart):
    return chart.reads_clinical


register(Section("exams", "clinical", 20, "exams/_chart_exams.html", title=_("Exams"), load=_exams,
                 visible=_reads_clinical))
