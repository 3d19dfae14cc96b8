from datetime import timedelta

import pytest
from django.contrib.auth.forms import SetPasswordForm
from django.contrib.sessions.models import Session
from django.core import mail
from django.core.cache import cache
from django.utils import timezone

from clinic.sessions import SAVED_AT, SessionStore
from tests.factories import PASSWORD, next_sign_in_code, sign_in, staff_device


def _login(client, email, password):
    return client.post("/accounts/login/", {"username": email, "password": password})


def _sign_in(client, user):
    """Both steps, as a staff member does: the password, then the code from the app."""
    _login(client, user.email, PASSWORD)
    return client.post("/accounts/two-factor/", {"code": next_sign_in_code(staff_device(user))})


def test_staff_can_sign_in_with_email_and_a_code_and_land_on_the_calendar(client, front_desk):
    device = staff_device(front_desk)
    response = _login(client, front_desk.email, PASSWORD)
    assert response.status_code == 302
    code_page = client.get(response.url, follow=True)
    assert b"Enter your sign-in code" in code_page.content
    response = client.post(code_page.request["PATH_INFO"] + "?" + code_page.request["QUERY_STRING"],
                           {"code": next_sign_in_code(device), "next": "/"})
    assert client.get(response.url, follow=True).request["PATH_INFO"] == "/schedule/"


def test_wrong_password_shows_an_error_and_keeps_the_email(client, front_desk):
    response = _login(client, front_desk.email, "not-the-password")
    assert response.status_code == 200
    assert b"Please enter a correct email" in response.content
    assert front_desk.email.encode() in response.content


def test_repeated_failed_logins_lock_the_account_even_with_the_right_password(client, front_desk, settings):
    for _ in range(settings.AXES_FAILURE_LIMIT):
        _login(client, front_desk.email, "wrong-password-123")
    response = _login(client, front_desk.email, PASSWORD)
    assert response.status_code == 429
    assert b"Too many sign-in attempts" in response.content
    assert "_auth_user_id" not in client.session


def test_password_reset_sends_an_email_with_a_working_link(client, front_desk):
    response = client.post("/accounts/password_reset/", {"email": front_desk.email})
    assert response.status_code == 302
    assert len(mail.outbox) == 1
    assert front_desk.email in mail.outbox[0].to
    link = next(line for line in mail.outbox[0].body.splitlines() if "/accounts/reset/" in line).strip()
    path = link[link.index("/accounts/reset/") :]
    form_page = client.get(path, follow=True)
    assert b"Choose a new password" in form_page.content


def test_weak_passwords_are_refused(front_desk):
    for weak in ["password123", "12345678901234", "short1!"]:
        form = SetPasswordForm(front_desk, {"new_password1": weak, "new_password2": weak})
        assert not form.is_valid(), weak


def _cached_as_saved(key, *, minutes_ago):
    cached = cache.get(SessionStore.cache_key_prefix + key)
    cached[SAVED_AT] -= minutes_ago * 60
    cache.set(SessionStore.cache_key_prefix + key, cached, 60)


def test_a_session_ends_after_fifteen_idle_minutes_and_activity_extends_it(client, front_desk):
    _sign_in(client, front_desk)
    key = client.session.session_key
    row = Session.objects.get(session_key=key)
    assert abs((row.expire_date - timezone.now()) - timedelta(minutes=15)) < timedelta(seconds=30)

    # Sessions are read from the cache in front of the table (clinic.sessions), whose copy expires with the
    # row; as if the last save had been 14 minutes ago:
    Session.objects.filter(session_key=key).update(expire_date=timezone.now() + timedelta(minutes=1))
    _cached_as_saved(key, minutes_ago=14)
    assert client.get("/patients/").status_code == 200  # activity within the window...
    row.refresh_from_db()
    assert row.expire_date - timezone.now() > timedelta(minutes=14)  # ...restarts the 15 minutes

    Session.objects.filter(session_key=key).update(expire_date=timezone.now() - timedelta(seconds=1))
    cache.delete(SessionStore.cache_key_prefix + key)  # the cached copy expired with the row
    response = client.get("/patients/")
    assert response.status_code == 302 and response.url.startswith("/accounts/login/")


@pytest.mark.django_db
def test_anonymous_visitor_is_sent_to_sign_in(client):
    response = client.get("/")
    assert response.status_code == 302
    assert response.url.startswith("/accounts/login/")


def test_a_deactivated_staff_member_is_signed_out_on_the_next_page(client, front_desk):
    _sign_in(client, front_desk)
    assert client.get("/patients/").status_code == 200
    front_desk.is_active = False
    front_desk.save()
    response = client.get("/patients/")
    assert response.status_code == 302 and response.url.startswith("/accounts/login/")


def test_signing_in_issues_a_new_session_key(client, front_desk):
    client.get("/accounts/login/")
    session = client.session
    session["probe"] = "before"
    session.save()
    before = session.session_key
    _login(client, front_desk.email, PASSWORD)
    assert client.session.session_key != before
    assert not Session.objects.filter(session_key=before).exists()


def test_a_session_ends_twelve_hours_after_sign_in_however_active(client, front_desk):
    from clinic.middleware import SIGNED_IN_AT

    _sign_in(client, front_desk)
    assert client.get("/patients/").status_code == 200
    session = client.session
    session[SIGNED_IN_AT] -= 11 * 60 * 60  # signed in eleven hours ago, active since
    session.save()
    assert client.get("/patients/").status_code == 200
    session[SIGNED_IN_AT] -= 2 * 60 * 60  # thirteen hours
    session.save()
    response = client.get("/patients/")
    assert response.status_code == 302 and response.url.startswith("/accounts/login/")


def test_pages_with_patient_data_tell_browsers_and_proxies_not_to_keep_a_copy(desk_client, patient):
    for url in (f"/patients/{patient.mrn}/", "/patients/?q=", "/schedule/", f"/api/v1/patients/{patient.mrn}/"):
        response = desk_client.get(url)
        assert response.status_code in (200, 403, 404), url
        assert "no-store" in response["Cache-Control"], url


def test_signing_out_on_one_device_signs_out_everywhere(client, front_desk):
    from django.test import Client

    phone = Client()
    _sign_in(client, front_desk)
    _sign_in(phone, front_desk)
    assert client.get("/patients/").status_code == phone.get("/patients/").status_code == 200
    client.post("/accounts/logout/")
    response = phone.get("/patients/")
    assert response.status_code == 302 and response.url.startswith("/accounts/login/")
    _sign_in(phone, front_desk)  # signing in again works
    assert phone.get("/patients/").status_code == 200


def test_password_length_depends_on_the_role_and_long_passphrases_pass(front_desk, patient_user):
    from django.contrib.auth.password_validation import validate_password
    from django.core.exceptions import ValidationError

    with pytest.raises(ValidationError, match="at least 12"):
        validate_password("Quokka-7-rn", front_desk)  # 11 characters: too short for staff
    validate_password("Quokka-7-rn", patient_user)  # ...but enough for a patient (8)
    with pytest.raises(ValidationError, match="at least 8"):
        validate_password("Qk-7-rn", patient_user)
    for refused in ("password1", "12345678"):
        with pytest.raises(ValidationError):
            validate_password(refused, patient_user)  # common or all digits
    validate_password("correct horse battery staple", front_desk)  # a long passphrase is welcome


# Ending the other sessions: a password change, a reset, an admin's new password, a deactivation -------------

NEW_PASSWORD = "Another-Long-Passphrase-31"


def _signed_in_twice(user):
    """The user signed in on two devices, both working."""
    from django.test import Client

    desk, phone = Client(), Client()
    for device in (desk, phone):
        _sign_in(device, user)
        assert device.get("/patients/").status_code == 200
    return desk, phone


def _signed_out(device):
    response = device.get("/patients/")
    return response.status_code == 302 and response.url.startswith("/accounts/login/")


def test_changing_the_password_signs_out_every_other_device_and_keeps_this_one(front_desk):
    desk, phone = _signed_in_twice(front_desk)
    response = desk.post("/accounts/password_change/", {
        "old_password": PASSWORD, "new_password1": NEW_PASSWORD, "new_password2": NEW_PASSWORD,
    })
    assert response.status_code == 302 and response.url == "/accounts/password_change/done/"
    assert desk.get("/patients/").status_code == 200  # the device that changed it stays signed in
    assert _signed_out(phone)
    assert _login(phone, front_desk.email, PASSWORD).status_code == 200  # the old password no longer works
    assert _login(phone, front_desk.email, NEW_PASSWORD).status_code == 302


def test_resetting_the_password_by_email_signs_out_every_device(client, front_desk):
    desk, phone = _signed_in_twice(front_desk)
    client.post("/accounts/password_reset/", {"email": front_desk.email})
    link = next(line for line in mail.outbox[0].body.splitlines() if "/accounts/reset/" in line).strip()
    form_url = client.get(link[link.index("/accounts/reset/"):]).url  # Django swaps the token for a session key
    response = client.post(form_url, {"new_password1": NEW_PASSWORD, "new_password2": NEW_PASSWORD})
    assert response.status_code == 302 and response.url == "/accounts/reset/done/"
    assert _signed_out(desk) and _signed_out(phone)


def test_an_admin_setting_a_new_password_signs_the_user_out_everywhere(client, admin_user, front_desk):
    desk, phone = _signed_in_twice(front_desk)
    sign_in(client, admin_user)
    response = client.post(f"/admin/clinic/user/{front_desk.pk}/password/", {
        "password1": NEW_PASSWORD, "password2": NEW_PASSWORD, "usable_password": "true",
    })
    assert response.status_code == 302, response.context["form"].errors
    assert _signed_out(desk) and _signed_out(phone)
    assert client.get("/admin/").status_code == 200  # the admin who set it is not affected


def test_an_admin_deactivating_a_user_signs_them_out_everywhere(client, admin_user, front_desk):
    desk, phone = _signed_in_twice(front_desk)
    sign_in(client, admin_user)
    page = client.get(f"/admin/clinic/user/{front_desk.pk}/change/")
    data = {name: value for name, value in page.context["adminform"].form.initial.items() if value is not None}
    data.update({
        "email": front_desk.email, "first_name": front_desk.first_name, "last_name": front_desk.last_name,
        "role": "Front desk",
        "date_joined_0": timezone.localtime(front_desk.date_joined).strftime("%Y-%m-%d"),
        "date_joined_1": timezone.localtime(front_desk.date_joined).strftime("%H:%M:%S"),
        "last_login_0": "", "last_login_1": "", "_save": "Save",
        # The page's inline of remembered computers (none here) sends its management form.
        "trusted_devices-TOTAL_FORMS": "0", "trusted_devices-INITIAL_FORMS": "0",
    })
    data.pop("is_active", None)  # an unticked box is not sent
    data = {k: v for k, v in data.items() if k not in ("password", "date_joined", "last_login", "is_staff",
                                                        "is_superuser")}
    response = client.post(f"/admin/clinic/user/{front_desk.pk}/change/", data)
    assert response.status_code == 302, response.context["adminform"].form.errors
    front_desk.refresh_from_db()
    assert not front_desk.is_active
    assert _signed_out(desk) and _signed_out(phone)


def test_reactivating_an_account_does_not_bring_back_the_sessions_it_had(front_desk):
    desk, phone = _signed_in_twice(front_desk)
    front_desk.is_active = False
    front_desk.save()
    assert _signed_out(desk)  # one device tries while the account is off; the other waits
    front_desk.is_active = True
    front_desk.save()
    assert _signed_out(desk) and _signed_out(phone)
    _sign_in(phone, front_desk)  # signing in again works
    assert phone.get("/patients/").status_code == 200
