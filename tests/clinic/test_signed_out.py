"""A session that ends on its own (idle, too long) leads to a full sign-in page that says why, and back to the page."""

from datetime import timedelta
from urllib.parse import parse_qs, urlsplit

from django.contrib.sessions.models import Session
from django.core.cache import cache
from django.utils import timezone

from clinic.sessions import SessionStore
from tests.factories import PASSWORD, next_sign_in_code, staff_device

HTMX = {"HTTP_HX_REQUEST": "true"}


def _sign_in(client, user):
    client.post("/accounts/login/", {"username": user.email, "password": PASSWORD})
    client.post("/accounts/two-factor/", {"code": next_sign_in_code(staff_device(user))})
    assert client.get("/patients/").status_code == 200


def _go_idle(client):
    """As if the idle timeout had passed: the row expired, and the cache's copy with it."""
    key = client.cookies["sessionid"].value
    Session.objects.filter(session_key=key).update(expire_date=timezone.now() - timedelta(seconds=1))
    cache.delete(SessionStore.cache_key_prefix + key)


def _query(url):
    return {key: values[-1] for key, values in parse_qs(urlsplit(url).query).items()}


def test_an_expired_session_on_an_htmx_panel_request_sends_the_window_to_the_sign_in_page(client, front_desk,
                                                                                         appointment, monday):
    _sign_in(client, front_desk)
    _go_idle(client)
    day_page = f"/schedule/?date={monday.isoformat()}"

    response = client.get(f"/schedule/appointments/{appointment.pk}/", HTTP_HX_CURRENT_URL=f"http://testserver{day_page}",
                          **HTMX)

    assert response.status_code == 401 and response.content == b""  # nothing drawn into the panel
    target = response["HX-Redirect"]
    assert urlsplit(target).path == "/accounts/login/"
    assert _query(target) == {"next": day_page, "signed_out": "idle"}  # the day they had open, not the fragment
    sign_in_page = client.get(target)
    assert b"You were signed out after 15 minutes idle." in sign_in_page.content
    assert f'name="next" value="{day_page}"'.encode() in sign_in_page.content.replace(b"&amp;", b"&")


def test_after_signing_in_again_the_front_desk_lands_on_the_calendar_day_they_had_open(client, front_desk,
                                                                                      appointment, monday):
    _sign_in(client, front_desk)
    _go_idle(client)
    day_page = f"/schedule/?date={monday.isoformat()}"
    target = client.get(f"/schedule/appointments/{appointment.pk}/", HTTP_HX_CURRENT_URL=f"http://testserver{day_page}",
                        **HTMX)["HX-Redirect"]

    password = client.post(target, {"username": front_desk.email, "password": PASSWORD, "next": day_page})
    code_page = client.get(password.url)
    assert code_page.status_code == 302 and _query(code_page.url)["next"] == day_page  # the code step keeps it
    done = client.post("/accounts/two-factor/", {"code": next_sign_in_code(staff_device(front_desk)),
                                                 "next": day_page})
    assert done.status_code == 302 and done.url == day_page
    calendar = client.get(done.url)
    assert calendar.status_code == 200 and monday.strftime("%b %-d, %Y").encode() in calendar.content


def test_the_notice_uses_the_configured_idle_timeout(client, front_desk, settings):
    settings.SESSION_COOKIE_AGE = 10 * 60
    _sign_in(client, front_desk)
    _go_idle(client)
    response = client.get("/patients/")
    assert b"You were signed out after 10 minutes idle." in client.get(response.url).content


def test_an_expired_session_on_a_plain_page_redirects_with_the_notice(client, front_desk):
    _sign_in(client, front_desk)
    _go_idle(client)
    response = client.get("/patients/?q=okafor")
    assert response.status_code == 302
    assert urlsplit(response.url).path == "/accounts/login/"
    assert _query(response.url) == {"next": "/patients/?q=okafor", "signed_out": "idle"}
    assert b"You were signed out after 15 minutes idle." in client.get(response.url).content


def test_someone_who_never_signed_in_gets_the_plain_sign_in_page(client, db):
    response = client.get("/patients/")
    assert response.status_code == 302 and "signed_out" not in _query(response.url)
    page = client.get(response.url)
    assert page.status_code == 200 and b"signed out" not in page.content

    panel = client.get("/patients/", HTTP_HX_CURRENT_URL="http://testserver/schedule/", **HTMX)
    assert panel.status_code == 401 and _query(panel["HX-Redirect"]) == {"next": "/schedule/"}


def test_an_anonymous_visitors_expired_session_is_no_sign_out(client, db):
    session = SessionStore()
    session["booking_step"] = "slot"  # a visitor's session, never signed in
    session.create()
    client.cookies["sessionid"] = session.session_key
    Session.objects.filter(session_key=session.session_key).update(expire_date=timezone.now() - timedelta(seconds=1))
    cache.delete(SessionStore.cache_key_prefix + session.session_key)
    response = client.get("/patients/")
    assert response.status_code == 302 and "signed_out" not in _query(response.url)


def test_a_session_past_twelve_hours_says_so(client, front_desk):
    from clinic.middleware import SIGNED_IN_AT

    _sign_in(client, front_desk)
    session = client.session
    session[SIGNED_IN_AT] -= 13 * 60 * 60
    session.save()
    response = client.get("/patients/")
    assert _query(response.url)["signed_out"] == "absolute"
    assert b"You were signed out 12 hours after signing in." in client.get(response.url).content


def test_an_htmx_request_never_sends_the_user_to_another_site(client, db):
    response = client.get("/patients/", HTTP_HX_CURRENT_URL="https://evil.example/phish", **HTMX)
    assert response.status_code == 401 and _query(response["HX-Redirect"]) == {"next": "/"}


def test_a_password_only_session_on_an_htmx_request_goes_to_the_code_page_in_the_window(client, front_desk):
    staff_device(front_desk)
    client.post("/accounts/login/", {"username": front_desk.email, "password": PASSWORD})
    response = client.get("/patients/", HTTP_HX_CURRENT_URL="http://testserver/schedule/?date=2030-01-07", **HTMX)
    assert response.status_code == 401
    assert urlsplit(response["HX-Redirect"]).path == "/accounts/two-factor/"
    assert _query(response["HX-Redirect"]) == {"next": "/schedule/?date=2030-01-07"}


def test_an_htmx_post_from_a_password_only_session_goes_to_the_code_page_in_the_window(client, front_desk,
                                                                                      appointment):
    staff_device(front_desk)
    client.post("/accounts/login/", {"username": front_desk.email, "password": PASSWORD})
    response = client.post(f"/schedule/appointments/{appointment.pk}/status/", {"status": "checked_in"},
                           HTTP_HX_CURRENT_URL="http://testserver/schedule/", **HTMX)
    assert response.status_code == 401 and response["HX-Redirect"] == "/accounts/two-factor/?next=%2Fschedule%2F"
