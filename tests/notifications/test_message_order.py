"""The intake invitation for a visit never reaches the patient before the message saying the visit is booked (the
confirmation, or "request accepted") on the same channel, whichever of the two a worker takes first. A request
gets no invitation and no calendar file until the clinic accepts it."""

from datetime import timedelta

import pytest
from django.core import mail
from django.utils import timezone

from notifications import channels, services, tasks
from notifications.models import CapturedMessage, Notification
from patients.models import Patient
from scheduling import services as scheduling_services
from scheduling.models import Appointment
from tests.factories import PatientFactory, wait_for
from tests.scheduling.conftest import local

from .test_worker import shared_worker, worker  # noqa: F401 (fixtures: a real Celery worker on Redis)

Kind, Status = Notification.Kind, Notification.Status


@pytest.fixture
def evaluation_booked(book, evaluation, maya, monday, django_capture_on_commit_callbacks):
    """An initial evaluation (it needs the intake form) booked by the front desk; its messages handed out on commit
    as a booking does."""
    def make(who=maya):
        with django_capture_on_commit_callbacks(execute=True):
            return book(local(monday, 10), who=who, visit_type=evaluation)

    return make


def test_the_confirmation_is_handed_to_the_worker_before_the_invitation(evaluation_booked, outbox, enqueued):
    visit = evaluation_booked()
    confirmation, invitation = outbox.one(visit, Kind.BOOKING_CONFIRMATION), outbox.one(visit, Kind.INTAKE_INVITATION)
    assert enqueued == [confirmation.pk, invitation.pk]  # in the order they were planned
    assert outbox.deliver_queued() == {confirmation.pk: "sent", invitation.pk: "sent"}
    first, second = mail.outbox
    assert first.subject.startswith("Booked:") and second.subject.startswith("Before your visit on ")


def test_an_invitation_attempted_first_waits_for_the_confirmation_then_goes(evaluation_booked, outbox, enqueued):
    visit = evaluation_booked()
    confirmation, invitation = outbox.one(visit, Kind.BOOKING_CONFIRMATION), outbox.one(visit, Kind.INTAKE_INVITATION)
    enqueued.clear()  # two workers: the one with the invitation gets there first
    before = timezone.now()

    assert services.notification_deliver(notification_id=invitation.pk) == "held"
    invitation.refresh_from_db()
    assert (invitation.status, invitation.note, invitation.attempts) == (Status.QUEUED, services.HELD, 0)
    assert invitation.due_at > before  # the sweep leaves it alone meanwhile
    assert mail.outbox == [] and services.notifications_sweep()["queued"] == 0

    assert services.notification_deliver(notification_id=confirmation.pk) == "sent"
    assert enqueued == [invitation.pk]  # released the moment the confirmation is sent, not at the next sweep
    assert outbox.deliver_queued() == {invitation.pk: "sent"}
    invitation.refresh_from_db()
    assert (invitation.status, invitation.note, invitation.attempts) == (Status.SENT, "", 1)
    confirmation.refresh_from_db()
    assert [m.subject for m in mail.outbox] == [confirmation.subject, invitation.subject]
    assert mail.outbox[0].subject.startswith("Booked:") and invitation.payload["link"] in mail.outbox[1].body


def test_a_confirmation_that_fails_for_good_releases_the_invitation(evaluation_booked, outbox, enqueued, monkeypatch):
    visit = evaluation_booked()
    confirmation, invitation = outbox.one(visit, Kind.BOOKING_CONFIRMATION), outbox.one(visit, Kind.INTAKE_INVITATION)
    real_send = channels.send_email

    def refuses_the_confirmation(message):
        if message.subject.startswith("Booked:"):
            raise channels.PermanentError("550 mailbox full")
        return real_send(message)

    monkeypatch.setattr(channels, "send_email", refuses_the_confirmation)
    enqueued.clear()
    assert services.notification_deliver(notification_id=invitation.pk) == "held"  # the invitation first
    assert services.notification_deliver(notification_id=confirmation.pk) == "failed"
    assert outbox.deliver_queued() == {invitation.pk: "sent"}  # released: it does not wait for a resend
    confirmation.refresh_from_db()
    assert confirmation.status == Status.FAILED  # the front desk sees it (and may resend it)
    assert [m.subject for m in mail.outbox] == [Notification.objects.get(pk=invitation.pk).subject]


def test_each_channel_keeps_its_own_order(book, evaluation, outbox, monday):
    """Sent in the evening: the texts wait for the morning (quiet hours), the emails go at once, and the text with
    the form's link still comes after the text saying the visit is booked."""
    texter = PatientFactory(reminder_sms_consent=True, preferred_channel=Patient.Channel.SMS)
    visit = book(local(monday, 10), who=texter, visit_type=evaluation)  # its messages wait for the sweep
    evening = local(monday - timedelta(days=4), 22)  # before the first intake nudge (72 hours ahead)
    results = outbox.run(now=evening)
    sms = {kind: outbox.one(visit, kind, "sms") for kind in (Kind.BOOKING_CONFIRMATION, Kind.INTAKE_INVITATION)}
    assert results[sms[Kind.BOOKING_CONFIRMATION].pk] == "deferred"
    assert results[sms[Kind.INTAKE_INVITATION].pk] == "held"
    assert len(mail.outbox) == 2 and mail.outbox[0].subject.startswith("Booked:")  # email is not held for the text

    morning = local(monday - timedelta(days=3), 8)
    outbox.run(now=morning)
    texts = list(CapturedMessage.objects.filter(channel="sms").order_by("id"))
    assert [t.idempotency_key for t in texts] == [str(sms[k].idempotency_key) for k in sms]
    assert "is booked for" in texts[0].body and "/intake/" in texts[1].body


def test_a_request_gets_its_invitation_and_calendar_file_only_with_the_acceptance(
        book, evaluation, maya, monday, outbox, enqueued, clinic_settings, front_desk,
        django_capture_on_commit_callbacks):
    clinic_settings.auto_confirm_online_bookings = False
    clinic_settings.save()
    with django_capture_on_commit_callbacks(execute=True):
        request = book(local(monday, 10), who=maya, visit_type=evaluation, source=Appointment.Source.ONLINE)
    assert request.status == Appointment.Status.REQUESTED
    assert not outbox.rows(request, kind=Kind.INTAKE_INVITATION)  # no form for a time the clinic has not agreed to
    outbox.deliver_queued()
    [received] = mail.outbox
    assert received.subject.startswith("Request received") and received.attachments == []

    with django_capture_on_commit_callbacks(execute=True):
        scheduling_services.request_decide(appointment=request, accept=True, actor=front_desk)
    accepted, invitation = outbox.one(request, Kind.REQUEST_ACCEPTED), outbox.one(request, Kind.INTAKE_INVITATION)
    assert enqueued == [accepted.pk, invitation.pk]
    enqueued.clear()
    assert services.notification_deliver(notification_id=invitation.pk) == "held"  # its worker first, again
    assert services.notification_deliver(notification_id=accepted.pk) == "sent"
    assert outbox.deliver_queued() == {invitation.pk: "sent"}
    assert [m.subject for m in mail.outbox[1:]] == [Notification.objects.get(pk=pk).subject
                                                    for pk in (accepted.pk, invitation.pk)]
    assert [a[0] for a in mail.outbox[1].attachments] == ["visit.ics"]  # the calendar file comes with the acceptance


@pytest.mark.postgres
@pytest.mark.redis
@pytest.mark.django_db(transaction=True)
@pytest.mark.xdist_group("notifications-worker")
def test_a_real_worker_given_the_invitation_first_delivers_the_confirmation_first(
        worker, book, evaluation, maya, monday, monkeypatch):  # noqa: F811
    with monkeypatch.context() as quiet:  # nothing handed out on commit: the test hands them out, invitation first
        quiet.setattr(services, "dispatch_due", lambda **filters: 0)
        visit = book(local(monday, 10), who=maya, visit_type=evaluation)
    confirmation, invitation = (Notification.objects.get(appointment=visit, kind=kind, channel="email")
                                for kind in (Kind.BOOKING_CONFIRMATION, Kind.INTAKE_INVITATION))
    claimed, real_enqueue = [], services._enqueue
    monkeypatch.setattr(services, "_enqueue", claimed.append)
    services.notifications_sweep()  # beat claims both...
    assert sorted(claimed) == sorted([confirmation.pk, invitation.pk])
    monkeypatch.setattr(services, "_enqueue", real_enqueue)
    tasks.deliver.apply_async((invitation.pk,), queue=worker.queue)  # ...and the invitation's task is taken first
    tasks.deliver.apply_async((confirmation.pk,), queue=worker.queue)

    def both_sent():
        return Notification.objects.filter(pk__in=[confirmation.pk, invitation.pk], status=Status.SENT).count() == 2

    wait_for(both_sent, message="both messages, the invitation released by the confirmation")
    delivered = list(CapturedMessage.objects.order_by("id").values_list("idempotency_key", "deliveries"))
    assert delivered == [(str(confirmation.idempotency_key), 1), (str(invitation.idempotency_key), 1)]
    invitation.refresh_from_db()
    assert invitation.attempts == 1  # the hold is not counted as a try
