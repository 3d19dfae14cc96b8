"""A clinician reads the chart and the exam in sections, on an upright tablet (820 x 1180) and on a desktop: the
section index stays in view while scrolled down, a section picked there is scrolled to and marked as the current
one, and the exam's bar keeps the patient, the visit and whether the draft is saved on top."""

import re
from datetime import timedelta

import pytest
from django.utils import timezone
from playwright.sync_api import expect

from intake.models import OutcomeScore
from scheduling.models import Appointment
from tests.e2e.conftest import SCREENSHOTS
from tests.exams.exam_fixtures import make_visit, submitted_intake

pytestmark = pytest.mark.django_db(transaction=True)

SCREENS = {"tablet": {"width": 820, "height": 1180}, "desktop": {"width": 1366, "height": 900}}


def _long_record(visit, dr_rivera):
    """A patient seen weekly for two months: visits, scores for the progress plots, an intake."""
    patient = visit.patient
    submitted_intake(patient, visit)
    for week in range(1, 9):
        past = make_visit(patient, dr_rivera, visit_type=visit.visit_type, location=visit.location,
                          start=timezone.now() - timedelta(days=7 * week), status=Appointment.Status.COMPLETED)
        for instrument, value in (("nprs", 2 + week % 5), ("odi", 10 + 3 * week)):
            OutcomeScore.objects.create(patient=patient, appointment=past, instrument=instrument,
                                        instrument_version="1", value=value, recorded_at=past.start_at)
    return patient


def _settled(page):
    """Wait for the (smooth) scroll to stop: the page's position unchanged over a few frames."""
    page.evaluate("""() => new Promise(resolve => { let last = -1, same = 0;
        (function frame() { same = scrollY === last ? same + 1 : 0; last = scrollY;
                            if (same > 5) resolve(); else requestAnimationFrame(frame); })(); })""")


def _go_to(page, index, title):
    """Pick a section in the index: the page scrolls to it, its heading clear of what sticks on top, and the index
    marks it (only it) as the current section."""
    index.get_by_role("link", name=title).click()
    _settled(page)
    heading = page.get_by_role("region", name=title).get_by_role("heading", name=title)
    expect(heading).to_be_in_viewport()
    sticky = page.evaluate("parseFloat(getComputedStyle(document.documentElement).scrollPaddingTop)")
    assert heading.bounding_box()["y"] >= sticky - 10  # not under the bar or the strip
    expect(index.get_by_role("link", name=title)).to_have_attribute("aria-current", "true")
    expect(index.locator("[aria-current]")).to_have_count(1)
    expect(index.get_by_role("link", name=title)).to_be_in_viewport()  # the strip shows it too


def _stays_on_top(page, locator):
    """Scrolled down, and the element still sits in the top part of the window."""
    _settled(page)
    assert page.evaluate("window.scrollY") > 300
    expect(locator).to_be_in_viewport()
    assert locator.bounding_box()["y"] < 200


@pytest.mark.parametrize("screen", SCREENS)
def test_the_chart_reads_in_sections(page, live_server, sign_in, visit, dr_rivera, screen):
    patient = _long_record(visit, dr_rivera)
    page.set_viewport_size(SCREENS[screen])
    sign_in(dr_rivera.user)
    page.goto(f"{live_server.url}/patients/{patient.mrn}/")

    menu = page.get_by_role("button", name="Menu")
    if screen == "tablet":  # the main menu folds behind its toggle, leaving the width to the chart
        expect(menu).to_be_visible()
        expect(page.get_by_role("link", name="Calendar")).to_be_hidden()
        menu.click()
        expect(page.get_by_role("link", name="Calendar")).to_be_visible()
        expect(menu).to_have_attribute("aria-expanded", "true")
    else:
        expect(menu).to_be_hidden()
        expect(page.get_by_role("link", name="Calendar")).to_be_visible()

    index = page.get_by_role("navigation", name="Chart sections")
    expect(index.get_by_role("link")).to_have_text(
        ["Contact", "Insurance and referral", "Appointments", "Intake forms", "Exams", "Progress", "Documents",
         "Consents", "Messages"])
    expect(index.get_by_role("link", name="Contact")).to_have_attribute("aria-current", "true")

    _go_to(page, index, "Messages")
    expect(page).to_have_url(re.compile("#messages$"))  # a plain link: the address names the section
    _stays_on_top(page, index)
    page.screenshot(path=str(SCREENSHOTS / f"chart_sections_{screen}_messages.png"))

    _go_to(page, index, "Progress")
    _stays_on_top(page, index)

    # Scrolled by hand back to the top: the index follows the reader.
    page.mouse.move(SCREENS[screen]["width"] // 2, 600)
    for _ in range(40):
        page.mouse.wheel(0, -400)
    _settled(page)
    expect(index.get_by_role("link", name="Contact")).to_have_attribute("aria-current", "true")
    page.screenshot(path=str(SCREENSHOTS / f"chart_sections_{screen}_top.png"))


@pytest.mark.parametrize("screen", SCREENS)
def test_the_exam_keeps_the_patient_and_the_saved_state_in_view(page, live_server, sign_in, exam, dr_rivera, screen):
    submitted_intake(exam.patient, exam.appointment)
    page.set_viewport_size(SCREENS[screen])
    sign_in(dr_rivera.user)
    page.goto(f"{live_server.url}/exams/{exam.pk}/")

    name = page.get_by_role("heading", name="Exam: Maya Okafor")
    saved = page.get_by_role("status").filter(has_text=re.compile(r"^(Saved|Saving|Unsaved|Not saved)"))
    expect(saved).to_have_text(re.compile(r"^Saved \d{1,2}:\d\d [AP]M$"))
    index = page.get_by_role("navigation", name="Exam sections")
    expect(index.get_by_role("link")).to_have_count(14)
    page.screenshot(path=str(SCREENSHOTS / f"exam_bar_{screen}_top.png"))

    _go_to(page, index, "Mobility")
    mobility = page.get_by_role("region", name="Mobility")
    _stays_on_top(page, name)
    expect(page.get_by_text(re.compile(r"^Follow-up · \w{3}, \w{3} \d+, \d{4} · \d+:\d\d [AP]M$"))).to_be_in_viewport()
    expect(saved).to_be_in_viewport()

    mobility.get_by_label("Hip flexion, left (degrees)").fill("95")
    expect(saved).to_have_text(re.compile("^(Unsaved changes|Saving…)$"))
    expect(saved).to_have_text(re.compile(r"^Saved \d{1,2}:\d\d [AP]M$"))
    expect(mobility.get_by_text(re.compile(r"^Saved \d"))).to_be_visible()

    # The connection drops: the bar says what is not saved and offers to retry; the retry saves it.
    page.route("**/sections/mobility/", lambda route: route.abort())
    mobility.get_by_label("Hip flexion, right (degrees)").fill("100")
    expect(saved).to_have_text("Not saved: Mobility")
    retry = page.get_by_role("button", name="Retry")
    expect(retry).to_be_visible()
    page.screenshot(path=str(SCREENSHOTS / f"exam_bar_{screen}_not_saved.png"))
    page.unroute("**/sections/mobility/")
    retry.click()
    expect(saved).to_have_text(re.compile(r"^Saved \d{1,2}:\d\d [AP]M$"))
    expect(retry).to_be_hidden()
    _stays_on_top(page, name)

    _go_to(page, index, "Plan")
    _stays_on_top(page, index)
    _stays_on_top(page, name)
    page.screenshot(path=str(SCREENSHOTS / f"exam_bar_{screen}_plan.png"))
