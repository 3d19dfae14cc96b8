"""Staff sign-in takes a password and then a code from an authenticator app (TOTP)."""

import re
from base64 import b32decode

import pytest
from django.core import mail
from django_otp.oath import TOTP
from django_otp.plugins.otp_totp.models import TOTPDevice

from tests.factories import PASSWORD, next_sign_in_code, sign_in, staff_device


def _password_step(client, user, password=PASSWORD, next_url=None):
    data = {"username": user.email, "password": password}
    if next_url:
        data["next"] = next_url
    return client.post("/accounts/login/", data)


def _code_from_setup_page(content):
    key = re.search(rb'data-testid="totp-key">([A-Z2-7 ]+)<', content).group(1).decode().replace(" ", "")
    return f"{TOTP(b32decode(key)).token():06d}"


def test_a_password_alone_opens_no_staff_page_or_api(client, front_desk):
    staff_device(front_desk)
    _password_step(client, front_desk)
    page = client.get("/patients/")
    assert page.status_code == 302 and page.url == "/accounts/two-factor/?next=%2Fpatients%2F"
    api = client.get("/api/v1/appointments/")
    assert api.status_code == 403 and "sign-in code" in api.json()["detail"]


def test_the_staff_admin_needs_the_code_too(client, admin_user):
    staff_device(admin_user)
    _password_step(client, admin_user)
    response = client.get("/admin/")
    assert response.status_code == 302 and response.url.startswith("/accounts/two-factor/")


def test_first_sign_in_sets_up_the_app_with_a_qr_code_and_a_typed_key(client, clinician):
    response = _password_step(client, clinician, next_url="/patients/")
    page = client.get(response.url, follow=True)
    assert b"Set up sign-in codes" in page.content and b"<svg" in page.content
    assert not TOTPDevice.objects.filter(user=clinician, confirmed=True).exists()

    again = client.get("/accounts/two-factor/?next=/patients/")
    code = _code_from_setup_page(again.content)
    assert _code_from_setup_page(page.content) == code  # a reload keeps the same key

    done = client.post("/accounts/two-factor/", {"code": code, "next": "/patients/"})
    assert done.status_code == 302 and done.url == "/patients/"
    assert client.get("/patients/").status_code == 200
    assert TOTPDevice.objects.get(user=clinician).confirmed


def test_a_wrong_code_is_refused_next_to_the_field(client, front_desk):
    staff_device(front_desk)
    _password_step(client, front_desk)
    response = client.post("/accounts/two-factor/", {"code": "000000"})
    assert response.status_code == 400
    assert b"That code is not right" in response.content
    assert client.get("/patients/").status_code == 302

    letters = client.post("/accounts/two-factor/", {"code": "12ab56"})
    assert b"Enter the 6 digits" in letters.content and b'value="12ab56"' in letters.content


def test_the_right_code_opens_the_pages_and_gives_a_new_session_key(client, front_desk):
    device = staff_device(front_desk)
    _password_step(client, front_desk)
    before = client.session.session_key
    response = client.post("/accounts/two-factor/", {"code": next_sign_in_code(device), "next": "/patients/"})
    assert response.status_code == 302 and response.url == "/patients/"
    assert client.session.session_key != before
    assert client.get("/patients/").status_code == 200


def test_a_code_works_only_once(client, client_factory, front_desk):
    device = staff_device(front_desk)
    code = next_sign_in_code(device)
    _password_step(client, front_desk)
    assert client.post("/accounts/two-factor/", {"code": code}).status_code == 302

    other = client_factory()
    _password_step(other, front_desk)
    replay = other.post("/accounts/two-factor/", {"code": code})
    assert replay.status_code == 400 and b"already used" in replay.content
    assert other.get("/patients/").status_code == 302


def test_guessing_codes_slows_down_even_the_right_code(client, front_desk):
    device = staff_device(front_desk)
    _password_step(client, front_desk)
    for _ in range(3):
        client.post("/accounts/two-factor/", {"code": "000000"})
    response = client.post("/accounts/two-factor/", {"code": next_sign_in_code(device)})
    assert response.status_code == 400 and b"Too many wrong codes" in response.content
    assert client.get("/patients/").status_code == 302


def test_a_password_reset_does_not_skip_the_code(client, front_desk):
    staff_device(front_desk)
    client.post("/accounts/password_reset/", {"email": front_desk.email})
    link = next(line for line in mail.outbox[0].body.splitlines() if "/accounts/reset/" in line).strip()
    form = client.get(link[link.index("/accounts/reset/"):], follow=True)
    new_password = "A-brand-new-passphrase-42"
    client.post(form.request["PATH_INFO"], {"new_password1": new_password, "new_password2": new_password})
    assert client.get("/patients/").status_code == 302  # not signed in by the reset

    _password_step(client, front_desk, password=new_password)
    response = client.get("/patients/")
    assert response.status_code == 302 and response.url.startswith("/accounts/two-factor/")
    assert b"Enter your sign-in code" in client.get(response.url).content  # the same app, not a new setup


def test_patients_sign_in_without_a_code(client, patient_user):
    _password_step(client, patient_user)
    assert client.get("/").status_code == 200
    assert client.get("/accounts/two-factor/").status_code == 403


def test_resetting_a_lost_phone_ends_the_staff_members_sessions(client, front_desk):
    sign_in(client, front_desk)
    assert client.get("/patients/").status_code == 200
    TOTPDevice.objects.filter(user=front_desk).delete()
    response = client.get("/patients/")
    assert response.status_code == 302 and response.url.startswith("/accounts/login/")


def test_the_code_page_never_sends_anyone_to_another_site(client, front_desk):
    device = staff_device(front_desk)
    _password_step(client, front_desk)
    response = client.post("/accounts/two-factor/", {"code": next_sign_in_code(device), "next": "https://evil.example/"})
    assert response.status_code == 302 and response.url == "/"


@pytest.fixture
def client_factory():
    from django.test import Client

    return Client


def test_the_demo_prints_a_working_code_only_when_debug_is_on(client, front_desk, settings):
    from io import StringIO

    from django.core.management import CommandError, call_command

    _password_step(client, front_desk)
    with pytest.raises(CommandError):
        call_command("sign_in_code", front_desk.email)
    settings.DEBUG = True
    out = StringIO()
    call_command("sign_in_code", front_desk.email, stdout=out)
    assert client.post("/accounts/two-factor/", {"code": out.getvalue().strip()}).status_code == 302


def test_two_sessions_setting_up_get_different_keys_so_a_password_thief_cannot_plant_one(client, clinician):
    from django.test import Client

    thief = Client()
    _password_step(thief, clinician)
    planted = thief.get("/accounts/two-factor/").content
    _password_step(client, clinician)
    own = client.get("/accounts/two-factor/").content
    assert _code_from_setup_page(planted) != _code_from_setup_page(own)
    assert not TOTPDevice.objects.filter(user=clinician).exists()  # nothing stored until a code confirms it


def test_turning_on_sign_in_codes_tells_the_owner_by_email(client, clinician):
    _password_step(client, clinician)
    code = _code_from_setup_page(client.get("/accounts/two-factor/").content)
    client.post("/accounts/two-factor/", {"code": code})
    (notice,) = mail.outbox
    assert notice.to == [clinician.email] and "If this was not you" in notice.body


def test_many_wrong_setup_codes_start_over_with_a_new_key(client, clinician):
    _password_step(client, clinician)
    first = client.get("/accounts/two-factor/").content
    for _ in range(10):
        response = client.post("/accounts/two-factor/", {"code": "000000"})
    assert b"here is a new key" in response.content
    assert _code_from_setup_page(response.content) != _code_from_setup_page(first)


def test_a_user_with_staff_status_but_no_role_also_needs_the_code(client, make_user):
    staff = make_user(email="ops@stride.test", is_staff=True)
    _password_step(client, staff)
    response = client.get("/admin/")
    assert response.status_code == 302 and response.url.startswith("/accounts/two-factor/")


def test_an_admin_removes_a_lost_phone_and_unlocks_an_account_and_both_are_audited(client, admin_user, front_desk,
                                                                                   settings):
    from axes.models import AccessAttempt

    from clinic.models import AuditEvent
    from tests.factories import sign_in

    device = TOTPDevice.objects.create(user=front_desk, name="Old phone", confirmed=True)
    locked = AccessAttempt.objects.create(username=front_desk.email, ip_address="203.0.113.5", user_agent="x",
                                          http_accept="*/*", path_info="/accounts/login/", failures_since_start=10,
                                          get_data="", post_data="")
    sign_in(client, admin_user)
    assert client.get("/admin/otp_totp/totpdevice/").status_code == 200
    assert client.get("/admin/axes/accessattempt/").status_code == 200
    assert client.post(f"/admin/otp_totp/totpdevice/{device.pk}/delete/", {"post": "yes"}).status_code == 302
    assert client.post(f"/admin/axes/accessattempt/{locked.pk}/delete/", {"post": "yes"}).status_code == 302
    assert not TOTPDevice.objects.filter(pk=device.pk).exists() and not AccessAttempt.objects.exists()
    removed = AuditEvent.objects.filter(action="delete", actor=admin_user).values_list("object_type", flat=True)
    assert sorted(removed) == ["axes.AccessAttempt", "otp_totp.TOTPDevice"]
