"""A patient fills the intake form on a phone from the link, closes it midway, comes back, submits."""

import datetime
import re

import pytest
from django.core import mail
from django.utils import timezone
from playwright.sync_api import expect

from intake import services
from intake.models import IntakeForm, RedFlagAlert
from intake.questionnaire import RED_FLAG_GROUPS, RED_FLAG_QUESTIONS
from notifications.models import Notification
from tests.e2e.conftest import SCREENSHOTS
from tests.intake.intake_fixtures import save_steps

pytestmark = pytest.mark.django_db(transaction=True)

GROUPS = {key: str(question) for _name, _heading, question, keys in RED_FLAG_GROUPS for key in keys}


def tick_red_flag(page, key):
    """Tick one red-flag item in its group, by the words the patient reads."""
    group(page, GROUPS[key]).get_by_label(str(RED_FLAG_QUESTIONS[key]), exact=True).check()


@pytest.fixture
def phone(browser):
    context = browser.new_context(viewport={"width": 390, "height": 844}, device_scale_factor=2, is_mobile=True,
                                  has_touch=True)
    yield context
    context.close()


def open_page(context, url):
    page = context.new_page()
    page.set_default_timeout(10_000)
    page.goto(url)
    return page


def shot(page, name):
    SCREENSHOTS.mkdir(parents=True, exist_ok=True)
    page.screenshot(path=str(SCREENSHOTS / f"intake_{name}.png"), full_page=True)


def group(page, name):
    return page.get_by_role("group", name=name)


def answer(page, question, choice):
    group(page, question).get_by_label(choice, exact=True).check()


def next_step(page, heading):
    page.get_by_role("button", name="Next").click()
    expect(page.get_by_role("heading", level=1, name=heading)).to_be_visible()


def test_patient_fills_the_form_on_a_phone_resumes_after_closing_it_and_submits(phone, live_server, appointment,
                                                                                 deliver_now, demo_odi):
    link = live_server.url + services.intake_link_for(appointment=appointment)
    page = open_page(phone, link)

    # 1. Contact details: prefilled from the record; insurance questions appear once they apply.
    expect(page.get_by_role("heading", level=1, name="Your details")).to_be_visible()
    expect(page.get_by_text("Step 1 of 7")).to_be_visible()
    expect(page.get_by_role("textbox", name=re.compile("^Email"))).to_have_value("maya@example.com")
    page.get_by_label("Street address").fill("12 Elm St")
    page.get_by_label("Town or city").fill("Boston")
    page.get_by_label("ZIP code").fill("02116")
    page.get_by_label("Emergency contact: name").fill("Sam Okafor")
    page.get_by_label("Emergency contact: how you know them").fill("partner")
    page.get_by_label("Emergency contact: phone").fill("(617) 555-0102")
    expect(page.get_by_label("Insurance company")).to_be_hidden()
    answer(page, "Will you use health insurance for these visits?", "Yes")
    page.get_by_label("Insurance company").fill("Aetna")
    page.get_by_label("Member ID").fill("W123456")
    # Reminders: texts only with the explicit opt-in, which appears once texts are chosen.
    opt_in = page.get_by_label(re.compile("^Yes, the clinic may send me text messages"))
    expect(group(page, "How should we send your appointment reminders?").get_by_label("Email", exact=True)).to_be_checked()
    expect(opt_in).to_be_hidden()
    answer(page, "How should we send your appointment reminders?", "Both email and text message")
    expect(opt_in).not_to_be_checked()
    opt_in.check()
    shot(page, "1_contact")
    next_step(page, "Health history")

    # 2. Health history: pressing Next too early puts each message by its question.
    page.get_by_role("button", name="Next").click()
    expect(page.get_by_text("Please check the answers marked below")).to_be_visible()
    expect(group(page, "Have you ever had an operation (surgery)?")).to_contain_text("Choose yes or no.")
    shot(page, "2_history_errors")
    answer(page, "Have you ever had an operation (surgery)?", "No")
    answer(page, "Do you take any medicines, including ones bought without a prescription?", "Yes")
    page.get_by_label("Which medicines, and how much?").fill("Ibuprofen 400 mg when needed")
    answer(page, "Do you have any allergies, for example to medicines, latex or tape?", "No")
    answer(page, "Have you had any scans or X-rays for this problem?", "No")
    answer(page, "Have you had any treatment for this problem already?", "No")
    answer(page, "How active are you, usually?", "Very active: exercise most days")
    page.get_by_label("Which sports or activities do you do?").fill("Running")
    page.get_by_label("About how many hours a day do you spend sitting?").fill("9")
    next_step(page, "This problem")

    # 3. This problem: choose what you feel, then tap where; one place can carry several kinds.
    onset = timezone.localdate() - datetime.timedelta(days=60)
    page.get_by_label("When did it start?").fill(onset.isoformat())
    answer(page, "How did it start?", "During sport or exercise")
    page.get_by_label("Which sport or exercise?").fill("Running")
    answer(page, "Which side is the problem on?", "Left")
    tools = page.get_by_role("toolbar", name="What you feel")
    pain, tingling = (tools.get_by_role("button", name=kind, exact=True) for kind in ("Pain", "Tingling"))
    expect(pain).to_have_attribute("aria-pressed", "true")
    drawing = page.get_by_role("group", name="Body map: where you feel it")
    drawing.get_by_role("button", name="Left buttock: no symptoms").tap()
    expect(drawing.get_by_text("Left buttock: pain", exact=True)).to_be_visible()  # the name shows over the place
    tingling.tap()
    expect(tingling).to_have_attribute("aria-pressed", "true")
    expect(pain).to_have_attribute("aria-pressed", "false")
    page.get_by_role("button", name="Left buttock: pain").tap()
    page.get_by_role("button", name="Left calf: no symptoms").tap()
    expect(drawing.get_by_text("Left calf: tingling", exact=True)).to_be_visible()
    page.get_by_role("button", name="Left shin: no symptoms").tap()
    page.get_by_role("button", name="Left shin: tingling").tap()  # a second tap takes the mark off
    expect(page.get_by_role("button", name="Left shin: no symptoms")).to_be_visible()
    expect(page.get_by_role("button", name="Left buttock: pain, tingling")).to_be_visible()
    expect(page.get_by_text("You marked: Left buttock (pain, tingling), Left calf (tingling).")).to_be_visible()
    page.get_by_role("button", name="Right groin: no symptoms").focus()  # keyboard focus names the place too
    expect(drawing.get_by_text("Right groin", exact=True)).to_be_visible()
    page.get_by_role("region", name="Where you feel it").screenshot(path=str(SCREENSHOTS / "intake_3_body_map.png"))
    page.get_by_text("Or tick the places on a list").tap()  # the same marks as tick boxes
    expect(page.get_by_role("checkbox", name="Left buttock: tingling")).to_be_checked()
    expect(page.get_by_role("checkbox", name="Left buttock: numbness")).not_to_be_checked()
    # Next before the pain scores: the marks stay, with the message by the question still to answer.
    page.get_by_role("button", name="Next").click()
    expect(group(page, "Your pain right now (pain score)")).to_contain_text("Choose a number from 0 to 10.")
    expect(page.get_by_role("button", name="Left buttock: pain, tingling")).to_be_visible()
    assert IntakeForm.objects.get(appointment=appointment).step_drafts["complaint"]["map_back_buttock_left"] == [
        "pain", "tingling"]
    expect(group(page, "Which leg?")).to_be_hidden()
    group(page, "Do you have any of these?").get_by_label("Pain, tingling or numbness going down the leg").check()
    answer(page, "Which leg?", "Left")
    answer(page, "How far down the leg does it go?", "Below the knee, into the calf or shin")
    group(page, "What makes it worse?").get_by_label("Sitting", exact=True).check()
    page.get_by_label("How many minutes can you sit before it hurts more?").fill("20")
    answer(page, "Your pain right now (pain score)", "6")
    answer(page, "Your pain at its best in the past week", "3")
    answer(page, "Your pain at its worst in the past week", "8")
    shot(page, "3_complaint")
    next_step(page, "Safety questions")

    # 4. Safety questions: one list to tick, or "None of these apply to me"; both at once is refused.
    none_apply = page.get_by_label("None of these apply to me")
    tick_red_flag(page, "diabetes")
    none_apply.check()
    page.get_by_label("Anything you want to add about these answers?").fill("Stiff in the mornings")
    page.get_by_role("button", name="Next").click()
    expect(page.get_by_text("You ticked “None of these apply to me” and also 1 item(s) above.")).to_be_visible()
    shot(page, "4_red_flags_both_ticked")
    group(page, GROUPS["diabetes"]).get_by_label("Diabetes", exact=True).uncheck()
    # Then the page closes before Next.
    page.close()

    page = open_page(phone, link)
    expect(page.get_by_role("heading", level=1, name="Safety questions")).to_be_visible()
    expect(page.get_by_text("We brought back what you typed earlier")).to_be_visible()
    expect(page.get_by_label("None of these apply to me")).to_be_checked()
    expect(group(page, GROUPS["diabetes"]).get_by_label("Diabetes", exact=True)).not_to_be_checked()
    expect(page.get_by_label("Anything you want to add about these answers?")).to_have_value("Stiff in the mornings")
    shot(page, "4_red_flags_restored")
    next_step(page, "Daily activities")

    # 5. Outcome measures: the demo's placeholder ODI (demo wording, never scored as the ODI), and the PSFS.
    expect(page.get_by_text("Demo wording.")).to_be_visible()
    for section in page.get_by_role("group", name=re.compile(r"^Section \d+:")).all():
        section.get_by_label(re.compile(r"^Placeholder statement 2")).check()
    page.get_by_label("Activity 1", exact=True).fill("Running")
    page.get_by_label("Activity 1: how well can you do it now?").select_option("3")
    shot(page, "5_outcomes")
    next_step(page, "Your goals")

    # 6-7. Goals, consent and signature.
    page.get_by_label("What do you most want to be able to do again?").fill("Run a half marathon again")
    next_step(page, "Consent and signature")
    # The review of every answer before signing, with a way back to each step.
    expect(page.get_by_role("heading", name="Check your answers")).to_be_visible()
    expect(page.get_by_role("link", name="Edit Your goals")).to_be_visible()
    expect(page.get_by_text("Run a half marathon again")).to_be_visible()
    shot(page, "7_review")
    page.get_by_label("I agree to be assessed and treated").check()
    page.get_by_label("I have read the clinic's notice of privacy practices.").check()
    page.get_by_label("My answers on this form are true").check()
    page.get_by_label("Type your full name").fill("Maya Okafor")
    shot(page, "7_consent")
    page.get_by_role("button", name="Sign and submit").click()

    expect(page.get_by_role("heading", name="Thank you, Maya")).to_be_visible()
    expect(page.get_by_role("button", name="Email me a copy")).to_be_visible()
    shot(page, "8_thank_you")
    drafts = page.evaluate("Object.keys(localStorage).filter(k => k.startsWith('stride-intake:')).length")
    assert drafts == 0
    appointment.refresh_from_db()
    assert appointment.intake_completed_at is not None and not appointment.intake_missing
    assert appointment.patient.reminder_sms_consent and appointment.patient.reminder_email_consent
    form = IntakeForm.objects.get(appointment=appointment)
    assert form.is_submitted and form.answers["red_flags"]["notes"] == "Stiff in the mornings"
    assert form.answers["red_flags"]["none_apply"] is True and form.answers["red_flags"]["diabetes"] is False
    assert form.answers["complaint"]["body_map"] == {"back_buttock_left": ["pain", "tingling"],
                                                     "back_calf_left": ["tingling"]}
    assert not RedFlagAlert.objects.exists()

    # A copy to keep: the printable page of what was sent.
    page.get_by_role("link", name="See and print your answers").click()
    expect(page.get_by_role("heading", level=1, name="Your intake form answers")).to_be_visible()
    expect(page.get_by_text("Stiff in the mornings")).to_be_visible()
    page.emulate_media(media="print")
    expect(page.get_by_role("button", name="Print")).to_be_hidden()
    shot(page, "9_copy_print")


def test_without_javascript_the_body_map_is_a_list_of_tick_boxes_that_saves_the_same_marks(browser, live_server,
                                                                                          intake):
    save_steps(intake, only=("contact", "history", "complaint"))
    context = browser.new_context(viewport={"width": 390, "height": 844}, java_script_enabled=False)
    page = open_page(context, live_server.url + services.intake_link_for(appointment=intake.appointment)
                     + "complaint/")
    expect(page.get_by_role("toolbar", name="What you feel")).to_be_hidden()  # no drawing to tap without script
    expect(page.get_by_role("checkbox", name="Left buttock: pain")).to_be_checked()
    page.get_by_role("checkbox", name="Right shin: numbness").check()
    page.get_by_role("checkbox", name="Right shin: tingling").check()
    shot(page, "3_body_map_without_javascript")
    page.get_by_role("button", name="Next").click()
    expect(page.get_by_role("heading", level=1, name="Safety questions")).to_be_visible()
    context.close()
    intake.refresh_from_db()
    assert intake.answers["complaint"]["body_map"] == {"back_buttock_left": ["pain", "tingling"],
                                                       "back_calf_left": ["tingling"],
                                                       "front_shin_right": ["tingling", "numbness"]}


def test_a_red_flag_answer_warns_the_patient_and_alerts_the_chart(phone, page, live_server, sign_in, intake,
                                                                   deliver_now):
    save_steps(intake, skip=("red_flags", "consent"))  # the patient stopped before the safety questions
    link = live_server.url + services.intake_link_for(appointment=intake.appointment)
    patient_page = open_page(phone, link)
    expect(patient_page.get_by_role("heading", level=1, name="Safety questions")).to_be_visible()
    advice = patient_page.get_by_role("alert").filter(has_text="Please do not wait for your appointment")
    expect(advice).to_be_hidden()
    tick_red_flag(patient_page, "saddle_numbness")
    expect(advice).to_be_visible()
    shot(patient_page, "red_flag_advice")
    next_step(patient_page, "Daily activities")  # saved steps come back filled in
    next_step(patient_page, "Your goals")
    next_step(patient_page, "Consent and signature")
    for label in ("I agree to be assessed", "I have read the clinic's", "My answers on this form are true"):
        patient_page.get_by_label(label).check()
    patient_page.get_by_label("Type your full name").fill("Maya Okafor")
    patient_page.get_by_role("button", name="Sign and submit").click()
    expect(patient_page.get_by_role("alert").filter(has_text="Please do not wait for your appointment")).to_be_visible()

    alert_row = Notification.objects.get(kind=Notification.Kind.RED_FLAG)
    assert alert_row.recipient_user == intake.appointment.clinician.user and alert_row.payload["urgency"] == "emergency"
    assert alert_row.status == Notification.Status.SENT
    assert [m.to for m in mail.outbox] == [["rivera@stride.test"]]
    sign_in(intake.appointment.clinician.user)
    page.goto(f"{live_server.url}/patients/{intake.patient.mrn}/")
    alert = page.get_by_role("alert").filter(has_text="Red flag: Emergency")
    expect(alert).to_be_visible()
    expect(alert).to_contain_text("saddle/perineal numbness")
    expect(page.get_by_role("region", name="Intake and exams")).to_contain_text("Submitted")
    shot(page, "chart_red_flag")

    page.get_by_role("link", name="Intake summary (printable)").click()
    expect(page.get_by_role("heading", name="Intake summary")).to_be_visible()
    page.emulate_media(media="print")
    expect(page.get_by_role("navigation", name="Main")).to_be_hidden()
    expect(page.get_by_text(f"record {intake.patient.mrn}")).to_be_visible()  # the header repeated on each page
    shot(page, "summary_print")
    page.emulate_media(media="screen")
    page.go_back()

    alert = page.get_by_role("alert").filter(has_text="Red flag: Emergency")
    alert.get_by_role("button", name="Acknowledge red flag").click()
    expect(page.get_by_text("Red flag acknowledged.")).to_be_visible()
    expect(page.get_by_role("alert").filter(has_text="Red flag: Emergency")).to_have_count(0)


def _loaded_width(img):
    """The image's width once it has loaded (0 if it failed): visible is not yet loaded."""
    return img.evaluate("""img => img.complete ? img.naturalWidth : new Promise(done => {
        img.addEventListener("load", () => done(img.naturalWidth), {once: true});
        img.addEventListener("error", () => done(0), {once: true});
    })""")


def test_patient_signs_by_drawing_with_the_mouse_and_the_clinician_sees_the_signature(page, live_server, sign_in,
                                                                                       intake, deliver_now):
    save_steps(intake, skip=("consent",))
    page.goto(live_server.url + services.intake_link_for(appointment=intake.appointment))
    expect(page.get_by_role("heading", level=1, name="Consent and signature")).to_be_visible()
    for label in ("I agree to be assessed", "I have read the clinic's", "My answers on this form are true"):
        page.get_by_label(label).check()
    page.get_by_label("Type your full name").fill("Maya Okafor")
    box = page.get_by_role("img", name="Draw your signature in the box")
    expect(box).to_be_hidden()  # typing the name is the way until drawing is chosen
    answer(page, "How would you like to sign?", "Draw my signature with a finger or the mouse")
    expect(box).to_be_visible()

    # Signing with an empty box is refused by the box; everything else stays as entered.
    page.get_by_role("button", name="Sign and submit").click()
    expect(page.get_by_text("Draw your signature in the box, or choose to type your name instead.")).to_be_visible()
    expect(page.get_by_label("Type your full name")).to_have_value("Maya Okafor")
    expect(page.get_by_label("My answers on this form are true")).to_be_checked()

    def scribble(points):
        area = box.bounding_box()
        page.mouse.move(area["x"] + points[0][0] * area["width"], area["y"] + points[0][1] * area["height"])
        page.mouse.down()
        for x, y in points[1:]:
            page.mouse.move(area["x"] + x * area["width"], area["y"] + y * area["height"], steps=6)
        page.mouse.up()

    scribble([(.1, .7), (.15, .3), (.2, .7), (.25, .3), (.3, .7)])
    page.get_by_role("button", name="Clear").click()  # a false start, cleared
    expect(page.get_by_text("The box is empty.")).to_be_visible()
    scribble([(.08, .75), (.12, .25), (.18, .7), (.24, .3), (.3, .72), (.4, .45), (.5, .7), (.62, .4), (.75, .68)])
    scribble([(.1, .85), (.8, .82)])
    expect(page.get_by_text("Signature drawn.")).to_be_visible()
    page.get_by_role("region", name="Signature", exact=True).screenshot(path=str(SCREENSHOTS / "intake_7_drawn_signature.png"))
    page.get_by_role("button", name="Sign and submit").click()
    expect(page.get_by_role("heading", name="Thank you, Maya")).to_be_visible()

    form = IntakeForm.objects.get(pk=intake.pk)
    assert form.is_submitted and form.signed_name == "Maya Okafor"
    assert bytes(form.drawn_signature.png).startswith(b"\x89PNG")
    # The patient's copy shows it, from their own link.
    page.get_by_role("link", name="See and print your answers").click()
    drawing = page.get_by_role("img", name="Signature drawn by Maya Okafor")
    expect(drawing).to_be_visible()
    assert _loaded_width(drawing) > 0

    sign_in(intake.appointment.clinician.user)
    page.goto(f"{live_server.url}/intake/forms/{intake.pk}/summary/")
    drawing = page.get_by_role("img", name="Signature drawn by Maya Okafor")
    expect(drawing).to_be_visible()
    assert _loaded_width(drawing) > 0  # served to the clinician by the checked view
    expect(page.get_by_text("Printed name: Maya Okafor.")).to_be_visible()
    page.get_by_role("region", name="Signature", exact=True).screenshot(path=str(SCREENSHOTS / "intake_summary_signature.png"))
