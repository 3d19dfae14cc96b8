"""The exam's gait and mobility sections as the clinician uses them: walking and running saved and shown apart,
running values marked as having no norm, sex asked for the walking norms only where the record lacks it (and
"Prefer not to say" never shown for a question not asked), hip rotation compared with its position's norm, the
side-to-side difference beside the values, the printed report, and the chart's first-beside-latest."""

import datetime
import re

import pytest

from exams import services as exam_services
from exams.forms import GaitForm
from exams.models import Exam
from tests.exams.exam_fixtures import current_revision, make_visit, post_section, sign

pytestmark = pytest.mark.django_db

RUN_AND_WALK = {
    "walking_speed": "1.2", "walking_cadence": "112", "walking_step_length_left": "60",
    "walking_step_length_right": "66",
    "running_speed": "3.3", "running_cadence": "168", "running_step_length_left": "120",
    "running_step_length_right": "134", "running_ground_contact_left": "240", "running_ground_contact_right": "262",
    "running_vertical_oscillation": "9.5", "running_overstride_left": "18", "running_foot_strike_left": "rearfoot",
    "running_foot_strike_right": "midfoot", "running_tibial_angle_right": "-4", "running_pelvic_drop_left": "7",
    "running_deviations_right": ["crossover"],
}


@pytest.fixture
def born_1981(patient):
    """45 at a 2026 visit (before 2027), so walking speed's band is 40-49."""
    patient.date_of_birth = datetime.date(1981, 1, 1)
    patient.save()
    return patient


def _section_html(html, sid):
    start = html.index(f'<section id="{sid}"')
    return html[start:html.index("</section>", start)]


def _gait_table(html, kind):
    start = html.index("<table", html.index(f'data-gait="{kind}"'))
    return html[start:html.index("</table>", start)]


def test_walking_and_running_are_saved_apart_and_the_running_cadence_of_168_is_not_flagged(rivera_client, exam):
    data = post_section(rivera_client, exam, "gait", RUN_AND_WALK).json()
    assert data["saved"] is True
    assert data["flags"]["running_cadence"] == ""  # no norm, no flag
    assert "within the typical range" in data["flags"]["walking_cadence"]  # 112 in 90-120
    # Running step length: (134 - 120) / (0.5 x 254) x 100 = 11.0, asymmetric; walking 6 / 63 x 100 = 9.5.
    assert "SI +11%" in data["flags"]["running_symmetry_step_length"]
    assert "Asymmetric" in data["flags"]["running_symmetry_step_length"]
    assert "SI +9.5%" in data["flags"]["walking_symmetry_step_length"]
    assert "Symmetric" in data["flags"]["walking_symmetry_step_length"]
    assert "No norm" in data["flags"]["running_norm_cadence"]

    gait = Exam.objects.get(pk=exam.pk).findings["gait"]
    assert gait["walking"]["cadence"] == 112 and gait["running"]["cadence"] == 168
    assert gait["running"]["foot_strike_left"] == "rearfoot" and gait["running"]["tibial_angle_right"] == -4
    assert gait["running"]["deviations"] == {"left": [], "right": ["crossover"]}
    assert gait["running"]["symmetry"]["step_length"]["percent"] == 11.0
    assert "step_width" not in gait["running"]  # running records its own measures


def test_the_page_shows_walking_and_running_apart_each_value_with_its_norm_or_no_norm(rivera_client, exam):
    post_section(rivera_client, exam, "gait", RUN_AND_WALK)
    html = rivera_client.get(f"/exams/{exam.pk}/").content.decode()
    walking, running = _gait_table(html, "walking"), _gait_table(html, "running")
    assert "typical 90-120 steps/min (mean 117)" in walking and "Murray [51,52]" in walking
    assert "90-120" not in running
    # Speed, cadence, step length, contact time, oscillation, overstride, foot strike, tibial angle, pelvic drop.
    assert running.count('class="norm-text no-norm">No norm</span>') == 9
    assert 'value="168"' in running and 'value="112"' in walking
    assert '<option value="rearfoot" selected>Rearfoot</option>' in running


def test_only_what_was_recorded_is_kept_and_a_signed_exam_shows_only_that_gait(rivera_client, exam, dr_rivera):
    post_section(rivera_client, exam, "gait", {"running_cadence": "172"})
    assert set(Exam.objects.get(pk=exam.pk).findings["gait"]) == {"running"}  # no empty walking record
    sign(exam, dr_rivera)
    gait = _section_html(rivera_client.get(f"/exams/{exam.pk}/").content.decode(), "gait")
    assert 'data-gait="running"' in gait and 'data-gait="walking"' not in gait


def test_the_exam_asks_sex_for_the_walking_norms_when_the_record_does_not_say(rivera_client, exam, born_1981):
    born_1981.sex = "unknown"
    born_1981.save()
    html = rivera_client.get(f"/exams/{exam.pk}/").content.decode()
    gait = _section_html(html, "gait")
    assert "Sex, for the walking norms" in gait and "Optional." in gait and "[48,51]" in gait
    assert '<option value="" selected>Not asked</option>' in gait
    head = html[html.index("<h1"):html.index("</div>", html.index("<h1"))]
    assert "Prefer not to say" not in head  # the record's default was never an answer

    data = post_section(rivera_client, exam, "gait", {"walking_speed": "1.2"}).json()
    assert "No matching norm" in data["flags"]["walking_norm_speed"]  # unanswered: no sex, no speed norm
    data = post_section(rivera_client, exam, "gait", {"sex": "female", "walking_speed": "1.2"}).json()
    # A woman of 45: 1.39 m/s (Bohannon & Andrews 2011, 40-49); 1.2 is 0.19 below.
    assert "1.39 m/s (female, 40-49)" in data["flags"]["walking_norm_speed"]
    assert "0.19 m/s below the mean" in data["flags"]["walking_speed"]
    assert Exam.objects.get(pk=exam.pk).findings["gait"]["sex"] == "female"


def test_a_record_without_sex_does_not_say_prefer_not_to_say_in_the_chart_header(rivera_client, exam, born_1981):
    """The record's default ("unknown", labelled "Prefer not to say") is not an answer anyone gave."""
    born_1981.sex = "unknown"
    born_1981.save()
    html = rivera_client.get(f"/patients/{born_1981.mrn}/").content.decode()
    head = html[html.index("<h1"):html.index("</div>", html.index("<h1"))]
    assert "Prefer not to say" not in head and "Born " in head
    born_1981.sex = "female"
    born_1981.save()
    assert "· Female" in rivera_client.get(f"/patients/{born_1981.mrn}/").content.decode()


def test_an_unanswered_sex_question_never_reads_prefer_not_to_say_on_the_signed_exam(
    rivera_client, exam, dr_rivera, born_1981
):
    born_1981.sex = "unknown"
    born_1981.save()
    post_section(rivera_client, exam, "gait", {"walking_speed": "1.2"})
    sign(exam, dr_rivera)
    html = rivera_client.get(f"/exams/{exam.pk}/").content.decode()
    assert "Prefer not to say" not in html and "Sex, for the walking norms" not in html
    assert "Prefer not to say" not in rivera_client.get(f"/exams/{exam.pk}/report/").content.decode()


def test_a_declined_answer_is_shown_as_such_and_gives_no_speed_norm(rivera_client, exam, dr_rivera, born_1981):
    born_1981.sex = "unknown"
    born_1981.save()
    post_section(rivera_client, exam, "gait", {"sex": "declined", "walking_speed": "1.2"})
    sign(exam, dr_rivera)
    gait = _section_html(rivera_client.get(f"/exams/{exam.pk}/").content.decode(), "gait")
    assert "Prefer not to say" in gait and "No matching norm" in gait


def test_sex_is_not_asked_when_the_record_says_and_its_norms_are_used(rivera_client, exam, born_1981):
    gait = _section_html(rivera_client.get(f"/exams/{exam.pk}/").content.decode(), "gait")
    assert "Sex, for the walking norms" not in gait
    assert "Walking norms for women (sex from the patient record)." in gait
    assert "66 cm (women)" in gait and "1.39 m/s (female, 40-49)" in gait


def test_hip_rotation_prone_is_compared_with_the_prone_mean_and_the_difference_shown(rivera_client, exam):
    data = post_section(rivera_client, exam, "mobility", {
        "hip_internal_rotation_position": "prone", "hip_internal_rotation_left": "30",
        "hip_internal_rotation_right": "38", "hip_flexion_left": "100", "hip_flexion_right": "115",
    }).json()
    # Prone mean 35.2 (Kouyoumdjian 2012): 30 is 5.2 below, 38 is 2.8 above; neither flagged (a mean, no cut-off).
    assert "5.2° below the prone mean" in data["flags"]["hip_internal_rotation_left"]
    assert "2.8° above the prone mean" in data["flags"]["hip_internal_rotation_right"]
    assert "Limited" not in data["flags"]["hip_internal_rotation_left"]
    assert "35.2° (mean, prone)" in data["flags"]["norm_hip_internal_rotation"]
    assert "8° less on the left" in data["flags"]["diff_hip_internal_rotation"]  # 38 - 30
    assert "15° less on the left" in data["flags"]["diff_hip_flexion"]  # 115 - 100
    assert "—" in data["flags"]["diff_hip_extension"]  # not measured
    assert Exam.objects.get(pk=exam.pk).findings["mobility"]["hip_internal_rotation"]["position"] == "prone"

    seated = post_section(rivera_client, exam, "mobility", {
        "hip_internal_rotation_position": "seated", "hip_internal_rotation_left": "29",
        "hip_internal_rotation_right": "30",
    }).json()
    assert "Limited" in seated["flags"]["hip_internal_rotation_left"]  # below AFP's 30-40, hip at 90°
    assert "Not limited" in seated["flags"]["hip_internal_rotation_right"]  # the edge is within


def test_hip_rotation_without_a_position_is_saved_but_not_compared(rivera_client, exam):
    data = post_section(rivera_client, exam, "mobility", {"hip_external_rotation_left": "20"}).json()
    assert data["saved"] is True
    assert "choose the position" in data["flags"]["hip_external_rotation_left"]
    assert "Limited" not in data["flags"]["hip_external_rotation_left"]
    assert "Depends on the position" in data["flags"]["norm_hip_external_rotation"]
    bad = post_section(rivera_client, exam, "mobility", {"hip_external_rotation_position": "standing"})
    assert bad.status_code == 400 and "hip_external_rotation_position" in bad.json()["errors"]


def test_the_report_shows_walking_and_running_apart_and_rotation_with_its_position(rivera_client, exam, born_1981):
    post_section(rivera_client, exam, "gait", {"running_cadence": "168", "running_step_length_left": "120",
                                              "running_step_length_right": "134"})
    post_section(rivera_client, exam, "mobility", {"hip_internal_rotation_position": "prone",
                                                  "hip_internal_rotation_left": "30", "hip_internal_rotation_right": "38"})
    html = rivera_client.get(f"/exams/{exam.pk}/report/").content.decode()
    gait = html[html.index('id="r-gait"'):html.index('id="r-mobility"')]
    assert ">Running</h3>" in gait and ">Walking</h3>" not in gait  # only what was tested
    assert "The clinic&#x27;s reference gives no norms for running." in gait
    assert "168 steps/min" in gait and "no norm" in gait and "90-120" not in gait
    assert "symmetry index 11%" in gait
    assert not re.search(r"\[\d+", gait)  # sources are footnotes on paper, not bare numbers
    mobility = html[html.index('id="r-mobility"'):]
    mobility = mobility[:mobility.index("</table>")]
    assert "Hip internal rotation (prone)" in mobility and "8° less on the left" in mobility
    assert "35.2° (mean, prone)" in mobility and "(limited)" not in mobility


def test_the_chart_compares_walking_and_running_apart(rivera_client, patient, dr_rivera, follow_up, location):
    for days_ago, cadence in ((30, "160"), (2, "172")):
        start = datetime.datetime.now(datetime.UTC).replace(second=0, microsecond=0) - datetime.timedelta(days=days_ago)
        visit = make_visit(patient, dr_rivera, visit_type=follow_up, location=location, start=start)
        found, _ = exam_services.exam_start(appointment=visit, clinician=dr_rivera)
        form = GaitForm({"running_cadence": cadence, "walking_cadence": "110"}, exam=found)
        assert form.is_valid(), form.errors
        exam_services.exam_save_section(exam=found, section="gait", revision=current_revision(found, "gait"),
                                        data=form.to_findings(), actor=dr_rivera.user)
        sign(found, dr_rivera)
    html = rivera_client.get(f"/patients/{patient.mrn}/").content.decode()
    running = html[html.index('<th scope="col">Running gait</th>'):]
    running = running[:running.index("</table>")]
    row = re.search(r"Cadence</th><td>([^<]*)</td>\s*<td>([^<]*)</td><td>([^<]*)</td>\s*<td[^>]*>([^<]*)</td>", running)
    assert row.groups() == ("160 steps/min", "172 steps/min", "+12", "No norm")
    assert '<th scope="col">Walking gait</th>' in html


def test_a_walking_gait_recorded_per_side_stride_keeps_it_when_saved_again(rivera_client, exam):
    """A gait moved from before walking and running were apart (exams 0005) held stride length per side."""
    Exam.objects.filter(pk=exam.pk).update(findings={**exam.findings, "gait": {"walking": {
        "speed": 1.1, "stride_length_left": 120, "stride_length_right": 130,
        "symmetry": {"stride_length": {"left": 120, "right": 130, "percent": 8.0}},
    }}})
    html = _section_html(rivera_client.get(f"/exams/{exam.pk}/").content.decode(), "gait")
    assert "Stride length, per side" in html and "left 120" in html and "right 130" in html
    assert "SI +8" not in html  # never shown as a symmetry index
    post_section(rivera_client, exam, "gait", {"walking_speed": "1.3"})
    walking = Exam.objects.get(pk=exam.pk).findings["gait"]["walking"]
    assert (walking["speed"], walking["stride_length_left"], walking["stride_length_right"]) == (1.3, 120, 130)
