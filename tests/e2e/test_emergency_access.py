"""A clinician covering for a colleague opens a record outside their care with emergency access."""

import pytest
from playwright.sync_api import expect

from tests.exams.exam_fixtures import submitted_intake

pytestmark = pytest.mark.django_db(transaction=True)


def test_a_covering_clinician_states_a_reason_and_reads_the_record_for_an_hour(page, live_server, sign_in, visit, dr_chen):
    patient = visit.patient  # Dr. Rivera's patient
    submitted_intake(patient, visit)
    sign_in(dr_chen.user)

    page.goto(f"{live_server.url}/patients/{patient.mrn}/")
    closed = page.get_by_test_id("emergency-access")
    expect(closed).to_contain_text("is not in your care")
    expect(page.get_by_role("link", name="Intake summary (printable)")).to_have_count(0)

    page.get_by_label("Why do you need this record now?").fill("Dr. Rivera is out")
    page.get_by_role("button", name="Open the record (emergency access)").click()
    expect(page.get_by_text("at least 20 characters")).to_be_visible()
    expect(page.get_by_label("Why do you need this record now?")).to_have_value("Dr. Rivera is out")

    page.get_by_label("Why do you need this record now?").fill("Dr. Rivera is out; patient here with new numbness")
    page.get_by_role("button", name="Open the record (emergency access)").click()
    expect(page.get_by_text("The admins have been told")).to_be_visible()
    expect(page.get_by_text("Emergency access: this record is open to you until")).to_be_visible()
    page.get_by_role("link", name="Intake summary (printable)").click()
    expect(page.get_by_text("Slipped on ice")).to_be_visible()
