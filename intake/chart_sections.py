"""The intake app's sections of the patient chart: red-flag alerts, meaningful worsenings, intake forms with their
scores, and the progress plots of the outcome scores (from the intake forms and the exams). The exams section is exams'."""

from django.utils.translation import gettext_lazy as _

from patients.chart import Section, register

from . import selectors


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


def _progress(chart):
    return {"series": selectors.progress_series(chart.patient.pk, scores=_scores(chart))}


def _worsening(chart):
    """The measures whose latest score is meaningfully worse than the baseline: alerts above the cards, like red
    flags (the progress section's series, loaded once for both)."""
    return {"worsened": [s for s in chart.data("progress")["series"] if s.worsened]}


def _reads_clinical(chart):
    return chart.reads_clinical


register(Section("red_flags", "alerts", 10, "intake/_chart_red_flags.html", title=_("Red flags"),
                 load=lambda chart: {"alerts": selectors.chart_red_flag_alerts(chart.patient)},
                 visible=lambda chart: chart.viewer.has_perm("intake.view_redflagalert")))
register(Section("worsening", "alerts", 20, "intake/_chart_worsening.html", title=_("Meaningful worsening"),
                 load=_worsening, visible=_reads_clinical))
register(Section("intake_forms", "clinical", 10, "intake/_chart_intake.html", title=_("Intake forms"),
                 load=_intake_forms))
register(Section("progress", "clinical", 30, "intake/_chart_progress.html", title=_("Progress"), load=_progress,
                 visible=_reads_clinical))
