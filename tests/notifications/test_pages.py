"""The front desk's messages pages and the patient's confirm and cancel links."""

from datetime import timedelta

import pytest
from django.utils import timezone

from clinic import roles
from clinic.models import AuditEvent
from clinic.signed_links import sign_id
from notifications import links, services
from notifications.models import Notification
from scheduling import services as scheduling_services
from scheduling.models import Appointment
from tests.factories import PatientFactory, sign_in
from tests.scheduling.conftest import local

Kind, Status = Notification.Kind, Notification.Status


@pytest.fixture
def failed_reminder(book, monday, outbox, settings):
    """A visit whose 48h email reminder failed today."""
    visit = book(local(monday, 10))
    outbox.run()  # the confirmation goes out
    settings.NOTIFICATION_EMAIL_BACKEND = "memory"
    settings.NOTIFICATION_MEMORY_FAIL = "permanent"
    reminder = outbox.one(visit, Kind.REMINDER)
    Notification.objects.filter(pk=reminder.pk).update(due_at=timezone.now())
    outbox.run()
    settings.NOTIFICATION_MEMORY_FAIL = ""
    reminder.refresh_from_db()
    assert reminder.status == Status.FAILED
    return reminder


@pytest.mark.parametrize("role, status, can_resend", [
    (roles.FRONT_DESK, 200, True), (roles.CLINICIAN, 200, False), (roles.ADMIN, 200, True), (roles.PATIENT, 403, False),
])
def test_who_sees_the_messages_page(client, make_user, failed_reminder, role, status, can_resend):
    sign_in(client, make_user(role))
    response = client.get("/messages/")
    assert response.status_code == status
    if status == 200:
        assert b"Memory backend: simulated rejection" in response.content
        assert (b">Resend</button>" in response.content) is can_resend


def test_anonymous_visitors_are_sent_to_sign_in(client, db):
    assert client.get("/messages/")["Location"].startswith("/accounts/login/")


def test_the_failures_of_today_are_counted_in_the_page_and_its_nav_badge(desk_client, failed_reminder):
    page = desk_client.get("/messages/").content.decode()
    assert 'id="failures-today"' in page and "1<span class=\"visually-hidden\"> failed today</span>" in page
    other = desk_client.get("/patients/").content.decode()
    assert 'href="/messages/"' in other and "failed today" not in other  # the nav link, no query for a badge


def test_an_appointment_and_a_patient_show_their_messages(desk_client, failed_reminder):
    visit = failed_reminder.appointment
    page = desk_client.get(f"/messages/appointments/{visit.pk}/").content.decode()
    assert "Reminder (48h)" in page and "Failed" in page and "Booking confirmation" in page and "Sent" in page
    partial = desk_client.get(f"/messages/appointments/{visit.pk}/", HTTP_HX_REQUEST="true").content.decode()
    assert "<html" not in partial and "Reminder (48h)" in partial
    chart = desk_client.get(f"/messages/patients/{visit.patient.mrn}/").content.decode()
    assert "Reminder (48h)" in chart and "Follow-up" in chart


def test_the_chart_and_the_calendar_panel_show_a_failed_message_with_a_resend_button(
    client, desk_client, failed_reminder, make_user
):
    visit = failed_reminder.appointment
    for url, headers in ((f"/patients/{visit.patient.mrn}/", {}),
                         (f"/schedule/appointments/{visit.pk}/", {"HTTP_HX_REQUEST": "true"})):
        page = desk_client.get(url, **headers).content.decode()
        messages = page[page.index(">Messages</h"):]
        assert "Reminder (48h)" in messages and "Failed" in messages
        assert "Memory backend: simulated rejection" in messages
        assert f'action="/messages/{failed_reminder.pk}/resend/"' in messages and ">Resend</button>" in messages
        assert "Booking confirmation" in messages and "Sent" in messages
    sign_in(client, make_user(roles.PATIENT))
    assert "Memory backend" not in client.get(f"/schedule/appointments/{visit.pk}/").content.decode()


def test_the_front_desk_resends_a_failed_message(desk_client, failed_reminder, outbox, front_desk):
    response = desk_client.post(f"/messages/{failed_reminder.pk}/resend/",
                                {"next": f"/messages/appointments/{failed_reminder.appointment_id}/"})
    assert response.status_code == 302 and response["Location"] == f"/messages/appointments/{failed_reminder.appointment_id}/"
    failed_reminder.refresh_from_db()
    assert (failed_reminder.status, failed_reminder.attempts) == (Status.QUEUED, 0)
    assert AuditEvent.objects.filter(object_type="notifications.Notification", actor=front_desk).exists()
    outbox.run()
    failed_reminder.refresh_from_db()
    assert failed_reminder.status == Status.SENT


def test_resend_answers_htmx_with_the_history_and_refuses_an_off_site_next(desk_client, failed_reminder):
    response = desk_client.post(f"/messages/{failed_reminder.pk}/resend/",
                                {"scope": f"appointment:{failed_reminder.appointment_id}"}, HTTP_HX_REQUEST="true")
    assert b'id="message-history"' in response.content and b"Queued" in response.content
    again = desk_client.post(f"/messages/{failed_reminder.pk}/resend/", {"next": "https://evil.example/"})
    assert again["Location"] == "/messages/"


def test_clinicians_cannot_resend(client, clinician, failed_reminder):
    sign_in(client, clinician)
    assert client.post(f"/messages/{failed_reminder.pk}/resend/").status_code == 403
    failed_reminder.refresh_from_db()
    assert failed_reminder.status == Status.FAILED


@pytest.mark.parametrize("visits", [1, 8])
def test_messages_pages_query_count_does_not_grow(desk_client, book, monday, outbox, visits,
                                                  django_assert_num_queries):
    for i in range(visits):
        book(local(monday, 9) + timedelta(hours=i), who=PatientFactory())
    outbox.run()
    visit = Appointment.objects.first()
    desk_client.get("/messages/")  # warms the signed-in user's cache and the session's once-a-minute save
    # recent, failures today, freed visits
    with django_assert_num_queries(3):
        desk_client.get("/messages/")
    with django_assert_num_queries(2):  # the visit, its messages
        desk_client.get(f"/messages/appointments/{visit.pk}/")


# Patients' links -----------------------------------------------------------------------------------------------


def test_the_confirm_link_asks_then_confirms_the_visit(client, book, monday):
    visit = book(local(monday, 10))
    url = f"/messages/a/{links.action_token(visit)}/confirm"
    page = client.get(url)
    assert page.status_code == 200 and b"Yes, I will be there" in page.content
    visit.refresh_from_db()
    assert visit.status == Appointment.Status.BOOKED  # a GET (e.g. a mail scanner) changes nothing
    done = client.post(url)
    assert b"Your visit is confirmed" in done.content
    visit.refresh_from_db()
    assert visit.status == Appointment.Status.CONFIRMED


def test_the_cancel_link_asks_for_a_reason_frees_the_slot_and_shows_the_waitlist_to_the_front_desk(
    client, book, monday, follow_up, desk_client, outbox
):
    visit = book(local(monday, 10))
    waiting = PatientFactory(first_name="Wes", last_name="Waiting")
    scheduling_services.waitlist_add(patient=waiting, visit_type=follow_up, earliest_date=monday - timedelta(days=1),
                                     latest_date=monday + timedelta(days=3))
    asked = client.get(f"/messages/a/{links.action_token(visit)}/cancel", follow=True)
    assert b"Why are you cancelling?" in asked.content
    url = asked.redirect_chain[-1][0]  # the manage pages' question: the one place patients cancel
    assert b"Choose why you are cancelling" in client.post(url, {"reason": ""}).content
    done = client.post(url, {"reason": "better"}, follow=True)
    assert b"Your visit is cancelled" in done.content
    visit.refresh_from_db()
    assert visit.status == Appointment.Status.CANCELLED
    assert visit.cancellation_reason == "Cancelled online by the patient: I'm feeling better"
    assert outbox.one(visit, Kind.CANCELLATION).status == Status.QUEUED
    freed = desk_client.get("/messages/").content.decode()
    assert "Cancelled by patients" in freed and "Wes Waiting" in freed


def test_links_refuse_tampering_expire_at_the_visit_and_respect_the_cutoff(client, book, monday, clinic_settings):
    visit = book(local(monday, 10))
    token = links.action_token(visit)
    assert client.get(f"/messages/a/{token[:-2]}xx/confirm").status_code == 404
    assert client.get(f"/messages/a/{sign_id(visit.pk, salt='other')}/cancel").status_code == 404
    Appointment.objects.filter(pk=visit.pk).update(start_at=timezone.now() - timedelta(minutes=1),
                                                   end_at=timezone.now() + timedelta(minutes=44))
    assert client.get(f"/messages/a/{token}/confirm").status_code == 410
    assert client.get(f"/messages/a/{token}/cancel").status_code == 410
    Appointment.objects.filter(pk=visit.pk).update(start_at=timezone.now() + timedelta(hours=3),
                                                   end_at=timezone.now() + timedelta(hours=4))
    url = client.get(f"/messages/a/{token}/cancel")["Location"]
    late = client.post(url, {"reason": "travel", "details": "Stuck in traffic"})
    assert b"can no longer be changed online" in late.content
    visit.refresh_from_db()
    assert visit.status == Appointment.Status.BOOKED


def test_resend_through_the_service_refuses_a_message_that_is_not_failed(book, monday, front_desk, outbox):
    visit = book(local(monday, 10))
    row = outbox.one(visit, Kind.BOOKING_CONFIRMATION)
    assert services.notification_resend(notification=row, actor=front_desk) is False
