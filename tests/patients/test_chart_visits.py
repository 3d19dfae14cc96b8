"""The chart's appointment card: every upcoming visit, the ten most recent past ones, and a note when older exist."""

from datetime import timedelta

import pytest
from django.utils import timezone

from scheduling.models import Appointment
from tests.exams.exam_fixtures import make_visit
from tests.factories import PatientFactory


def _visit(patient, dr_rivera, follow_up, location, days, status=Appointment.Status.COMPLETED):
    start = timezone.now().replace(second=0, microsecond=0) + timedelta(days=days)
    return make_visit(patient, dr_rivera, start=start, visit_type=follow_up, location=location, status=status)


def _card(response):
    html = response.content.decode()
    return html[html.index('id="appt-h"'):html.index('id="intake-h"')]


@pytest.mark.parametrize("past", [3, 10, 11, 14])
def test_chart_lists_upcoming_visits_and_the_ten_most_recent_past_ones(
    desk_client, dr_rivera, follow_up, location, past
):
    patient = PatientFactory()
    upcoming = [_visit(patient, dr_rivera, follow_up, location, days, Appointment.Status.BOOKED) for days in (3, 40)]
    history = [_visit(patient, dr_rivera, follow_up, location, -7 * n) for n in range(1, past + 1)]
    # Another patient's visits never show.
    _visit(PatientFactory(), dr_rivera, follow_up, location, -1)

    response = desk_client.get(f"/patients/{patient.mrn}/")

    card = _card(response)
    shown = [int(part.split("/")[0]) for part in card.split('href="/schedule/appointments/')[1:]]
    expected_past = [a.pk for a in history[:10]]  # newest first
    assert shown == [a.pk for a in upcoming] + expected_past
    assert ("Older visits are not shown" in card) == (past > 10)
