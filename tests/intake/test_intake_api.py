"""The intake API: the patient's token endpoints (save a step, submit) and the staff read endpoint."""

import datetime

import pytest
from django.core import mail
from django.utils import timezone

from clinic import roles
from clinic.models import AuditEvent
from intake import links, services
from intake.models import IntakeForm, OutcomeScore, RedFlagAlert
from tests.factories import sign_in
from tests.intake.intake_fixtures import other_visit, red_flags_ticked, save_steps, valid_answers
from tests.scheduling.conftest import local

# At a clinic that has loaded its licensed ODI (a test version of the wording): the ODI is asked and scored.
pytestmark = pytest.mark.usefixtures("licensed_odi")


def put(client, token, step, body):
    return client.put(f"/api/v1/intake/{token}/steps/{step}/", body, content_type="application/json")


def test_the_api_saves_a_step_in_the_stored_shape(client, token, intake):
    response = put(client, token, "complaint", valid_answers()["complaint"])
    assert response.status_code == 200, response.json()
    body = response.json()
    assert body["status"] == "in_progress" and body["current_step"] == "contact"
    assert body["answers"]["body_map"] == {"back_buttock_left": ["pain", "tingling"], "back_calf_left": ["tingling"]}
    intake.refresh_from_db()
    assert intake.answers["complaint"]["pain_now"] == 6 and intake.answers["complaint"]["leg_side"] == "left"


def test_the_api_takes_several_kinds_per_region_and_one_kind_as_text_from_older_clients(client, token, intake):
    body = {**valid_answers()["complaint"],
            "body_map": {"back_buttock_left": ["numbness", "pain"], "front_shin_right": "tingling"}}
    response = put(client, token, "complaint", body)
    assert response.status_code == 200, response.json()
    intake.refresh_from_db()
    # Kinds kept in the map's order (pain, tingling, numbness), a lone kind stored as a list of one.
    assert intake.answers["complaint"]["body_map"] == {"back_buttock_left": ["pain", "numbness"],
                                                       "front_shin_right": ["tingling"]}


@pytest.mark.parametrize(("body_map", "message"), [
    ({"back_buttock_left": ["pain", "itching"]},
     "Unknown kinds for back_buttock_left: itching. Use pain, tingling or numbness."),
    ({"back_buttock_left": "burning"}, "Unknown kinds for back_buttock_left: burning. Use pain, tingling or numbness."),
    ({"back_buttock_left": [3]}, "Unknown kinds for back_buttock_left: 3. Use pain, tingling or numbness."),
    ({"back_elbow_left": ["pain"]}, "Unknown body map regions: back_elbow_left."),
    (["back_buttock_left"], "body_map must map regions to a list of kinds (pain, tingling, numbness)."),
])
def test_the_api_refuses_unknown_body_map_regions_or_kinds_with_a_json_error(client, token, intake, body_map,
                                                                             message):
    response = put(client, token, "complaint", {**valid_answers()["complaint"], "body_map": body_map})
    assert response.status_code == 400
    assert response.json() == {"errors": {"body_map": [message]}}
    intake.refresh_from_db()
    assert intake.answers == {} and intake.step_drafts == {}  # the API saves nothing it refuses


def test_the_api_takes_the_red_flags_as_a_list_of_ticked_items(client, token, intake):
    response = put(client, token, "red_flags", {"none_apply": False, "items": ["fever"], "notes": ""})
    assert response.status_code == 200, response.json()
    intake.refresh_from_db()
    saved = intake.answers["red_flags"]
    assert saved["fever"] is True and saved["none_apply"] is False
    assert [key for key, value in saved.items() if value is True] == ["fever"]


def test_the_api_answers_bad_input_with_json_field_errors(client, token, intake):
    body = {**valid_answers()["complaint"], "pain_now": 14, "onset_how": "", "body_map": {"back_elbow_left": "pain"}}
    response = put(client, token, "complaint", body)
    assert response.status_code == 400
    errors = response.json()["errors"]
    assert errors["onset_how"] == ["Choose one answer."]
    assert "Select a valid choice" in errors["pain_now"][0]
    assert errors["body_map"] == ["Unknown body map regions: back_elbow_left."]
    assert put(client, token, "red_flags", {"notes": ""}).json()["errors"]["none_apply"] == [
        "Tick each item above that applies to you, or tick “None of these apply to me”."
    ]
    assert put(client, token, "red_flags", {"items": ["fever", "gout"]}).json()["errors"]["items"] == [
        "Unknown red-flag items: gout."
    ]
    assert put(client, token, "goals", ["not", "an", "object"]).status_code == 400
    intake.refresh_from_db()
    assert intake.answers == {}


def test_the_api_submits_and_refuses_a_form_with_missing_steps(client, token, intake, deliver_now,
                                                               django_capture_on_commit_callbacks):
    answers = valid_answers()
    for step in ("contact", "history", "complaint", "red_flags", "outcomes", "goals"):
        assert put(client, token, step, answers[step]).status_code == 200
    response = client.post(f"/api/v1/intake/{token}/submit/")
    assert response.status_code == 400
    assert response.json()["errors"] == {"consent": {"__all__": ["This step has not been filled in yet."]}}

    assert put(client, token, "consent", answers["consent"]).status_code == 200
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(f"/api/v1/intake/{token}/submit/")
    assert response.status_code == 200 and response.json()["status"] == "submitted"
    assert OutcomeScore.objects.filter(intake=intake).count() == 3
    assert client.post(f"/api/v1/intake/{token}/submit/").status_code == 409
    assert put(client, token, "goals", answers["goals"]).status_code == 409


def test_the_api_is_404_for_a_bad_or_expired_token_or_unknown_step(client, token, appointment):
    assert put(client, token[:-3] + "abc", "goals", {"goals": "x"}).status_code == 404
    assert client.post("/api/v1/intake/nonsense/submit/").status_code == 404
    assert put(client, token, "payment", {}).status_code == 404
    past = other_visit(appointment, local(timezone.localdate() - datetime.timedelta(days=2), 10))
    expired = links.token_for(IntakeForm.objects.create(patient=past.patient, appointment=past))
    assert put(client, expired, "goals", {"goals": "Run again"}).status_code == 404
    assert client.post(f"/api/v1/intake/{expired}/submit/").status_code == 404


# --- Staff endpoint -------------------------------------------------------------------------------------


@pytest.fixture
def submitted(intake, deliver_now, django_capture_on_commit_callbacks):
    answers = valid_answers()
    answers["red_flags"] = red_flags_ticked("bowel_incontinence")
    save_steps(intake, answers)
    with django_capture_on_commit_callbacks(execute=True):
        return services.intake_submit(intake=intake, ip="198.51.100.4")


def test_front_desk_gets_403_from_the_staff_intake_api(client, front_desk, submitted):
    sign_in(client, front_desk)
    response = client.get(f"/api/v1/patients/{submitted.patient.mrn}/intake/")
    assert response.status_code == 403
    assert "Ibuprofen" not in response.content.decode()
    chart = client.get(f"/patients/{submitted.patient.mrn}/")  # the front desk still has the patient's chart
    assert chart.status_code == 200 and submitted.patient.last_name in chart.content.decode()


def test_anonymous_and_patient_users_get_403_from_the_staff_intake_api(client, patient_user, submitted, dr_rivera):
    assert client.get(f"/api/v1/patients/{submitted.patient.mrn}/intake/").status_code == 403
    sign_in(client, patient_user)
    assert client.get(f"/api/v1/patients/{submitted.patient.mrn}/intake/").status_code == 403
    sign_in(client, dr_rivera.user)  # the visit's clinician, at the same address, reads the answers
    response = client.get(f"/api/v1/patients/{submitted.patient.mrn}/intake/")
    assert response.status_code == 200 and "Ibuprofen" in response.content.decode()


@pytest.mark.parametrize("role", [roles.CLINICIAN, roles.ADMIN])
def test_clinicians_and_admins_read_answers_scores_and_alerts(client, make_user, submitted, role):
    reader = submitted.appointment.clinician.user if role == roles.CLINICIAN else make_user(role)
    sign_in(client, reader)
    response = client.get(f"/api/v1/patients/{submitted.patient.mrn}/intake/")
    assert response.status_code == 200
    body = response.json()
    assert body["patient"]["mrn"] == submitted.patient.mrn
    (form,) = body["intakes"]
    assert form["status"] == "submitted" and form["signed_name"] == "Maya Okafor"
    assert form["answers"]["history"]["medications"] == "Ibuprofen 400 mg when needed"
    assert {s["instrument"]: s["value"] for s in form["scores"]} == {"nprs": "6.0", "odi": "35.6", "psfs": "4.3"}
    assert form["alerts"][0]["urgency"] == "emergency"
    assert form["appointment"]["clinician"] == "Sam Rivera, PT, DPT"
    assert AuditEvent.objects.filter(action="view", actor=reader, patient_id=submitted.patient_id).exists()
    assert client.get("/api/v1/patients/ZZZZ-ZZZZ/intake/").status_code == 404


def test_an_alert_no_one_acknowledged_has_no_acknowledger_and_the_schema_says_it_may_not(client, submitted):
    sign_in(client, submitted.appointment.clinician.user)
    (form,) = client.get(f"/api/v1/patients/{submitted.patient.mrn}/intake/").json()["intakes"]
    assert form["alerts"][0]["acknowledged_by"] is None and form["alerts"][0]["acknowledged_at"] is None
    schema = client.get("/api/schema/", {"format": "json"}).json()
    assert schema["components"]["schemas"]["Alert"]["properties"]["acknowledged_by"]["nullable"] is True
    assert set(schema["paths"]["/api/v1/patients/{mrn}/intake/"]["get"]["responses"]) == {"200", "403", "404"}


@pytest.mark.parametrize("forms", [1, 8])
def test_staff_intake_api_query_count_does_not_grow(client, appointment, django_assert_max_num_queries, forms):
    maya = appointment.patient
    for n in range(forms):
        visit = other_visit(appointment, local(timezone.localdate() + datetime.timedelta(days=30 + n), 9))
        submitted = services.intake_submit(intake=save_steps(services.intake_start(appointment=visit)))
        RedFlagAlert.objects.create(patient=maya, appointment=visit, intake=submitted, urgency="urgent", flags=[])
    sign_in(client, appointment.clinician.user)
    # session, user with roles and permissions, patient (with the viewer's access), forms, scores, alerts, audit row
    with django_assert_max_num_queries(7):
        response = client.get(f"/api/v1/patients/{maya.mrn}/intake/")
    assert response.status_code == 200 and len(response.json()["intakes"]) == forms
    assert mail.outbox == []


def test_a_retried_submit_with_the_same_key_returns_the_first_answer_once(client, token, intake, deliver_now,
                                                                          django_capture_on_commit_callbacks):
    answers = valid_answers()
    for step, values in answers.items():
        assert put(client, token, step, values).status_code == 200
    with django_capture_on_commit_callbacks(execute=True):
        first = client.post(f"/api/v1/intake/{token}/submit/", HTTP_IDEMPOTENCY_KEY="intake-submit-01")
    again = client.post(f"/api/v1/intake/{token}/submit/", HTTP_IDEMPOTENCY_KEY="intake-submit-01")
    assert first.status_code == again.status_code == 200 and again.json() == first.json()
    assert again["Idempotent-Replayed"] == "true"
    assert OutcomeScore.objects.filter(intake=intake).count() == 3
    assert client.post(f"/api/v1/intake/{token}/submit/").status_code == 409  # without a key: already submitted
