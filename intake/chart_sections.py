"""The intake app's sections of the patient chart: red-flag alerts, intake forms with their scores, and
the clinician's exams with the progress plots (the exam side: intake.exam_selectors)."""

from django.utils import timezone

from patients.chart import Section, register
from scheduling.models import Appointment

from . import exam_selectors, selectors


def _scores(chart):
    return chart.once("intake.scores", lambda: selectors.chart_scores(chart.patient))


def _intake_forms(chart):
    forms = selectors.chart_intake_forms(chart.patient)
    if chart.reads_clinical:  # the front desk sees each form's status, never its scores
        by_form = {}
        for score in _scores(chart):
            by_form.setdefault(score.intake_id, []).append(score)
        for form in forms:
            form.chart_scores = by_form.get(form.pk, [])
    return {"forms": forms}


def _open_visits(chart, exams, shown=5):
    """Today's and recent visits that have no exam yet, from the visits section's rows (no query)."""
    visits = chart.data("visits")
    with_exam = {e.appointment_id for e in exams}
    today = timezone.localdate()
    candidates = [a for a in visits["upcoming"] if timezone.localdate(a.start_at) == today] + visits["past"]
    return [a for a in candidates if a.pk not in with_exam and a.status not in Appointment.CLOSED][:shown]


def _exams(chart):
    exams = exam_selectors.chart_exams(chart.patient.pk)
    comparison = exam_selectors.first_and_latest(exams)
    if comparison:
        comparison["tables"] = [("Range of motion", comparison["rom"]), ("Gait", comparison["gait"])]
    return {"exams": exams, "comparison": comparison, "open_visits": _open_visits(chart, exams)}


def _progress(chart):
    return {"series": exam_selectors.progress_series(chart.patient.pk, scores=_scores(chart))}


def _reads_clinical(chart):
    return chart.reads_clinical


register(Section("red_flags", "alerts", 10, "intake/_chart_red_flags.html",
                 load=lambda chart: {"alerts": selectors.chart_red_flag_alerts(chart.patient)},
                 visible=lambda chart: chart.viewer.has_perm("intake.view_redflagalert")))
register(Section("intake_forms", "clinical", 10, "intake/_chart_intake.html", load=_intake_forms))
register(Section("exams", "clinical", 20, "intake/_chart_exams.html", load=_exams, visible=_reads_clinical))
register(Section("progress", "clinical", 30, "intake/_chart_progress.html", load=_progress, visible=_reads_clinical))
