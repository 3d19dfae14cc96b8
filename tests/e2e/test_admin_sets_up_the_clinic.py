"""An admin sets the clinic up in the staff admin, in a browser: a visit type that needs the gait lab, a new
clinician (a user given the Clinician role goes straight on to their profile) with hours at a location, and a
closure; then the clinician's times for that visit are offered online, except on the closed day."""

import re
from datetime import timedelta

import pytest
from django.utils import timezone
from playwright.sync_api import expect

from scheduling.models import Clinician, Equipment, Room, VisitType

from .conftest import SCREENSHOTS

pytestmark = pytest.mark.django_db(transaction=True)


def _next_weekday(weekday, after_days=3):
    day = timezone.localdate() + timedelta(days=after_days)
    while day.weekday() != weekday:
        day += timedelta(days=1)
    return day


def test_an_admin_adds_a_gait_visit_a_clinician_with_hours_and_a_closure_and_the_times_go_online(
        page, browser, live_server, sign_in, admin_user, location, clinic_settings):
    treadmill = Equipment.objects.create(name="Instrumented treadmill")
    Room.objects.create(location=location, name="Gait lab").equipment.add(treadmill)
    sign_in(admin_user)
    admin = f"{live_server.url}/admin"

    # A visit type that needs the treadmill.
    page.goto(f"{admin}/scheduling/visittype/add/")
    page.get_by_label("Name:").fill("Running gait assessment")
    page.get_by_label("Modality:").select_option("in_office")
    page.get_by_label("Duration minutes:").fill("60")
    page.locator("#id_equipment_needed_from").select_option(label="Instrumented treadmill")
    page.locator("#id_equipment_needed_add").click()
    page.get_by_role("button", name="Save", exact=True).click()
    expect(page.locator(".messagelist")).to_contain_text("was added successfully")
    visit_type = VisitType.objects.get(name="Running gait assessment")
    assert list(visit_type.equipment_needed.all()) == [treadmill]

    # A user with the Clinician role, then their profile with Monday hours at the location.
    page.goto(f"{admin}/clinic/user/add/")
    page.get_by_label("Email address:").fill("dr.ito@stride.test")
    page.get_by_label("First name:").fill("Ken")
    page.get_by_label("Last name:").fill("Ito")
    page.get_by_label(re.compile("Clinician: the calendar")).check()
    page.get_by_label("Password:", exact=True).fill("a long and Unusual phrase 42")
    page.get_by_label("Password confirmation:").fill("a long and Unusual phrase 42")
    page.get_by_role("button", name="Save", exact=True).click()
    expect(page.locator(".messagelist")).to_contain_text("Now add dr.ito@stride.test's clinician profile")
    assert "/admin/scheduling/clinician/add/" in page.url

    page.get_by_label("Credentials:").fill("PT, DPT")
    page.locator("#id_visit_types_from").select_option(label="Running gait assessment")
    page.locator("#id_visit_types_add").click()
    hours = page.locator("#working_hours-group tbody tr.form-row").first
    hours.locator("select[name$='-weekday']").select_option("0")  # Monday
    hours.locator("input[name$='-start_time']").fill("09:00")
    hours.locator("input[name$='-end_time']").fill("12:00")
    hours.locator("select[name$='-location']").select_option(label=location.name)
    page.get_by_role("button", name="Save", exact=True).click()
    expect(page.locator(".messagelist")).to_contain_text("was added successfully")

    # The clinic is closed on the first Monday the patient could book.
    closed = _next_weekday(0)
    page.goto(f"{admin}/scheduling/closure/add/")
    page.get_by_label("Date:").fill(closed.isoformat())
    page.get_by_label("Name:").fill("Staff training")
    page.get_by_role("button", name="Save", exact=True).click()
    expect(page.locator(".messagelist")).to_contain_text("was added successfully")
    page.screenshot(path=str(SCREENSHOTS / "admin_closure_added.png"), full_page=True)

    # Online: the visit type's page offers the new clinician's Monday mornings, never the closed day.
    patient = browser.new_context(viewport={"width": 390, "height": 844}).new_page()
    response = patient.request.get(f"{live_server.url}/api/v1/availability/", params={
        "visit_type": visit_type.pk, "start": closed.isoformat(), "end": (closed + timedelta(days=13)).isoformat(),
        "modality": "in_office"})
    slots = response.json()["slots"]
    days = {timezone.localtime(timezone.datetime.fromisoformat(s["start"])).date() for s in slots}
    assert days == {closed + timedelta(days=7)}, days
    ito = Clinician.objects.get(user__email="dr.ito@stride.test")
    assert {s["clinician"] for s in slots} == {ito.pk} and {s["location"] for s in slots} == {location.pk}
    assert len(slots) >= 3  # the Monday morning's hour-long times
    patient.goto(f"{live_server.url}/book/?visit_type={visit_type.pk}")
    expect(patient.get_by_role("heading", name="Choose a day and time")).to_be_visible()
    patient.screenshot(path=str(SCREENSHOTS / "admin_setup_times_online.png"), full_page=True)
    patient.context.close()
