"""The notifications app's sections of the patient chart and of a visit's panel: the messages and their status."""

from django.utils.translation import gettext_lazy as _

from patients.chart import Section, register
from scheduling import panel_sections

from .views import history_context

register(Section("messages", "wide", 10, "notifications/_chart_messages.html", title=_("Messages"),
                 load=lambda chart: history_context(chart.request, patient=chart.patient),
                 visible=lambda chart: chart.viewer.has_perm("notifications.view_notification")))
panel_sections.register(panel_sections.Section(
    "messages", 10, "notifications/_panel_messages.html",
    load=lambda request, appointment: history_context(request, appointment=appointment),
    visible=lambda user: user.has_perm("notifications.view_notification")))
