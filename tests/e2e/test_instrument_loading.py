"""A clinician replaces the demo's placeholder ODI with the clinic's licensed copy on the Questionnaires page, and the
next intake uses it; scores from the placeholder are never shown as ODI scores.

Clinicians (who choose the clinic's measures) and admins (also in the staff admin) load files; the front desk is
refused (tests/intake/test_instrument_loading.py).
"""

import re

import pytest
from playwright.sync_api import expect

from intake import services
from intake.models import Instrument, OutcomeScore
from tests.e2e.conftest import SCREENSHOTS
from tests.factories import PatientFactory
from tests.intake.intake_fixtures import instrument_file, other_visit, save_steps, valid_answers
from tests.scheduling.conftest import local

pytestmark = pytest.mark.django_db(transaction=True)


def shot(page, name):
    SCREENSHOTS.mkdir(parents=True, exist_ok=True)
    page.screenshot(path=str(SCREENSHOTS / f"instrument_{name}.png"), full_page=True)


def licensed_file():
    """The clinic's licensed ODI: here neutral stand-in statements, marked licensed, under the clinic's version."""
    return instrument_file("odi", licensed=True, version="2.1a-clinic").replace("Placeholder statement",
                                                                                "Licensed statement")


def choose(page, name, text):
    page.get_by_label(re.compile("Instrument file")).set_input_files(
        files=[{"name": name, "mimeType": "text/yaml", "buffer": text.encode()}])
    page.get_by_role("button", name="Load the file").click()


def test_a_clinician_loads_the_licensed_odi_and_the_next_intake_uses_it(page, browser, live_server, sign_in,
                                                                         appointment, demo_odi, monday, deliver_now):
    # Before: the clinic ran on the demo's placeholder ODI, and one patient answered it.
    earlier = other_visit(appointment, local(monday, 9), patient=PatientFactory(first_name="Lee", last_name="Park"))
    placeholder_form = services.intake_start(appointment=earlier)
    answers = valid_answers()
    answers["consent"]["signed_name"] = "Lee Park"
    save_steps(placeholder_form, answers)
    services.intake_submit(intake=placeholder_form)
    assert OutcomeScore.objects.get(intake=placeholder_form, instrument="odi").demo_wording

    sign_in(appointment.clinician.user)  # the patient's clinician: they read both charts below
    page.goto(f"{live_server.url}/")
    page.get_by_role("link", name="Questionnaires").click()
    notice = page.get_by_role("status").filter(has_text="Why the intake has no ODI score")
    expect(notice).to_contain_text("has demo wording")
    expect(page.get_by_role("row").filter(has_text="Demo wording")).to_contain_text("Yes, on every new intake")
    expect(page.get_by_role("heading", name="Load a questionnaire file")).to_be_visible()

    # A file with mistakes: each one is listed with its line, and nothing is loaded.
    broken = licensed_file().replace('version: "2.1a-clinic"', "version: 2.1").replace("key: travelling", "key: driving")
    choose(page, "odi-licensed.yaml", broken)
    errors = page.locator("#file-errors")
    expect(errors).to_contain_text("Line 7: 'version' must be text, not 2.1")
    expect(errors).to_contain_text("missing travelling; not ODI sections: driving")
    shot(page, "1_errors_by_line")
    assert Instrument.objects.filter(demo_wording=False).count() == 0

    choose(page, "odi-licensed.yaml", licensed_file())
    expect(page.get_by_text("Loaded Oswestry Disability Index (test wording) (version 2.1a-clinic)")).to_be_visible()
    expect(page.get_by_role("status").filter(has_text="Why the intake has no ODI score")).to_have_count(0)
    row = page.get_by_role("row").filter(has_text="2.1a-clinic")
    expect(row).to_contain_text("Licensed")
    shot(page, "2_loaded")

    # The next intake asks the licensed wording; the patient answers it on a phone.
    save_steps(services.intake_start(appointment=appointment), skip=("outcomes", "consent"))
    phone = browser.new_context(viewport={"width": 390, "height": 844}, is_mobile=True, has_touch=True)
    patient_page = phone.new_page()
    patient_page.goto(live_server.url + services.intake_link_for(appointment=appointment))
    expect(patient_page.get_by_role("heading", level=1, name="Daily activities")).to_be_visible()
    expect(patient_page.get_by_text("Demo wording.")).to_have_count(0)
    sections = patient_page.get_by_role("group", name=re.compile(r"^Section \d+: .* \(test wording\)"))
    expect(sections).to_have_count(10)
    for section in sections.all()[:9]:  # one section skipped: 18 points over 9 sections
        section.get_by_label(re.compile(r"^Licensed statement 2")).check()
    patient_page.get_by_label("Activity 1", exact=True).fill("Running")
    patient_page.get_by_label("Activity 1: how well can you do it now?").select_option("3")
    shot(patient_page, "3_patient_licensed_odi")
    patient_page.get_by_role("button", name="Next").click()
    expect(patient_page.get_by_role("heading", level=1, name="Your goals")).to_be_visible()
    patient_page.get_by_role("button", name="Next").click()
    for label in ("I agree to be assessed", "I have read the clinic's", "My answers on this form are true"):
        patient_page.get_by_label(label).check()
    patient_page.get_by_label("Type your full name").fill("Maya Okafor")
    patient_page.get_by_role("button", name="Sign and submit").click()
    expect(patient_page.get_by_role("heading", name="Thank you, Maya")).to_be_visible()
    phone.close()

    score = OutcomeScore.objects.get(patient=appointment.patient, instrument="odi")
    assert (score.instrument_version, score.demo_wording, float(score.value), score.band) == (
        "2.1a-clinic", False, 40.0, "moderate")  # 18 / (5 x 9) = 40%

    # The chart: the licensed score is an ODI score with its band; the placeholder one never is.
    page.goto(f"{live_server.url}/patients/{appointment.patient.mrn}/")
    expect(page.get_by_text("ODI 40.0% (moderate)")).to_be_visible()
    shot(page, "4_chart_licensed")
    page.goto(f"{live_server.url}/patients/{earlier.patient.mrn}/")
    intake_card = page.locator(".chart-intake")
    expect(intake_card).to_contain_text("demo wording")
    expect(intake_card).not_to_contain_text("(moderate)")
    progress = page.locator(".chart-progress")
    expect(progress).to_contain_text("(placeholder statements: not a real score)")
    shot(page, "5_chart_placeholder")
