"""The exam shows what the patient reported: open red flags, the body map drawn, symptoms, what eases and
aggravates, goals; onset and side prefilled; the intake's ODI sections, NPRS and PSFS brought into the scores."""

import re
from datetime import timedelta

import pytest
from django.utils import timezone

from exams import services as exam_services
from intake import reported
from intake.instruments import ODI_KEYS
from intake.models import OutcomeScore, RedFlagAlert
from tests.exams.exam_fixtures import make_visit, post_section, submitted_intake

pytestmark = pytest.mark.django_db

ODI_ANSWERS = dict(zip(ODI_KEYS, [2, 3, 1, 2, 4, 0, 2, 1, None, 3], strict=True))  # 18 of 45: 40%
PSFS = [("Sitting through a meeting", 3), ("Running 5 km", 1)]


def full_intake(patient, appointment, **kwargs):
    """A submitted intake with the body map, symptoms, what eases and aggravates, goals and the outcome answers."""
    intake = submitted_intake(patient, appointment, onset_date="2026-01-05", **kwargs)
    intake.answers["complaint"].update({
        "body_map": {"back_buttock_left": "pain", "back_back_thigh_left": "tingling", "front_shin_left": "numbness"},
        "symptoms": ["tender_buttock", "difficulty_sitting"], "worse_with": ["sitting", "stairs"],
        "sitting_minutes": 20, "eases": ["heat", "moving"], "eases_other": "A cushion",
    })
    intake.answers["goals"] = {"goals": "Run the Boston 10K again", "target": "October race", "concerns": ""}
    outcomes = {**{f"odi_{key}": value for key, value in ODI_ANSWERS.items()},
                "instruments": {"odi": {"version": "2.1a-test", "demo_wording": False}}}  # the clinic's licensed ODI
    for n, (activity, rating) in enumerate(PSFS, start=1):
        outcomes.update({f"psfs_activity_{n}": activity, f"psfs_rating_{n}": rating})
    intake.answers["outcomes"] = outcomes
    intake.save()
    return intake


@pytest.fixture
def reported_visit(visit):
    full_intake(visit.patient, visit)
    return visit


@pytest.fixture
def started(reported_visit, dr_rivera):
    exam, _created = exam_services.exam_start(appointment=reported_visit, clinician=dr_rivera)
    return exam


def test_the_exam_opens_with_the_open_red_flags_and_what_the_patient_reported(rivera_client, started):
    intake = started.patient.intake_forms.get()
    RedFlagAlert.objects.create(patient=started.patient, intake=intake, urgency="emergency",
                                flags=[{"label": "Saddle numbness", "urgency": "emergency"}])
    RedFlagAlert.objects.create(patient=started.patient, intake=intake, urgency="urgent", acknowledged_at=timezone.now(),
                                flags=[{"label": "Seen already", "urgency": "urgent"}])
    html = rivera_client.get(f"/exams/{started.pk}/").content.decode()
    top = html[html.index("<main"):html.index('id="scores"')]  # above today's scores
    assert "Red flag: Emergency" in top and "Saddle numbness" in top
    assert "Seen already" not in html  # acknowledged: no banner
    assert "What the patient reported" in top
    # The body map is drawn (the intake's outline with the marked regions), and the marks are listed in words.
    assert 'aria-label="Body map, Back view"' in top and 'aria-label="Body map, Front view"' in top
    assert "<title>Left buttock</title>" in top and "<title>Left back of thigh</title>" in top
    assert "Left shin (numbness)" in top and "Left buttock (pain)" in top
    assert "A tender or aching buttock" in top and "Difficulty sitting" in top
    assert "Sitting, Stairs (sitting: 20 min before it hurts more)" in top
    assert "Heat, Moving or walking, A cushion" in top
    assert "Run the Boston 10K again" in top and "October race" in top


def test_a_red_flag_acknowledged_on_the_exam_returns_to_the_exam(rivera_client, started):
    alert = RedFlagAlert.objects.create(patient=started.patient, urgency="urgent",
                                        flags=[{"label": "Fever", "urgency": "urgent"}])
    response = rivera_client.post(f"/intake/alerts/{alert.pk}/acknowledge/", {"next": f"/exams/{started.pk}/"})
    assert response.status_code == 302 and response["Location"] == f"/exams/{started.pk}/"
    alert.refresh_from_db()
    assert alert.acknowledged_at is not None
    page = rivera_client.get(f"/exams/{started.pk}/").content.decode()
    assert "Red flag: Urgent" not in page and "<li>Fever" not in page
    elsewhere = rivera_client.post(f"/intake/alerts/{alert.pk}/acknowledge/", {"next": "https://evil.example/"})
    assert elsewhere["Location"] == f"/patients/{started.patient.mrn}/"  # never off-site


def test_without_an_intake_the_exam_says_so(rivera_client, exam):
    html = rivera_client.get(f"/exams/{exam.pk}/").content.decode()
    assert "No submitted intake form for this patient: ask them at the visit" in html
    assert "From the patient's intake," not in html


def test_onset_date_side_and_mechanism_are_prefilled_from_the_intake(rivera_client, started):
    history = started.findings["history"]
    assert (history["onset_mechanism"], history["onset_date"], history["side"]) == ("fall", "2026-01-05", "left")
    html = rivera_client.get(f"/exams/{started.pk}/").content.decode()
    assert re.search(r'<input type="date" name="onset_date" value="2026-01-05"', html)
    saved = post_section(rivera_client, started, "history", {"onset_mechanism": "fall", "onset_date": "2026-01-04",
                                                             "side": "left"})
    assert saved.status_code == 200
    started.refresh_from_db()
    assert started.findings["history"]["onset_date"] == "2026-01-04"


def test_the_intakes_odi_sections_nprs_and_psfs_are_brought_into_todays_scores(rivera_client, started):
    scores = started.findings["scores"]
    assert scores["nprs"] == 6 and scores["odi"] == ODI_ANSWERS
    assert scores["psfs"] == [{"activity": a, "rating": r} for a, r in PSFS]
    html = rivera_client.get(f"/exams/{started.pk}/").content.decode()
    submitted = timezone.localtime(started.patient.intake_forms.get().submitted_at)
    assert f"From the patient's intake, {submitted:%a, %b} {submitted.day}, {submitted.year}" in html
    odi_2 = re.search(rf'<select name="odi_{ODI_KEYS[1]}".*?</select>', html, re.S).group(0)
    assert '<option value="3" selected>' in odi_2  # editable, holding the patient's answer
    assert 'value="Running 5 km"' in html
    assert "ODI 40%" in html and "NPRS 6" in html and "PSFS 2" in html  # scored as brought in


def test_scores_kept_as_the_intake_gave_them_are_not_stored_twice_and_changed_ones_are(rivera_client, started):
    def exam_scores():
        return set(OutcomeScore.objects.filter(intake__isnull=True, details__exam_id=started.pk)
                   .values_list("instrument", flat=True))

    kept = {"nprs": "6", **{f"odi_{k}": "" if v is None else str(v) for k, v in ODI_ANSWERS.items()},
            "psfs_activity_1": PSFS[0][0], "psfs_rating_1": "3", "psfs_activity_2": PSFS[1][0], "psfs_rating_2": "1"}
    assert post_section(rivera_client, started, "scores", kept).status_code == 200
    assert exam_scores() == set()  # the intake's own scores stand for this visit
    remeasured = post_section(rivera_client, started, "scores", {**kept, "nprs": "4", "psfs_rating_1": "5"})
    assert remeasured.status_code == 200
    assert exam_scores() == {"nprs", "psfs"}
    assert OutcomeScore.objects.get(details__exam_id=started.pk, instrument="psfs").value == 3  # (5 + 1) / 2


def test_a_psfs_rating_without_its_activity_is_refused_next_to_the_field(rivera_client, started):
    response = post_section(rivera_client, started, "scores", {"nprs": "6", "psfs_rating_3": "4"})
    assert response.status_code == 400
    assert response.json()["errors"]["psfs_activity_3"] == ["Name the activity this rating is for, or clear the rating."]


def test_an_old_intake_of_another_visit_gives_history_but_not_todays_scores(patient, dr_rivera, follow_up, location):
    old_visit = make_visit(patient, dr_rivera, visit_type=follow_up, location=location,
                           start=timezone.now() - timedelta(days=60))
    intake = full_intake(patient, old_visit)
    intake.submitted_at = timezone.now() - timedelta(days=61)
    intake.save()
    today = make_visit(patient, dr_rivera, visit_type=follow_up, location=location)
    exam, _created = exam_services.exam_start(appointment=today, clinician=dr_rivera)
    assert exam.findings["history"]["side"] == "left"
    assert "scores" not in exam.findings  # measured again today, not copied from two months ago


def test_the_body_map_drawing_reads_one_or_several_kinds_per_region():
    drawing = reported.body_map_drawing({"back_buttock_left": ["pain", "numbness"], "front_groin_right": "tingling",
                                         "not_a_region": "pain"})
    back = next(v for v in drawing["views"] if v["key"] == "back")
    buttock = back["regions"][0]
    assert [s["letter"] for s in buttock["slices"]] == ["P", "N"]
    assert buttock["slices"][0]["w"] == buttock["slices"][1]["w"] == buttock["w"] / 2
    assert drawing["marked"] == [("Left buttock", "pain, numbness"), ("Right groin", "tingling")]
    assert [kind for kind, _label, _letter in drawing["legend"]] == ["pain", "tingling", "numbness"]
    assert reported.body_map_drawing(None)["marked"] == []
