"""The schedule plans the outbox: booking, moving, cancelling and requests create, move and cancel rows."""

from datetime import timedelta

import pytest
from django.core import mail
from django.db import IntegrityError, transaction
from django.utils import timezone

from notifications import services
from notifications.models import Notification
from scheduling import services as scheduling_services
from scheduling.models import Appointment, ClinicSettings, Modality
from tests.factories import PatientFactory, on_the_grid
from tests.scheduling.conftest import local

Kind, Status = Notification.Kind, Notification.Status


@pytest.fixture
def texting_patient(db):
    return PatientFactory(first_name="Ana", last_name="Silva", reminder_sms_consent=True)


def test_booking_plans_a_confirmation_and_reminders_at_the_offsets(book, monday, texting_patient, outbox):
    visit = book(local(monday, 10), who=texting_patient)
    rows = {(n.kind, n.channel, n.occasion): n for n in outbox.rows(visit)}
    assert set(rows) == {
        (Kind.BOOKING_CONFIRMATION, "email", ""), (Kind.REMINDER, "email", "48h"), (Kind.REMINDER, "sms", "2h"),
    }
    saturday = monday - timedelta(days=2)
    assert rows[(Kind.REMINDER, "email", "48h")].due_at == local(saturday, 10)
    assert rows[(Kind.REMINDER, "sms", "2h")].due_at == local(monday, 8)
    assert all(n.status == Status.QUEUED and n.visit_start_at == visit.start_at for n in rows.values())


def test_patients_who_opted_out_get_no_reminders_of_that_channel(book, monday, outbox):
    quiet = PatientFactory(reminder_email_consent=False, reminder_sms_consent=False)
    visit = book(local(monday, 10), who=quiet)
    assert [(n.kind, n.channel) for n in outbox.rows(visit)] == [(Kind.BOOKING_CONFIRMATION, "email")]


def test_reminders_already_past_are_not_planned(book, patient, outbox, clinic_settings):
    soon = timezone.now() + timedelta(hours=30)
    visit = book(on_the_grid(soon))
    assert Kind.REMINDER not in {n.kind for n in outbox.rows(visit)}  # 48h before is already gone


def test_planning_twice_creates_nothing_new_and_the_database_refuses_a_duplicate(book, monday, outbox):
    visit = book(local(monday, 10))
    before = len(outbox.rows(visit))
    services.messages_plan_for_booking(appointment=visit)
    assert len(outbox.rows(visit)) == before
    with pytest.raises(IntegrityError), transaction.atomic():
        Notification.objects.create(patient=visit.patient, appointment=visit, kind=Kind.REMINDER, channel="email",
                                    occasion="48h", due_at=timezone.now())


def test_moving_moves_pending_reminders_and_tells_the_patient(book, monday, texting_patient, outbox):
    visit = book(local(monday, 10), who=texting_patient)
    reminder = outbox.one(visit, Kind.REMINDER, "email")
    tuesday = monday + timedelta(days=1)
    scheduling_services.appointment_move(appointment=visit, start=local(tuesday, 14))
    reminder.refresh_from_db()
    assert reminder.status == Status.QUEUED
    assert reminder.due_at == local(monday - timedelta(days=1), 14)  # same row, new time
    assert reminder.visit_start_at == local(tuesday, 14)
    assert outbox.one(visit, Kind.REMINDER, "sms").due_at == local(tuesday, 12)
    assert outbox.one(visit, Kind.MOVED).due_at <= timezone.now()


def test_a_reminder_sent_for_the_old_time_stays_and_the_new_time_gets_its_own(book, monday, outbox):
    visit = book(local(monday, 10))
    saturday = monday - timedelta(days=2)
    outbox.run(now=local(saturday, 10))
    assert outbox.one(visit, Kind.REMINDER).status == Status.SENT
    later = monday + timedelta(days=7)
    scheduling_services.appointment_move(appointment=visit, start=local(later, 10))
    reminders = outbox.rows(visit, kind=Kind.REMINDER, channel="email")
    assert [(n.status, n.visit_start_at) for n in reminders] == [
        (Status.SENT, local(monday, 10)), (Status.QUEUED, local(later, 10)),
    ]


def test_cancelling_cancels_pending_messages_and_queues_the_notice(book, monday, texting_patient, outbox):
    visit = book(local(monday, 10), who=texting_patient)
    scheduling_services.appointment_cancel(appointment=visit, reason="Clinician unwell")
    by_kind = {(n.kind, n.channel): n.status for n in outbox.rows(visit)}
    assert by_kind[(Kind.REMINDER, "email")] == Status.CANCELLED
    assert by_kind[(Kind.REMINDER, "sms")] == Status.CANCELLED
    assert by_kind[(Kind.BOOKING_CONFIRMATION, "email")] == Status.CANCELLED  # never sent: the notice says it all
    assert by_kind[(Kind.CANCELLATION, "email")] == Status.QUEUED
    assert outbox.one(visit, Kind.REMINDER).note == "Not needed: the visit is cancelled."


def test_a_no_show_cancels_what_is_still_pending_and_its_undo_sends_nothing_for_a_past_visit(book, monday, outbox):
    visit = book(local(monday, 10))
    assert outbox.one(visit, Kind.REMINDER).status == Status.QUEUED
    started_ago = timezone.now() - timedelta(minutes=20)  # a no-show is marked once the visit has started
    Appointment.objects.filter(pk=visit.pk).update(start_at=started_ago, end_at=started_ago + timedelta(minutes=45),
                                                   busy_start_at=started_ago,
                                                   busy_end_at=started_ago + timedelta(minutes=45))
    visit.refresh_from_db()
    scheduling_services.appointment_set_status(appointment=visit, status=Appointment.Status.NO_SHOW)
    assert outbox.one(visit, Kind.REMINDER).status == Status.CANCELLED
    scheduling_services.appointment_set_status(appointment=visit, status=Appointment.Status.BOOKED)
    assert outbox.one(visit, Kind.REMINDER).status == Status.CANCELLED  # no reminder for a time already past


def test_an_online_request_waits_for_the_decision_before_reminders(book, monday, outbox, clinic_settings):
    clinic_settings.auto_confirm_online_bookings = False
    clinic_settings.save()
    visit = book(local(monday, 10), source=Appointment.Source.ONLINE)
    assert visit.status == Appointment.Status.REQUESTED
    assert [n.kind for n in outbox.rows(visit)] == [Kind.BOOKING_CONFIRMATION]
    scheduling_services.request_decide(appointment=visit, accept=True, actor=None)
    assert {n.kind for n in outbox.rows(visit)} == {Kind.BOOKING_CONFIRMATION, Kind.REQUEST_ACCEPTED, Kind.REMINDER}

    other = book(local(monday, 14), source=Appointment.Source.ONLINE)
    scheduling_services.request_decide(appointment=other, accept=False, actor=None, reason="Clinician away")
    assert {n.kind: n.status for n in outbox.rows(other)} == {
        Kind.BOOKING_CONFIRMATION: Status.CANCELLED, Kind.REQUEST_DECLINED: Status.QUEUED,
    }


def test_a_series_gets_one_confirmation_and_each_visit_its_reminders(dr_rivera, follow_up, location, patient, monday,
                                                                      outbox, front_desk):
    starts = [local(monday + timedelta(weeks=w), 10) for w in range(3)]
    scheduling_services.series_book(patient=patient, clinician=dr_rivera, visit_type=follow_up,
                                    modality=Modality.IN_OFFICE, location=location, starts=starts, actor=front_desk)
    assert Notification.objects.filter(kind=Kind.BOOKING_CONFIRMATION).count() == 1
    assert Notification.objects.filter(kind=Kind.REMINDER).count() == 3


def _intake_id(link):
    from intake import links

    assert link.startswith("https://stride.example/intake/")
    return links.intake_id_from(link.removeprefix("https://stride.example/intake/").split("/")[0])


def test_booking_a_visit_that_needs_intake_invites_with_the_link_and_the_nudges_carry_it(
    book, monday, visit_types, outbox
):
    from intake.models import IntakeForm

    visit = book(local(monday, 10), visit_type=visit_types["Initial evaluation"])
    invitation = outbox.one(visit, Kind.INTAKE_INVITATION)
    link = invitation.payload["link"]
    assert _intake_id(link) == IntakeForm.objects.get(appointment=visit).pk
    nudges = outbox.rows(visit, kind=Kind.INTAKE_NUDGE)
    assert [(n.occasion, n.payload["link"]) for n in nudges] == [("72h", link), ("24h", link)]
    outbox.run()
    invitation.refresh_from_db()
    assert invitation.status == Status.SENT and link in mail.outbox[-1].body
    friday = monday - timedelta(days=3)
    assert outbox.run(now=local(friday, 10)) == {nudges[0].pk: "sent"}
    assert link in mail.outbox[-1].body and "not finished yet" in mail.outbox[-1].body
    # The front desk's "Send link" for the same visit finds the invitation already there: still one.
    assert services.notify_intake_invitation(visit, "https://stride.example/intake/other/") == [invitation]


def test_a_visit_that_needs_no_intake_gets_no_invitation(book, monday, outbox):
    visit = book(local(monday, 10))
    assert outbox.rows(visit, kind__in=[Kind.INTAKE_INVITATION, Kind.INTAKE_NUDGE]) == []


def test_an_intake_invitation_brings_nudges_that_stop_when_the_form_is_done(book, monday, visit_types, outbox):
    visit = book(local(monday, 10), visit_type=visit_types["Initial evaluation"])
    invitations = services.notify_intake_invitation(visit, "https://stride.example/intake/abc")
    assert [n.kind for n in invitations] == [Kind.INTAKE_INVITATION]
    nudges = outbox.rows(visit, kind=Kind.INTAKE_NUDGE)
    friday = monday - timedelta(days=3)
    assert [(n.occasion, n.due_at) for n in nudges] == [("72h", local(friday, 10)), ("24h", local(monday - timedelta(days=1), 10))]
    visit.intake_completed_at = timezone.now()
    visit.save(update_fields=["intake_completed_at"])
    results = outbox.run(now=local(friday, 10))
    assert results[nudges[0].pk] == "cancelled"
    assert outbox.one(visit, Kind.INTAKE_NUDGE, occasion="72h").note == "Not needed: the intake form is finished."


def test_a_telehealth_visit_far_ahead_plans_reminders_in_the_clinic_zone(book, monday, telehealth_consult, outbox):
    visit = book(local(monday, 18), visit_type=telehealth_consult, modality=Modality.TELEHEALTH)
    assert outbox.one(visit, Kind.REMINDER).due_at == local(monday - timedelta(days=2), 18)
    assert ClinicSettings.load().telehealth_base_url in visit.video_url
