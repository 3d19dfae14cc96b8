"""Fixtures and answers for the intake form tests (used by tests/intake/test_intake_*.py and the e2e journey).

A pytest plugin (tests/conftest.py): a test asks for the fixtures by name and imports the helpers
(`from tests.intake.intake_fixtures import save_steps, valid_answers`).
"""

import datetime
from pathlib import Path

import pytest
from django.utils import timezone

from intake import links, questionnaire, services
from intake.models import INTAKE_STEPS
from intake.questionnaire import RED_FLAG_QUESTIONS
from scheduling.models import Appointment
from tests.factories import PatientFactory
from tests.scheduling.conftest import local

# ODI worked example from the reference: 16 points over 9 answered sections (one skipped) = 35.6%.
ODI_16_OF_45 = {"pain_intensity": 2, "personal_care": 2, "lifting": 2, "walking": 2, "sitting": 2, "standing": 2,
                "sleeping": 2, "sex_life": None, "social_life": 1, "travelling": 1}


EXAMPLES = Path(__file__).resolve().parents[2] / "intake" / "instrument_examples"


def instrument_file(code="odi", *, licensed=False, version=None) -> str:
    """An instrument file from the shipped examples (placeholder statements, demo wording); `licensed` stands in
    for the clinic's licensed copy: the same shape, marked licensed, under its own version."""
    text = (EXAMPLES / f"{code}-demo-placeholder.yaml").read_text()
    if licensed:
        text = text.replace("\nwording: demo", "\nwording: licensed").replace("(demo wording)", "(test wording)")
        text = text.replace("Demo wording: for each", "For each")
        text = text.replace('version: "demo-1"', f'version: "{version or "test-1"}"')
    elif version:
        text = text.replace('version: "demo-1"', f'version: "{version}"')
    return text


def load(text, name="instrument.yaml", actor=None):
    return services.instrument_load(content=text, source_name=name, actor=actor)


@pytest.fixture
def licensed_odi(db):
    """The clinic's licensed ODI, loaded (test wording standing in for Mapi's)."""
    return load(instrument_file("odi", licensed=True, version="2.1a-test"), "odi-licensed.yaml")


@pytest.fixture
def demo_odi(db):
    """The demo's placeholder ODI, marked demo wording."""
    return load(instrument_file("odi"), "odi-demo-placeholder.yaml")


@pytest.fixture
def licensed_lefs(db):
    return load(instrument_file("lefs", licensed=True, version="1999-test"), "lefs-licensed.yaml")


def valid_answers():
    """Answers for every step, in the stored / API shape, that pass validation for Maya Okafor."""
    onset = timezone.localdate() - datetime.timedelta(days=60)
    return {
        "contact": {
            "email": "maya@example.com", "mobile_phone": "(617) 555-0101", "address_line1": "12 Elm St",
            "address_line2": "", "city": "Boston", "state": "MA", "postal_code": "02116",
            "emergency_contact_name": "Sam Okafor", "emergency_contact_relationship": "partner",
            "emergency_contact_phone": "(617) 555-0102", "has_insurance": True, "insurance_carrier": "Aetna",
            "insurance_member_id": "W123456", "insurance_group_number": "",
            "reminder_channel": "email", "sms_opt_in": False,
        },
        "history": {
            "health_conditions": [], "other_conditions": "", "had_surgery": False, "takes_medication": True,
            "medications": "Ibuprofen 400 mg when needed", "has_allergies": False, "prior_imaging": False,
            "prior_treatment": False, "activity_level": "very_active", "sports": "Running", "occupation": "Accountant",
            "sitting_hours": 9,
        },
        "complaint": {
            "onset_date": onset.isoformat(), "onset_how": "sport", "onset_sport": "Running", "side": "left",
            "body_map": {"back_buttock_left": ["pain", "tingling"], "back_calf_left": ["tingling"]},
            "symptoms": ["leg_symptoms", "difficulty_sitting"], "leg_side": "left", "leg_extent": "below_knee",
            "worse_with": ["sitting"], "sitting_minutes": 20, "eases": ["moving"],
            "pain_now": 6, "pain_best": 3, "pain_worst": 8,
        },
        "red_flags": {"none_apply": True, **{key: False for key in RED_FLAG_QUESTIONS}, "notes": ""},
        "outcomes": {
            **{f"odi_{key}": value for key, value in ODI_16_OF_45.items()},
            "psfs_activity_1": "Running", "psfs_rating_1": 3,
            "psfs_activity_2": "Sitting through a workday", "psfs_rating_2": 4,
            "psfs_activity_3": "Climbing stairs", "psfs_rating_3": 6,
        },
        "goals": {"goals": "Run a half marathon again", "target": "Boston half in October", "concerns": ""},
        "consent": {"consent_treatment": True, "privacy_ack": True, "answers_true": True, "signed_name": "Maya Okafor"},
    }


def red_flags_ticked(*items, notes=""):
    """The red-flag step's stored answers with these items ticked (and "None of these apply" when none are)."""
    return {"none_apply": not items, **{key: key in items for key in RED_FLAG_QUESTIONS}, "notes": notes}


def as_post(answers, step="complaint"):
    """Stored-shape answers of one step as the browser would post them."""
    data = {}
    for name, value in questionnaire.STEP_FORMS[step].to_data(answers).items():
        if value is None or value is False and name in ("consent_treatment", "privacy_ack", "answers_true"):
            continue
        data[name] = [str(v) for v in value] if isinstance(value, list) else str(value)
    return data


def save_steps(intake, answers=None, *, only=INTAKE_STEPS, skip=()):
    """Validate and save steps through the service, as the pages do."""
    answers = answers or valid_answers()
    for step in only:
        if step in skip:
            continue
        form = questionnaire.step_form(step, patient=intake.patient, visit=intake.appointment,
                                       data=questionnaire.STEP_FORMS[step].to_data(answers[step]))
        assert form.is_valid(), (step, form.errors)
        intake = services.intake_save_step(intake=intake, step=step, answers=form.to_answers())
    return intake


def other_visit(appointment, start, *, patient=None):
    """Another visit like `appointment` (same clinician, type and place) at `start`."""
    return Appointment.objects.create(
        patient=patient or appointment.patient, clinician=appointment.clinician, visit_type=appointment.visit_type,
        modality="in_office", location=appointment.location, start_at=start,
        end_at=start + datetime.timedelta(minutes=60), vouched_by=appointment.vouched_by,
    )


@pytest.fixture
def maya(db):
    return PatientFactory(first_name="Maya", last_name="Okafor", date_of_birth=datetime.date(1990, 3, 4),
                          email="maya@example.com", mobile_phone="+16175550101")


@pytest.fixture
def evaluation(visit_types):
    return visit_types["Initial evaluation"]


@pytest.fixture
def appointment(maya, dr_rivera, evaluation, location, monday):
    """Maya's evaluation with Dr. Rivera, booked by the front desk (so Maya is in Dr. Rivera's care)."""
    from tests.exams.exam_fixtures import the_front_desk

    start = local(monday, 10)
    return Appointment.objects.create(
        patient=maya, clinician=dr_rivera, visit_type=evaluation, modality="in_office", location=location,
        start_at=start, end_at=start + datetime.timedelta(minutes=60), vouched_by=the_front_desk(),
    )


@pytest.fixture
def intake(appointment):
    return services.intake_start(appointment=appointment)


@pytest.fixture
def token(intake):
    return links.token_for(intake)


@pytest.fixture
def deliver_now(monkeypatch, settings):
    """The notifications outbox delivers in-process once the transaction commits (no broker, locmem email).

    Intake sends signals (red_flag_raised, intake_invited); the outbox plans a row per message and sends it.
    """
    from notifications import services as outbox

    settings.NOTIFICATION_EMAIL_BACKEND = ""
    settings.SMS_BACKEND = "memory"
    settings.NOTIFICATION_MEMORY_FAIL = ""
    monkeypatch.setattr(outbox, "_enqueue", lambda pk: outbox.notification_deliver(notification_id=pk))
