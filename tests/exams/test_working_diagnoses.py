"""Working diagnoses: several per exam, each from the clinic's table with its side and the ICD-10-CM code that follows
from both; refused next to the field when incomplete (what was typed kept); shown on the exam, the chart and the
printed report; moved from the single diagnosis of earlier exams (migration 0005)."""

import pytest
from django.core.exceptions import ValidationError
from django.db import connection
from django.db.migrations.executor import MigrationExecutor

from exams import diagnoses
from exams import services as exam_services
from exams.models import WorkingDiagnosis
from tests.exams.exam_fixtures import current_revision, dx_post, post_section, sign

pytestmark = pytest.mark.django_db


def _saved(exam):
    return [(d.diagnosis, d.side, d.icd10_code, d.primary) for d in exam.diagnoses.all()]


# --- The table ----------------------------------------------------------------------------------------------


@pytest.mark.parametrize(("key", "side", "code"), [
    ("sciatica", "left", "M54.32"), ("sciatica", "right", "M54.31"),
    ("piriformis_syndrome", "right", "G57.01"), ("piriformis_syndrome", "both", "G57.03"),
    ("gluteal_tendinopathy", "left", "M76.02"), ("trochanteric_bursitis", "right", "M70.61"),
    ("hip_oa", "both", "M16.0"), ("hip_oa", "left", "M16.12"),
    ("si_joint_dysfunction", "right", "M53.3"), ("coccydynia", "", "M53.3"), ("sacroiliitis", "both", "M46.1"),
    ("stenosis_with_claudication", "", "M48.062"), ("pgp_pregnancy_2", "", "O26.892"),
])
def test_the_code_follows_the_diagnosis_and_its_side(key, side, code):
    assert diagnoses.check(key, side) == {}
    assert diagnoses.code_for(key, side) == code


def test_a_sided_diagnosis_needs_its_side_and_both_only_where_icd10cm_has_a_bilateral_code():
    assert "Choose the side" in diagnoses.check("sciatica", "")["side"]
    assert "Choose the side" in diagnoses.check("si_joint_dysfunction", "")["side"]
    assert "no code for Sciatica on both sides" in diagnoses.check("sciatica", "both")["side"]
    assert diagnoses.check("coccydynia", "") == {}  # midline: no side needed


def test_other_needs_its_name_and_a_typed_code_in_the_classifications_shape():
    assert diagnoses.check("other", "", "", "")["note"] == "Name the diagnosis here."
    assert "ICD-10-CM code like" in diagnoses.check("trauma", "left", "buttock")["icd10_code"]
    assert diagnoses.code_for("trauma", "left", " s3210xd ") == "S32.10XD"


def test_every_code_cites_the_fy2026_tabular_list_and_says_which_could_not_be_checked():
    assert diagnoses.CODE_SOURCE == "ICD-10-CM FY2026 tabular list (CMS/NCHS)"
    unseen = {d.key for d in diagnoses.TABLE if not d.seen and not d.free_code}
    assert {"hamstring_tendinopathy", "pudendal_neuralgia", "fai"} <= unseen
    assert "hip_oa" not in unseen


# --- The assessment section ----------------------------------------------------------------------------------


def test_several_diagnoses_with_sides_are_saved_with_their_codes_and_the_page_gets_them_back(rivera_client, exam):
    response = post_section(rivera_client, exam, "assessment", dx_post(
        ("si_joint_dysfunction", "right"),
        ("gluteal_tendinopathy", "right", {"primary": "on"}),
        ("sciatica", "left", {"note": "Since the fall"}),
        notes="Mostly SI, some lateral hip.",
    ))
    assert response.status_code == 200
    assert _saved(exam) == [  # the primary first, then as listed
        ("gluteal_tendinopathy", "right", "M76.01", True),
        ("si_joint_dysfunction", "right", "M53.3", False),
        ("sciatica", "left", "M54.32", False),
    ]
    body = response.json()
    ids = {d.position: d.pk for d in exam.diagnoses.all()}
    assert body["values"]["dx-0-id"] == ids[0] and body["values"]["dx-2-icd10_code"] == "M54.32"
    assert "M76.01" in body["fragments"]["dx-code-1"] and "Gluteal tendinitis" in body["fragments"]["dx-code-1"]
    exam.refresh_from_db()
    assert exam.assessment_notes == "Mostly SI, some lateral hip."


def test_a_sided_diagnosis_without_its_side_is_refused_next_to_the_field_and_nothing_is_saved(rivera_client, exam):
    response = post_section(rivera_client, exam, "assessment", dx_post(
        ("coccydynia", ""), ("sciatica", "", {"note": "Left more than right"})))
    assert response.status_code == 400
    errors = response.json()["errors"]
    assert list(errors) == ["dx-1-side"] and "Choose the side: Sciatica" in errors["dx-1-side"][0]
    assert not exam.diagnoses.exists()


def test_a_refused_plain_post_keeps_what_was_typed_with_the_message_beside_the_side(rivera_client, exam):
    response = post_section(rivera_client, exam, "assessment",
                            dx_post(("sciatica", "", {"note": "Left more than right"})), as_json=False)
    assert response.status_code == 400
    html = response.content.decode()
    error = html[html.index('data-error-for="dx-0-side"'):][:200]
    assert "Choose the side: Sciatica is recorded with its side." in error
    assert 'value="Left more than right"' in html
    assert '<option value="sciatica" selected>' in html


def test_both_sides_where_icd10cm_has_no_bilateral_code_asks_for_a_row_per_side(rivera_client, exam):
    response = post_section(rivera_client, exam, "assessment", dx_post(("gluteal_tendinopathy", "both")))
    assert "record one row for the left and one for the right" in response.json()["errors"]["dx-0-side"][0]
    assert post_section(rivera_client, exam, "assessment", dx_post(
        ("gluteal_tendinopathy", "left"), ("gluteal_tendinopathy", "right"))).status_code == 200
    assert [d.icd10_code for d in exam.diagnoses.all()] == ["M76.02", "M76.01"]


def test_two_primaries_are_refused_on_both(rivera_client, exam):
    errors = post_section(rivera_client, exam, "assessment", dx_post(
        ("coccydynia", "", {"primary": "on"}), ("hip_oa", "left", {"primary": "on"}))).json()["errors"]
    assert "Mark one diagnosis as the primary one." in errors["dx-0-primary"][0]
    assert "dx-1-primary" in errors


def test_saving_again_updates_removes_and_keeps_rows_by_id(rivera_client, exam):
    post_section(rivera_client, exam, "assessment", dx_post(("sciatica", "left"), ("coccydynia", "")))
    first, second = exam.diagnoses.all()
    # The page sends the ids back: the first changes side, the second is cleared (removed), a third is added.
    data = dx_post(("sciatica", "right", {"id": first.pk}), ("", "", {"id": second.pk}), ("hip_oa", "both"),
                   initial=2)
    assert post_section(rivera_client, exam, "assessment", data).status_code == 200
    assert _saved(exam) == [("sciatica", "right", "M54.31", True), ("hip_oa", "both", "M16.0", False)]
    assert exam.diagnoses.first().pk == first.pk  # the same row, changed
    assert not WorkingDiagnosis.objects.filter(pk=second.pk).exists()


def test_a_typed_code_is_kept_only_for_trauma_and_other(rivera_client, exam):
    post_section(rivera_client, exam, "assessment", dx_post(
        ("sciatica", "left", {"icd10_code": "M99.99"}), ("other", "", {"note": "Adductor strain", "icd10_code": "s76211d"})))
    assert [(d.label, d.icd10_code) for d in exam.diagnoses.all()] == [("Sciatica", "M54.32"),
                                                                       ("Adductor strain", "S76.211D")]


def test_the_service_refuses_an_incomplete_row_from_any_caller(exam, dr_rivera):
    with pytest.raises(ValidationError, match="Choose the side"):
        exam_services.exam_save_section(
            exam=exam, section="assessment", revision=current_revision(exam, "assessment"), actor=dr_rivera.user,
            data={"assessment_notes": "", "diagnoses": [{"diagnosis": "hip_oa", "side": "", "primary": True}]})
    assert not exam.diagnoses.exists()


def test_a_signed_exams_diagnoses_cannot_be_changed(exam, dr_rivera):
    sign(exam, dr_rivera, "sciatica", "left")
    row = exam.diagnoses.get()
    row.side = "right"
    with pytest.raises(PermissionError):
        row.save()
    with pytest.raises(PermissionError):
        row.delete()


# --- Where they are shown ------------------------------------------------------------------------------------


@pytest.fixture
def two_diagnoses(rivera_client, exam, dr_rivera):
    post_section(rivera_client, exam, "assessment", dx_post(
        ("piriformis_syndrome", "right", {"primary": "on"}), ("hamstring_tendinopathy", "left")))
    return exam_services.exam_sign(exam=exam, actor=dr_rivera.user)


def test_the_signed_exam_and_the_chart_show_each_diagnosis_with_side_and_code(rivera_client, two_diagnoses):
    page = rivera_client.get(f"/exams/{two_diagnoses.pk}/").content.decode()
    listed = page[page.index('class="table table-sm exam-table dx-list"'):]
    assert "Piriformis syndrome" in listed and "G57.01" in listed and "Right" in listed
    assert "Proximal hamstring tendinopathy" in listed and "M76.892" in listed and "Left" in listed
    assert "primary diagnosis: Piriformis syndrome, right (G57.01)" in page
    chart = rivera_client.get(f"/patients/{two_diagnoses.patient.mrn}/").content.decode()
    assert "Piriformis syndrome, right (G57.01); Proximal hamstring tendinopathy, left (M76.892)" in chart


def test_the_printed_report_lists_the_diagnoses_with_codes_and_names_the_classification(rivera_client, two_diagnoses):
    html = rivera_client.get(f"/exams/{two_diagnoses.pk}/report/").content.decode()
    assessment = html[html.index('id="r-assessment"'):html.index('class="report-signature"')]
    assert "Working diagnoses:" in assessment
    assert "Piriformis syndrome, right (ICD-10-CM G57.01" in assessment and ", primary" in assessment
    assert "Proximal hamstring tendinopathy, left (ICD-10-CM M76.892" in assessment
    sources = html[html.index('id="r-sources"'):]
    assert "ICD-10-CM FY2026 tabular list (CMS/NCHS)" in sources


def test_signing_needs_every_diagnosis_complete(rivera_client, exam, dr_rivera):
    WorkingDiagnosis.objects.create(exam=exam, diagnosis="sciatica", side="", primary=True)  # as moved from before
    with pytest.raises(ValidationError, match="Choose the side: Sciatica"):
        exam_services.exam_sign(exam=exam, actor=dr_rivera.user)


# --- Moved from the single diagnosis of earlier exams --------------------------------------------------------


@pytest.mark.django_db(transaction=True)
def test_the_migration_keeps_each_earlier_diagnosis_and_its_typed_code(patient, dr_rivera, follow_up, location):
    from datetime import timedelta

    from django.utils import timezone

    from tests.exams.exam_fixtures import make_visit

    start = timezone.now().replace(second=0, microsecond=0)
    visits = [make_visit(patient, dr_rivera, visit_type=follow_up, location=location, start=start - timedelta(days=n))
              for n in range(1, 4)]
    executor = MigrationExecutor(connection)
    before = [("exams", "0004_exam_early_sign_reason")]
    executor.migrate(before)
    old = executor.loader.project_state(before).apps
    try:
        OldExam = old.get_model("exams", "Exam")
        for visit, (key, code) in zip(visits, (("sciatica", "M54.32"), ("lumbar_disc", ""), ("", "")), strict=True):
            OldExam.objects.create(patient_id=patient.pk, appointment_id=visit.pk, clinician_id=dr_rivera.pk,
                                   working_diagnosis=key, icd10_code=code)
    finally:
        executor = MigrationExecutor(connection)
        executor.migrate(executor.loader.graph.leaf_nodes())
    moved = {d.exam.appointment_id: d for d in WorkingDiagnosis.objects.select_related("exam")}
    sciatica, disc = moved[visits[0].pk], moved[visits[1].pk]
    assert (sciatica.diagnosis, sciatica.side, sciatica.icd10_code, sciatica.primary) == ("sciatica", "", "M54.32", True)
    # "Lumbar disc problem" did not say radiculopathy: it stays in its own words, as Other.
    assert (disc.diagnosis, disc.label) == ("other", "Lumbar disc problem")
    assert visits[2].pk not in moved  # no diagnosis then, none now
