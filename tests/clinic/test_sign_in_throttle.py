"""Wrong passwords pause an account and an address for a while, never for good."""

from datetime import timedelta

from axes.models import AccessAttempt
from django.core import mail
from django.db.models import F
from django.test import Client
from django.utils import timezone

from tests.factories import PASSWORD


def _attempt(email, password, address):
    return Client(REMOTE_ADDR=address).post("/accounts/login/", {"username": email, "password": password})


def test_guessing_one_patients_password_from_many_addresses_pauses_that_account(patient_user, settings):
    for n in range(settings.AXES_FAILURE_LIMIT):
        _attempt(patient_user.email, f"guess-{n}", f"203.0.113.{n + 1}")
    response = _attempt(patient_user.email, PASSWORD, "198.51.100.7")  # the owner, from home
    assert response.status_code == 429 and b"Too many sign-in attempts" in response.content


def test_trying_many_accounts_from_one_address_pauses_that_address(make_user, settings):
    users = [make_user(email=f"p{n}@example.com") for n in range(settings.AXES_FAILURE_LIMIT + 1)]
    for user in users[:-1]:
        _attempt(user.email, "Winter2026!", "203.0.113.9")
    assert _attempt(users[-1].email, PASSWORD, "203.0.113.9").status_code == 429
    assert _attempt(users[-1].email, PASSWORD, "198.51.100.7").status_code == 302  # elsewhere: fine


def test_the_pause_ends_by_itself_after_fifteen_minutes(patient_user, settings):
    for n in range(settings.AXES_FAILURE_LIMIT):
        _attempt(patient_user.email, f"guess-{n}", "203.0.113.1")
    assert _attempt(patient_user.email, PASSWORD, "198.51.100.7").status_code == 429
    AccessAttempt.objects.update(attempt_time=timezone.now() - timedelta(minutes=16))
    assert _attempt(patient_user.email, PASSWORD, "198.51.100.7").status_code == 302


def test_a_password_reset_lets_the_owner_straight_back_in(patient_user, settings):
    for n in range(settings.AXES_FAILURE_LIMIT):
        _attempt(patient_user.email, f"guess-{n}", f"203.0.113.{n + 1}")
    owner = Client(REMOTE_ADDR="198.51.100.7")
    owner.post("/accounts/password_reset/", {"email": patient_user.email})
    link = next(line for line in mail.outbox[0].body.splitlines() if "/accounts/reset/" in line).strip()
    form = owner.get(link[link.index("/accounts/reset/"):], follow=True)
    new_password = "my-new-passphrase-77"
    owner.post(form.request["PATH_INFO"], {"new_password1": new_password, "new_password2": new_password})
    response = owner.post("/accounts/login/", {"username": patient_user.email, "password": new_password})
    assert response.status_code == 302


def test_behind_the_load_balancer_one_clients_guesses_do_not_pause_everyone(make_user, settings):
    settings.NUM_PROXIES = 1
    users = [make_user(email=f"q{n}@example.com") for n in range(settings.AXES_FAILURE_LIMIT + 1)]

    def through_proxy(email, password, client_address):
        return Client(REMOTE_ADDR="10.0.0.2", HTTP_X_FORWARDED_FOR=client_address).post(
            "/accounts/login/", {"username": email, "password": password})

    for user in users[:-1]:
        through_proxy(user.email, "Winter2026!", "203.0.113.9")
    assert through_proxy(users[-1].email, PASSWORD, "203.0.113.9").status_code == 429  # the guesser
    assert through_proxy(users[-1].email, PASSWORD, "198.51.100.7").status_code == 302  # everyone else


def test_more_guesses_during_the_pause_do_not_extend_it(patient_user, settings):
    for n in range(settings.AXES_FAILURE_LIMIT):
        _attempt(patient_user.email, f"guess-{n}", "203.0.113.1")
    AccessAttempt.objects.update(attempt_time=timezone.now() - timedelta(minutes=14))
    _attempt(patient_user.email, "one-more-guess", "203.0.113.1")  # still paused: refused, not counted longer
    AccessAttempt.objects.update(attempt_time=F("attempt_time") - timedelta(minutes=2))
    assert _attempt(patient_user.email, PASSWORD, "198.51.100.7").status_code == 302
