"""Submitting the intake form: required answers, scores, red-flag alerts, the visit marked complete."""

import datetime
from decimal import Decimal

import pytest
from django.core import mail

from intake import scoring, services
from intake.models import IntakeForm, OutcomeScore, RedFlagAlert
from notifications.models import Notification
from patients.models import Consent
from tests.intake.intake_fixtures import ODI_16_OF_45, red_flags_ticked, save_steps, valid_answers


@pytest.fixture
def submit(deliver_now, django_capture_on_commit_callbacks):
    def run(intake, **kwargs):
        with django_capture_on_commit_callbacks(execute=True):
            return services.intake_submit(intake=intake, ip="203.0.113.9", **kwargs)

    return run


def test_submit_refuses_without_the_signature(intake, submit):
    save_steps(intake, skip=("consent",))
    with pytest.raises(services.IntakeIncomplete) as exc:
        submit(intake)
    assert exc.value.errors == {"consent": {"__all__": ["This step has not been filled in yet."]}}
    intake.refresh_from_db()
    assert intake.status == IntakeForm.Status.IN_PROGRESS and intake.appointment.intake_completed_at is None
    assert not OutcomeScore.objects.exists()


def test_submit_refuses_answers_that_no_longer_validate(intake, submit):
    save_steps(intake)
    answers = dict(intake.answers)
    answers["consent"] = {**answers["consent"], "signed_name": ""}
    answers["complaint"] = {**answers["complaint"], "pain_now": None}
    IntakeForm.objects.filter(pk=intake.pk).update(answers=answers)
    with pytest.raises(services.IntakeIncomplete) as exc:
        submit(intake)
    assert exc.value.errors["consent"] == {"signed_name": ["Type your full name to sign the form."]}
    assert exc.value.errors["complaint"] == {"pain_now": ["Choose a number from 0 to 10."]}


def test_scores_stored_equal_the_scoring_functions_for_the_worked_example(licensed_odi, intake, submit):
    save_steps(intake)
    submit(intake)
    scores = {s.instrument: s for s in OutcomeScore.objects.filter(intake=intake)}
    assert set(scores) == {"odi", "nprs", "psfs"}

    odi = scoring.odi_score(ODI_16_OF_45)
    assert (odi.points, odi.sections_answered, odi.percent) == (16, 9, 35.6)
    assert scores["odi"].value == Decimal("35.6") and scores["odi"].band == odi.band == "moderate"
    assert scores["odi"].details == {"points": 16, "sections_answered": 9, "low_confidence": False}
    assert scores["odi"].instrument_version == "2.1a-test" and scores["odi"].definition == licensed_odi
    assert not scores["odi"].demo_wording

    assert scores["nprs"].value == Decimal("6") and scores["nprs"].band == scoring.nprs_band(6) == "moderate"
    assert scores["nprs"].instrument_version == "1"

    psfs = scoring.psfs_score([3, 4, 6])
    assert scores["psfs"].value == Decimal(str(psfs.mean)) == Decimal("4.3")
    assert scores["psfs"].instrument_version == "1995-original"
    assert [a["activity"] for a in scores["psfs"].details["activities"]][0] == "Running"
    assert all(s.appointment_id == intake.appointment_id and s.patient_id == intake.patient_id for s in scores.values())
    intake.refresh_from_db()
    assert intake.instrument_versions == {"odi": "2.1a-test", "nprs": "1", "psfs": "1995-original"}


def test_submit_marks_the_visit_complete_records_the_signature_and_updates_the_record(intake, submit):
    save_steps(intake)
    submitted = submit(intake)
    intake.refresh_from_db()
    assert intake.status == IntakeForm.Status.SUBMITTED and intake.submitted_at is not None
    assert (intake.signed_name, intake.signed_ip) == ("Maya Okafor", "203.0.113.9")
    assert intake.signed_at == submitted.submitted_at
    visit = intake.appointment
    assert visit.intake_completed_at == intake.submitted_at and not visit.intake_missing
    patient = intake.patient
    patient.refresh_from_db()
    assert (patient.address_line1, patient.emergency_contact_phone) == ("12 Elm St", "+16175550102")
    assert (patient.insurance_carrier, patient.occupation, patient.sport_activity) == ("Aetna", "Accountant", "Running")
    consents = Consent.objects.filter(patient=patient)
    assert {c.kind for c in consents} == {"treatment", "privacy"}
    assert {(c.signed_name, c.ip_address) for c in consents} == {("Maya Okafor", "203.0.113.9")}
    assert not RedFlagAlert.objects.exists() and mail.outbox == []
    assert not Notification.objects.filter(kind=Notification.Kind.RED_FLAG).exists()


def test_a_red_flag_raises_an_alert_emails_the_clinician_and_still_marks_the_visit(intake, submit):
    answers = valid_answers()
    answers["red_flags"] = red_flags_ticked("saddle_numbness", "fever")
    save_steps(intake, answers)
    submit(intake)

    alert = RedFlagAlert.objects.get()
    assert (alert.patient_id, alert.appointment_id, alert.intake_id) == (intake.patient_id, intake.appointment_id, intake.pk)
    assert alert.urgency == RedFlagAlert.Urgency.EMERGENCY and alert.acknowledged_at is None
    items = {f["item"]: f for f in alert.flags}
    assert items["saddle_numbness"]["urgency"] == "emergency" and items["saddle_numbness"]["note"].startswith("incomplete CES")
    assert items["fever"]["urgency"] == "urgent"

    # The outbox holds one urgent message for the visit's clinician, and sent it.
    (message,) = Notification.objects.filter(kind=Notification.Kind.RED_FLAG)
    assert message.recipient_user == intake.appointment.clinician.user and message.patient_id == intake.patient_id
    assert message.payload["urgency"] == RedFlagAlert.Urgency.EMERGENCY and message.payload["alert"] == alert.pk
    assert message.status == Notification.Status.SENT and message.to_address == "rivera@stride.test"
    (email,) = mail.outbox
    assert email.to == ["rivera@stride.test"]
    assert "Emergency red flag" in email.subject and "Maya Okafor" in email.subject
    assert f"/patients/{intake.patient.mrn}/" in email.body
    assert "saddle" not in email.body.lower()  # the answers stay in the chart
    intake.appointment.refresh_from_db()
    assert intake.appointment.intake_completed_at is not None


def test_an_urgent_flag_alone_raises_an_urgent_alert(intake, submit):
    answers = valid_answers()
    answers["red_flags"] = red_flags_ticked("previous_cancer")
    save_steps(intake, answers)
    submit(intake)
    assert RedFlagAlert.objects.get().urgency == RedFlagAlert.Urgency.URGENT
    message = Notification.objects.get(kind=Notification.Kind.RED_FLAG)
    assert message.recipient_user == intake.appointment.clinician.user
    assert message.payload["urgency"] == RedFlagAlert.Urgency.URGENT
    assert mail.outbox[0].subject.startswith("Urgent red flag")


def test_context_only_flags_like_age_raise_no_alert(intake, submit):
    patient = intake.patient
    patient.date_of_birth = datetime.date(1950, 1, 1)  # over 70 at the visit: context for two categories
    patient.save()
    save_steps(intake)
    submit(intake)
    assert not RedFlagAlert.objects.exists() and mail.outbox == []
    assert not Notification.objects.filter(kind=Notification.Kind.RED_FLAG).exists()


def test_a_minor_fall_counts_only_with_osteoporosis(intake, submit):
    answers = valid_answers()
    answers["red_flags"] = red_flags_ticked("minor_trauma")
    save_steps(intake, answers)
    submit(intake)
    assert not RedFlagAlert.objects.exists()


def test_a_minor_fall_with_osteoporosis_from_the_history_alerts(intake, submit):
    answers = valid_answers()
    answers["red_flags"] = red_flags_ticked("minor_trauma")
    answers["history"]["health_conditions"] = ["osteoporosis"]
    save_steps(intake, answers)
    submit(intake)
    assert RedFlagAlert.objects.get().urgency == RedFlagAlert.Urgency.URGENT


def test_a_form_is_submitted_once_and_not_changed_afterwards(licensed_odi, intake, submit):
    save_steps(intake)
    submit(intake)
    with pytest.raises(services.AlreadySubmitted):
        submit(intake)
    with pytest.raises(services.AlreadySubmitted):
        services.intake_save_step(intake=intake, step="goals", answers={"goals": "changed"})
    assert OutcomeScore.objects.count() == 3


def test_intake_start_creates_the_form_once_per_visit_and_the_link_opens_it(appointment, client):
    first = services.intake_start(appointment=appointment)
    again = services.intake_start(appointment=appointment, filled_in_clinic=True)
    assert first.pk == again.pk and again.filled_in_clinic and IntakeForm.objects.count() == 1
    link = services.intake_link_for(appointment=appointment, base_url="https://clinic.example/")
    assert link.startswith("https://clinic.example/intake/")
    assert client.get(link.removeprefix("https://clinic.example")).url.endswith("/contact/")
