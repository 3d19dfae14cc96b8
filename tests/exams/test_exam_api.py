from datetime import timedelta

import pytest
from django.utils import timezone

from exams import services as exam_services
from exams.forms import SpecialTestsForm
from tests.exams.exam_fixtures import SI_CLUSTER_3, current_revision, make_visit, sign, submitted_intake

pytestmark = pytest.mark.django_db


def _record(exam, dr, *, nprs=None):
    form = SpecialTestsForm(SI_CLUSTER_3)
    assert form.is_valid()
    exam_services.exam_save_section(exam=exam, section="special_tests", revision=current_revision(exam, "special_tests"), data=form.to_findings(), actor=dr.user)
    if nprs is not None:
        exam_services.exam_save_section(exam=exam, section="scores", revision=current_revision(exam, "scores"), actor=dr.user,
                                        data={"nprs": nprs, "nprs_version": "1", "odi": {}, "odi_version": "2.1a-test", "odi_demo_wording": False})


def test_exams_api_returns_findings_suggestions_signed_state_and_addenda(rivera_client, exam, dr_rivera, patient):
    _record(exam, dr_rivera)
    sign(exam, dr_rivera)
    exam_services.exam_add_addendum(exam=exam, author=dr_rivera.user, text="Retested compression: positive.")
    body = rivera_client.get(f"/api/v1/patients/{patient.mrn}/exams/").json()
    assert body["patient"]["mrn"] == patient.mrn
    [found] = body["exams"]
    assert found["signed"] is True and found["signed_by"] == "Sam Rivera" and found["signed_at"]
    assert found["working_diagnosis"] == "si_joint_dysfunction"  # the primary diagnosis, as before several
    assert found["working_diagnosis_display"] == "SI joint pain (dysfunction)" and found["icd10_code"] == "M53.3"
    assert found["diagnoses"] == [{
        "diagnosis": "si_joint_dysfunction", "diagnosis_display": "SI joint pain (dysfunction)", "side": "left",
        "icd10_code": "M53.3", "code_title": "Sacrococcygeal disorders, not elsewhere classified", "primary": True,
        "note": "",
    }]
    assert found["findings"]["special_tests"]["distraction"] == "positive"
    assert found["suggestions"][0]["rule"].startswith("3 of 5 SI provocation tests positive")
    assert found["addenda"][0]["text"] == "Retested compression: positive." and found["addenda"][0]["author"] == "Sam Rivera"
    assert found["appointment"]["id"] == exam.appointment_id


def test_scores_api_returns_each_measure_over_time_with_its_mcid(rivera_client, exam, dr_rivera, patient, visit):
    submitted_intake(patient, visit)  # baseline NPRS 6, ODI 35.6, PSFS 4.3
    _record(exam, dr_rivera, nprs=3)
    body = rivera_client.get(f"/api/v1/patients/{patient.mrn}/scores/").json()
    series = {s["instrument"]: s for s in body["series"]}
    assert [s["instrument"] for s in body["series"]] == ["odi", "nprs", "psfs"]
    nprs = series["nprs"]
    assert nprs["mcid"] == 2 and nprs["baseline"] == 6 and nprs["higher_is_better"] is False
    assert [p["value"] for p in nprs["points"]] == [6, 3]
    assert [p["source"] for p in nprs["points"]] == ["intake", "exam"]
    assert nprs["points"][1]["change_from_baseline"] == -3 and nprs["points"][1]["meaningful_improvement"] is True
    assert series["odi"]["mcid"] == 10 and "Ostelo" in series["odi"]["mcid_source"]


def _visits_with_exams(patient, dr, follow_up, location, count):
    for i in range(count):
        start = timezone.now().replace(second=0, microsecond=0) - timedelta(days=7 * (count - i))
        appointment = make_visit(patient, dr, visit_type=follow_up, location=location, start=start)
        found, _ = exam_services.exam_start(appointment=appointment, clinician=dr)
        _record(found, dr, nprs=max(0, 7 - i))
        sign(found, dr)
        exam_services.exam_add_addendum(exam=found, author=dr.user, text=f"Addendum {i}")


@pytest.mark.parametrize("size", [1, 6])
def test_exams_api_query_count_does_not_grow(
    rivera_client, dr_rivera, patient, follow_up, location, django_assert_num_queries, size
):
    _visits_with_exams(patient, dr_rivera, follow_up, location, size)
    # user with roles and permissions (the session comes from the cache), patient, audit row, exams (+patient,
    # visit, clinician, signer), addenda with authors, attachments with documents, working diagnoses
    with django_assert_num_queries(8):
        response = rivera_client.get(f"/api/v1/patients/{patient.mrn}/exams/")
    assert len(response.json()["exams"]) == size


@pytest.mark.parametrize("size", [1, 6])
def test_scores_api_query_count_does_not_grow(
    rivera_client, dr_rivera, patient, follow_up, location, django_assert_num_queries, size
):
    _visits_with_exams(patient, dr_rivera, follow_up, location, size)
    # user with roles and permissions (the session comes from the cache), patient, audit row, scores
    with django_assert_num_queries(4):
        response = rivera_client.get(f"/api/v1/patients/{patient.mrn}/scores/")
    assert len(response.json()["series"][0]["points"]) == size


def test_a_draft_exam_has_no_signer_and_the_schema_says_it_may_not(rivera_client, exam, patient):
    [found] = rivera_client.get(f"/api/v1/patients/{patient.mrn}/exams/").json()["exams"]
    assert found["signed"] is False and found["signed_by"] is None and found["signed_at"] is None
    schema = rivera_client.get("/api/schema/", {"format": "json"}).json()
    assert schema["components"]["schemas"]["Exam"]["properties"]["signed_by"]["nullable"] is True


def test_the_schema_documents_403_and_404_on_the_exam_endpoints(rivera_client):
    paths = rivera_client.get("/api/schema/", {"format": "json"}).json()["paths"]
    for path in ("/api/v1/patients/{mrn}/exams/", "/api/v1/patients/{mrn}/scores/"):
        assert set(paths[path]["get"]["responses"]) == {"200", "403", "404"}, path


def test_unknown_patient_is_404(rivera_client, dr_rivera, visit):
    assert rivera_client.get("/api/v1/patients/ZZZZ-ZZZZ/exams/").status_code == 404
    assert rivera_client.get(f"/api/v1/patients/{visit.patient.mrn}/exams/").status_code == 200  # a known one


def test_reading_exams_or_scores_through_the_api_is_audited(rivera_client, dr_rivera, patient, follow_up, location):
    from clinic.models import AuditEvent

    _visits_with_exams(patient, dr_rivera, follow_up, location, 1)
    for path in ("exams", "scores"):
        before = AuditEvent.objects.filter(action="view", actor=dr_rivera.user, patient_id=patient.pk).count()
        assert rivera_client.get(f"/api/v1/patients/{patient.mrn}/{path}/").status_code == 200
        after = AuditEvent.objects.filter(action="view", actor=dr_rivera.user, patient_id=patient.pk).count()
        assert after == before + 1, path
