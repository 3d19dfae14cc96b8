"""The graded neuro screen (strength 0-5, reflexes 0-4, dermatomes L2-S2, saddle, anal tone, upper motor neuron
signs) and the red flags it raises: a deficit at more than one level or on both sides alerts, as the clinical
reference's product decisions say, and is not left as suggestion text. Values by hand: a deficit is a grade
below 5/5, a reflex below 2, or reduced or absent sensation; the reference's L4 pattern is medial leg, quadriceps
and knee jerk, L5 lateral calf, dorsum of foot and great-toe extension, S1 lateral foot, calf and ankle jerk."""

import pytest
from django.core import mail

from exams.models import Exam
from exams.rules import neuro_red_flags, suggest_differentials
from intake.models import RedFlagAlert
from tests.exams.exam_fixtures import post_section, sign


def _neuro(**cells):
    """A stored neuro section from cells like myotomes__great_toe_extension__left=4."""
    found = {}
    for name, value in cells.items():
        if "__" in name:
            grid, key, side = name.split("__")
            found.setdefault(grid, {}).setdefault(key, {})[side] = value
        else:
            found[name] = value
    return found


def _titles(neuro):
    return [s.title for s in suggest_differentials({"neuro": neuro})]


# --- Levels and sides -------------------------------------------------------------------------------------------


def test_an_l5_picture_on_one_side_is_one_level_and_raises_no_red_flag():
    neuro = _neuro(myotomes__great_toe_extension__left=4, dermatomes__L5__left="reduced",
                   reflexes__medial_hamstring__left=1)
    assert neuro_red_flags(neuro) == {}
    assert _titles(neuro) == ["Possible L5 radiculopathy (usual disc L4/5)"]


def test_an_l5_and_an_s1_deficit_are_two_levels_and_a_red_flag():
    neuro = _neuro(myotomes__great_toe_extension__left=4, reflexes__achilles__left=0)
    flags = neuro_red_flags(neuro)
    assert set(flags) == {"multi_level_deficit"}
    assert flags["multi_level_deficit"][0] == "roots needed to explain it: L5, S1"
    assert _titles(neuro) == ["Possible L5 radiculopathy (usual disc L4/5)", "Possible S1 radiculopathy (usual disc "
                              "L5/S1)", "Red flag: deficit at more than one level"]


@pytest.mark.parametrize("cells", [
    # Knee extension is L4 in the reference and L3 in other charts; the knee jerk is L3/4: one root explains each.
    {"myotomes__knee_extension__right": 4, "reflexes__patellar__right": 1, "dermatomes__L4__right": "reduced"},
    {"myotomes__knee_extension__right": 4, "dermatomes__L3__right": "absent"},
    # Dorsiflexion is L5 in the reference, tibialis anterior L4 in some charts: with medial-leg numbness, one root.
    {"myotomes__ankle_dorsiflexion__left": 3, "dermatomes__L4__left": "reduced"},
])
def test_findings_that_charts_put_at_neighbouring_roots_count_as_one_level(cells):
    assert "multi_level_deficit" not in neuro_red_flags(_neuro(**cells))


def test_the_same_root_on_both_sides_is_a_bilateral_deficit_not_two_levels():
    flags = neuro_red_flags(_neuro(dermatomes__S1__left="reduced", dermatomes__S1__right="reduced"))
    assert set(flags) == {"bilateral_deficit"}


def test_different_roots_on_each_side_are_both_bilateral_and_multi_level():
    flags = neuro_red_flags(_neuro(dermatomes__L5__left="reduced", reflexes__achilles__right=1))
    assert set(flags) == {"bilateral_deficit", "multi_level_deficit"}


def test_normal_grades_increased_sensation_and_a_difficult_quick_screen_are_not_deficits():
    neuro = _neuro(myotomes__great_toe_extension__left=5, reflexes__achilles__left=2, reflexes__achilles__right=3,
                   dermatomes__L5__left="increased", dermatomes__S1__right="normal",
                   quick_screens__heel_walk__left="difficult", quick_screens__toe_walk__right="difficult")
    assert neuro_red_flags(neuro) == {}


@pytest.mark.parametrize(("grade", "major"), [(3, True), (2, True), (0, True), (4, False), (5, False)])
def test_a_key_movement_graded_3_or_less_is_major_motor_weakness(grade, major):
    flags = neuro_red_flags(_neuro(myotomes__ankle_plantarflexion__right=grade))
    assert ("major_motor_weakness" in flags) is major


@pytest.mark.parametrize(("cells", "item"), [
    ({"saddle_sensation": "reduced"}, "saddle_numbness"),
    ({"saddle_sensation": "absent"}, "saddle_numbness"),
    ({"anal_tone": "reduced"}, "reduced_anal_tone"),
])
def test_reduced_saddle_sensation_or_anal_tone_is_a_cauda_equina_red_flag(cells, item):
    assert set(neuro_red_flags(cells)) == {item}


@pytest.mark.parametrize("cells", [{"saddle_sensation": "normal"}, {"anal_tone": "normal"}, {"anal_tone": ""}])
def test_normal_or_unexamined_saddle_and_anal_tone_raise_nothing(cells):
    assert neuro_red_flags(cells) == {}


def test_an_upper_motor_neuron_sign_gives_a_reminder_not_an_alert():
    neuro = _neuro(umn__babinski__left="present", umn__clonus__right="absent")
    assert neuro_red_flags(neuro) == {}
    [reminder] = suggest_differentials({"neuro": neuro})
    assert reminder.kind == "reminder" and reminder.evidence == ("left: Babinski (up-going great toe)",)


def test_yes_no_findings_recorded_before_the_grades_still_count():
    flags = neuro_red_flags({"left": ["ehl_weakness"], "right": ["reduced_ankle_jerk"]})
    assert set(flags) == {"bilateral_deficit", "multi_level_deficit"}


# --- The exam page: record, store, alert ---------------------------------------------------------------------


def test_the_neuro_section_stores_grades_per_root_and_side(rivera_client, exam):
    response = post_section(rivera_client, exam, "neuro", {
        "m__great_toe_extension__left": "4", "m__great_toe_extension__right": "5", "r__achilles__left": "2",
        "d__L5__left": "reduced", "d__S2__right": "normal", "saddle_sensation": "normal", "anal_tone": "",
        "u__babinski__left": "absent",
    })
    assert response.status_code == 200 and response.json()["saved"]
    neuro = Exam.objects.get(pk=exam.pk).findings["neuro"]
    assert neuro["myotomes"]["great_toe_extension"] == {"left": 4, "right": 5}
    assert neuro["myotomes"]["hip_flexion"] == {"left": None, "right": None}  # not tested
    assert neuro["reflexes"]["achilles"] == {"left": 2, "right": None}
    assert neuro["dermatomes"]["L5"]["left"] == "reduced" and neuro["dermatomes"]["S2"]["right"] == "normal"
    assert (neuro["saddle_sensation"], neuro["anal_tone"]) == ("normal", "")
    assert neuro["umn"]["babinski"]["left"] == "absent"
    assert not RedFlagAlert.objects.exists()  # one level, one side


def test_a_grade_outside_the_scale_is_refused_next_to_the_field(rivera_client, exam):
    response = post_section(rivera_client, exam, "neuro", {"m__great_toe_extension__left": "7",
                                                           "r__patellar__right": "5"})
    assert response.status_code == 400
    errors = response.json()["errors"]
    assert set(errors) == {"m__great_toe_extension__left", "r__patellar__right"}
    assert "neuro" not in Exam.objects.get(pk=exam.pk).findings


def test_saving_a_two_level_deficit_raises_one_alert_and_emails_the_clinician(
    rivera_client, exam, deliver_now, django_capture_on_commit_callbacks
):
    data = {"m__great_toe_extension__left": "4", "r__achilles__left": "0"}
    with django_capture_on_commit_callbacks(execute=True):
        response = post_section(rivera_client, exam, "neuro", data)
    alert = RedFlagAlert.objects.get()
    assert (alert.urgency, alert.source, alert.appointment_id) == ("urgent", "exam", exam.appointment_id)
    assert [f["item"] for f in alert.flags] == ["multi_level_deficit"]
    assert "roots needed to explain it: L5, S1" in alert.flags[0]["note"]
    assert [m.to for m in mail.outbox] == [["rivera@stride.test"]]
    assert "raised from the exam of" in mail.outbox[0].body
    fragment = response.json()["fragments"]["neuro-red-flags"]
    assert "Deficit at more than one level" in fragment and "alert raised" in fragment

    with django_capture_on_commit_callbacks(execute=True):  # the autosave again, nothing new: no second alert
        post_section(rivera_client, exam, "neuro", data)
    assert RedFlagAlert.objects.count() == 1 and len(mail.outbox) == 1

    with django_capture_on_commit_callbacks(execute=True):  # a finding on the other side: a new alert
        post_section(rivera_client, exam, "neuro", {**data, "d__L5__right": "reduced"})
    latest = RedFlagAlert.objects.order_by("-pk").first()
    assert RedFlagAlert.objects.count() == 2
    assert {f["item"] for f in latest.flags} == {"multi_level_deficit", "bilateral_deficit"}


def test_reduced_saddle_sensation_at_the_exam_is_an_emergency_alert(rivera_client, exam):
    post_section(rivera_client, exam, "neuro", {"saddle_sensation": "reduced"})
    alert = RedFlagAlert.objects.get()
    assert alert.urgency == "emergency" and alert.flags[0]["item"] == "saddle_numbness"
    page = rivera_client.get(f"/exams/{exam.pk}/").content.decode()
    assert "Red flag: Emergency" in page and "Raised from the exam on" in page


def test_an_exam_recorded_with_yes_no_findings_stays_readable_and_keeps_them_on_save(rivera_client, exam, dr_rivera):
    Exam.objects.filter(pk=exam.pk).update(findings={**exam.findings, "neuro": {
        "left": ["ehl_weakness", "heel_walk_difficulty"], "right": [], "notes": "Old screen"}})
    page = rivera_client.get(f"/exams/{exam.pk}/").content.decode()
    assert "Recorded before the graded screen (yes/no)" in page
    assert "extensor hallucis longus weakness" in page and "Possible L5 radiculopathy" in page

    exam.refresh_from_db()
    post_section(rivera_client, exam, "neuro", {"r__achilles__left": "2", "notes": "Re-tested"})
    neuro = Exam.objects.get(pk=exam.pk).findings["neuro"]
    assert neuro["left"] == ["ehl_weakness", "heel_walk_difficulty"] and neuro["notes"] == "Re-tested"

    exam.refresh_from_db()
    sign(exam, dr_rivera)
    signed = rivera_client.get(f"/exams/{exam.pk}/").content.decode()
    assert "Recorded before the graded screen (yes/no)" in signed and "extensor hallucis longus weakness" in signed


def test_the_report_shows_what_was_graded(rivera_client, exam):
    post_section(rivera_client, exam, "neuro", {"m__knee_extension__left": "4", "r__patellar__left": "1",
                                                "d__L4__left": "reduced", "saddle_sensation": "normal"})
    report = rivera_client.get(f"/exams/{exam.pk}/report/").content.decode()
    assert "Knee extension (quadriceps) (L3/L4)" in report and "left 4/5" in report
    assert "Patellar (knee jerk) reflex (L3/L4)" in report and "left 1 (reduced)" in report
    assert "Sensation L4 (medial leg and calf to the medial malleolus)" in report and "left reduced" in report
    assert "Hip flexion" not in report  # not tested: not shown
