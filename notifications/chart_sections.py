"""The notifications app's section of the patient chart: the patient's messages and their status."""

from patients.chart import Section, register

from . import selectors


def _messages(chart):
    return {
        "history": selectors.message_history(patient=chart.patient),
        "history_scope": f"patient:{chart.patient.mrn}",
        "history_next": chart.request.get_full_path(),
        "can_resend": chart.viewer.has_perm("notifications.change_notification"),
    }


register(Section("messages", "wide", 10, "notifications/_chart_messages.html", load=_messages,
                 visible=lambda chart: chart.viewer.has_perm("notifications.view_notification")))
