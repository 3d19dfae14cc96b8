"""A patient books from a phone: a telehealth visit and an in-office visit (accepting the clinic's cancellation
policy), then cancels with the private link."""

import re

import pytest
from django.conf import settings
from django.core import mail
from playwright.sync_api import expect

from notifications.models import Notification
from scheduling.models import Appointment

from .conftest import SCREENSHOTS

pytestmark = pytest.mark.django_db(transaction=True)

PHONE = {"width": 390, "height": 844}
TIME = re.compile(r"^\d{1,2}:\d\d [AP]M")


@pytest.fixture(autouse=True)
def _phone_and_eager_email(page):
    from django.core.cache import cache

    from clinic.celery import app

    cache.clear()
    page.set_viewport_size(PHONE)
    before = app.conf.task_always_eager
    app.conf.task_always_eager = True  # the outbox delivers the confirmation in-process, not through a broker
    yield
    app.conf.task_always_eager = before


def fits_the_phone(page):
    return page.evaluate("document.documentElement.scrollWidth <= window.innerWidth")


def fill_details(page, *, phone="(617) 555-0187"):
    page.get_by_label("First name").fill("Ana")
    page.get_by_label("Last name").fill("Silva")
    page.get_by_label("Date of birth").fill("1987-05-14")
    page.get_by_label("Email").fill("ana.silva@example.com")
    page.get_by_label("Mobile phone").fill(phone)
    page.get_by_label("What brings you in? (optional)").fill("Pain deep in the right buttock when sitting.")


def accept_the_policy(page):
    page.get_by_label("I have read and accept the cancellation policy").check()


def test_patient_books_a_telehealth_visit_on_a_phone(page, live_server, dr_rivera, telehealth_consult,  # noqa: F811
                                                    cancellation_policy):
    page.goto(f"{live_server.url}/book/")
    expect(page.get_by_role("heading", name="Book a visit")).to_be_visible()
    expect(page.get_by_role("link", name="Book now")).to_be_visible()
    page.get_by_role("link", name="Request Telehealth").click()

    expect(page.get_by_role("heading", name="What kind of visit do you need?")).to_be_visible()
    page.get_by_role("link", name=re.compile("^Telehealth consult")).click()

    expect(page.get_by_role("heading", name="Choose a day and time")).to_be_visible()
    assert fits_the_phone(page)
    # A day far enough ahead that online changes stay open (they close 24 hours before).
    page.get_by_role("navigation", name="Days").get_by_role("link").last.click()
    expect(page.get_by_role("navigation", name="Days").get_by_role("link").last).to_have_attribute(
        "aria-current", "date"
    )
    first_time = page.locator("#picker").get_by_role("link", name=TIME).first
    chosen = first_time.inner_text()
    first_time.click()

    expect(page.get_by_role("heading", name="Your details")).to_be_visible()
    expect(page.get_by_text(chosen.split("\n")[0], exact=False).first).to_be_visible()
    fill_details(page)
    confirm = page.get_by_role("button", name="Confirm booking")
    assert confirm.bounding_box()["height"] >= 44
    assert page.get_by_label("Mobile phone").get_attribute("type") == "tel"
    assert page.get_by_label("Email").get_attribute("type") == "email"
    # The clinic's cancellation policy: read in a new tab (nothing typed is left behind), accepted with a tick.
    policy = page.get_by_role("region", name="Cancellation policy")
    with page.context.expect_page() as opened:
        policy.get_by_role("link", name="Read the cancellation policy").click()
    expect(opened.value.get_by_text("at least 24 hours' notice")).to_be_visible()
    opened.value.close()
    confirm.click()  # without the tick: nothing is booked, the reason sits next to the box, the details stay
    tick = page.get_by_label("I have read and accept the cancellation policy")
    expect(tick).to_have_attribute("aria-describedby", "policy-error")
    expect(page.locator("#policy-error")).to_have_text(
        "Tick the box to say you have read and accept the cancellation policy.")
    expect(page.get_by_label("Last name")).to_have_value("Silva")
    assert Appointment.objects.count() == 0
    SCREENSHOTS.mkdir(parents=True, exist_ok=True)
    page.screenshot(path=str(SCREENSHOTS / "patient-booking-policy-error.png"), full_page=True)
    box = page.locator("#cancellation-policy .form-check").bounding_box()
    assert box["height"] >= 44 and fits_the_phone(page)  # a tap target a thumb can hit
    accept_the_policy(page)
    page.get_by_role("button", name="Confirm booking").click()

    expect(page.get_by_role("heading", name="You're booked")).to_be_visible()
    appointment = Appointment.objects.get()
    assert appointment.is_telehealth and appointment.video_url
    # Days ahead, the room is not open yet: the page says when it opens and does not hand out its address.
    expect(page.get_by_text(re.compile(r"Your video visit opens at \d{1,2}:\d\d [AP]M \w+ \(15 minutes before\)"))
           ).to_be_visible()
    assert appointment.video_token not in page.content()
    expect(page.get_by_role("link", name="Change or cancel this visit")).to_have_attribute(
        "href", re.compile(r"/book/manage/[^/]+/$")
    )
    expect(page.get_by_role("link", name="Add to my calendar (.ics)")).to_be_visible()
    assert fits_the_phone(page)
    confirmation = Notification.objects.get(appointment=appointment, kind=Notification.Kind.BOOKING_CONFIRMATION)
    assert (confirmation.status, confirmation.to_address) == (Notification.Status.SENT, "ana.silva@example.com")
    # A telehealth consult needs an intake form: the outbox also sends the invitation with its link.
    invitation = Notification.objects.get(appointment=appointment, kind=Notification.Kind.INTAKE_INVITATION)
    assert invitation.status == Notification.Status.SENT and "/intake/" in invitation.payload["link"]
    by_subject = {m.subject: m for m in mail.outbox}
    # The confirmation first: the form's link never arrives before the news that the visit is booked.
    assert [m.subject for m in mail.outbox] == [confirmation.subject, invitation.subject]
    body = by_subject[confirmation.subject].body
    assert appointment.cancellation_policy == cancellation_policy
    assert f"Cancellation policy: {settings.SITE_URL}{cancellation_policy.get_absolute_url()}" in body
    assert appointment.video_token not in body and re.search(r"Video visit: http\S+/book/manage/[^/]+/video/", body)
    assert invitation.payload["link"] in by_subject[invitation.subject].body

    page.get_by_role("link", name="Change or cancel this visit").click()
    expect(page.get_by_text("(15 minutes before)")).to_be_visible()
    page.get_by_role("link", name="Change time").click()
    expect(page.get_by_role("heading", name="Choose a new time")).to_be_visible()
    new_time = page.locator("#picker").get_by_role("button", name=TIME).last
    new_label = new_time.inner_text()
    new_time.click()
    expect(page.get_by_role("heading", name="Move your visit?")).to_be_visible()  # asked before anything moves
    SCREENSHOTS.mkdir(parents=True, exist_ok=True)
    page.screenshot(path=str(SCREENSHOTS / "patient-reschedule-confirm.png"), full_page=True)
    page.get_by_role("button", name="Yes, move my visit").click()
    expect(page.get_by_role("heading", name="Your visit")).to_be_visible()
    expect(page.get_by_role("status").filter(has_text="Your visit is now")).to_contain_text(new_label)
    before = appointment.start_at
    appointment.refresh_from_db()
    assert appointment.start_at != before and Appointment.objects.count() == 1


def test_patient_books_an_in_office_visit_then_cancels_with_the_private_link(
    page, live_server, dr_rivera, follow_up, location, cancellation_policy  # noqa: F811
):
    page.goto(f"{live_server.url}/book/")
    page.get_by_role("link", name="Request in-office visit").click()
    page.get_by_role("link", name=re.compile("^Follow-up")).click()

    expect(page.get_by_role("heading", name="Choose a day and time")).to_be_visible()
    days = page.get_by_role("navigation", name="Days").get_by_role("link")
    other_day = days.nth(1)
    label = other_day.get_attribute("aria-label").split(",")[0:2]  # e.g. ["Tue", " Mar 10"]
    other_day.click()  # htmx swaps the times in place
    expect(page.locator("#slots-heading")).to_contain_text(label[1].strip())
    expect(page).to_have_url(re.compile(r"day=\d{4}-\d\d-\d\d"))
    expect(days.nth(1)).to_have_attribute("aria-current", "date")
    page.locator("#picker").get_by_role("link", name=TIME).first.click()

    fill_details(page, phone="617 555 01")
    accept_the_policy(page)
    page.get_by_role("button", name="Confirm booking").click()
    expect(page.get_by_text("That is not a valid phone number")).to_be_visible()
    expect(page.get_by_label("Last name")).to_have_value("Silva")
    expect(page.get_by_label("I have read and accept the cancellation policy")).to_be_checked()  # the tick stays too
    page.get_by_label("Mobile phone").fill("(617) 555-0187")
    page.get_by_role("button", name="Confirm booking").click()

    expect(page.get_by_role("heading", name="You're booked")).to_be_visible()
    expect(page.get_by_text("200 Boylston St")).to_be_visible()
    expect(page.get_by_role("link", name="Join the video visit")).to_have_count(0)

    page.get_by_role("link", name="Change or cancel this visit").click()
    expect(page.get_by_role("heading", name="Your visit")).to_be_visible()
    page.get_by_role("link", name="Cancel visit").click()
    page.get_by_label("I'm feeling better").check()
    page.get_by_label("Anything to add? (optional)").fill("Back to running")
    page.get_by_role("button", name="Cancel my visit").click()
    expect(page.get_by_text("This visit is cancelled.")).to_be_visible()
    assert Appointment.objects.get().status == Appointment.Status.CANCELLED
