"""The exam's printable report for a referrer or the patient: clinic letterhead, clinician credentials and NPI,
a signature block, only what was tested, the body map drawn, and no developer-facing wording: no "unconfirmed",
no bare reference numbers; the sources in a list at the end (the staff exam page keeps them as they are)."""

import re

import pytest
from django.conf import settings
from django.core.exceptions import ValidationError

from exams import report
from tests.exams.exam_fixtures import SI_CLUSTER_3, post_section, sign
from tests.exams.test_exam_reported import full_intake
from tests.scheduling.test_admin import inline

pytestmark = pytest.mark.django_db

BARE_REFERENCE = re.compile(r"\[\d+(?:\s*[-,]\s*\d+)*\]")


@pytest.fixture
def recorded(rivera_client, exam, dr_rivera, location):
    """An exam with its history, today's NPRS and PSFS, hip and lumbar range of motion, the SI cluster and a plan; nothing else
    tested."""
    location.phone = "(617) 555-0142"
    location.save()
    dr_rivera.npi = "1234567893"
    dr_rivera.save()
    full_intake(exam.patient, exam.appointment)
    for section, data in (
        ("history", {"onset_mechanism": "fall", "side": "left"}),
        ("scores", {"nprs": "6", "psfs_activity_1": "Sitting through a meeting", "psfs_rating_1": "3"}),
        ("mobility", {"hip_flexion_left": "95", "hip_flexion_right": "118", "lumbar_flexion_value": "50"}),
        ("special_tests", {f"{k}": v for k, v in SI_CLUSTER_3.items()}),
        ("plan", {"frequency_per_week": "2", "weeks": "6", "interventions": ["exercise", "manual_therapy"],
                  "home_exercises": "Glute bridges, 3 x 10 daily"}),
    ):
        assert post_section(rivera_client, exam, section, data).status_code == 200, section
    exam.refresh_from_db()
    return exam


def _report(client, exam):
    response = client.get(f"/exams/{exam.pk}/report/")
    assert response.status_code == 200
    return response.content.decode()


def test_the_report_has_the_letterhead_the_clinicians_credentials_and_npi_and_a_signature_block(
    rivera_client, recorded, dr_rivera
):
    sign(recorded, dr_rivera)
    html = _report(rivera_client, recorded)
    letterhead = html[html.index('class="letterhead"'):html.index("</header>")]
    assert settings.CLINIC_NAME in letterhead and "200 Boylston St, Boston, MA 02116" in letterhead
    assert "(617) 555-0142" in letterhead
    assert "Sam Rivera, PT, DPT · NPI 1234567893" in html
    signature = html[html.index('class="report-signature"'):]
    assert "Electronically signed on" in signature and "Sam Rivera, PT, DPT" in signature and "NPI 1234567893" in signature


def test_a_draft_report_says_it_is_not_signed(rivera_client, recorded):
    html = _report(rivera_client, recorded)
    assert "(draft, not signed)" in html and "Not signed: draft" in html and "Electronically signed" not in html


def test_the_report_shows_only_what_was_tested(rivera_client, recorded):
    html = _report(rivera_client, recorded)
    for shown in ("Range of motion (degrees)", "Special tests", "Plan", "Outcome measures", "History",
                  "What the patient reported"):
        assert f">{shown}</h2>" in html, shown
    for omitted in ("Gait", "Strength (0-5)", "Neurological screen", "Ultrasound", "Addenda"):
        assert f">{omitted}</h2>" not in html, omitted
    mobility = html[html.index('id="r-mobility"'):html.index('id="r-tests"')]
    assert "Hip flexion" in mobility and "95° (limited)" in mobility and "Lumbar flexion" in mobility
    assert "Hip extension" not in mobility  # not measured
    tests = html[html.index('id="r-tests"'):html.index('id="r-assessment"') if 'id="r-assessment"' in html
                 else html.index('id="r-plan"')]
    assert "SI distraction" in tests and "Sacral thrust" in tests
    assert "Gaenslen" in tests  # tested on the left (negative)
    assert "Slump" not in tests and "FABER" not in tests  # not tested
    assert "Glute bridges, 3 x 10 daily" in html and "Therapeutic exercise, Manual therapy" in html


def test_the_report_has_no_developer_wording_and_lists_its_sources_at_the_end(rivera_client, recorded):
    staff_page = rivera_client.get(f"/exams/{recorded.pk}/").content.decode()
    assert "unconfirmed [46]" in staff_page and BARE_REFERENCE.search(staff_page)  # the staff screen keeps them
    html = _report(rivera_client, recorded)
    body = html[html.index("<main"):html.index("</main>")]
    assert "unconfirmed" not in body.lower()
    assert not BARE_REFERENCE.search(body), BARE_REFERENCE.search(body)
    sources = body[body.index('id="r-sources"'):]
    assert "knowledge-builders.org" in sources  # the lumbar norm's source, [46] on the staff screen
    assert "fpnotebook.com, hip range of motion" in sources  # the hip norm's, [42]
    mobility = body[body.index('id="r-mobility"'):body.index('id="r-tests"')]
    assert re.search(r'<sup><a href="#source-\d+"', mobility)


def test_the_report_draws_the_body_map(rivera_client, recorded):
    html = _report(rivera_client, recorded)
    assert 'aria-label="Body map, Back view"' in html and "<title>Left buttock</title>" in html


def test_plain_words_drop_references_and_unverified_clauses():
    assert report.plain('110-130° often quoted "AAOS-style", unconfirmed [43]') == '110-130° often quoted "AAOS-style"'
    assert report.plain("60° commonly quoted; AMA Guides attribution unconfirmed [46]") == "60° commonly quoted"
    sources = report.Sources()
    assert sources.cite("Sn .60, Sp .81 [22]").marks == [1]
    assert sources.cite("Herzog 1989 [55,56]; 0 = symmetric").marks == [2, 3]
    assert sources.cite("roots [60-63] and [22]").marks == [4, 5, 6, 7, 1]
    assert [mark for mark, _text in sources.listed] == [1, 2, 3, 4, 5, 6, 7]


# The exam with its patient/visit/clinician, addenda, attachments, diagnoses, the intake, the open red flags and the
# audit row.
REPORT_QUERIES = 7


def test_the_report_runs_a_fixed_number_of_queries(rivera_client, recorded, dr_rivera, django_assert_num_queries):
    sign(recorded, dr_rivera)
    rivera_client.get("/robots.txt")
    with django_assert_num_queries(REPORT_QUERIES):
        rivera_client.get(f"/exams/{recorded.pk}/report/")


def test_the_front_desk_and_clinicians_outside_the_patients_care_cannot_open_the_report(rivera_client, exam,
                                                                                        front_desk, dr_chen):
    from django.test import Client

    from tests.factories import sign_in

    assert rivera_client.get(f"/exams/{exam.pk}/report/").status_code == 200
    assert sign_in(Client(), front_desk).get(f"/exams/{exam.pk}/report/").status_code == 403
    assert sign_in(Client(), dr_chen.user).get(f"/exams/{exam.pk}/report/").status_code == 403


def test_an_admin_records_a_clinicians_npi_and_a_wrong_one_is_refused_next_to_the_field(client, make_user,
                                                                                       dr_rivera):
    from tests.factories import sign_in

    sign_in(client, make_user("Admin", email="npi.admin@stride.test", is_staff=True))
    form = {"user": dr_rivera.user_id, "credentials": "PT, DPT", "is_active": "on", "sort_order": 0,
            "visit_types": [v.pk for v in dr_rivera.visit_types.all()],
            "locations": [loc.pk for loc in dr_rivera.locations.all()],
            **inline("working_hours"), **inline("time_off")}
    refused = client.post(f"/admin/scheduling/clinician/{dr_rivera.pk}/change/", {**form, "npi": "1234567890"})
    assert refused.status_code == 200
    assert refused.context["adminform"].form.errors["npi"] == [
        "That NPI's check digit does not match: check each digit against the NPI registry."]
    saved = client.post(f"/admin/scheduling/clinician/{dr_rivera.pk}/change/", {**form, "npi": "1234567893"})
    assert saved.status_code == 302
    dr_rivera.refresh_from_db()
    assert dr_rivera.npi == "1234567893"
    dr_rivera.npi = "12345"
    with pytest.raises(ValidationError):
        dr_rivera.full_clean()
