"""A real Celery worker process on Redis and PostgreSQL (not eager mode) delivers through the outbox.

Each worker is `celery -A clinic worker --pool=solo` in its own process, on a queue of its own, pointed at
the test database; the memory backends write what it delivers to CapturedMessage, so this process sees it.
"""

import os
import signal
import socketserver
import subprocess
import sys
import threading
import time
import uuid
from datetime import timedelta
from pathlib import Path
from urllib.parse import quote

import pytest
from django.conf import settings as django_settings
from django.db import connection, connections
from django.utils import timezone

from notifications import services, tasks
from notifications.models import CapturedMessage, Notification
from scheduling import services as scheduling_services
from tests.factories import PatientFactory, wait_for
from tests.scheduling.conftest import local

# One xdist process runs the module, so its tests share one worker process (shared_worker, module-scoped).
pytestmark = [pytest.mark.postgres, pytest.mark.redis, pytest.mark.django_db(transaction=True),
              pytest.mark.xdist_group("notifications-worker")]
ROOT = Path(__file__).resolve().parents[2]
Kind, Status = Notification.Kind, Notification.Status


def _test_database_url():
    db = connection.settings_dict
    auth = quote(db["USER"] or "") + (f":{quote(db['PASSWORD'])}" if db["PASSWORD"] else "")
    return f"postgres://{auth}@{db['HOST'] or '127.0.0.1'}:{db['PORT'] or 5432}/{db['NAME']}"


class Worker:
    """One `celery worker` process; stopped (or killed) by its own process id."""

    def __init__(self, queue, tmp_path, **env):
        self.queue, self.log_path = queue, tmp_path / f"worker-{uuid.uuid4().hex[:6]}.log"
        self.env = {
            **os.environ, "DATABASE_URL": _test_database_url(), "CELERY_BROKER_URL": django_settings.CELERY_BROKER_URL,
            "DJANGO_SETTINGS_MODULE": "clinic.settings", "CONN_MAX_AGE": "0", "NOTIFICATION_QUEUE": queue,
            "NOTIFICATION_EMAIL_BACKEND": "memory", "SMS_BACKEND": "memory", "NOTIFICATION_QUIET_HOURS": "off",
            "SITE_URL": "https://stride.example", **{k: str(v) for k, v in env.items()},
        }
        self.proc = None

    def start(self):
        self.log = open(self.log_path, "w")  # noqa: SIM115 (closed in stop)
        self.proc = subprocess.Popen(
            [sys.executable, "-m", "celery", "-A", "clinic", "worker", "--pool=solo", "-Q", self.queue,
             "-n", f"{self.queue}-{uuid.uuid4().hex[:4]}@%h", "--without-heartbeat", "--without-mingle",
             "--without-gossip", "--loglevel=INFO"],
            cwd=ROOT, env=self.env, stdout=self.log, stderr=subprocess.STDOUT, start_new_session=True,
        )
        wait_for(lambda: "ready." in self.output() or self.proc.poll() is not None, timeout=40, message="worker ready")
        assert self.proc.poll() is None, self.output()
        return self

    def output(self):
        return self.log_path.read_text() if self.log_path.exists() else ""

    def kill(self):
        """SIGKILL, as when the machine or the OOM killer takes the process: no clean-up, no ack."""
        os.killpg(self.proc.pid, signal.SIGKILL)
        self.proc.wait(timeout=10)

    def stop(self):
        if self.proc and self.proc.poll() is None:
            os.killpg(self.proc.pid, signal.SIGTERM)
            try:
                self.proc.wait(timeout=15)
            except subprocess.TimeoutExpired:
                self.kill()
        self.log.close()


def _forget_queue(name):
    import redis

    redis.Redis.from_url(django_settings.CELERY_BROKER_URL).delete(
        name, f"_kombu.binding.{name}", f"_kombu.binding_permanent.{name}"
    )


@pytest.fixture(scope="module")
def shared_worker(django_db_setup, tmp_path_factory):
    """One worker for the tests that need no special settings (starting one takes a few seconds)."""
    worker = Worker(f"stride-test-notifications-{uuid.uuid4().hex[:8]}", tmp_path_factory.mktemp("worker"),
                    NOTIFICATION_SENDING_LEASE_SECONDS=2).start()
    yield worker
    worker.stop()
    _forget_queue(worker.queue)


@pytest.fixture
def worker(shared_worker, settings):
    """The shared worker, with this process queuing its tasks where it listens."""
    settings.NOTIFICATION_QUEUE = shared_worker.queue
    settings.NOTIFICATION_EMAIL_BACKEND = "memory"
    return shared_worker


@pytest.fixture
def start_worker(tmp_path, settings):
    """Start a worker of its own with extra environment, on a queue of its own."""
    started = []

    def start(**env):
        queue = f"stride-test-notifications-{uuid.uuid4().hex[:8]}"
        settings.NOTIFICATION_QUEUE = queue
        started.append(Worker(queue, tmp_path, **env).start())
        return started[-1]

    yield start
    for worker in started:
        worker.stop()
        _forget_queue(worker.queue)


def sent(row):
    row.refresh_from_db()
    return row.status == Status.SENT


def test_a_due_reminder_is_delivered_once_even_when_swept_twice(worker, book, monday):
    visit = book(local(monday, 10))
    confirmation = Notification.objects.get(appointment=visit, kind=Kind.BOOKING_CONFIRMATION)
    wait_for(lambda: sent(confirmation), message="the confirmation, queued on commit")
    reminder = Notification.objects.get(appointment=visit, kind=Kind.REMINDER)
    Notification.objects.filter(pk=reminder.pk).update(due_at=timezone.now() - timedelta(seconds=1))
    tasks.sweep.apply_async(queue=worker.queue)  # what beat does every minute...
    tasks.sweep.apply_async(queue=worker.queue)  # ...twice
    wait_for(lambda: sent(reminder), message="the reminder")
    tasks.deliver.apply_async((reminder.pk,), queue=worker.queue)  # and a duplicated task
    tasks.sweep.apply_async(queue=worker.queue)
    last = book(local(monday, 15))  # its confirmation is queued last: once sent, the worker has run all the above
    wait_for(lambda: sent(Notification.objects.get(appointment=last, kind=Kind.BOOKING_CONFIRMATION)), message="last")
    captured = CapturedMessage.objects.get(idempotency_key=str(reminder.idempotency_key))
    assert captured.deliveries == 1 and captured.subject.startswith("Reminder: Follow-up on ")
    reminder.refresh_from_db()
    assert reminder.attempts == 1


def test_two_sweeps_at_once_deliver_each_message_once(worker, dr_rivera, follow_up, location, monday,
                                                      monkeypatch, settings):
    settings.NOTIFICATION_SWEEP_BATCH = 3
    with monkeypatch.context() as broker_down:  # nothing handed out on commit: the sweeps find them all
        broker_down.setattr(services, "dispatch_due", lambda **filters: 0)
        for i in range(12):
            scheduling_services.appointment_book(
                patient=PatientFactory(reminder_email_consent=False), clinician=dr_rivera, visit_type=follow_up,
                start=local(monday, 9) + timedelta(minutes=45 * i), modality="in_office", location=location,
            )
    due = list(Notification.objects.filter(status=Status.QUEUED).values_list("pk", flat=True))
    assert len(due) == 12
    handed_out, real_enqueue = [], services._enqueue
    monkeypatch.setattr(services, "_enqueue", lambda pk: (handed_out.append(pk), real_enqueue(pk)))
    barrier = threading.Barrier(2)

    def sweep():
        try:
            barrier.wait(timeout=10)
            services.notifications_sweep()
        finally:
            connections.close_all()

    threads = [threading.Thread(target=sweep) for _ in range(2)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=30)
    assert sorted(handed_out) == sorted(due)  # SKIP LOCKED: no row went to both sweeps
    wait_for(lambda: Notification.objects.filter(pk__in=due, status=Status.SENT).count() == 12, message="12 sent")
    assert list(CapturedMessage.objects.values_list("deliveries", flat=True)) == [1] * 12


def test_a_worker_killed_in_the_middle_of_a_send_leads_to_exactly_one_delivery(start_worker, shared_worker, book,
                                                                               monday, settings):
    stuck = start_worker(NOTIFICATION_MEMORY_SEND_DELAY=60)  # the provider call hangs...
    visit = book(local(monday, 10))
    row = Notification.objects.get(appointment=visit, kind=Kind.BOOKING_CONFIRMATION)
    wait_for(lambda: Notification.objects.filter(pk=row.pk, attempt_started_at__isnull=False).exists(),
             message="the worker to claim the message")
    time.sleep(0.5)
    stuck.kill()  # ...and the process is killed: the task is neither finished nor acknowledged
    row.refresh_from_db()
    assert (row.status, row.attempts) == (Status.SENDING, 1)
    assert not CapturedMessage.objects.exists()
    assert services.notifications_sweep() == {"queued": 0, "recovered": 0}  # within its 5-minute lease

    settings.NOTIFICATION_SENDING_LEASE_SECONDS = 2  # a short lease, so the test need not wait 5 minutes
    settings.NOTIFICATION_QUEUE = shared_worker.queue  # another worker process takes over
    wait_for(lambda: services.notifications_sweep() == {"queued": 0, "recovered": 1}, every=0.2, timeout=5,
             message="the lease to run out")
    wait_for(lambda: sent(row), message="delivery by the next worker")
    assert list(CapturedMessage.objects.values_list("idempotency_key", "deliveries")) == [(str(row.idempotency_key), 1)]
    assert row.attempts == 2


class FlakySMTP(socketserver.StreamRequestHandler):
    """An SMTP server that accepts everything up to DATA and then answers 451 (try again later)."""

    data_commands = []

    def handle(self):
        self.wfile.write(b"220 flaky.test ESMTP\r\n")
        for raw in self.rfile:
            command = raw.decode(errors="replace").strip().upper()
            if command.startswith(("EHLO", "HELO")):
                self.wfile.write(b"250-flaky.test\r\n250 8BITMIME\r\n")
            elif command.startswith("DATA"):
                self.data_commands.append(command)
                self.wfile.write(b"451 4.3.0 Mail server temporarily rejected message\r\n")
            elif command.startswith("QUIT"):
                self.wfile.write(b"221 bye\r\n")
                return
            else:
                self.wfile.write(b"250 OK\r\n")


def test_an_smtp_failure_is_retried_then_marked_failed_with_its_error(start_worker, book, monday, settings):
    server = socketserver.ThreadingTCPServer(("127.0.0.1", 0), FlakySMTP)
    server.daemon_threads = True
    threading.Thread(target=server.serve_forever, daemon=True).start()
    FlakySMTP.data_commands.clear()
    try:
        start_worker(NOTIFICATION_EMAIL_BACKEND="", EMAIL_URL=f"smtp://127.0.0.1:{server.server_address[1]}",
                     NOTIFICATION_MAX_ATTEMPTS=3, NOTIFICATION_RETRY_BACKOFF_SECONDS=0.2)
        visit = book(local(monday, 10))
        row = Notification.objects.get(appointment=visit, kind=Kind.BOOKING_CONFIRMATION)

        def failed():
            services.notifications_sweep()  # beat, sped up: retries are due rows with a backoff
            row.refresh_from_db()
            return row.status == Status.FAILED

        wait_for(failed, every=0.3, message="the message to be given up")
    finally:
        server.shutdown()
        server.server_close()
    assert row.attempts == 3 and len(FlakySMTP.data_commands) == 3
    assert row.last_error == "SMTP 451: 4.3.0 Mail server temporarily rejected message (gave up after 3 attempts)"


def test_reminders_across_daylight_saving_changes_go_out_at_the_right_local_hour(worker, book):
    spring = book(local(timezone.datetime(2027, 3, 15).date(), 10))  # clocks go forward Sun Mar 14
    autumn = book(local(timezone.datetime(2027, 11, 8).date(), 10))  # clocks go back Sun Nov 7
    for visit, saturday in ((spring, (2027, 3, 13)), (autumn, (2027, 11, 6))):
        reminder = Notification.objects.get(appointment=visit, kind=Kind.REMINDER)
        due = local(timezone.datetime(*saturday).date(), 10)
        assert reminder.due_at == due  # Saturday 10:00 on the clinic's clock, 47 or 49 real hours before
        assert services.notifications_sweep(now=due - timedelta(minutes=1))["queued"] == 0
        assert services.notifications_sweep(now=due)["queued"] == 1
        wait_for(lambda reminder=reminder: sent(reminder), message="the reminder")
    assert CapturedMessage.objects.filter(subject__startswith="Reminder:").count() == 2


def test_moving_and_cancelling_update_the_pending_reminders(worker, book, monday):
    moved, cancelled = book(local(monday, 10)), book(local(monday, 14))
    old_due = local(monday - timedelta(days=2), 10)
    scheduling_services.appointment_move(appointment=moved, start=local(monday + timedelta(days=2), 11))
    scheduling_services.appointment_cancel(appointment=cancelled, reason="Clinic closed")
    assert services.notifications_sweep(now=old_due + timedelta(hours=5))["queued"] == 0  # nothing at the old times
    new_due = local(monday, 11)
    assert services.notifications_sweep(now=new_due)["queued"] == 1
    reminder = Notification.objects.get(appointment=moved, kind=Kind.REMINDER)
    wait_for(lambda: sent(reminder), message="the moved reminder")
    assert "Wed, " in reminder.subject and "11:00 AM" in reminder.subject
    assert Notification.objects.get(appointment=cancelled, kind=Kind.REMINDER).status == Status.CANCELLED
    assert not CapturedMessage.objects.filter(subject__contains="2:00 PM", subject__startswith="Reminder").exists()


def test_task_messages_on_the_broker_carry_only_ids_never_patient_details(book, monday, patient, settings):
    """What sits in Redis (and in the worker's logs) is a row id: no name, email, phone or link token."""
    import base64
    import json

    import redis

    queue = f"stride-test-args-{uuid.uuid4().hex[:8]}"  # no worker listens: the messages stay to be read
    settings.NOTIFICATION_QUEUE = queue
    try:
        book(local(monday, 10))
        broker = redis.Redis.from_url(django_settings.CELERY_BROKER_URL)
        raw = wait_for(lambda: broker.lrange(queue, 0, -1), message="queued deliveries")
        for message in raw:
            envelope = json.loads(message)
            args, kwargs, _ = json.loads(base64.b64decode(envelope["body"]))
            assert all(isinstance(arg, int) for arg in args) and kwargs == {}, (args, kwargs)
            text = message.decode() + json.dumps(envelope["headers"])
            for detail in (patient.first_name, patient.last_name, patient.email, patient.mobile_phone[-4:]):
                assert detail and detail not in text, detail
        assert Notification.objects.filter(pk__in=[json.loads(base64.b64decode(json.loads(m)["body"]))[0][0]
                                                   for m in raw]).exists()
    finally:
        _forget_queue(queue)
