"""The outbox and the intake form: the reminder channel the patient chose at intake decides how reminders go."""

from datetime import timedelta

import pytest
from django.core import mail

from intake import services as intake_services
from intake.models import IntakeForm
from notifications.models import CapturedMessage, Notification
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
    assert text.to == "+16175550101" and "reminder of your Initial evaluation" in text.body


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
