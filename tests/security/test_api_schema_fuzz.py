"""Schemathesis against the schema the app serves at /api/schema/: no 5xx, answers as documented, bad input refused.

Every operation is fuzzed in-process (Django's WSGI handler on the test database) once as an anonymous caller and
once signed in as an admin: schemathesis' coverage phase (boundaries, wrong types, missing fields, other methods)
and its fuzzing phase with valid and invalid (negative) input, a fixed number of examples and a fixed seed so CI
is repeatable. In most fuzzing cases the ids, record numbers, links and times of the valid parts of a request are swapped for real ones (a booked
visit, a patient with exams and scores, a live intake link, a Monday the clinicians work), so requests reach the
objects and the booking code behind them, not only the 400s and 404s.

positive_data_acceptance is the one check left out (see `_load`). Runs in about a minute on two cores.
"""

import os
import sys
import traceback
from datetime import timedelta

import pytest
import schemathesis
from django.contrib.sessions.models import Session
from django.core.cache import cache
from django.core.signals import got_request_exception, request_finished, request_started
from django.core.wsgi import get_wsgi_application
from django.db import close_old_connections
from django.test import Client
from django.utils import timezone
from hypothesis import HealthCheck, settings
from hypothesis import strategies as st

from exams import services as exam_services
from intake.models import INTAKE_STEPS, RedFlagAlert
from scheduling.models import Room
from tests.exams.exam_fixtures import make_visit, sign, submitted_intake
from tests.factories import sign_in
from tests.scheduling.conftest import NY, local

# Fixed so CI is repeatable; set them to dig deeper locally (e.g. SCHEMA_FUZZ_EXAMPLES=300 SCHEMA_FUZZ_SEEDS=7).
# Three seeds explore three different corners (one seed alone missed year-9999 dates); each is its own set of
# tests, so parallel workers spread them.
SEEDS = [int(seed) for seed in os.environ.get("SCHEMA_FUZZ_SEEDS", "20260501,7,1913").split(",")]
MAX_EXAMPLES = int(os.environ.get("SCHEMA_FUZZ_EXAMPLES", "12"))  # per operation, caller and seed; fuzzing only
REAL = {}  # the current test's real values, by where they go and parameter name
# The calendar's ends, next to real ids: generation draws years uniformly, so it almost never lands on the last days
# of year 9999 (where a visit's end or a week's range overflows) or the years before time zones (local mean time).
EDGES = {
    ("query", "start"): ["9999-12-31", "9999-12-28", "0001-01-01"],
    ("query", "end"): ["9999-12-31", "0001-01-02"],
    ("body", "start"): ["9999-12-31T23:45:00-05:00", "9999-12-31T23:45:00", "0001-01-01T00:00:00+14:00",
                        "0217-05-01T10:00:00"],
}
ADMIN_SESSION = "schemafuzzadminsession0000000001"
CSRF_TOKEN = "SchemaFuzzCsrfToken0000000000001"

APP = get_wsgi_application()


def _made_invalid(case, where):
    """Whether schemathesis made this part of the request invalid on purpose: a real value swapped in could
    replace the very value that breaks the schema, and a valid request would then be reported as accepted."""
    components = case.meta.components if case.meta is not None else {}
    return any(str(getattr(location, "value", location)) == where and info.mode.name == "NEGATIVE"
               for location, info in components.items())


def _with_real_values(context, case):
    """Swap each id, record number, link and time, each in about three cases in four and independently of the others,
    for a real one of the same JSON type (a negative value of another type stays as generated): the request reaches the
    object or the booking behind it, sometimes with a generated time next to real ids (year 9999 for a real clinician)."""
    slots = []
    for where, container in (("path", case.path_parameters), ("query", case.query), ("body", case.body)):
        if not isinstance(container, dict) or _made_invalid(case, where):
            continue
        for name, value in container.items():
            candidates = [real for real in REAL.get(where, {}).get(name, ()) if type(real) is type(value)]
            if candidates:
                slots.append((container, name, candidates, [e for e in EDGES.get((where, name), ()) if
                                                            type(e) is type(value)]))
    if not slots:
        return st.just(case)

    def swap(choices):
        for (container, name, _, _), choice in zip(slots, choices, strict=True):
            container[name] = choice
        return case

    def one(container, name, candidates, edges):
        kept = container[name]
        return st.sampled_from([True, True, True, False]).flatmap(
            lambda real: st.sampled_from(candidates) if real else st.sampled_from([kept, kept, *edges]))

    return st.tuples(*(one(*slot) for slot in slots)).map(swap)


def _load(*, seed, coverage_for, **generation):
    """The schema as served, with this run's settings: `coverage_for` names the tag whose operations get the
    coverage phase; the others are fuzzed only (for them the coverage cases repeat the other run's, or are all
    refused with a 403 before the input is read), which keeps the file to about a minute."""
    config = schemathesis.Config.from_dict({
        "seed": seed,
        "generation": {"max-examples": MAX_EXAMPLES, "deterministic": True, "database": "none", **generation},
        "checks": {
            # Valid by the schema is not valid for the clinic: a visit type id that does not exist, a phone number
            # that is not one, an end date before the start. OpenAPI cannot say these; they are 400s with a message.
            "positive_data_acceptance": {"enabled": False},
        },
        "operations": [{"exclude-tag": coverage_for, "phases": {"coverage": {"enabled": False}}}],
    })
    schema = schemathesis.openapi.from_wsgi("/api/schema/?format=json", APP, config=config)
    schema.hook("flatmap_case")(_with_real_values)
    return schema


class SignedInAdmin:
    """The admin's session (see `signed_in_admin`), and the CSRF token in the cookie and the header as a browser
    sends them. Fixed values: schemathesis builds its coverage cases, with their auth, before any test runs."""

    def get(self, case, context):
        return {"cookies": {"sessionid": ADMIN_SESSION, "csrftoken": CSRF_TOKEN}, "headers": {"X-CSRFToken": CSRF_TOKEN}}

    def set(self, case, data, context):
        case.cookies = {**(case.cookies or {}), **data["cookies"]}
        case.headers = {**(case.headers or {}), **data["headers"]}


@pytest.fixture
def escaped():
    """Requests go through Django's WSGI handler, which closes the database connection when a request ends; as
    the test client does, keep it open so every request sees (and rolls back with) the test's transaction. An
    exception a view lets escape is kept, so a 500 fails with its traceback."""
    errors = []

    def keep(sender, request=None, **kwargs):
        errors.append(sys.exc_info()[1])

    request_started.disconnect(close_old_connections)
    request_finished.disconnect(close_old_connections)
    got_request_exception.connect(keep, weak=False, dispatch_uid="schema-fuzz")
    yield errors
    got_request_exception.disconnect(dispatch_uid="schema-fuzz")
    request_started.connect(close_old_connections)
    request_finished.connect(close_old_connections)


@pytest.fixture
def real(appointment, intake, token, exam, patient, dr_rivera, dr_chen, follow_up, telehealth_consult,  # noqa: F811
         location, monday):  # noqa: F811
    """A booked visit with an open intake link; a patient with a draft exam, a signed one with an addendum, intake
    scores and a red flag no one has acknowledged yet; two clinicians working Monday to Friday."""
    baseline = submitted_intake(patient, exam.appointment)
    RedFlagAlert.objects.create(patient=patient, intake=baseline, urgency="urgent", flags=[])
    earlier = make_visit(patient, dr_rivera, visit_type=follow_up, location=location,
                         start=timezone.now().replace(microsecond=0) - timedelta(days=7))
    signed, _ = exam_services.exam_start(appointment=earlier, clinician=dr_rivera)
    exam_services.exam_add_addendum(exam=sign(signed, dr_rivera), author=dr_rivera.user, text="Pain eased by day 3.")
    refs = {
        "visit_type": [follow_up.pk, telehealth_consult.pk, appointment.visit_type_id],
        "clinician": [dr_rivera.pk, dr_chen.pk],
        "location": [location.pk],
        "room": list(Room.objects.filter(location=location).values_list("pk", flat=True)),
    }
    REAL.update({
        "path": {
            "id": [appointment.pk, exam.appointment.pk, earlier.pk],
            "mrn": [appointment.patient.mrn, patient.mrn],
            "token": [token],
            "step": list(INTAKE_STEPS),
        },
        "query": {**refs, "start": [monday.isoformat()], "end": [monday.isoformat(), (monday + timedelta(6)).isoformat()]},
        "body": {
            **refs,
            "patient": [patient.pk, {"first_name": "Ana", "last_name": "Silva", "date_of_birth": "1987-05-14",
                                     "email": "ana@example.com", "phone": "617-555-0187"}],
            "start": [local(monday, 14).astimezone(NY).isoformat(), f"{monday.isoformat()}T15:30:00",
                      local(monday, 10).isoformat()],
        },
    })
    yield REAL
    REAL.clear()


@pytest.fixture
def signed_in_admin(admin_user):
    """The admin signs in; the session is stored under the key the auth above sends."""
    client = Client()
    sign_in(client, admin_user)
    Session.objects.filter(session_key=client.cookies["sessionid"].value).update(session_key=ADMIN_SESSION)
    return admin_user


def _call_and_validate(case, escaped):
    escaped.clear()
    cache.clear()  # the public booking throttle would answer 429 to everything after the tenth request
    try:
        case.call_and_validate()
    except Exception as exc:
        for error in escaped:
            exc.add_note("".join(traceback.format_exception(error)))
        raise
    assert not escaped, "".join(traceback.format_exception(escaped[0]))


FUZZ = settings(deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow])


def _anonymous_test(schema):
    @schema.parametrize()
    @FUZZ
    def test(case, real, escaped):
        _call_and_validate(case, escaped)
    return test


def _staff_test(schema):
    schema.auth()(SignedInAdmin)

    @schema.parametrize()
    @FUZZ
    def test(case, real, signed_in_admin, escaped):
        _call_and_validate(case, escaped)
    return test


# The coverage phase is deterministic (the same cases whatever the seed): only the first seed runs it.
for _n, _seed in enumerate(SEEDS):
    _coverage = ("public", "staff") if _n == 0 else ("none", "none")
    globals()[f"test_anonymous_callers_get_documented_answers_and_bad_input_is_refused_seed_{_seed}"] = _anonymous_test(
        _load(seed=_seed, coverage_for=_coverage[0]))
    globals()[f"test_signed_in_staff_get_documented_answers_and_bad_input_is_refused_seed_{_seed}"] = _staff_test(
        _load(seed=_seed, coverage_for=_coverage[1], **{"with-security-parameters": False}))
