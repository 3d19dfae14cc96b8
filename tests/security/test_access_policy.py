"""Every route, every role, against objects that belong to someone else: tests/security/access_policy.csv.

Each row is a route name and method with, per role, `allow`, `deny` or `n/a` (405: no such method). The test walks every URL pattern
(the staff admin's as one `admin:*` row) and fails for a route with no row, so a new route cannot land
without a decision. A request is refused when it answers 401, 403 or 404, or sends the visitor to sign in;
anything else (a page, a redirect elsewhere, a form's 400) means the view let the role through. Signed
links (booking, intake, messages, feeds, password reset) are capabilities: whoever holds the link may use
it, so their rows allow everyone, and the last test checks that a tampered link opens nothing.
Requests run in a savepoint that is rolled back, so a POST that is allowed changes nothing for the next.

Record mode (STRIDE_RECORD_POLICY=1) rewrites the CSV from what the app does: review the diff by hand.
"""

import csv
import os
from datetime import timedelta
from pathlib import Path

import pytest
from django.conf import settings
from django.contrib.auth.tokens import default_token_generator
from django.core.cache import cache
from django.core.files.uploadedfile import SimpleUploadedFile
from django.db import transaction
from django.test import Client
from django.urls import URLPattern, URLResolver, get_resolver, reverse
from django.utils import timezone
from django.utils.encoding import force_bytes
from django.utils.http import urlsafe_base64_encode

from clinic import roles
from clinic.sessions import SessionStore
from intake import links as intake_links
from intake.models import IntakeSignature, RedFlagAlert
from notifications import links as notification_links
from notifications.models import Notification
from patients import services as patient_services
from patients.models import Consent, PatientDocument
from scheduling import links as scheduling_links
from scheduling.models import WaitlistEntry
from tests.exams.exam_fixtures import make_visit, submitted_intake
from tests.factories import PatientFactory, sign_in
from tests.intake import signature_pngs

POLICY = Path(__file__).with_name("access_policy.csv")
ROLES = ["anonymous", "patient_a", "patient_b", "front_desk", "clinician", "other_clinician", "admin"]
METHODS = ["GET", "POST"]
RECORD = os.environ.get("STRIDE_RECORD_POLICY") == "1"


def _routes(resolver=None, namespace=""):
    for pattern in (resolver or get_resolver()).url_patterns:
        if isinstance(pattern, URLResolver):
            inner = f"{namespace}:{pattern.namespace}" if namespace and pattern.namespace else (
                pattern.namespace or namespace)
            yield from _routes(pattern, inner or "")
        elif isinstance(pattern, URLPattern) and pattern.name:
            yield f"{namespace}:{pattern.name}" if namespace else pattern.name


def _policy_key(route):
    return "admin:*" if route.startswith("admin:") else route


def _load_policy():
    with POLICY.open() as f:
        return {(row["route"], row["method"]): row for row in csv.DictReader(f)}


@pytest.fixture
def world(db, make_user, dr_rivera, dr_chen, follow_up, location, front_desk):
    """Patient A (with a sign-in) seen by Dr Rivera, with one of everything; patient B with their own sign-in."""
    user_a = make_user(roles.PATIENT, email="a@example.com")
    user_b = make_user(roles.PATIENT, email="b@example.com")
    a = PatientFactory(first_name="Ada", last_name="Owner", user=user_a)
    PatientFactory(first_name="Ben", last_name="Other", user=user_b)
    # Earlier today (an hour ago, or midnight in the hour after it): a visit on yesterday's date would have
    # closed its intake link, whatever the hour CI runs at.
    midnight = timezone.localtime().replace(hour=0, minute=0, second=0, microsecond=0)
    visit = make_visit(a, dr_rivera, visit_type=follow_up, location=location,
                       start=max(timezone.now().replace(second=0, microsecond=0) - timedelta(hours=1), midnight))
    upcoming = make_visit(a, dr_rivera, visit_type=follow_up, location=location, status="booked",
                          start=timezone.now().replace(second=0, microsecond=0) + timedelta(days=3))
    intake = submitted_intake(a, visit)
    IntakeSignature.objects.create(intake=intake, png=signature_pngs.png())  # signed by drawing
    alert = RedFlagAlert.objects.create(patient=a, appointment=visit, intake=intake, urgency="urgent", flags=[])
    from exams import services as exam_services

    exam, _ = exam_services.exam_start(appointment=visit, clinician=dr_rivera)
    document = PatientDocument.objects.create(patient=a, kind="imaging", title="MRI",
                                              file=SimpleUploadedFile("mri.pdf", b"%PDF-1.4 scan"))
    Consent.objects.create(patient=a, kind="treatment", signed_name="Ada Owner")
    [contact_change] = patient_services.contact_change_propose(patient=a, email="typed.online@example.com")
    notification = Notification.objects.create(patient=a, appointment=upcoming, kind="reminder", channel="email",
                                               due_at=timezone.now(), occasion="48h")
    waiting = WaitlistEntry.objects.create(patient=a, visit_type=follow_up, earliest_date=timezone.localdate(),
                                           latest_date=timezone.localdate() + timedelta(days=7))
    admin = make_user(roles.ADMIN, email="admin@stride.test")
    users = {"anonymous": None, "patient_a": user_a, "patient_b": user_b, "front_desk": front_desk,
             "clinician": dr_rivera.user, "other_clinician": dr_chen.user, "admin": admin}
    kwargs = {
        "mrn": a.mrn, "appointment_id": visit.pk, "step": "goals", "section": "history",
        "token": None, "uidb64": urlsafe_base64_encode(force_bytes(user_b.pk)),
    }
    by_route = {
        "patients:document": {"mrn": a.mrn, "pk": document.pk},
        "patients:contact-change": {"mrn": a.mrn, "pk": contact_change.pk},
        "intake:summary": {"pk": intake.pk}, "intake:signature": {"pk": intake.pk},
        "intake:acknowledge": {"pk": alert.pk},
        "scheduling:waitlist-remove": {"pk": waiting.pk}, "scheduling:feed-reset": {"pk": dr_rivera.pk},
        "scheduling:feed": {"token": dr_rivera.calendar_token},
        "notifications:resend": {"pk": notification.pk},
        "clinic-text": {"kind": "privacy-notice"}, "clinic-text-version": {"kind": "privacy-notice", "version": 1},
        "password_reset_confirm": {"uidb64": kwargs["uidb64"], "token": default_token_generator.make_token(user_b)},
    }
    for name in ("booking:confirmed", "booking:manage", "booking:ics", "booking:reschedule", "booking:cancel",
                 "booking:video", "booking:confirm-visit"):
        by_route[name] = {"token": scheduling_links.manage_token(upcoming)}
    for name in ("notifications:patient-confirm", "notifications:patient-cancel"):
        by_route[name] = {"token": notification_links.action_token(upcoming)}
    token = intake_links.token_for(intake)
    for name in ("intake:resume", "intake:done", "intake:answers", "intake:answers-signature", "intake:email-copy",
                 "intake_api:submit"):
        by_route[name] = {"token": token}
    for name in ("intake:copy", "intake:copy-signature"):
        by_route[name] = {"token": intake_links.copy_token_for(intake)}
    for name in ("intake:step", "intake_api:save-step"):
        by_route[name] = {"token": token, "step": "goals"}
    pk_of = {"exam": exam.pk, "scheduling": visit.pk, "api": visit.pk, "notifications": visit.pk}
    return {"users": users, "kwargs": kwargs, "by_route": by_route, "pk_of": pk_of}


def _url(route, world):
    if route.startswith("admin:"):
        return "/admin/"
    pattern_kwargs = world["by_route"].get(route)
    if pattern_kwargs is None:
        for attempt in ({}, {"mrn": world["kwargs"]["mrn"]}, {"pk": world["pk_of"].get(route.split(":")[0])},
                        {"appointment_id": world["kwargs"]["appointment_id"]},
                        {"pk": world["pk_of"].get(route.split(":")[0]), "section": "history"}):
            try:
                return reverse(route, kwargs={k: v for k, v in attempt.items() if v is not None})
            except Exception:
                continue
        raise AssertionError(f"no arguments known for {route}")
    return reverse(route, kwargs=pattern_kwargs)


def _outcome(response):
    if response.status_code == 405:
        return "n/a"  # the route does not take this method, whoever asks
    if response.status_code in (401, 403, 404):
        return "deny"
    location = response.get("Location", "")
    if response.status_code in (301, 302) and ("/accounts/login/" in location or "/admin/login/" in location):
        return "deny"
    return "allow"


def _sessions(world):
    """Each role signs in once (staff with both steps); every probe sends that session's cookie afresh."""
    return {role: user and sign_in(Client(), user).session.session_key for role, user in world["users"].items()}


def _probe(route, method, role, world, sessions):
    client = Client()
    if sessions[role]:
        client.cookies[settings.SESSION_COOKIE_NAME] = sessions[role]
    url = _url(route, world)
    with transaction.atomic():
        response = client.get(url) if method == "GET" else client.post(url, {})
        transaction.set_rollback(True)
    # The session's row is rolled back with the rest; drop its cached copy too, which may hold what this
    # request wrote (or have been deleted by a sign-out), so the next probe starts from the signed-in session.
    if sessions[role]:
        cache.delete(SessionStore.cache_key_prefix + sessions[role])
    return _outcome(response)


def test_every_route_has_a_row_in_the_access_policy():
    policy = _load_policy() if POLICY.exists() else {}
    known = {route for route, _ in policy}
    missing = sorted({_policy_key(r) for r in _routes()} - known)
    assert not missing or RECORD, f"routes without an access policy row in {POLICY.name}: {missing}"


PARTS = 4  # the matrix in four parts, so the parallel run shares it out between its processes


@pytest.mark.parametrize("part", range(PARTS))
def test_each_role_gets_exactly_what_the_policy_allows_on_someone_elses_objects(world, part):
    if RECORD and part:
        pytest.skip("recording: the first part records every route")
    routes = sorted({_policy_key(r) for r in _routes()})[part::1 if RECORD else PARTS]
    observed, sessions = {}, _sessions(world)
    for route in routes:
        probe_route = "admin:index" if route == "admin:*" else route
        for method in METHODS:
            observed[(route, method)] = {role: _probe(probe_route, method, role, world, sessions) for role in ROLES}
    if RECORD:
        with POLICY.open("w", newline="") as f:
            writer = csv.DictWriter(f, ["route", "method", *ROLES])
            writer.writeheader()
            for (route, method), row in observed.items():
                writer.writerow({"route": route, "method": method, **row})
        pytest.skip("recorded the policy: review the diff")
    policy = _load_policy()
    wrong = [
        f"{route} {method} as {role}: expected {policy[(route, method)][role]}, got {got}"
        for (route, method), row in observed.items() for role, got in row.items()
        if policy[(route, method)][role] != got
    ]
    assert not wrong, "\n".join(wrong)


def test_a_tampered_signed_link_opens_nothing(world, client):
    for route, kwargs in world["by_route"].items():
        if "token" not in kwargs or route == "password_reset_confirm":
            continue
        token = kwargs["token"]
        forged = token[:-3] + ("AAA" if not token.endswith("AAA") else "BBB")
        for method in METHODS:
            url = reverse(route, kwargs={**kwargs, "token": forged})
            with transaction.atomic():
                response = client.get(url) if method == "GET" else client.post(url, {})
                transaction.set_rollback(True)
            assert _outcome(response) in ("deny", "n/a"), f"{method} {route} with a forged token: {response.status_code}"
