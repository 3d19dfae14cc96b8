"""Delivering: claimed once, content per kind, channels, opt-outs, failures, retries and leases."""

from datetime import timedelta

import pytest
from django.core import mail
from django.utils import timezone

from clinic.signed_links import signed_id
from notifications import links, services
from notifications.models import CapturedMessage, Notification
from scheduling import links as booking_links
from scheduling import services as scheduling_services
from scheduling.models import Modality
from tests.factories import PatientFactory, linked_ids
from tests.scheduling.conftest import local

Kind, Status = Notification.Kind, Notification.Status


@pytest.fixture
def texting_patient(db):
    return PatientFactory(first_name="Ana", last_name="Silva", reminder_sms_consent=True)


def test_the_confirmation_is_html_and_text_with_the_visit_as_ics(book, monday, outbox):
    visit = book(local(monday, 10))
    results = outbox.run()
    assert list(results.values()) == ["sent"]
    [email] = mail.outbox
    assert email.subject.startswith("Booked: Follow-up on ")
    assert email.to == [visit.patient.email]
    assert "200 Boylston St" in email.body and "Suite 4B." in email.body
    html, mimetype = email.alternatives[0]
    assert mimetype == "text/html" and "Suite 4B." in html
    name, ics, ics_type = email.attachments[0]
    assert name == "visit.ics" and "BEGIN:VEVENT" in ics and ics_type.startswith("text/calendar")
    row = outbox.one(visit, Kind.BOOKING_CONFIRMATION)
    assert row.status == Status.SENT and row.attempts == 1 and row.to_address == visit.patient.email
    assert row.provider_message_id == email.extra_headers["Message-ID"]


def test_an_in_office_reminder_has_the_address_and_arrival_notes_and_signed_links(book, monday, outbox):
    visit = book(local(monday, 10))
    outbox.run()
    mail.outbox.clear()
    outbox.run(now=local(monday - timedelta(days=2), 10))
    [email] = mail.outbox
    assert email.subject.startswith("Reminder: Follow-up on ")
    assert "Where: Back Bay, 200 Boylston St" in email.body and "On arrival: Suite 4B." in email.body
    def opened(label, prefix, read):  # what the line's signed link opens (its bytes carry the second it was made)
        line = next(line for line in email.body.splitlines() if line.startswith(f"{label}: https://stride.example"))
        return line, linked_ids(line, f"https://stride.example{prefix}", read)

    action = lambda token: signed_id(token, salt=links.SALT)  # noqa: E731
    line, ids = opened("Confirm", "/messages/a/", action)
    assert ids == [visit.pk] and line.endswith("/confirm")
    line, ids = opened("Cancel", "/book/manage/", booking_links.appointment_id_from_token)
    assert ids == [visit.pk] and line.endswith("/cancel/")  # the manage pages' question, the one way to cancel
    assert opened("Reschedule", "/book/manage/", booking_links.appointment_id_from_token)[1] == [visit.pk]


def test_arrival_notes_of_the_kind_of_visit_go_only_to_that_kind_with_the_locations(book, monday, outbox, visit_types):
    gait = visit_types["3D gait analysis"]
    gait.arrival_notes = "Wear shorts and running shoes."
    gait.save()
    book(local(monday, 10), visit_type=gait)
    book(local(monday, 14))  # a follow-up
    outbox.run()
    by_subject = {email.subject.split(" on ")[0]: email for email in mail.outbox}
    gait_mail, follow_up_mail = by_subject["Booked: 3D gait analysis"], by_subject["Booked: Follow-up"]
    assert "On arrival: Suite 4B. Wear shorts and running shoes." in gait_mail.body
    assert "shorts" not in follow_up_mail.body and "On arrival: Suite 4B." in follow_up_mail.body
    assert "Wear shorts and running shoes." in gait_mail.attachments[0][1]  # the .ics description too


def test_a_telehealth_reminder_has_the_video_link_and_no_address(book, monday, telehealth_consult, texting_patient,
                                                                 outbox):
    visit = book(local(monday, 10), who=texting_patient, visit_type=telehealth_consult, modality=Modality.TELEHEALTH)
    outbox.run(now=local(monday, 8))
    text = CapturedMessage.objects.get(channel="sms", idempotency_key=str(
        outbox.one(visit, Kind.REMINDER, "sms").idempotency_key))
    assert visit.video_token not in text.body  # the visit's page, which holds the room's link once it opens
    assert booking_links.appointment_id_from_token(text.body.split("/book/manage/")[1].split("/")[0]) == visit.pk
    assert "Boylston" not in text.body
    assert text.to == texting_patient.mobile_phone


def test_running_the_sweep_twice_still_delivers_once(book, monday, outbox):
    visit = book(local(monday, 10))
    due = local(monday - timedelta(days=2), 10)
    services.notifications_sweep(now=due)
    first = list(outbox.enqueued)
    services.notifications_sweep(now=due)
    assert outbox.enqueued == first  # the second sweep found nothing queued
    outbox.deliver_queued(now=due)
    for pk in first:  # a duplicated task message is harmless
        assert services.notification_deliver(notification_id=pk, now=due) == "skipped"
    assert len(mail.outbox) == 2  # the confirmation and the 48h reminder, once each
    assert {n.status for n in outbox.rows(visit)} == {Status.SENT}


def test_a_transient_failure_backs_off_and_gives_up_after_the_limit(book, monday, outbox, settings):
    settings.NOTIFICATION_EMAIL_BACKEND = "memory"
    settings.NOTIFICATION_MEMORY_FAIL = "transient"
    settings.NOTIFICATION_MAX_ATTEMPTS = 3
    visit = book(local(monday, 10))
    row = outbox.one(visit, Kind.BOOKING_CONFIRMATION)
    now = timezone.now()
    assert outbox.run(now=now) == {row.pk: "retry"}
    row.refresh_from_db()
    assert (row.status, row.attempts, row.due_at) == (Status.QUEUED, 1, now + timedelta(seconds=60))
    assert row.last_error == "Memory backend: simulated temporary outage"
    assert outbox.run(now=now + timedelta(seconds=59)) == {}  # not yet due again
    assert outbox.run(now=now + timedelta(seconds=60)) == {row.pk: "retry"}
    row.refresh_from_db()
    assert row.due_at == now + timedelta(seconds=60 + 120)
    assert outbox.run(now=row.due_at) == {row.pk: "failed"}
    row.refresh_from_db()
    assert row.status == Status.FAILED and row.attempts == 3
    assert row.last_error == "Memory backend: simulated temporary outage (gave up after 3 attempts)"
    assert not CapturedMessage.objects.exists()


@pytest.mark.parametrize("field, value, error", [
    ("email", "maya@@example", "Invalid email address: maya@@example"),
    ("email", "", "No email address on file."),
])
def test_an_invalid_address_fails_at_once_with_the_reason(book, monday, outbox, patient, field, value, error):
    visit = book(local(monday, 10))
    type(patient).objects.filter(pk=patient.pk).update(**{field: value})
    outbox.run()
    row = outbox.one(visit, Kind.BOOKING_CONFIRMATION)
    assert (row.status, row.attempts, row.last_error) == (Status.FAILED, 1, error)


def test_an_invalid_phone_fails_at_once(book, monday, texting_patient, outbox):
    visit = book(local(monday, 10), who=texting_patient)
    type(texting_patient).objects.filter(pk=texting_patient.pk).update(mobile_phone="+1555")
    outbox.run(now=local(monday, 8))
    row = outbox.one(visit, Kind.REMINDER, "sms")
    assert (row.status, row.last_error) == (Status.FAILED, "Invalid mobile number: +1555")


def test_a_patient_who_opts_out_after_planning_gets_no_reminder(book, monday, texting_patient, outbox):
    visit = book(local(monday, 10), who=texting_patient)
    type(texting_patient).objects.filter(pk=texting_patient.pk).update(reminder_sms_consent=False)
    outbox.run(now=local(monday, 8))
    row = outbox.one(visit, Kind.REMINDER, "sms")
    assert (row.status, row.note) == (Status.CANCELLED, "The patient opted out of text reminders.")
    assert not CapturedMessage.objects.filter(channel="sms").exists()


def test_a_text_is_held_in_quiet_hours(book, monday, texting_patient, outbox):
    visit = book(local(monday, 10), who=texting_patient)
    row = outbox.one(visit, Kind.REMINDER, "sms")
    late_sunday = local(monday - timedelta(days=1), 22)  # the worker was down and catches up at night
    Notification.objects.filter(pk=row.pk).update(due_at=late_sunday)
    assert outbox.run(now=late_sunday)[row.pk] == "deferred"
    row.refresh_from_db()
    assert (row.status, row.due_at, row.attempts) == (Status.QUEUED, local(monday, 8), 0)


def test_a_worker_that_died_is_replaced_after_the_lease_and_a_live_one_is_not(book, monday, outbox):
    visit = book(local(monday, 10))
    row = outbox.one(visit, Kind.BOOKING_CONFIRMATION)
    now = timezone.now()
    services.notifications_sweep(now=now)
    Notification.objects.filter(pk=row.pk).update(attempt_started_at=now, attempts=1)  # a worker began, then died
    outbox.enqueued.clear()
    assert services.notifications_sweep(now=now + timedelta(seconds=299)) == {"queued": 0, "recovered": 0}
    assert services.notification_deliver(notification_id=row.pk, now=now + timedelta(seconds=10)) == "skipped"
    assert services.notifications_sweep(now=now + timedelta(seconds=301)) == {"queued": 0, "recovered": 1}
    assert outbox.deliver_queued(now=now + timedelta(seconds=301)) == {row.pk: "sent"}
    row.refresh_from_db()
    assert (row.status, row.attempts) == (Status.SENT, 2)
    assert len(mail.outbox) == 1


def test_a_message_for_a_cancelled_visit_is_not_sent(book, monday, outbox):
    visit = book(local(monday, 10))
    row = outbox.one(visit, Kind.REMINDER)
    services.notifications_sweep(now=row.due_at)  # claimed...
    scheduling_services.appointment_cancel(appointment=visit, reason="Closed")  # ...then the visit is cancelled
    outbox.deliver_queued(now=row.due_at)
    row.refresh_from_db()
    assert (row.status, row.note) == (Status.CANCELLED, "Not needed: the visit is cancelled.")


def test_resending_a_failed_message_queues_the_same_row_and_delivers_it(book, monday, outbox, front_desk, settings):
    settings.NOTIFICATION_EMAIL_BACKEND = "memory"
    settings.NOTIFICATION_MEMORY_FAIL = "permanent"
    visit = book(local(monday, 10))
    outbox.run()
    row = outbox.one(visit, Kind.BOOKING_CONFIRMATION)
    assert row.status == Status.FAILED
    settings.NOTIFICATION_MEMORY_FAIL = ""
    assert services.notification_resend(notification=row, actor=front_desk)
    assert not services.notification_resend(notification=row, actor=front_desk)  # no longer failed
    outbox.run()
    row.refresh_from_db()
    assert (row.status, row.attempts, row.note) == (Status.SENT, 1, "")
    assert CapturedMessage.objects.get().idempotency_key == str(row.idempotency_key)


def test_the_clinician_gets_a_red_flag_alert_without_clinical_details(book, monday, outbox, dr_rivera):
    from intake.models import RedFlagAlert

    visit = book(local(monday, 10))
    outbox.run()
    mail.outbox.clear()
    alert = RedFlagAlert.objects.create(patient=visit.patient, appointment=visit, urgency="emergency",
                                        flags=[{"label": "Saddle anaesthesia"}])
    first = services.notify_red_flag(alert)
    assert services.notify_red_flag(alert) == first  # once per alert
    outbox.run()
    [email] = mail.outbox
    assert email.to == [dr_rivera.user.email]
    assert email.subject == f"Emergency red flag: Maya Okafor ({visit.patient.mrn})"
    assert "Saddle" not in email.body and f"/patients/{visit.patient.mrn}" in email.body


def test_a_red_flag_without_any_visit_is_marked_failed_for_the_front_desk(db, outbox):
    from intake.models import RedFlagAlert

    alert = RedFlagAlert.objects.create(patient=PatientFactory(), urgency="urgent", flags=[])
    row = services.notify_red_flag(alert)
    outbox.run()
    row.refresh_from_db()
    assert (row.status, row.last_error) == (Status.FAILED, "No clinician to alert: the patient has no visit with a clinician.")
