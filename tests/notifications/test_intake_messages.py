"""The outbox and the intake form: the reminder channel the patient chose at intake decides how reminders go, and
one intake per episode (one invitation for the visits of a few weeks)."""

from datetime import timedelta

import pytest
from django.core import mail

from intake import services as intake_services
from intake.models import IntakeForm
from notifications.models import CapturedMessage, Notification
from scheduling import services as scheduling_services
from scheduling.models import Modality
from tests.intake.intake_fixtures import save_steps, valid_answers
from tests.scheduling.conftest import local

Kind, Status = Notification.Kind, Notification.Status


@pytest.fixture
def evaluation_for(book, monday, evaluation):
    def make(patient):
        return book(local(monday, 10), who=patient, visit_type=evaluation)

    return make


def _submit_choosing(visit, **contact):
    intake = IntakeForm.objects.get(appointment=visit)
    answers = valid_answers()
    answers["contact"].update(contact)
    save_steps(intake, answers)
    return intake_services.intake_submit(intake=intake)


def _reminders(outbox, visit):
    return {n.channel: n for n in outbox.rows(visit, kind=Kind.REMINDER)}


def test_choosing_text_with_the_opt_in_makes_reminders_go_by_text(evaluation_for, maya, monday, outbox):
    visit = evaluation_for(maya)
    assert {c: n.status for c, n in _reminders(outbox, visit).items()} == {"email": Status.QUEUED}  # no texts yet

    _submit_choosing(visit, reminder_channel="sms", sms_opt_in=True)

    reminders = _reminders(outbox, visit)
    assert reminders["sms"].status == Status.QUEUED and reminders["sms"].due_at == local(monday, 8)
    assert reminders["email"].status == Status.CANCELLED
    assert reminders["email"].note == "The patient opted out of email reminders."
    saturday = monday - timedelta(days=2)
    outbox.run(now=local(saturday, 10))
    assert not [m for m in mail.outbox if m.subject.startswith("Reminder:")]
    assert outbox.run(now=local(monday, 8))[reminders["sms"].pk] == "sent"
    (text,) = CapturedMessage.objects.filter(channel="sms", idempotency_key=str(reminders["sms"].idempotency_key))
    assert text.to == "+16175550101" and "reminder: your Initial evaluation" in text.body


def test_without_the_text_opt_in_no_reminder_goes_by_text(evaluation_for, maya, monday, outbox):
    maya.reminder_sms_consent = True  # the record said texts were fine; the patient now chooses email only
    maya.save()
    visit = evaluation_for(maya)
    assert _reminders(outbox, visit)["sms"].status == Status.QUEUED

    _submit_choosing(visit, reminder_channel="email", sms_opt_in=False)

    reminders = _reminders(outbox, visit)
    assert reminders["sms"].status == Status.CANCELLED
    assert reminders["sms"].note == "The patient opted out of text reminders."
    assert reminders["email"].status == Status.QUEUED
    outbox.run(now=local(monday, 8))
    assert not CapturedMessage.objects.filter(channel="sms").exists()


def test_both_channels_keep_the_email_reminder_and_add_the_text(evaluation_for, maya, outbox):
    visit = evaluation_for(maya)
    _submit_choosing(visit, reminder_channel="both", sms_opt_in=True)
    assert {c: n.status for c, n in _reminders(outbox, visit).items()} == {"email": Status.QUEUED, "sms": Status.QUEUED}


# --- One intake per episode ------------------------------------------------------------------------------------


@pytest.fixture
def video_consult(book, telehealth_consult):
    def make(patient, start):
        return book(start, who=patient, visit_type=telehealth_consult, modality=Modality.TELEHEALTH)

    return make


def test_booking_two_visits_in_a_week_sends_one_intake_invitation(evaluation_for, video_consult, maya, monday, outbox):
    first = evaluation_for(maya)
    second = video_consult(maya, local(monday + timedelta(days=3), 14))

    invitations = outbox.rows(kind=Kind.INTAKE_INVITATION)
    assert [n.appointment_id for n in invitations] == [first.pk]
    assert outbox.rows(second, kind__in=[Kind.INTAKE_INVITATION, Kind.INTAKE_NUDGE]) == []
    (form,) = IntakeForm.objects.filter(patient=maya)
    # The front desk's "Send intake link" for the second visit sends that same form, not a new one.
    assert intake_services.intake_start(appointment=second) == form
    assert second.intake_missing  # nothing is filled in yet

    intake_services.intake_submit(intake=_saved(form))
    for visit in (first, second):
        visit.refresh_from_db()
        assert visit.intake_completed_at == IntakeForm.objects.get().submitted_at and not visit.intake_missing


def test_a_visit_booked_within_30_days_of_a_submitted_intake_needs_no_new_form(evaluation_for, video_consult, maya,
                                                                               monday, outbox):
    first = evaluation_for(maya)
    _submit_choosing(first)
    later = video_consult(maya, local(monday + timedelta(days=14), 14))
    assert outbox.rows(later, kind=Kind.INTAKE_INVITATION) == []
    assert IntakeForm.objects.filter(patient=maya).count() == 1
    later.refresh_from_db()
    assert later.intake_completed_at == IntakeForm.objects.get().submitted_at and not later.intake_missing


def test_a_visit_more_than_30_days_after_the_last_intake_gets_a_new_one(evaluation_for, video_consult, maya, monday,
                                                                       outbox):
    first = evaluation_for(maya)
    _submit_choosing(first)
    IntakeForm.objects.update(submitted_at=local(monday - timedelta(days=40), 9))  # an old episode
    later = video_consult(maya, local(monday + timedelta(days=3), 14))
    (invitation,) = outbox.rows(later, kind=Kind.INTAKE_INVITATION)
    assert IntakeForm.objects.filter(patient=maya).count() == 2
    assert IntakeForm.objects.get(appointment=later).pk != IntakeForm.objects.get(appointment=first).pk


def test_a_form_whose_visit_was_cancelled_does_not_serve_the_next_visit(evaluation_for, video_consult, maya, monday,
                                                                       outbox):
    first = evaluation_for(maya)
    scheduling_services.appointment_cancel(appointment=first, reason="Patient request")
    later = video_consult(maya, local(monday + timedelta(days=3), 14))
    assert len(outbox.rows(later, kind=Kind.INTAKE_INVITATION)) == 1
    assert IntakeForm.objects.filter(appointment=later).exists()


def _saved(form):
    save_steps(form)
    form.refresh_from_db()
    return form


def test_a_form_made_before_for_a_visit_the_episode_covers_leaves_the_patients_list(evaluation_for, video_consult,
                                                                                     maya, monday):
    from intake import selectors

    first = evaluation_for(maya)
    second = video_consult(maya, local(monday + timedelta(days=3), 14))
    older = IntakeForm.objects.create(patient=maya, appointment=second)  # made before one intake per episode
    assert set(selectors.patient_open_intakes(patient=maya)) == {IntakeForm.objects.get(appointment=first), older}
    intake_services.intake_submit(intake=_saved(IntakeForm.objects.get(appointment=first)))
    assert selectors.patient_open_intakes(patient=maya) == []
