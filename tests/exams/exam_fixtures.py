"""Fixtures for the clinician's exam and progress tests (tests/exams/test_exam_*.py, test_progress*.py and
the e2e journey), a pytest plugin (tests/conftest.py): a test asks for them by name, and imports the helpers:
    from tests.exams.exam_fixtures import SI_CLUSTER_3, sign
"""

from datetime import timedelta
from decimal import Decimal

import pytest
from django.contrib.auth.models import Group
from django.utils import timezone

from clinic import roles
from exams import services as exam_services
from intake.models import IntakeForm, OutcomeScore
from scheduling.models import Appointment
from tests.factories import sign_in

SI_CLUSTER_3 = {  # distraction, thigh thrust (right) and compression positive: 3 of 5 Laslett tests
    "distraction": "positive", "compression": "positive", "sacral_thrust": "negative",
    "thigh_thrust_left": "not_tested", "thigh_thrust_right": "positive",
    "gaenslen_left": "negative", "gaenslen_right": "not_tested",
}


def the_front_desk():
    from clinic.models import User

    desk, created = User.objects.get_or_create(email="vouching.desk@stride.test", defaults={"first_name": "Dana"})
    if created:
        desk.groups.add(Group.objects.get(name=roles.FRONT_DESK))
    return desk


def make_visit(patient, clinician, *, start=None, visit_type, location, status=Appointment.Status.CHECKED_IN,
               vouched_by="front desk"):
    """A visit (default: started an hour ago, checked in by the front desk) of `patient` with `clinician`:
    in the clinician's care (patients.care) unless `vouched_by` is None or the clinician's own user."""
    start = start or timezone.now().replace(second=0, microsecond=0) - timedelta(hours=1)
    return Appointment.objects.create(
        patient=patient, clinician=clinician, visit_type=visit_type, modality="in_office", location=location,
        start_at=start, end_at=start + timedelta(minutes=visit_type.duration_minutes), status=status,
        vouched_by=the_front_desk() if vouched_by == "front desk" else vouched_by,
    )


def submitted_intake(patient, appointment=None, **complaint):
    """A submitted intake in the intake form's stored shape, with its baseline scores."""
    answers = {
        "complaint": {"onset_how": "fall", "onset_details": "Slipped on ice", "side": "left",
                      "pain_now": 6, "pain_best": 3, "pain_worst": 8, **complaint},
        "history": {"health_conditions": ["osteoporosis"]},
        "red_flags": {"long_term_steroids": False},
    }
    intake = IntakeForm.objects.create(
        patient=patient, appointment=appointment, status=IntakeForm.Status.SUBMITTED, answers=answers,
        submitted_at=timezone.now() - timedelta(days=2),
    )
    # The ODI answered on the clinic's licensed wording (a test version standing in for Mapi's).
    for instrument, version, value in (("nprs", "1", "6"), ("odi", "2.1a-test", "35.6"), ("psfs", "1995-original", "4.3")):
        OutcomeScore.objects.create(
            patient=patient, intake=intake, appointment=appointment, instrument=instrument,
            instrument_version=version, value=Decimal(value), recorded_at=intake.submitted_at,
        )
    return intake


@pytest.fixture
def visit(patient, dr_rivera, follow_up, location):
    return make_visit(patient, dr_rivera, visit_type=follow_up, location=location)


@pytest.fixture
def exam(visit, dr_rivera):
    found, _ = exam_services.exam_start(appointment=visit, clinician=dr_rivera)
    return found


@pytest.fixture
def chen_also_treats(patient, dr_chen, follow_up, location):
    """Dr. Chen has a visit of their own with the patient: the patient is in both clinicians' care."""
    return make_visit(patient, dr_chen, visit_type=follow_up, location=location,
                      start=timezone.now().replace(second=0, microsecond=0) + timedelta(days=3),
                      status=Appointment.Status.BOOKED)


@pytest.fixture
def rivera_client(client, dr_rivera):
    sign_in(client, dr_rivera.user)
    return client


@pytest.fixture
def chen_client(client, dr_chen):
    sign_in(client, dr_chen.user)
    return client


def current_revision(exam, section):
    """The revision of `section` an up-to-date editor would send (the exam read afresh)."""
    return type(exam).objects.get(pk=exam.pk).revision_of(section)


def post_section(client, exam, section, data, *, as_json=True, revision="current"):
    """Post one section as the page does, with the revision it shows (`revision=None`: without one)."""
    if revision is not None and "revision" not in data:
        data = {**data, "revision": current_revision(exam, section) if revision == "current" else revision}
    headers = {"HTTP_X_REQUESTED_WITH": "fetch", "HTTP_ACCEPT": "application/json"} if as_json else {}
    return client.post(f"/exams/{exam.pk}/sections/{section}/", data, **headers)


def dx_post(*rows, notes="", initial=0):
    """The assessment section as the page posts it: each row (diagnosis, side[, extra fields]) one formset form."""
    data = {"dx-TOTAL_FORMS": str(len(rows)), "dx-INITIAL_FORMS": str(initial), "assessment_notes": notes}
    for n, row in enumerate(rows):
        diagnosis, side, *extra = row
        data.update({f"dx-{n}-diagnosis": diagnosis, f"dx-{n}-side": side})
        data.update({f"dx-{n}-{key}": value for key, value in (extra[0] if extra else {}).items()})
    return data


def diagnosed(exam, dr, diagnosis="si_joint_dysfunction", side="left", notes=""):
    """Save the assessment with one working diagnosis (sided ones need their side)."""
    row = {"diagnosis": diagnosis, "side": side, "icd10_code": "", "primary": True, "note": "", "position": 0}
    return exam_services.exam_save_section(
        exam=exam, section="assessment", revision=current_revision(exam, "assessment"), actor=dr.user,
        data={"diagnoses": [row], "assessment_notes": notes},
    )


def sign(exam, dr, diagnosis="si_joint_dysfunction", side="left"):
    diagnosed(exam, dr, diagnosis, side)
    return exam_services.exam_sign(exam=exam, actor=dr.user)
