"""The production recipe on this machine: Stride started as deploy/ starts it, and 200 online bookings.

Two gunicorn processes, two Celery workers and one beat, each `bin/serve ROLE` with the recipe's settings
(DEBUG off, HTTPS behind one proxy, Redis broker and cache, PostgreSQL), on a database of their own made by
`bin/serve release`. Bookings arrive through both web processes as through nginx (X-Forwarded-Proto and
-For); one worker is killed (SIGKILL) while messages are in flight and beat is restarted. Every booking
gets exactly one confirmation, with links on SITE_URL.
"""

import json
import os
import secrets
import signal
import socket
import subprocess
import sys
import uuid
from concurrent.futures import ThreadPoolExecutor
from datetime import date, timedelta
from pathlib import Path
from urllib.error import HTTPError
from urllib.parse import urlencode, urlsplit
from urllib.request import Request, urlopen

import psycopg
import pytest
from django.conf import settings

from tests.factories import wait_for

pytestmark = [pytest.mark.postgres, pytest.mark.redis, pytest.mark.xdist_group("production-recipe")]
ROOT = Path(__file__).resolve().parents[2]
SITE = "https://stride.example.com"
BOOKINGS = 200


def free_port():
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


class Process:
    """One `bin/serve ROLE`, in its own process group (so a kill takes its children too)."""

    def __init__(self, role, env, logs, **extra):
        self.role, self.env = role, {**env, **{k: str(v) for k, v in extra.items()}}
        self.log_path = logs / f"{role}-{uuid.uuid4().hex[:6]}.log"

    def start(self):
        self.log = open(self.log_path, "w")  # noqa: SIM115 (closed in stop)
        self.proc = subprocess.Popen([str(ROOT / "bin" / "serve"), self.role], cwd=ROOT, env=self.env,
                                     stdout=self.log, stderr=subprocess.STDOUT, start_new_session=True)
        return self

    def output(self):
        return self.log_path.read_text()

    def signal(self, sig):
        if self.proc.poll() is None:
            os.killpg(self.proc.pid, sig)
        self.proc.wait(timeout=30)

    def stop(self):
        try:
            self.signal(signal.SIGTERM)
        except subprocess.TimeoutExpired:
            self.signal(signal.SIGKILL)
        self.log.close()


@pytest.fixture
def recipe(tmp_path):
    """A database, a Redis queue and the recipe's environment; everything dropped afterwards."""
    db = settings.DATABASES["default"]
    server = f"postgres://{db['USER'] or 'postgres'}@{db['HOST'] or '127.0.0.1'}:{db['PORT'] or 5432}"
    name = f"stride_recipe_{uuid.uuid4().hex[:8]}"
    with psycopg.connect(f"{server}/postgres", autocommit=True) as admin:
        admin.execute(f'CREATE DATABASE "{name}"')
    broker = settings.CELERY_BROKER_URL
    base, _, number = broker.rpartition("/")
    queue = f"stride-recipe-{uuid.uuid4().hex[:8]}"
    env = {
        "PATH": os.environ["PATH"], "HOME": os.environ.get("HOME", "/root"), "LANG": "C.UTF-8",
        "PY": sys.executable,
        # The variables of deploy/stride.env and compose.yaml, as an operator fills them in.
        "SECRET_KEY": secrets.token_urlsafe(50), "SITE_URL": SITE, "ALLOWED_HOSTS": "stride.example.com",
        "CSRF_TRUSTED_ORIGINS": SITE, "DATABASE_URL": f"{server}/{name}", "CELERY_BROKER_URL": broker,
        "CACHE_URL": f"rediscache://{base.split('://', 1)[1]}/{int(number or 0) ^ 1}", "NUM_PROXIES": "1",
        "MEDIA_ROOT": str(tmp_path / "media"), "STATIC_ROOT": str(tmp_path / "static"),
        "BEAT_SCHEDULE_FILE": str(tmp_path / "beat" / "celerybeat-schedule"), "CELERY_QUEUE": queue,
        # This machine's stand-ins: messages kept in the database, a fast sweep and lease so the test ends soon.
        "NOTIFICATION_EMAIL_BACKEND": "memory", "SMS_BACKEND": "memory", "NOTIFICATION_QUIET_HOURS": "off",
"NOTIFICATION_SWEEP_SECONDS": "2",
        "NOTIFICATION_SENDING_LEASE_SECONDS": "5", "WEB_CONCURRENCY": "1", "WEB_THREADS": "4",
        "WORKER_CONCURRENCY": "2",
    }
    (tmp_path / "beat").mkdir()
    (tmp_path / "logs").mkdir()
    started = []
    yield env, tmp_path / "logs", started, f"{server}/{name}"
    for process in started:
        process.stop()
    import redis

    redis.Redis.from_url(broker).delete(queue, f"_kombu.binding.{queue}")
    with psycopg.connect(f"{server}/postgres", autocommit=True) as admin:
        admin.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')


def run(env, *args):
    result = subprocess.run([*args], cwd=ROOT, env=env, capture_output=True, text=True, timeout=180)
    assert result.returncode == 0, result.stdout + result.stderr
    return result.stdout


def call(port, path, *, body=None, client="198.51.100.1"):
    """A request as nginx passes it on: over TLS to the client, with the client's address added."""
    request = Request(f"http://127.0.0.1:{port}{path}", data=json.dumps(body).encode() if body else None,
                      headers={"Host": "stride.example.com", "X-Forwarded-Proto": "https",
                               "X-Forwarded-For": client, "Content-Type": "application/json"})
    try:
        with urlopen(request, timeout=30) as response:
            body = response.read()
            is_json = response.headers.get_content_type() == "application/json"
            return response.status, json.loads(body) if is_json else body.decode()
    except HTTPError as error:
        return error.code, error.read().decode()


def test_the_recipe_takes_200_bookings_over_two_web_processes_and_sends_each_confirmation_once(recipe):
    env, logs, started, database_url = recipe
    run(env, str(ROOT / "bin" / "serve"), "release")  # migrate and check --deploy --fail-level WARNING
    run(env, env["PY"], "manage.py", "collectstatic", "--noinput", "-v", "0")  # what the image build does
    run(env, env["PY"], "manage.py", "seed_demo", "--staging", "--patients", "3")

    ports = [free_port(), free_port()]
    webs = [Process("web", env, logs, PORT=port, BIND="127.0.0.1").start() for port in ports]
    # The worker that will be killed has a slow provider, so it is always in the middle of sends when it dies.
    workers = [Process("worker", env, logs, WORKER_NAME=f"recipe-{i}", NOTIFICATION_MEMORY_SEND_DELAY=delay).start()
               for i, delay in enumerate((2.0, 0.05))]
    beat = Process("beat", env, logs).start()
    started += [*webs, *workers, beat]
    for port in ports:
        wait_for(lambda port=port: _answers(port), timeout=40, message=f"gunicorn on {port}")
    for worker in workers:
        wait_for(lambda worker=worker: "ready." in worker.output(), timeout=60, message="a worker ready")

    with psycopg.connect(database_url) as db:
        telehealth = db.execute("SELECT id FROM scheduling_visittype WHERE modality = 'telehealth'").fetchone()[0]
    start = date.today() + timedelta(days=2)
    status, found = call(ports[0], "/api/v1/availability/?" + urlencode(
        {"visit_type": telehealth, "start": start, "end": start + timedelta(days=20), "modality": "telehealth"}))
    assert status == 200, found
    slots, taken_until = [], {}
    for slot in found["slots"]:  # the list offers every 15 minutes; keep times that do not overlap
        if slot["start"] >= taken_until.get(slot["clinician"], ""):
            slots.append(slot)
            taken_until[slot["clinician"]] = slot["end"]
    slots = slots[:BOOKINGS]
    assert len(slots) == BOOKINGS

    network = secrets.randbelow(250) + 1  # addresses of this run only: the throttle's counts outlive a run in Redis

    def book(i):
        slot = slots[i]
        body = {"visit_type": telehealth, "clinician": slot["clinician"], "start": slot["start"],
                "modality": "telehealth", "location": None, "reason": "Buttock pain when sitting.",
                "patient": {"first_name": f"Recipe{i}", "last_name": "Patient", "date_of_birth": "1985-03-04",
                            "email": f"recipe{i}@example.com", "phone": f"617-555-{i:04d}"},
                "accepts_cancellation_policy": True}  # the policy the migrations put in force
        # Each from its own address: the booking throttle counts per client, read through NUM_PROXIES=1.
        return call(ports[i % 2], "/api/v1/bookings/", body=body, client=f"10.{network}.{i // 250}.{i % 250 + 1}")

    with ThreadPoolExecutor(max_workers=6) as pool:
        first = list(pool.map(book, range(BOOKINGS // 2)))
        workers[0].signal(signal.SIGKILL)  # as the OOM killer would: no warm shutdown, nothing acknowledged
        beat.stop()
        second = list(pool.map(book, range(BOOKINGS // 2, BOOKINGS)))
    beat = Process("beat", env, logs).start()  # restarted on the schedule file it left
    started.append(beat)
    answers = first + second
    assert [status for status, _ in answers] == [201] * BOOKINGS, [a for a in answers if a[0] != 201][:3]
    booked = {answer["id"] for _, answer in answers}
    assert len(booked) == BOOKINGS

    def confirmations():
        with psycopg.connect(database_url) as db:
            return db.execute(
                "SELECT n.appointment_id, n.status, c.deliveries, c.body FROM notifications_notification n "
                "LEFT JOIN notifications_capturedmessage c ON c.idempotency_key = n.idempotency_key::text "
                "WHERE n.kind = 'booking_confirmation' AND n.appointment_id = ANY(%s)", [list(booked)]).fetchall()

    rows = wait_for(lambda: (rows := confirmations()) and all(r[1] == "sent" for r in rows) and len(rows) ==
                    BOOKINGS and rows, timeout=120, message="every confirmation sent")
    assert sorted(r[0] for r in rows) == sorted(booked)  # one confirmation per booking, none lost
    assert {r[2] for r in rows} == {1}  # each handed to the provider once, none doubled
    # The kill stranded messages the dead worker had claimed; the sweep handed them to the survivor.
    assert "after their worker stopped" in "".join(worker.output() for worker in workers)
    for *_, body in rows:  # the patient's manage link is on the public address, never on localhost
        links = [word for word in body.split() if "://" in word]
        assert any(link.startswith(SITE + "/messages/") for link in links), links
        assert not any("localhost" in link or "127.0.0.1" in link for link in links), links
    manage = next(word for word in rows[0][3].split() if word.startswith(SITE + "/messages/"))
    status, page = call(ports[1], urlsplit(manage).path)  # and the link opens the patient's visit
    assert status == 200 and "Confirm your visit" in page and "Telehealth consult" in page, page[:300]
    for port, web in zip(ports, webs, strict=True):  # both web processes took their share
        assert web.output().count('"POST /api/v1/bookings/ HTTP/1.1" 201') == BOOKINGS // 2, port
    wait_for(lambda: "Sending due task notifications-sweep" in beat.output(), timeout=30,
             message="the restarted beat sweeping again")


def _answers(port):
    try:
        return call(port, "/healthz")[0] == 200
    except OSError:
        return False
