import os
import uuid

import pytest
from django.conf import settings
from django.db import connection

from clinic import roles
from tests.factories import sign_in

from .factories import PatientFactory, UserFactory

# Fixtures shared across folders, by name (a test asks for `dr_rivera` or `intake`, never imports it).
pytest_plugins = [
    "tests.fixtures.clinic",  # the clinic: location, visit types, Dr Rivera and Dr Chen, a Monday
    "tests.intake.intake_fixtures",  # Maya's evaluation, its intake and link
    "tests.exams.exam_fixtures",  # a checked-in visit, its exam, the clinicians' signed-in clients
]

REQUIRE_SERVICES = os.environ.get("CI") == "true" or os.environ.get("STRIDE_REQUIRE_SERVICES") == "1"


# Tasks this process queues without naming a queue go to one of its own, not Celery's shared "celery" queue:
# two xdist workers (or two checkouts on one Redis) would otherwise run each other's tasks against the wrong
# test database. The workers the tests start are given a queue of their own as well (-Q).
TEST_QUEUE = f"stride-tests-{os.environ.get('PYTEST_XDIST_WORKER', 'main')}-{uuid.uuid4().hex[:8]}"


def pytest_configure(config):
    from clinic.celery import app

    app.conf.task_default_queue = TEST_QUEUE


def pytest_unconfigure(config):
    if _redis_available():
        import redis

        redis.Redis.from_url(settings.CELERY_BROKER_URL).delete(
            TEST_QUEUE, f"_kombu.binding.{TEST_QUEUE}", f"_kombu.binding_permanent.{TEST_QUEUE}"
        )


def _redis_available():
    if not settings.CELERY_BROKER_URL.startswith("redis"):
        return False
    import redis

    try:
        return redis.Redis.from_url(settings.CELERY_BROKER_URL, socket_connect_timeout=1).ping()
    except redis.RedisError:
        return False


def pytest_runtest_setup(item):
    needs = []
    if item.get_closest_marker("postgres") and connection.vendor != "postgresql":
        needs.append("PostgreSQL (set DATABASE_URL)")
    if item.get_closest_marker("redis") and not _redis_available():
        needs.append("Redis (set CELERY_BROKER_URL=redis://...)")
    if needs:
        message = f"needs {', '.join(needs)}"
        if REQUIRE_SERVICES:
            pytest.fail(f"{message}: CI must run every test on PostgreSQL and Redis", pytrace=False)
        pytest.skip(message)


# Tests hash with MD5: a PBKDF2 hash costs a few hundred milliseconds, paid for every user a test makes and
# every password sign-in. Production keeps Django's default hashers (tests/clinic/test_password_hashing.py
# checks them with the real hasher); the password validators are untouched, so weak passwords are refused.
FAST_PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]


@pytest.fixture(scope="session", autouse=True)
def _fast_password_hasher():
    from django.test import override_settings

    with override_settings(PASSWORD_HASHERS=FAST_PASSWORD_HASHERS):
        yield


@pytest.fixture(autouse=True)
def _private_media(settings, tmp_path):
    settings.MEDIA_ROOT = str(tmp_path / "media")


@pytest.fixture(autouse=True)
def _fresh_cache():
    """Each test starts with an empty cache (cached settings rows would outlive a rolled-back test)."""
    from django.core.cache import cache

    cache.clear()
    yield
    cache.clear()


@pytest.fixture
def make_user(db):
    def make(role=None, **kwargs):
        user = UserFactory(role=role, **kwargs)
        if role == roles.ADMIN:
            user.is_staff = True
            user.save(update_fields=["is_staff"])
        return user

    return make


@pytest.fixture
def front_desk(make_user):
    return make_user(roles.FRONT_DESK, email="desk@stride.test")


@pytest.fixture
def clinician(make_user):
    return make_user(roles.CLINICIAN, email="clinician@stride.test")


@pytest.fixture
def admin_user(make_user):
    return make_user(roles.ADMIN, email="boss@stride.test")


@pytest.fixture
def patient_user(make_user):
    return make_user(roles.PATIENT, email="me@example.com")


@pytest.fixture
def patient(db):
    return PatientFactory(first_name="Maya", last_name="Okafor")


@pytest.fixture
def desk_client(client, front_desk):
    sign_in(client, front_desk)
    return client
