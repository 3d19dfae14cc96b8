"""Red flags in the browser: the clinician grades the neuro screen and sees a two-level deficit raise an alert as
it saves, re-screens the red flags on the exam; the patient ticking leg symptoms on both sides is asked to call
the clinic today, not sent to an emergency department (clinical reference, product decisions)."""

import re

import pytest
from playwright.sync_api import expect

from exams import services as exam_services
from exams.models import RedFlagScreen
from intake import services as intake_services
from intake.models import RedFlagAlert
from intake.questionnaire import RED_FLAG_GROUPS, RED_FLAG_QUESTIONS
from tests.e2e.conftest import SCREENSHOTS
from tests.intake.intake_fixtures import save_steps

pytestmark = pytest.mark.django_db(transaction=True)


def shot(page, name):
    SCREENSHOTS.mkdir(parents=True, exist_ok=True)
    page.screenshot(path=str(SCREENSHOTS / f"red_flags_{name}.png"), full_page=True)


def test_a_two_level_deficit_alerts_as_it_saves_and_the_clinician_re_screens_on_the_exam(
    page, live_server, sign_in, visit, dr_rivera
):
    exam, _ = exam_services.exam_start(appointment=visit, clinician=dr_rivera)
    sign_in(dr_rivera.user)
    page.goto(f"{live_server.url}/exams/{exam.pk}/")

    neuro = page.get_by_role("region", name="Neuro screen")
    neuro.get_by_label("Great-toe extension (EHL) (L5), left").select_option("4")
    expect(neuro.get_by_text(re.compile(r"^Saved \d"))).to_be_visible()
    expect(neuro.get_by_role("alert")).to_have_count(0)  # one level, one side: no red flag
    neuro.get_by_label("Achilles (ankle jerk) reflex (S1), left").select_option("0")
    flag = neuro.get_by_role("alert").filter(has_text="Red flag in these findings")
    expect(flag).to_contain_text("Deficit at more than one level")
    expect(flag).to_contain_text("alert raised")
    expect(page.get_by_role("region", name="Assessment").get_by_text("Red flag: deficit at more than one level")
           ).to_be_visible()
    neuro.screenshot(path=str(SCREENSHOTS / "red_flags_neuro_two_levels.png"))
    assert RedFlagAlert.objects.get().source == "exam"

    screen = page.get_by_role("region", name="Red-flag re-screen")
    screen.get_by_label("None of these: nothing new or worse since the last visit").check()
    screen.get_by_role("button", name="Save re-screen").click()
    expect(page.get_by_role("heading", name=re.compile("^Exam: "))).to_be_visible()
    expect(page.get_by_role("region", name="Red-flag re-screen").get_by_role("cell", name="None of these")
           ).to_be_visible()
    assert RedFlagScreen.objects.get().none_apply
    shot(page, "exam_page")

    page.goto(f"{live_server.url}/exams/appointment/{visit.pk}/red-flags/")
    rescreen = page.get_by_role("region", name="Red-flag re-screen")
    rescreen.get_by_role("radiogroup", name="Fever, chills or night sweats").get_by_label("Yes").check()
    rescreen.get_by_role("button", name="Save re-screen").click()
    expect(page.get_by_text("Answer each item Yes or No, or tick “None of these”.")).to_be_visible()
    expect(page.get_by_role("radiogroup", name="Fever, chills or night sweats").get_by_label("Yes")).to_be_checked()
    shot(page, "rescreen_page_error")


GROUPS = {key: str(question) for _name, _heading, question, keys in RED_FLAG_GROUPS for key in keys}


def test_leg_symptoms_on_both_sides_ask_the_patient_to_call_today_and_saddle_numbness_to_go_now(
    browser, live_server, intake
):
    save_steps(intake, skip=("red_flags", "consent"))
    phone = browser.new_context(viewport={"width": 390, "height": 844}, is_mobile=True, has_touch=True)
    page = phone.new_page()
    page.goto(live_server.url + intake_services.intake_link_for(appointment=intake.appointment))
    expect(page.get_by_role("heading", level=1, name="Safety questions")).to_be_visible()
    nerves = page.get_by_role("group", name=GROUPS["bilateral_sciatica"])
    emergency = page.get_by_role("alert").filter(has_text="Please do not wait for your appointment")
    same_day = page.get_by_role("alert").filter(has_text="Please call the clinic today.")

    nerves.get_by_label(str(RED_FLAG_QUESTIONS["bilateral_sciatica"]), exact=True).check()
    expect(same_day).to_be_visible()
    expect(emergency).to_be_hidden()
    shot(page, "intake_both_legs")
    nerves.get_by_label(str(RED_FLAG_QUESTIONS["saddle_numbness"]), exact=True).check()
    expect(emergency).to_be_visible()
    expect(same_day).to_be_hidden()
    phone.close()
