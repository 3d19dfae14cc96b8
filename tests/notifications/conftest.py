"""The outbox in tests: memory SMS backend, Django's locmem email, tasks collected instead of queued."""

import pytest

from notifications import services
from notifications.models import Notification
from scheduling import services as scheduling_services
from scheduling.models import Modality


@pytest.fixture(autouse=True)
def _outbox_settings(settings):
    settings.SMS_BACKEND = "memory"
    settings.NOTIFICATION_EMAIL_BACKEND = ""  # Django's locmem backend in tests: mail.outbox
    settings.NOTIFICATION_MEMORY_FAIL = ""
    settings.NOTIFICATION_MEMORY_SEND_DELAY = 0
    settings.NOTIFICATION_REMINDER_OFFSETS = "email:48h,sms:2h"
    settings.NOTIFICATION_INTAKE_NUDGES = "72h,24h"
    settings.NOTIFICATION_QUIET_HOURS = "21-08"
    settings.NOTIFICATION_MAX_ATTEMPTS = 5
    settings.NOTIFICATION_RETRY_BACKOFF_SECONDS = 60
    settings.NOTIFICATION_SENDING_LEASE_SECONDS = 300
    settings.SITE_URL = "https://stride.example"


@pytest.fixture(autouse=True)
def enqueued(request, monkeypatch):
    """Ids the outbox would queue for a worker. Tests marked redis use the real broker instead."""
    if request.node.get_closest_marker("redis"):
        yield None
        return
    ids = []
    monkeypatch.setattr(services, "_enqueue", ids.append)
    yield ids


class Outbox:
    def __init__(self, enqueued):
        self.enqueued = enqueued

    def run(self, now=None):
        """Sweep as beat would at `now`, then deliver what it queued as a worker would; {pk: outcome}."""
        services.notifications_sweep(now=now)
        return self.deliver_queued(now)

    def deliver_queued(self, now=None):
        results = {}
        while self.enqueued:
            pk = self.enqueued.pop(0)
            results[pk] = services.notification_deliver(notification_id=pk, now=now)
        return results

    @staticmethod
    def rows(appointment=None, **filters):
        rows = Notification.objects.filter(**filters)
        if appointment is not None:
            rows = rows.filter(appointment=appointment)
        return list(rows.order_by("due_at", "id"))

    @staticmethod
    def one(appointment, kind, channel="email", **filters):
        return Notification.objects.get(appointment=appointment, kind=kind, channel=channel, **filters)


@pytest.fixture
def outbox(enqueued):
    return Outbox(enqueued)


@pytest.fixture
def book(dr_rivera, follow_up, location, patient):
    """Book through the scheduling service (its signals plan the messages)."""

    def make(start, *, who=None, visit_type=None, modality=Modality.IN_OFFICE, **extra):
        return scheduling_services.appointment_book(
            patient=who or patient, clinician=dr_rivera, visit_type=visit_type or follow_up, start=start,
            modality=modality, location=location if modality == Modality.IN_OFFICE else None, **extra,
        )

    return make
