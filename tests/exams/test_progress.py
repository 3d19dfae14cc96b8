"""Progress: outcome series from stored scores, the chart's plots with the change-threshold band, first-vs-latest ROM
and gait. (How each change is judged, with its edges, is in tests/intake/test_meaningful_change.py.)"""

import re
from datetime import timedelta

import pytest
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from exams import services as exam_services
from exams.forms import GaitForm, MobilityForm
from intake import plots
from intake import selectors as intake_selectors
from tests.exams.exam_fixtures import current_revision, make_visit, sign, submitted_intake
from tests.factories import sign_in

pytestmark = pytest.mark.django_db

ODI_SECTIONS = ("pain_intensity", "personal_care", "lifting", "walking", "sitting", "standing", "sleeping",
                "sex_life", "social_life", "travelling")


def _section(exam, dr, form_class, data):
    form = form_class(data, exam=exam)
    assert form.is_valid(), form.errors
    return exam_services.exam_save_section(exam=exam, section=form_class.section, revision=current_revision(exam, form_class.section), data=form.to_findings(), actor=dr.user)


def _follow_up(patient, dr, visit_type, location, *, days_ago, nprs, odi_points, hip_flexion, speed):
    start = timezone.now().replace(second=0, microsecond=0) - timedelta(days=days_ago)
    appointment = make_visit(patient, dr, visit_type=visit_type, location=location, start=start)
    found, _ = exam_services.exam_start(appointment=appointment, clinician=dr)
    odi = {key: odi_points for key in ODI_SECTIONS}
    exam_services.exam_save_section(exam=found, section="scores", revision=current_revision(found, "scores"), actor=dr.user,
                                    data={"nprs": nprs, "nprs_version": "1", "odi": odi, "odi_version": "2.1a-test", "odi_demo_wording": False})
    _section(found, dr, MobilityForm, {"hip_flexion_left": str(hip_flexion), "hip_flexion_right": "120"})
    _section(found, dr, GaitForm, {"walking_speed": str(speed), "walking_step_length_left": "60",
                                   "walking_step_length_right": "65"})
    sign(found, dr)
    return found


def test_progress_series_reads_intake_baselines_and_visit_scores(patient, dr_rivera, follow_up, location):
    submitted_intake(patient)  # NPRS 6, ODI 35.6, PSFS 4.3, two days ago
    _follow_up(patient, dr_rivera, follow_up, location, days_ago=1, nprs=3, odi_points=1, hip_flexion=100, speed=1.2)
    series = {s.instrument: s for s in intake_selectors.progress_series(patient.pk)}
    nprs, odi = series["nprs"], series["odi"]
    assert [p.value for p in nprs.points] == [6, 3] and [p.source for p in nprs.points] == ["intake", "exam"]
    assert nprs.points[1].change == -3 and nprs.points[1].improved  # baseline 6 needs max(2, 30% = 1.8) = 2 points
    assert [p.value for p in odi.points] == [35.6, 20.0] and odi.points[1].improved  # 15.6 points down, 10 needed
    assert odi.threshold == 10 and nprs.threshold == 2 and series["psfs"].higher_is_better is True
    assert len(series["psfs"].points) == 1 and series["psfs"].points[0].meaningful is None


def test_a_change_below_the_threshold_is_not_meaningful_and_a_worsening_is_judged_too(
    patient, dr_rivera, follow_up, location
):
    submitted_intake(patient)
    _follow_up(patient, dr_rivera, follow_up, location, days_ago=1, nprs=5, odi_points=3, hip_flexion=100, speed=1.2)
    series = {s.instrument: s for s in intake_selectors.progress_series(patient.pk)}
    assert series["nprs"].points[1].meaningful is False  # 6 -> 5: 1 point, 2 needed
    # 35.6% -> 60% (30 of 50): 24.4 points worse, at least 10: a meaningful worsening (it was "not meaningful"
    # when only improvement was judged).
    odi = series["odi"]
    assert odi.points[1].value == 60.0 and odi.points[1].meaningful is True and odi.points[1].worsened
    assert odi.worsened and not series["nprs"].worsened


def test_line_chart_draws_points_axes_and_the_mcid_band_from_baseline():
    now = timezone.now()
    svg = str(plots.line_chart([(now - timedelta(days=14), 40), (now, 22)], low=0, high=100, baseline=40, threshold=10,
                                title="ODI <over> time", unit="%", higher_is_better=False))
    assert svg.startswith("<svg") and 'role="img"' in svg and "<title" in svg
    assert "ODI &lt;over&gt; time" in svg  # escaped
    assert svg.count('<circle class="point"') == 2 and 'class="trend"' in svg
    band = re.search(r'<rect class="change-band"[^>]* y="([\d.]+)" width="\d+" height="([\d.]+)"', svg)
    top, height = float(band.group(1)), float(band.group(2))
    # plot height 166 px for 0-100: the band spans 30-50, i.e. 20 points = 33.2 px, with its top at 50.
    assert height == pytest.approx(33.2, abs=0.2) and top == pytest.approx(14 + 166 * 0.5, abs=0.2)
    assert "lower is better" in svg


def test_line_chart_with_one_point_has_no_line_to_draw_but_shows_it():
    svg = str(plots.line_chart([(timezone.now(), 6)], low=0, high=10, baseline=6, threshold=2, title="Pain"))
    assert svg.count('<circle class="point"') == 1


def test_chart_shows_progress_plots_with_a_table_of_the_same_numbers(
    rivera_client, patient, dr_rivera, follow_up, location
):
    submitted_intake(patient)
    _follow_up(patient, dr_rivera, follow_up, location, days_ago=1, nprs=3, odi_points=1, hip_flexion=100, speed=1.2)
    html = rivera_client.get(f"/patients/{patient.mrn}/").content.decode()
    assert "Progress" in html and html.count('class="trend-chart"') == 3
    assert html.count('class="change-band"') == 3
    table = html[html.index("Pain (NPRS): the plotted values"):]
    table = table[:table.index("</table>")]
    assert "6/10" in table and "3/10" in table and "baseline" in table and "-3" in table and "Yes: better" in table
    assert "At least max(2 points, 30% of baseline)" in html


def test_chart_shows_first_and_latest_range_of_motion_and_gait(
    rivera_client, patient, dr_rivera, follow_up, location
):
    _follow_up(patient, dr_rivera, follow_up, location, days_ago=30, nprs=6, odi_points=3, hip_flexion=90, speed=0.9)
    _follow_up(patient, dr_rivera, follow_up, location, days_ago=2, nprs=3, odi_points=1, hip_flexion=112, speed=1.3)
    html = rivera_client.get(f"/patients/{patient.mrn}/").content.decode()
    assert "first beside latest" in html
    row = re.search(r"Hip flexion, left</th><td>([^<]*)</td>\s*<td>([^<]*)</td><td>([^<]*)</td>", html)
    assert row.groups() == ("90 °", "112 °", "+22")
    walking = html[html.index("<th scope=\"col\">Walking gait</th>"):]
    speed = re.search(r"Speed</th><td>([^<]*)</td>\s*<td>([^<]*)</td><td>([^<]*)</td>", walking)
    assert speed.groups() == ("0.9 m/s", "1.3 m/s", "+0.4")


def test_chart_lists_exams_and_offers_open_exam_for_visits_without_one(rivera_client, exam, patient, visit):
    other = make_visit(patient, exam.clinician, visit_type=visit.visit_type, location=visit.location,
                       start=visit.start_at - timedelta(days=7))
    html = rivera_client.get(f"/patients/{patient.mrn}/").content.decode()
    assert f'href="/exams/{exam.pk}/"' in html and "Draft" in html
    assert f'href="/exams/appointment/{other.pk}/"' in html and "Open exam" in html
    assert f'href="/exams/appointment/{visit.pk}/"' not in html  # it has its exam already


def test_front_desk_chart_shows_no_exams_or_scores(desk_client, exam, dr_rivera, patient):
    submitted_intake(patient)
    sign(exam, dr_rivera)
    html = desk_client.get(f"/patients/{patient.mrn}/").content.decode()
    assert "/exams/" not in html and "trend-chart" not in html and "Progress" not in html
    assert "SI joint pain (dysfunction)" not in html
    assert "Okafor" in html  # the front desk's chart still shows who it is...
    clinicians = sign_in(Client(), dr_rivera.user).get(f"/patients/{patient.mrn}/").content.decode()
    assert "/exams/" in clinicians and "SI joint pain (dysfunction), left (M53.3)" in clinicians  # ...the exam


def _chart_queries(client, mrn):
    with CaptureQueriesContext(connection) as captured:
        response = client.get(f"/patients/{mrn}/")
    assert response.status_code == 200
    return len(captured.captured_queries), response


# What the clinical sections add to the chart for a clinician: the outcome scores (one query, shared by the
# intake list and the progress plots) and the exams (one query) with their working diagnoses (one query), however
# many visits there are. The front desk's chart loads neither.
CLINICIAN_CHART_ADDED = 3
# What only the front desk's chart loads: the contact changes waiting for them to confirm (one query).
DESK_CHART_ADDED = 1


@pytest.mark.parametrize("visits", [1, 6])
def test_chart_query_count_stays_the_same_as_visits_accumulate(
    rivera_client, patient, dr_rivera, follow_up, location, visits, chen_also_treats
):
    submitted_intake(patient)
    make_visit(patient, dr_rivera, visit_type=follow_up, location=location, status="booked",
               start=timezone.now() + timedelta(days=10))  # in Dr. Rivera's care from the start
    rivera_client.get("/robots.txt")  # the session's first write and the user's first read (then cached) done
    # One follow-up first: with no exam at all the exams' related rows are not fetched, a query fewer.
    _follow_up(patient, dr_rivera, follow_up, location, days_ago=7 * (visits + 1), nprs=6, odi_points=2,
               hip_flexion=94, speed=1.0)
    before, _ = _chart_queries(rivera_client, patient.mrn)
    for i in range(visits):
        _follow_up(patient, dr_rivera, follow_up, location, days_ago=7 * (visits - i), nprs=max(0, 6 - i),
                   odi_points=2, hip_flexion=95 + i, speed=1.0)
    after, response = _chart_queries(rivera_client, patient.mrn)
    assert after == before
    assert response.content.decode().count('<circle class="point"') == 2 * (visits + 2) + 1  # NPRS, ODI; PSFS once
    assert response.content.count(b'href="/exams/') >= visits + 1


def test_chart_sections_add_a_fixed_number_of_queries_for_a_clinician(rivera_client, front_desk, patient, exam):
    submitted_intake(patient)
    clinician_count, _ = _chart_queries(rivera_client, patient.mrn)
    desk = Client()
    sign_in(desk, front_desk)
    desk_count, _ = _chart_queries(desk, patient.mrn)
    # The same chart for both roles except the exam and progress sections, which only clinicians get, and the
    # contact changes to confirm, which only the front desk gets.
    assert clinician_count - desk_count == CLINICIAN_CHART_ADDED - DESK_CHART_ADDED
