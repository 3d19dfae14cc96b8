"""The front desk finds a failed reminder, opens the visit's message history and resends it."""

from datetime import timedelta

import pytest
from django.utils import timezone
from playwright.sync_api import expect

from notifications import services
from notifications.models import CapturedMessage, Notification
from scheduling import services as scheduling_services
from scheduling.models import Modality
from tests.e2e.conftest import SCREENSHOTS
from tests.factories import PatientFactory
from tests.scheduling import conftest as scheduling

pytestmark = pytest.mark.django_db(transaction=True)

def test_front_desk_sees_a_failed_reminder_and_resends_it(page, live_server, sign_in, front_desk, dr_rivera, follow_up,
                                                          location, monday, settings, monkeypatch):
    settings.NOTIFICATION_EMAIL_BACKEND = "memory"
    settings.SMS_BACKEND = "memory"
    # Stand-in for the worker: what the outbox hands out is delivered at once, in this process.
    monkeypatch.setattr(services, "_enqueue", lambda pk: services.notification_deliver(notification_id=pk))
    patient = PatientFactory(first_name="Maya", last_name="Okafor")
    visit = scheduling_services.appointment_book(
        patient=patient, clinician=dr_rivera, visit_type=follow_up, start=scheduling.local(monday, 10),
        modality=Modality.IN_OFFICE, location=location,
    )
    reminder = Notification.objects.get(appointment=visit, kind=Notification.Kind.REMINDER)
    settings.NOTIFICATION_MEMORY_FAIL = "permanent"  # the provider refuses the address today
    Notification.objects.filter(pk=reminder.pk).update(due_at=timezone.now() - timedelta(seconds=1))
    services.notifications_sweep()
    reminder.refresh_from_db()
    assert reminder.status == Notification.Status.FAILED
    settings.NOTIFICATION_MEMORY_FAIL = ""  # fixed by tomorrow

    sign_in(front_desk)
    nav = page.get_by_role("navigation", name="Main")
    nav.get_by_role("link", name="Messages").click()
    expect(page.get_by_role("heading", name="Messages", exact=True)).to_be_visible()
    expect(page.get_by_role("link", name="Failed today 1")).to_be_visible()
    row = page.locator(f"#message-{reminder.pk}")
    expect(row).to_contain_text("Reminder (48h)")
    expect(row).to_contain_text("Failed")
    expect(row).to_contain_text(f"Memory backend: simulated rejection of {patient.email}")
    SCREENSHOTS.mkdir(parents=True, exist_ok=True)
    page.screenshot(path=str(SCREENSHOTS / "front_desk_messages_list_with_a_failure.png"), full_page=True)

    row.get_by_role("link", name="Follow-up").click()
    expect(page.get_by_role("heading", name="Messages about Follow-up")).to_be_visible()
    history = page.locator("#message-history")
    expect(history.locator("tr", has_text="Booking confirmation")).to_contain_text("Sent")
    failed = history.locator(f"#message-{reminder.pk}")
    expect(failed).to_contain_text("Failed")

    failed.get_by_role("button", name="Resend Reminder (48h) by email").click()
    expect(page.locator(f"#message-{reminder.pk}")).to_contain_text("Sent")
    expect(page.locator(f"#message-{reminder.pk}").get_by_role("button", name="Resend")).to_have_count(0)
    reminder.refresh_from_db()
    assert (reminder.status, reminder.attempts) == (Notification.Status.SENT, 1)
    assert CapturedMessage.objects.get(idempotency_key=str(reminder.idempotency_key)).deliveries == 1
