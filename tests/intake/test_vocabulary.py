"""The questionnaire and the exam speak one vocabulary for a problem's side and onset: what the patient ticks is
what the clinician's history starts from, word for word."""

import pytest

from exams import services as exam_services
from exams.forms import ONSET_CHOICES, SIDE_CHOICES
from intake import vocabulary
from intake.questionnaire import ComplaintForm
from tests.exams.exam_fixtures import submitted_intake

pytestmark = pytest.mark.django_db


def _codes(choices):
    return [code for code, _ in choices]


def test_every_answer_the_patient_can_give_is_a_code_the_exam_records():
    form = ComplaintForm()
    assert set(_codes(form.fields["side"].choices)) - {""} <= set(_codes(SIDE_CHOICES))
    assert set(_codes(form.fields["onset_how"].choices)) - {""} <= set(_codes(ONSET_CHOICES))
    assert "central" in _codes(form.fields["side"].choices)  # the midline, worded "In the middle" for the patient
    assert dict(form.fields["side"].choices)["central"] == "In the middle"


@pytest.mark.parametrize("answered, recorded", [("central", "central"), ("middle", "central"), ("left", "left"),
                                                ("sideways", "")])
def test_the_exam_history_starts_from_the_patients_side_answer(visit, dr_rivera, answered, recorded):
    submitted_intake(visit.patient, visit, side=answered)
    exam, _ = exam_services.exam_start(appointment=visit, clinician=dr_rivera)
    assert exam.findings["history"]["side"] == recorded
    assert vocabulary.side_code(answered) == recorded
