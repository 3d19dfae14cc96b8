"""Remember this computer: a clinic computer skips the sign-in code for 30 days (the password is still asked)."""

from datetime import timedelta

import pytest
from django.test import Client
from django.utils import timezone
from django_otp.plugins.otp_totp.models import TOTPDevice

from clinic import roles, trusted_devices
from clinic.models import AuditEvent, TrustedDevice
from tests.factories import PASSWORD, next_sign_in_code, sign_in, staff_device

WINDOWS_CHROME = ("Mozilla/5.0 (Windows NT 10.0; Win64; x64) AppleWebKit/537.36 (KHTML, like Gecko) "
                  "Chrome/126.0.0.0 Safari/537.36")


def _password(client, user):
    return client.post("/accounts/login/", {"username": user.email, "password": PASSWORD, "next": "/patients/"})


def _code(client, user, *, remember, **extra):
    data = {"code": next_sign_in_code(staff_device(user)), "next": "/patients/"}
    if remember:
        data["remember"] = "on"
    return client.post("/accounts/two-factor/", data, HTTP_USER_AGENT=WINDOWS_CHROME, **extra)


def _asks_for_the_code(client):
    response = client.get("/patients/")
    return response.status_code == 302 and response.url.startswith("/accounts/two-factor/")


def _sign_out(client):
    client.post("/accounts/logout/")
    assert client.get("/patients/").status_code == 302


@pytest.fixture
def remembered(client, front_desk):
    """The front desk ticked "Remember this computer" on this browser, then signed out."""
    _password(client, front_desk)
    assert _code(client, front_desk, remember=True).status_code == 302
    _sign_out(client)
    return TrustedDevice.objects.get(user=front_desk)


def test_the_code_page_offers_to_remember_this_computer_for_30_days(client, front_desk):
    staff_device(front_desk)
    _password(client, front_desk)
    page = client.get("/accounts/two-factor/")
    assert b"Remember this computer for 30 days" in page.content and b'type="checkbox" name="remember"' in page.content


def test_a_remembered_computer_skips_the_code_but_still_asks_the_password(client, front_desk, remembered):
    assert remembered.label == "Chrome on Windows"
    assert remembered.expires_at - timezone.now() > timedelta(days=29, hours=23)

    assert client.get("/patients/").status_code == 302  # signed out: the password first
    response = _password(client, front_desk)
    assert response.status_code == 302 and response.url == "/patients/"
    assert client.get("/patients/").status_code == 200  # no code asked
    remembered.refresh_from_db()
    assert remembered.last_used_at is not None


def test_without_the_tick_the_code_is_asked_every_time(client, front_desk):
    _password(client, front_desk)
    _code(client, front_desk, remember=False)
    assert "stride_remembered" not in client.cookies or not client.cookies["stride_remembered"].value
    _sign_out(client)
    _password(client, front_desk)
    assert _asks_for_the_code(client)
    assert not TrustedDevice.objects.exists()


def test_the_cookie_is_signed_httponly_and_secure_over_https(client, front_desk, settings):
    _password(client, front_desk)
    response = _code(client, front_desk, remember=True)
    cookie = response.cookies["stride_remembered"]
    assert cookie["httponly"] and not cookie["secure"] and cookie["max-age"] == 30 * 24 * 3600
    device = TrustedDevice.objects.get()
    assert cookie.value.startswith(f"{device.pk}:") and cookie.value.count(":") >= 2  # the secret, then a signature
    assert device.secret_hash not in cookie.value  # the row keeps only the secret's hash

    https = Client()
    https.post("/accounts/login/", {"username": front_desk.email, "password": PASSWORD}, secure=True)
    secure = _code(https, front_desk, remember=True, secure=True)
    assert secure.cookies["stride_remembered"]["secure"]


def test_a_revoked_computer_asks_for_the_code_again(client, front_desk, remembered):
    trusted_devices.revoke(remembered)
    _password(client, front_desk)
    assert _asks_for_the_code(client)


def test_an_expired_computer_asks_for_the_code_again(client, front_desk, remembered):
    TrustedDevice.objects.filter(pk=remembered.pk).update(expires_at=timezone.now() - timedelta(seconds=1))
    _password(client, front_desk)
    assert _asks_for_the_code(client)


def test_another_persons_remembered_entry_does_not_skip_their_colleagues_code(client, front_desk, remembered,
                                                                             make_user):
    colleague = make_user(roles.FRONT_DESK, email="colleague@stride.test")
    staff_device(colleague)
    _password(client, colleague)
    assert _asks_for_the_code(client)

    # Both remembered on one front-desk computer: each entry opens only its own person's sessions.
    client.post("/accounts/two-factor/", {"code": next_sign_in_code(staff_device(colleague)), "remember": "on"})
    _sign_out(client)
    for person in (front_desk, colleague):
        _password(client, person)
        assert client.get("/patients/").status_code == 200, person.email
        _sign_out(client)


def test_a_tampered_cookie_is_ignored(client, front_desk, remembered):
    pk_and_secret, _, signature = client.cookies["stride_remembered"].value.rpartition(":")
    client.cookies["stride_remembered"] = f"{pk_and_secret}x:{signature}"
    _password(client, front_desk)
    assert _asks_for_the_code(client)


def test_resetting_the_authenticator_app_forgets_the_remembered_computers(client, front_desk, remembered):
    TOTPDevice.objects.filter(user=front_desk).delete()  # an admin resets a lost phone
    remembered.refresh_from_db()
    assert remembered.revoked and remembered.revoked_at is not None
    _password(client, front_desk)
    response = client.get("/patients/")
    assert response.status_code == 302 and response.url.startswith("/accounts/two-factor/")


def test_an_admin_sees_a_users_remembered_computers_and_revokes_one_audited(client, admin_user, front_desk, remembered,
                                                                         django_assert_max_num_queries):
    admin = sign_in(Client(), admin_user)
    user_page = admin.get(f"/admin/clinic/user/{front_desk.pk}/change/")
    assert b"Remembered computers" in user_page.content and b"Chrome on Windows" in user_page.content

    with django_assert_max_num_queries(5):
        listing = admin.get(f"/admin/clinic/trusteddevice/?user__id__exact={front_desk.pk}")
    assert listing.status_code == 200 and b"Chrome on Windows" in listing.content
    for n in range(3):  # more rows cost no more queries
        TrustedDevice.objects.create(user=front_desk, label=f"Firefox on Linux {n}", secret_hash="x" * 64,
                                     expires_at=timezone.now() + timedelta(days=30))
    with django_assert_max_num_queries(5):
        more = admin.get(f"/admin/clinic/trusteddevice/?user__id__exact={front_desk.pk}").content
    assert all(f"Firefox on Linux {n}".encode() in more for n in range(3))
    response = admin.post("/admin/clinic/trusteddevice/", {
        "action": "revoke_selected", "_selected_action": [remembered.pk]}, follow=True)
    assert TrustedDevice.objects.filter(revoked=True).count() == 1  # only the one selected
    assert b"ask for the sign-in code again" in response.content
    remembered.refresh_from_db()
    assert remembered.revoked
    (event,) = AuditEvent.objects.filter(object_type="clinic.TrustedDevice", action="change")
    assert event.actor == admin_user and event.changes["revoked"] == [False, True]

    _password(client, front_desk)  # the front desk's computer still has its cookie, which no longer skips the code
    assert _asks_for_the_code(client)


def test_an_admin_revokes_from_the_users_page_too(client, admin_user, front_desk, remembered):
    admin = sign_in(Client(), admin_user)
    data = {
        "email": front_desk.email, "first_name": front_desk.first_name, "last_name": front_desk.last_name,
        "is_active": "on", "role": "Front desk",
        "date_joined_0": "2024-01-01", "date_joined_1": "09:00:00",
        "trusted_devices-TOTAL_FORMS": "1", "trusted_devices-INITIAL_FORMS": "1",
        "trusted_devices-MIN_NUM_FORMS": "0", "trusted_devices-MAX_NUM_FORMS": "1000",
        "trusted_devices-0-id": remembered.pk, "trusted_devices-0-user": front_desk.pk,
        "trusted_devices-0-revoked": "on",
    }
    response = admin.post(f"/admin/clinic/user/{front_desk.pk}/change/", data)
    assert response.status_code == 302, response.context["adminform"].form.errors if response.context else ""
    remembered.refresh_from_db()
    assert remembered.revoked
    assert AuditEvent.objects.filter(object_type="clinic.TrustedDevice", action="change", actor=admin_user).exists()
    _password(client, front_desk)
    assert _asks_for_the_code(client)


def test_only_admins_open_remembered_computers_in_the_admin(front_desk, admin_user, remembered):
    desk = sign_in(Client(), front_desk)
    assert desk.get("/admin/clinic/trusteddevice/").status_code == 302  # the staff admin is for admins
    assert desk.get(f"/admin/clinic/user/{front_desk.pk}/change/").status_code == 302
    assert sign_in(Client(), admin_user).get("/admin/clinic/trusteddevice/").status_code == 200


@pytest.mark.parametrize("agent,label", [
    (WINDOWS_CHROME, "Chrome on Windows"),
    ("Mozilla/5.0 (Macintosh; Intel Mac OS X 14_5) AppleWebKit/605.1.15 (KHTML, like Gecko) Version/17.5 "
     "Safari/605.1.15", "Safari on macOS"),
    ("Mozilla/5.0 (X11; Linux x86_64; rv:127.0) Gecko/20100101 Firefox/127.0", "Firefox on Linux"),
    ("Mozilla/5.0 (Windows NT 10.0; Win64; x64) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/126.0.0.0 "
     "Safari/537.36 Edg/126.0.0.0", "Edge on Windows"),
    ("Mozilla/5.0 (iPad; CPU OS 17_5 like Mac OS X) AppleWebKit/605.1.15 (KHTML, like Gecko) Version/17.5 "
     "Mobile/15E148 Safari/604.1", "Safari on iPad"),
    ("", "Unknown browser"),
])
def test_a_remembered_computer_is_labelled_by_its_browser_and_system(agent, label):
    assert trusted_devices.label_for(agent) == label
