"""The exam keeps the patient, the visit and the saved state in a bar on top, and lists its sections in the same
section index as the chart, in page order."""

import re

import pytest
from django.utils import timezone

from exams.models import Exam
from tests.exams.exam_fixtures import post_section, sign
from tests.section_index import assert_index_follows_the_page, read

pytestmark = pytest.mark.django_db

SECTIONS = ["What the patient reported", "Red-flag re-screen", "Today's scores", "History", "Gait analysis", "Mobility", "Strength",
            "Neuro screen", "Special tests", "Ultrasound", "Assessment", "Plan", "Sign-off", "Addenda"]


def _bar(html):
    return re.search(r'<div class="exam-bar" data-sticky-bar>.*?\n</div>', html, re.S).group(0)


def test_the_exam_indexes_every_section_in_page_order(rivera_client, exam):
    page = read(rivera_client.get(f"/exams/{exam.pk}/"), label="Exam sections")
    assert [title for _, title in page.entries] == SECTIONS
    assert [href for href, _ in page.entries][:3] == ["#reported", "#red-flag-screen", "#scores"]
    assert_index_follows_the_page(page)


def test_the_bar_names_the_patient_and_the_visit_and_says_when_the_draft_was_saved(rivera_client, exam):
    post_section(rivera_client, exam, "history", {"onset_notes": "Fell on the ice"})
    saved = Exam.objects.get(pk=exam.pk).updated_at
    bar = _bar(rivera_client.get(f"/exams/{exam.pk}/").content.decode())
    start = exam.appointment.start_at
    assert "Exam: Maya Okafor" in bar
    assert f"Follow-up · {start:%a, %b} {start.day}, {start.year}" in bar  # the visit's type and date
    assert f"Saved {timezone.localtime(saved):%-I:%M %p}" in bar
    assert 'role="status"' in bar and "data-save-retry hidden" in bar  # Retry only shows when a save fails


def test_a_signed_exam_bar_says_signed_and_has_no_save_state(rivera_client, exam, dr_rivera):
    sign(exam, dr_rivera)
    bar = _bar(rivera_client.get(f"/exams/{exam.pk}/").content.decode())
    assert "Exam: Maya Okafor" in bar and ">Signed<" in bar
    assert "save-state" not in bar and "Draft" not in bar
