"""The clinician's exam in the browser: open from the visit, record a positive SI cluster, read the suggestion and
its rule, pick two working diagnoses with their sides (the code follows), sign, find the exam locked, and add an addendum."""

import re

import pytest
from playwright.sync_api import expect

from tests.e2e.conftest import SCREENSHOTS
from tests.exams.exam_fixtures import submitted_intake

pytestmark = pytest.mark.django_db(transaction=True)


def test_clinician_records_a_positive_si_cluster_signs_and_adds_an_addendum(page, live_server, sign_in, visit, dr_rivera):
    patient = visit.patient
    submitted_intake(patient, visit)  # fall on the ice, left side, pain 6/10
    sign_in(dr_rivera.user)

    page.goto(f"{live_server.url}/patients/{patient.mrn}/")
    page.get_by_role("link", name=re.compile(r"^Open exam for Follow-up")).click()
    expect(page.get_by_text("Prefilled from the patient's intake")).to_be_visible()
    page.get_by_role("button", name="Start exam").click()

    expect(page.get_by_role("heading", name="Exam: Maya Okafor")).to_be_visible()
    expect(page.get_by_label("How it started")).to_have_value("fall")  # prefilled from the intake
    expect(page.get_by_label("Side of symptoms")).to_have_value("left")

    # A limited hip flexion is flagged beside the value as soon as it is typed.
    mobility = page.get_by_role("region", name="Mobility")
    mobility.get_by_label("Hip flexion, left (degrees)").fill("95")
    expect(mobility.locator('[data-flag-for="hip_flexion_left"]')).to_contain_text("Limited")
    expect(mobility.get_by_text(re.compile(r"^Saved \d"))).to_be_visible()

    tests = page.get_by_role("region", name="Special tests")
    tests.get_by_role("group", name="SI distraction").get_by_text("Positive", exact=True).click()
    tests.get_by_role("group", name="Thigh thrust, right").get_by_text("Positive", exact=True).click()
    tests.get_by_role("group", name="SI compression").get_by_text("Positive", exact=True).click()
    tests.get_by_role("group", name="Sacral thrust").get_by_text("Negative", exact=True).click()

    assessment = page.get_by_role("region", name="Assessment")
    expect(assessment.get_by_text(re.compile("3 of 5 SI provocation tests positive"))).to_be_visible()
    expect(assessment.get_by_text("SI joint pain likely", exact=True)).to_be_visible()
    # Two working diagnoses, each with its side; the code follows from the clinic's table.
    rows = assessment.get_by_role("list", name="Working diagnoses").get_by_role("listitem")
    expect(rows.first.get_by_label("Diagnosis")).to_have_value("")  # never chosen for the clinician
    rows.first.get_by_label("Diagnosis").select_option(label="SI joint pain (dysfunction)")
    rows.first.get_by_label("Side").select_option(label="Right")
    expect(rows.first.get_by_text("M53.3", exact=True)).to_be_visible()
    assessment.get_by_role("button", name="Add another diagnosis").click()
    rows.nth(1).get_by_label("Diagnosis").select_option(label="Gluteal tendinopathy (greater trochanteric pain)")
    rows.nth(1).get_by_label("Side").select_option(label="Both sides")
    expect(rows.nth(1).get_by_text(re.compile("record one row for the left and one for the right"))).to_be_visible()
    rows.nth(1).get_by_label("Side").select_option(label="Right")
    expect(rows.nth(1).get_by_text("M76.01", exact=True)).to_be_visible()
    expect(rows.nth(1).get_by_label("ICD-10-CM code")).to_have_value("M76.01")
    expect(assessment.get_by_text(re.compile(r"^Saved \d"))).to_be_visible()
    expect(page.get_by_role("status").filter(has_text=re.compile(r"^Saved \d"))).to_be_visible()  # the bar on top
    page.screenshot(path=str(SCREENSHOTS / "clinician_exam_draft.png"), full_page=True)
    assessment.screenshot(path=str(SCREENSHOTS / "clinician_exam_diagnoses.png"))
    tests.screenshot(path=str(SCREENSHOTS / "clinician_exam_tests.png"))

    page.once("dialog", lambda dialog: dialog.accept())
    page.get_by_role("button", name="Sign and lock exam").click()

    expect(page.get_by_role("note").filter(has_text="Signed by Sam Rivera")).to_be_visible()
    main = page.get_by_role("main")
    expect(main.get_by_role("radio")).to_have_count(0)
    expect(main.get_by_role("combobox")).to_have_count(0)
    expect(main.get_by_role("checkbox")).to_have_count(0)
    expect(main.get_by_role("textbox")).to_have_count(1)  # only the addendum
    expect(main.get_by_role("button", name=re.compile("^Save"))).to_have_count(0)
    expect(page.get_by_role("region", name="Special tests").get_by_text("Positive", exact=True)).to_have_count(3)
    expect(page.get_by_role("region", name="Assessment")).to_contain_text("3 of 5 SI provocation tests positive")

    page.get_by_label("Add an addendum").fill("Gaenslen retested on the right: positive.")
    page.get_by_role("button", name="Add addendum").click()
    addenda = page.get_by_role("region", name="Addenda")
    expect(addenda.get_by_text(re.compile(r"Addendum by Sam Rivera on \w{3}, \w{3} \d+, \d{4} at \d+:\d\d [AP]M"))).to_be_visible()
    expect(addenda.get_by_text("Gaenslen retested on the right: positive.")).to_be_visible()
    signed_assessment = page.get_by_role("region", name="Assessment")
    expect(signed_assessment.get_by_role("row", name=re.compile(r"SI joint pain \(dysfunction\) Primary Right M53\.3"))).to_be_visible()
    expect(signed_assessment.get_by_role("row", name=re.compile(r"Gluteal tendinopathy.* Right M76\.01"))).to_be_visible()
    page.screenshot(path=str(SCREENSHOTS / "clinician_exam_signed_diagnoses.png"), full_page=False)


def _pdf_pages(pdf: bytes) -> int:
    """Pages in a PDF (pypdf is not installed: count the page objects, not the /Pages tree node)."""
    return len(re.findall(rb"/Type\s*/Page(?!s)", pdf))


def test_clinician_starts_from_my_day_sees_the_intake_on_the_exam_and_prints_a_two_page_report(
    page, live_server, sign_in, visit, dr_rivera, location
):
    from intake.models import RedFlagAlert
    from tests.exams.test_exam_reported import full_intake

    location.phone = "(617) 555-0142"
    location.save()
    dr_rivera.npi = "1234567893"
    dr_rivera.save()
    intake = full_intake(visit.patient, visit)
    RedFlagAlert.objects.create(patient=visit.patient, appointment=visit, intake=intake, urgency="urgent",
                                flags=[{"label": "Fever, chills or night sweats", "urgency": "urgent"}])
    sign_in(dr_rivera.user)

    # Signed in, the clinician lands on their day.
    expect(page).to_have_url(re.compile(r"/my-day/$"))
    today = page.get_by_role("region", name="Today's patients")
    row = today.get_by_role("row").filter(has_text="Maya Okafor")
    expect(row).to_contain_text("Submitted")
    expect(row).to_contain_text("Urgent")
    expect(page.get_by_role("alert").filter(has_text="Open red flags today")).to_be_visible()
    page.screenshot(path=str(SCREENSHOTS / "clinician_my_day.png"), full_page=True)

    row.get_by_role("link", name="Start exam").click()
    page.get_by_role("button", name="Start exam").click()

    # The top of the exam: the red flag, what the patient reported with the body map drawn, and their scores.
    expect(page.get_by_role("alert").filter(has_text="Red flag: Urgent")).to_be_visible()
    reported = page.get_by_role("region", name="What the patient reported")
    expect(reported.get_by_role("img", name="Body map, Back view")).to_be_visible()
    expect(reported).to_contain_text("Run the Boston 10K again")
    scores = page.get_by_role("region", name="Today's scores")
    expect(scores.get_by_text(re.compile(r"From the patient's intake, \w{3}, \w{3} \d+, \d{4}"))).to_be_visible()
    expect(page.get_by_label("Onset date")).to_have_value("2026-01-05")
    page.screenshot(path=str(SCREENSHOTS / "clinician_exam_reported.png"), full_page=False)

    mobility = page.get_by_role("region", name="Mobility")
    mobility.get_by_label("Hip flexion, left (degrees)").fill("95")
    expect(mobility.get_by_text(re.compile(r"^Saved \d"))).to_be_visible()
    assessment = page.get_by_role("region", name="Assessment")
    assessment.get_by_label("Diagnosis").select_option(label="Piriformis syndrome")
    assessment.get_by_label("Side").select_option(label="Right")
    expect(assessment.get_by_text(re.compile(r"^Saved \d"))).to_be_visible()
    page.once("dialog", lambda dialog: dialog.accept())
    page.get_by_role("button", name="Sign and lock exam").click()
    expect(page.get_by_role("note").filter(has_text="Signed by Sam Rivera")).to_be_visible()

    page.get_by_role("link", name="Report for the referrer or patient").click()
    expect(page.get_by_role("heading", name=re.compile("examination report"))).to_be_visible()
    expect(page.get_by_text("Sam Rivera, PT, DPT · NPI 1234567893")).to_be_visible()
    page.screenshot(path=str(SCREENSHOTS / "clinician_exam_report.png"), full_page=True)
    for paper in ("Letter", "A4"):
        pdf = page.pdf(format=paper, print_background=False)
        (SCREENSHOTS / f"clinician_exam_report_{paper.lower()}.pdf").write_bytes(pdf)
        assert 1 <= _pdf_pages(pdf) <= 2, f"{paper}: {_pdf_pages(pdf)} pages"
