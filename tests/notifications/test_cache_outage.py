"""The README's production topology: the broker AND the cache on one Redis, and that Redis goes down.

Patients still book (API and pages), the front desk still sees the calendar, the chart still opens; the
messages wait in the outbox and go out once when Redis returns. The Redis is this test's own, never the
shared one.
"""

import json
import logging
import time
import uuid
from datetime import timedelta

import pytest
from django.core.cache import cache
from django.utils import timezone

from clinic.settings import cache_settings
from notifications import services
from notifications.models import CapturedMessage, Notification
from scheduling.models import Appointment, ClinicSettings
from tests.factories import sign_in, wait_for
from tests.notifications.test_broker_outage import PrivateRedis, _use_broker
from tests.notifications.test_worker import Worker
from tests.scheduling.conftest import local
from tests.scheduling.test_api import booking_body
from tests.scheduling.test_public_booking import in_office_params, post_details

pytestmark = [pytest.mark.postgres, pytest.mark.redis, pytest.mark.django_db(transaction=True)]


@pytest.fixture
def shared_redis(settings, monkeypatch):
    """One private Redis holding the broker (db 0) and the cache (db 1), configured as the README says."""
    server = PrivateRedis()
    server.start()
    previous = settings.CELERY_BROKER_URL
    _use_broker(server.url, settings, monkeypatch)
    settings.CACHES = cache_settings(f"rediscache://127.0.0.1:{server.port}/1")
    yield server
    server.stop()
    _use_broker(previous, settings, monkeypatch)


def _api_book(client, body):
    return client.post("/api/v1/bookings/", json.dumps(body), content_type="application/json")


def test_with_the_cache_and_broker_down_patients_book_and_staff_work_then_messages_go_out_once(
    shared_redis, tmp_path, settings, client, front_desk, admin_user, patient, book,
    dr_rivera, follow_up, location, monday, caplog,
):
    from django.test import Client

    queue = f"stride-test-cache-outage-{uuid.uuid4().hex[:8]}"
    settings.NOTIFICATION_QUEUE = queue
    settings.NOTIFICATION_EMAIL_BACKEND = "memory"
    worker = Worker(queue, tmp_path, CELERY_BROKER_URL=shared_redis.url).start()
    desk, chart_reader = sign_in(Client(), front_desk), sign_in(Client(), admin_user)
    book(local(monday, 9))  # a visit on the chart and the calendar
    calendar_url = f"/schedule/?date={monday.isoformat()}"
    try:
        # Up: the cache is really Redis, and in use (the throttle counts, settings are cached).
        assert desk.get(calendar_url).status_code == 200
        ClinicSettings.load()
        assert cache.get(ClinicSettings.CACHE_KEY) is not None

        shared_redis.stop()
        caplog.set_level(logging.WARNING)
        started = time.monotonic()
        response = _api_book(client, booking_body(follow_up, dr_rivera, local(monday, 10), location=location))
        assert response.status_code == 201, response.content
        api_visit = Appointment.objects.get(pk=response.json()["id"])
        page = post_details(client, in_office_params(follow_up), dr_rivera, local(monday, 11),
                            email="page.booker@example.com")
        assert page.status_code == 302 and "/book/" in page["Location"]
        assert client.get(page["Location"]).status_code == 200
        page_visit = Appointment.objects.get(start_at=local(monday, 11))
        assert client.get("/book/").status_code == 200

        calendar = desk.get(calendar_url)
        assert calendar.status_code == 200 and "Okafor" in calendar.content.decode()
        chart = chart_reader.get(f"/patients/{patient.mrn}/")
        assert chart.status_code == 200 and "Okafor" in chart.content.decode()
        assert ClinicSettings.load().pk == 1  # read from the database
        assert time.monotonic() - started < 20
        logged = caplog.text
        assert "Cache unavailable" in logged and "Booking throttle not applied" in logged
        assert logged.count("Cache unavailable") == 1  # once, not once per call

        confirmations = Notification.objects.filter(
            appointment__in=[api_visit, page_visit], kind=Notification.Kind.BOOKING_CONFIRMATION, channel="email",
        )
        assert {n.status for n in confirmations} == {Notification.Status.QUEUED}

        shared_redis.start()
        wait_for(lambda: cache.set("stride:probe", 1) or cache.get("stride:probe") == 1, timeout=30,
                 message="the cache used again once Redis is back")
        throttle_key = "stride:throttle:booking:127.0.0.1"
        assert _api_book(client, booking_body(follow_up, dr_rivera, local(monday, 12), location=location,
                                              email="after@example.com")).status_code == 201
        assert cache.get(throttle_key) == 1  # counting again
        services.notifications_sweep(now=timezone.now() + timedelta(seconds=1))
        services.notifications_sweep(now=timezone.now() + timedelta(seconds=2))
        ids = list(confirmations.values_list("pk", flat=True))
        wait_for(lambda: Notification.objects.filter(pk__in=ids, status=Notification.Status.SENT).count() == 2,
                 timeout=60, message="the backlog delivered after Redis returned")
        for notification in Notification.objects.filter(pk__in=ids):
            assert CapturedMessage.objects.get(idempotency_key=str(notification.idempotency_key)).deliveries == 1
    finally:
        worker.stop()
