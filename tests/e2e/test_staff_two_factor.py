from base64 import b32decode

import pytest
from django_otp.oath import TOTP
from playwright.sync_api import expect

from tests.factories import PASSWORD

pytestmark = pytest.mark.django_db(transaction=True)


def test_a_new_clinician_sets_up_sign_in_codes_then_reaches_the_calendar(page, live_server, clinician):
    page.goto(f"{live_server.url}/patients/")
    page.get_by_label("Email").fill(clinician.email)
    page.get_by_label("Password").fill(PASSWORD)
    page.get_by_role("button", name="Sign in").click()

    expect(page.get_by_role("heading", name="Set up sign-in codes")).to_be_visible()
    expect(page.get_by_role("img", name="QR code for your authenticator app")).to_be_visible()
    page.get_by_label("6-digit code").fill("123456")
    page.get_by_role("button", name="Turn on and continue").click()
    expect(page.get_by_text("That code is not right")).to_be_visible()
    expect(page.get_by_role("link", name="Patients")).to_have_count(0)  # no menu before the second step

    key = page.get_by_test_id("totp-key").inner_text().replace(" ", "")  # what a phone app would read
    page.get_by_label("6-digit code").fill(f"{TOTP(b32decode(key)).token():06d}")
    page.get_by_role("button", name="Turn on and continue").click()
    expect(page.get_by_role("heading", name="Patients")).to_be_visible()  # where they were going


def test_an_idle_front_desk_clicking_an_appointment_signs_in_again_and_returns_to_the_day(
    page, live_server, sign_in, front_desk, appointment, monday
):
    import re

    from django.contrib.sessions.models import Session
    from django.core.cache import cache
    from django.utils import timezone

    from tests.factories import next_sign_in_code, staff_device

    sign_in(front_desk)
    page.goto(f"{live_server.url}/schedule/?date={monday.isoformat()}")
    visit = page.get_by_role("link", name=re.compile(r"^10:00 AM Maya Okafor"))
    expect(visit).to_be_visible()

    Session.objects.update(expire_date=timezone.now())  # the idle timeout passes...
    cache.clear()  # ...and the cached copies expire with the rows
    visit.click()

    expect(page.get_by_role("heading", name="Sign in to Stride")).to_be_visible()  # the whole page, not the panel
    expect(page.get_by_role("status")).to_have_text(re.compile("You were signed out after 15 minutes idle"))
    page.get_by_label("Email").fill(front_desk.email)
    page.get_by_label("Password").fill(PASSWORD)
    page.get_by_role("button", name="Sign in").click()
    page.get_by_label("6-digit code").fill(next_sign_in_code(staff_device(front_desk)))
    page.get_by_role("button", name="Continue").click()
    expect(page).to_have_url(f"{live_server.url}/schedule/?date={monday.isoformat()}")
    expect(page.get_by_role("link", name=re.compile(r"^10:00 AM Maya Okafor"))).to_be_visible()
