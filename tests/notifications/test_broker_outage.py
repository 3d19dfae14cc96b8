"""Redis goes down and comes back: the clinic keeps booking, and every message goes out once afterwards.

A Redis server of this test's own (not the shared one) is stopped and started again; a real worker
process listens on it throughout, and this process publishes to it.
"""

import shutil
import socket
import subprocess
import time
import uuid
from datetime import timedelta

import pytest
from django.utils import timezone
from kombu import pools

from clinic.celery import app
from notifications import services
from notifications.models import CapturedMessage, Notification
from tests.factories import wait_for
from tests.notifications.test_worker import Worker
from tests.scheduling.conftest import local

pytestmark = [pytest.mark.postgres, pytest.mark.redis, pytest.mark.django_db(transaction=True)]


def _free_port():
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


class PrivateRedis:
    def __init__(self):
        self.port, self.proc = _free_port(), None

    @property
    def url(self):
        return f"redis://127.0.0.1:{self.port}/0"

    def start(self):
        self.proc = subprocess.Popen(
            [shutil.which("redis-server"), "--port", str(self.port), "--bind", "127.0.0.1", "--save", "",
             "--appendonly", "no"], stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL,
        )
        wait_for(lambda: subprocess.run(["redis-cli", "-p", str(self.port), "ping"], capture_output=True,
                                        text=True).stdout.strip() == "PONG", message="private redis")

    def stop(self):
        if self.proc and self.proc.poll() is None:
            self.proc.terminate()
            self.proc.wait(timeout=10)


def _use_broker(url, settings, monkeypatch):
    """Point this process's Celery app (and /healthz) at `url`, dropping connections to the old one."""
    settings.CELERY_BROKER_URL = url
    monkeypatch.setenv("CELERY_BROKER_URL", url)  # Celery reads the environment before its own settings
    app.conf.broker_url = url
    pools.reset()  # kombu's connection and producer pools are per process and keyed loosely: start afresh
    app._pool = None
    app.amqp._producer_pool = None


@pytest.fixture
def private_redis(settings, monkeypatch):
    if not shutil.which("redis-server"):
        pytest.fail("redis-server is needed for the broker outage test")
    server = PrivateRedis()
    server.start()
    previous = settings.CELERY_BROKER_URL
    _use_broker(server.url, settings, monkeypatch)
    yield server
    server.stop()
    _use_broker(previous, settings, monkeypatch)


def test_with_redis_down_booking_works_and_the_backlog_goes_out_once_when_it_returns(
    private_redis, tmp_path, settings, client, book, monday
):
    queue = f"stride-test-outage-{uuid.uuid4().hex[:8]}"
    settings.NOTIFICATION_QUEUE = queue
    settings.NOTIFICATION_EMAIL_BACKEND = "memory"
    worker = Worker(queue, tmp_path, CELERY_BROKER_URL=private_redis.url).start()
    try:
        private_redis.stop()
        started = time.monotonic()
        visit = book(local(monday, 10))  # the booking commits; handing its message to a worker fails, quietly
        assert time.monotonic() - started < 15
        confirmation = Notification.objects.get(appointment=visit, kind=Notification.Kind.BOOKING_CONFIRMATION)
        assert confirmation.status == Notification.Status.QUEUED  # kept in the outbox, not lost
        health = client.get("/healthz")
        assert health.status_code == 503 and health.json()["broker"].startswith("error")
        assert client.get("/book/").status_code == 200  # the public pages still answer

        private_redis.start()
        assert client.get("/healthz").json()["broker"] == "ok"
        services.notifications_sweep(now=timezone.now() + timedelta(seconds=1))  # what beat does every minute
        services.notifications_sweep(now=timezone.now() + timedelta(seconds=2))  # ...and the next minute
        wait_for(lambda: Notification.objects.filter(pk=confirmation.pk, status=Notification.Status.SENT).exists(),
                 timeout=60, message="the backlog delivered after Redis returned")
        assert CapturedMessage.objects.get(idempotency_key=str(confirmation.idempotency_key)).deliveries == 1
    finally:
        worker.stop()
