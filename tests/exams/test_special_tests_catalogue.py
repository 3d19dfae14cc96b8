"""The special tests a buttock-pain clinic needs, each recorded with its side: FADIR, FABER (posterior SI and groin),
the proximal hamstring tests, ischiofemoral impingement, gluteal tendinopathy, crossed SLR, repeated movements with
centralisation (midline) and palpation; saved and shown on the exam and, when tested, on the printed report."""

import pytest

from exams.catalogue import TESTS
from exams.forms import SpecialTestsForm
from tests.exams.exam_fixtures import post_section

pytestmark = pytest.mark.django_db

SIDED_NEW = ["fadir", "faber_groin", "bent_knee_stretch", "modified_bent_knee_stretch", "puranen_orava",
             "long_stride_walk", "ifi_test", "single_leg_stance", "resisted_external_derotation", "crossed_slr",
             "tender_greater_trochanter", "tender_ischial_tuberosity", "tender_sciatic_notch",
             "tender_long_dorsal_ligament", "tender_sacrum"]


def test_the_catalogue_has_the_clinics_tests_with_sides_and_their_figures():
    assert all(TESTS[key].sided for key in SIDED_NEW)
    assert not TESTS["centralisation"].sided and not TESTS["tender_coccyx"].sided  # midline findings
    assert "Sn 0.89, Sp 0.91" in TESTS["modified_bent_knee_stretch"].figures  # Cacchio 2012
    assert "Sn 1.00, Sp 0.97" in TESTS["single_leg_stance"].figures  # Lequesne 2008
    assert "Sn 0.29, Sp 0.88" in TESTS["crossed_slr"].figures  # Devillé 2000
    assert "0.87 once patients whose pain centralises are excluded" in TESTS["centralisation"].figures
    assert "no figures in the clinic's reference" in TESTS["fadir"].figures


def test_each_new_test_is_saved_with_its_side(rivera_client, exam):
    data = {f"{key}_right": "positive" for key in SIDED_NEW} | {f"{key}_left": "negative" for key in SIDED_NEW}
    data |= {"centralisation": "negative", "tender_coccyx": "positive"}
    assert post_section(rivera_client, exam, "special_tests", data).status_code == 200
    exam.refresh_from_db()
    stored = exam.findings["special_tests"]
    for key in SIDED_NEW:
        assert stored[key] == {"left": "negative", "right": "positive"}, key
    assert stored["centralisation"] == "negative" and stored["tender_coccyx"] == "positive"
    assert stored["slr"] == {"left": "not_tested", "right": "not_tested"}  # untouched tests stay not tested


def test_palpation_and_centralisation_read_in_their_own_words():
    form = SpecialTestsForm()
    assert dict(form.fields["tender_greater_trochanter_left"].choices)["positive"] == "Tender"
    assert dict(form.fields["centralisation"].choices)["negative"] == "Does not centralise"
    assert dict(form.fields["fadir_right"].choices)["positive"] == "Positive"


def test_the_exam_page_offers_the_new_tests_by_side(rivera_client, exam):
    page = rivera_client.get(f"/exams/{exam.pk}/").content.decode()
    for group in ("Gluteal tendinopathy (greater trochanteric pain)", "Proximal hamstring (tendinopathy or avulsion)",
                  "Ischiofemoral impingement", "Palpation (tender = the familiar pain on pressure)",
                  "Lumbar repeated movements (before the SI tests)"):
        assert f'<caption class="test-group">{group}</caption>' in page, group
    for name in ("fadir_left", "fadir_right", "long_stride_walk_right", "crossed_slr_left", "centralisation"):
        assert f'name="{name}"' in page, name


def test_the_report_shows_the_new_tests_only_when_tested_in_their_words(rivera_client, exam):
    post_section(rivera_client, exam, "special_tests", {
        "fadir_left": "positive", "tender_ischial_tuberosity_right": "positive", "centralisation": "negative"})
    html = rivera_client.get(f"/exams/{exam.pk}/report/").content.decode()
    tests = html[html.index('id="r-tests"'):html.index("</table>", html.index('id="r-tests"'))]
    assert "FADIR" in tests and "Tenderness: ischial tuberosity" in tests and "tender" in tests
    assert "Repeated movements: centralisation" in tests and "does not centralise" in tests
    assert "Puranen-Orava" not in tests and "Crossed straight leg raise" not in tests
