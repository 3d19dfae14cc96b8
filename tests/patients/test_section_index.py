"""The chart reads in sections: a section index links to every section the viewer sees, in the order they stand
on the page, each with the section's own heading; the main menu folds away on a tablet."""

import re
from datetime import timedelta

from django.test import Client
from django.utils import timezone

from scheduling.models import Appointment
from tests.exams.exam_fixtures import make_visit, submitted_intake
from tests.factories import sign_in
from tests.section_index import assert_index_follows_the_page, read


def test_a_clinicians_chart_indexes_every_section_in_page_order(rivera_client, patient, visit, exam, dr_rivera):
    submitted_intake(patient, visit)
    make_visit(patient, dr_rivera, visit_type=visit.visit_type, location=visit.location,
               start=timezone.now() + timedelta(days=2), status=Appointment.Status.BOOKED)
    page = read(rivera_client.get(f"/patients/{patient.mrn}/"))
    assert [title for _, title in page.entries] == [
        "Contact", "Insurance and referral", "Appointments", "Intake forms", "Exams", "Progress", "Documents",
        "Consents", "Messages"]
    assert_index_follows_the_page(page)


def test_the_front_desk_index_lists_only_the_sections_they_see(desk_client, patient, visit):
    page = read(desk_client.get(f"/patients/{patient.mrn}/"))
    titles = [title for _, title in page.entries]
    assert titles == ["Contact", "Insurance and referral", "Appointments", "Intake forms", "Documents", "Consents",
                      "Messages"]
    assert_index_follows_the_page(page)


def test_a_clinician_outside_the_care_finds_the_emergency_access_in_the_index(patient, visit, dr_chen):
    client = Client()
    sign_in(client, dr_chen.user)
    page = read(client.get(f"/patients/{patient.mrn}/"))
    assert ("#intake-and-exams", "Intake and exams") in page.entries
    assert "Exams" not in [title for _, title in page.entries]
    assert_index_follows_the_page(page)


def test_the_index_works_without_script_and_the_menu_folds_on_a_tablet(rivera_client, patient, visit):
    html = rivera_client.get(f"/patients/{patient.mrn}/").content.decode()
    index = re.search(r'<nav class="section-index[^"]*"[^>]*aria-label="Chart sections".*?</nav>', html, re.S).group(0)
    assert 'href="#contact"' in index and "<script" not in index  # plain links: no script needed to jump
    assert "/static/js/sections.js" in html
    # The menu collapses below Bootstrap's lg breakpoint (992 px): at 820 px it sits behind the toggle.
    assert 'class="navbar navbar-expand-lg' in html and 'aria-controls="nav"' in html
