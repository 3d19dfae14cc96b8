"""The calendar says how far each visit's intake form has got ("Intake 3 of 7"), not only that it is missing, and
still runs the same few queries however many visits have drafts."""

import re

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from intake import services as intake_services
from intake.models import INTAKE_STEPS
from scheduling import intake_progress, services
from scheduling.models import Modality
from tests.factories import PatientFactory
from tests.intake.intake_fixtures import save_steps, valid_answers

from .conftest import local

HX = {"HTTP_HX_REQUEST": "true"}


def text(response):
    return re.sub(r"\s+", " ", response.content.decode())


def calendar(client, day):
    return text(client.get("/schedule/", {"date": day.isoformat()}))


def test_a_visit_whose_patient_saved_three_steps_shows_3_of_7(desk_client, intake, monday):
    assert len(INTAKE_STEPS) == 7
    assert "Intake not started" in calendar(desk_client, monday)

    save_steps(intake, only=INTAKE_STEPS[:3])
    page = calendar(desk_client, monday)
    assert '<span class="badge cal-flag">Intake 3 of 7</span>' in page
    assert "Intake not started" not in page and "Intake missing" not in page
    assert "Initial evaluation · Sam Rivera, PT, DPT · Booked · Intake 3 of 7" in page  # the block's tooltip
    panel = text(desk_client.get(f"/schedule/appointments/{intake.appointment_id}/", **HX))
    assert "Intake 3 of 7" in panel


def test_a_submitted_intake_shows_done_and_a_visit_without_a_form_shows_nothing(
    desk_client, intake, monday, patient, dr_chen, follow_up
):
    services.appointment_book(patient=patient, clinician=dr_chen, visit_type=follow_up, start=local(monday, 11),
                              modality=Modality.IN_OFFICE, location=dr_chen.locations.first())  # needs no intake
    intake_services.intake_submit(intake=save_steps(intake, valid_answers()))
    page = calendar(desk_client, monday)
    assert page.count("Intake done") == 2  # the block's badge and its tooltip, for Maya's evaluation only
    assert '<span class="badge cal-done">Intake done</span>' in page
    assert "Intake not started" not in page and " of 7" not in page


def test_the_chart_lists_the_intake_progress_of_upcoming_visits(desk_client, intake, monday):
    save_steps(intake, only=INTAKE_STEPS[:5])
    chart = text(desk_client.get(f"/patients/{intake.patient.mrn}/"))
    assert "Intake 5 of 7" in chart


@pytest.mark.parametrize("with_drafts", [False, True])
def test_counting_intake_steps_adds_no_query_per_visit(desk_client, dr_rivera, dr_chen, visit_types, monday,
                                                        with_drafts):
    evaluation = visit_types["Initial evaluation"]

    def queries():
        desk_client.get("/schedule/", {"date": monday.isoformat()})  # the first page reads content types once
        with CaptureQueriesContext(connection) as captured:
            assert desk_client.get("/schedule/", {"date": monday.isoformat()}).status_code == 200
        return len(captured)

    def book_evaluations(count, first_hour):
        for n in range(count):
            clinician = (dr_rivera, dr_chen)[n % 2]
            visit = services.appointment_book(
                patient=PatientFactory(), clinician=clinician, visit_type=evaluation, modality=Modality.IN_OFFICE,
                start=local(monday, first_hour + n // 2), location=clinician.locations.first())
            if with_drafts:
                intake = intake_services.intake_start(appointment=visit)
                for step in INTAKE_STEPS[: n % 7]:
                    intake_services.intake_save_step(intake=intake, step=step, answers={})
    book_evaluations(2, 9)
    few = queries()
    book_evaluations(12, 10)
    assert queries() == few <= 9  # as pinned for the day view in test_calendar.py
    if with_drafts:
        assert "Intake 5 of 7" in calendar(desk_client, monday)


def test_the_label_for_every_state():
    label = intake_progress.label
    assert label(needs_intake=False, completed=False, steps_saved=0, upcoming=True) == ""
    assert label(needs_intake=True, completed=False, steps_saved=3, upcoming=False) == ""  # past or cancelled
    assert label(needs_intake=True, completed=False, steps_saved=0, upcoming=True) == "Intake not started"
    assert label(needs_intake=True, completed=False, steps_saved=3, upcoming=True) == "Intake 3 of 7"
    assert label(needs_intake=True, completed=False, steps_saved=7, upcoming=True) == "Intake 7 of 7, not submitted"
    assert label(needs_intake=True, completed=True, steps_saved=7, upcoming=True) == "Intake done"
    assert label(needs_intake=True, completed=False, steps_saved=None, upcoming=True) == "Intake missing"
