import datetime

import pytest
from playwright.sync_api import expect

from tests.factories import PatientFactory

pytestmark = pytest.mark.django_db(transaction=True)


def test_front_desk_signs_in_searches_and_opens_the_chart(page, live_server, sign_in, front_desk):
    PatientFactory(first_name="Maya", last_name="Okafor", date_of_birth=datetime.date(1990, 3, 4),
                   insurance_carrier="Aetna")
    PatientFactory(first_name="Liam", last_name="Chen")

    sign_in(front_desk)
    page.get_by_role("navigation", name="Main").get_by_role("link", name="Patients").click()  # home is the calendar
    expect(page.get_by_role("heading", name="Patients")).to_be_visible()

    page.get_by_role("heading", name="Patients").click()  # leave the list's own search box
    page.keyboard.press("/")  # the global search shortcut
    expect(page.get_by_label("Find patient")).to_be_focused()

    search = page.get_by_label("Search patients")
    search.fill("okaf")
    results = page.locator("#results")
    expect(results.get_by_role("link", name="Okafor, Maya")).to_be_visible()
    expect(results.get_by_role("link", name="Chen, Liam")).to_have_count(0)

    results.get_by_role("link", name="Okafor, Maya").click()
    expect(page.get_by_role("heading", name="Maya Okafor")).to_be_visible()
    expect(page.get_by_text("Born Sun, Mar 4, 1990")).to_be_visible()
    expect(page.get_by_role("region", name="Insurance and referral")).to_contain_text("Aetna")


def test_front_desk_creates_a_patient_and_sees_the_duplicate_warning(page, live_server, sign_in, front_desk):
    PatientFactory(first_name="Lena", last_name="Kowalski", date_of_birth=datetime.date(1988, 4, 12))
    sign_in(front_desk)
    page.get_by_role("navigation", name="Main").get_by_role("link", name="Patients").click()  # home is the calendar
    page.get_by_role("link", name="New patient").click()
    page.get_by_label("Legal first name").fill("Lena")
    page.get_by_label("Legal last name").fill("Kowalski")
    page.get_by_label("Date of birth").fill("1988-04-12")
    page.get_by_label("Email", exact=True).fill("lena.new@example.com")
    page.get_by_label("Mobile phone").fill("617 555 01")
    page.get_by_role("button", name="Create patient").click()

    expect(page.get_by_text("That is not a valid phone number")).to_be_visible()
    expect(page.get_by_label("Legal last name")).to_have_value("Kowalski")

    page.get_by_label("Mobile phone").fill("(617) 555-0142")
    page.get_by_role("button", name="Create patient").click()
    expect(page.get_by_role("alert").filter(has_text="This may be a patient we already have")).to_be_visible()

    page.get_by_label("I checked: this is a different person").check()
    page.get_by_role("button", name="Create patient").click()
    expect(page.get_by_role("heading", name="Lena Kowalski")).to_be_visible()
    expect(page.get_by_role("region", name="Contact")).to_contain_text("(617) 555-0142")
