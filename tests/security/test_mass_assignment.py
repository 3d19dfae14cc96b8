"""Writes take only the fields they are for: extra fields in a request change nothing.

Every writable API endpoint (scheduling, intake, exams) and the patient forms are sent, next to a valid
request, fields they must not set: whose record it is (patient, clinician, user, owner), its state
(status, source, record number), and a person's access (is_staff, is_superuser, groups, role). Each
test checks the request did what it is for and nothing else.
"""

import json

import pytest
from django.contrib.auth.models import Group
from django.core.files.uploadedfile import SimpleUploadedFile

from clinic import roles
from clinic.models import User
from intake.models import IntakeForm
from intake.questionnaire import ContactForm
from patients.models import Consent, Patient, PatientDocument
from scheduling import services as scheduling_services
from scheduling.models import Appointment, ClinicSettings
from tests.factories import PATIENT_FORM, PatientFactory, sign_in
from tests.intake.intake_fixtures import save_steps, valid_answers
from tests.scheduling.conftest import NY, local

pytestmark = pytest.mark.django_db

APPOINTMENT_FIELDS = ["patient_id", "clinician_id", "visit_type_id", "modality", "location_id", "start_at", "status",
                      "source", "reason", "cancellation_reason", "created_by_id", "video_token", "intake_completed_at"]
PATIENT_FIELDS = ["mrn", "status", "user_id", "first_name", "last_name", "date_of_birth", "created_at"]
USER_FIELDS = ["is_staff", "is_superuser", "is_active", "session_epoch"]


def snapshot(obj, fields):
    obj = type(obj).objects.get(pk=obj.pk)
    return {name: getattr(obj, name) for name in fields}


def access(user):
    """What a person may do: their flags and roles."""
    return {**snapshot(user, USER_FIELDS), "groups": sorted(user.groups.values_list("name", flat=True))}


@pytest.fixture
def outsider(make_user):
    """Someone the requests try to hand things to: another patient, an admin account, the admin role."""
    return {
        "patient": PatientFactory(first_name="Otto", last_name="Other"),
        "admin": make_user(roles.ADMIN, email="root@stride.test"),
        "admin_group": Group.objects.get(name=roles.ADMIN),
    }


def extras(outsider, **more):
    """The fields no endpoint here may take from a request."""
    return {
        "patient": outsider["patient"].pk, "patient_id": outsider["patient"].pk,
        "clinician_id": 999_999, "owner": outsider["admin"].pk, "user": outsider["admin"].pk,
        "user_id": outsider["admin"].pk, "created_by": outsider["admin"].pk, "updated_by": outsider["admin"].pk,
        "is_staff": True, "is_superuser": True, "groups": [outsider["admin_group"].pk], "role": roles.ADMIN,
        "record_number": "HACKED001", "mrn": "HACKED001", "id": 999_999, "pk": 999_999,
        **more,
    }


def post_json(client, url, body, method="post"):
    return getattr(client, method)(url, json.dumps(body), content_type="application/json")


# Scheduling API ------------------------------------------------------------------------------------------------


def test_a_public_booking_sets_no_status_source_owner_or_existing_record(client, outsider, dr_rivera, follow_up,
                                                                        location, monday, cancellation_policy):
    ClinicSettings.objects.filter(pk=1).update(auto_confirm_online_bookings=False)
    other = outsider["patient"]
    before = snapshot(other, PATIENT_FIELDS)
    body = {
        **extras(outsider, status="confirmed", source="front_desk", video_token="chosen", room=None,
                 intake_completed_at="2030-01-01T00:00:00Z", cancellation_reason="x", cancellation_policy=999_999,
                 cancellation_policy_accepted_at="2000-01-01T00:00:00Z"),
        "accepts_cancellation_policy": True,
        "visit_type": follow_up.pk, "clinician": dr_rivera.pk, "start": local(monday, 10).isoformat(),
        "modality": "in_office", "location": location.pk, "reason": "Sore knee",
        "patient": {**extras(outsider, status=Patient.Status.ARCHIVED),
                    "first_name": "Nina", "last_name": "Newcomer", "date_of_birth": "1991-02-03",
                    "email": "nina@example.com", "phone": "(617) 555-0142"},
    }
    response = post_json(client, "/api/v1/bookings/", body)
    assert response.status_code == 201, response.json()
    visit = Appointment.objects.get(pk=response.json()["id"])
    assert (visit.status, visit.source, visit.created_by_id) == ("requested", "online", None)
    assert visit.video_token == "" and visit.intake_completed_at is None and visit.cancellation_reason == ""
    # The policy in force, accepted now: never a version or a time the request names.
    assert visit.cancellation_policy == cancellation_policy and visit.cancellation_policy_accepted_at.year > 2000
    assert visit.patient != other and visit.patient.first_name == "Nina"
    assert (visit.patient.status, visit.patient.user_id) == (Patient.Status.ACTIVE, None)
    assert visit.patient.mrn != "HACKED001"
    assert snapshot(other, PATIENT_FIELDS) == before
    assert not User.objects.filter(is_superuser=True).exists()


def test_front_desk_booking_through_the_api_sets_only_the_booking(client, front_desk, outsider, patient, dr_rivera,
                                                                   follow_up, location, monday):
    sign_in(client, front_desk)
    desk_access = access(front_desk)
    body = {
        "patient": patient.pk, "clinician": dr_rivera.pk, "visit_type": follow_up.pk,
        "start": local(monday, 11).astimezone(NY).isoformat(), "modality": "in_office", "location": location.pk,
        **{k: v for k, v in extras(outsider).items() if k != "patient"},
        "status": "completed", "source": "online", "video_token": "chosen", "cancellation_reason": "x",
        "intake_completed_at": "2030-01-01T00:00:00Z",
    }
    response = post_json(client, "/api/v1/appointments/", body)
    assert response.status_code == 201, response.json()
    visit = Appointment.objects.get(pk=response.json()["id"])
    assert (visit.patient, visit.clinician, visit.status, visit.source) == (patient, dr_rivera, "booked", "front_desk")
    assert visit.created_by == front_desk and visit.updated_by == front_desk
    assert visit.video_token == "" and visit.intake_completed_at is None and visit.cancellation_reason == ""
    assert access(front_desk) == desk_access


@pytest.fixture
def booked(patient, dr_rivera, follow_up, location, monday, front_desk):
    return scheduling_services.appointment_book(
        patient=patient, clinician=dr_rivera, visit_type=follow_up, start=local(monday, 10), modality="in_office",
        location=location, reason="Knee", actor=front_desk,
    )


def test_moving_a_visit_changes_only_its_time(client, front_desk, outsider, booked, monday, visit_types):
    sign_in(client, front_desk)
    before = snapshot(booked, APPOINTMENT_FIELDS)
    body = {"start": local(monday, 14).astimezone(NY).isoformat(),
            **extras(outsider, status="cancelled", source="online", visit_type=visit_types["Initial evaluation"].pk,
                     modality="telehealth", reason="changed", cancellation_reason="x", end="2030-01-01T00:00:00Z")}
    response = post_json(client, f"/api/v1/appointments/{booked.pk}/move/", body)
    assert response.status_code == 200, response.json()
    after = snapshot(booked, APPOINTMENT_FIELDS)
    assert after.pop("start_at") == local(monday, 14)
    before.pop("start_at")
    assert after == before


def test_cancelling_a_visit_changes_only_its_status_and_reason(client, front_desk, outsider, booked, dr_chen, monday):
    sign_in(client, front_desk)
    before = snapshot(booked, APPOINTMENT_FIELDS)
    body = {"reason": "Patient is ill",
            **extras(outsider, clinician=dr_chen.pk, status="completed", start=local(monday, 14).isoformat(),
                     source="online")}
    response = post_json(client, f"/api/v1/appointments/{booked.pk}/cancel/", body)
    assert response.status_code == 200, response.json()
    after = snapshot(booked, APPOINTMENT_FIELDS)
    assert after.pop("status") == "cancelled" and before.pop("status") == "booked"
    assert "Patient is ill" in after.pop("cancellation_reason")
    before.pop("cancellation_reason")
    assert after == before


@pytest.mark.parametrize("method", ["put", "patch", "post", "delete"])
def test_an_appointment_cannot_be_rewritten_through_its_detail_endpoint(client, admin_user, outsider, booked, method):
    sign_in(client, admin_user)
    before = snapshot(booked, APPOINTMENT_FIELDS)
    response = post_json(client, f"/api/v1/appointments/{booked.pk}/", extras(outsider, status="completed"), method)
    assert response.status_code in (403, 405)
    assert snapshot(booked, APPOINTMENT_FIELDS) == before


# Intake API ----------------------------------------------------------------------------------------------------


def test_an_intake_step_stores_only_its_own_questions(client, outsider, token, intake, maya):
    before = snapshot(maya, PATIENT_FIELDS)
    body = {**valid_answers()["contact"],
            **extras(outsider, first_name="Mallory", last_name="Changed", date_of_birth="1950-01-01",
                     status=IntakeForm.Status.SUBMITTED, current_step="consent", signed_name="Someone Else",
                     submitted_at="2030-01-01T00:00:00Z", appointment=None)}
    response = post_json(client, f"/api/v1/intake/{token}/steps/contact/", body, "put")
    assert response.status_code == 200, response.json()
    intake.refresh_from_db()
    assert set(intake.answers["contact"]) == set(ContactForm.base_fields)
    assert (intake.status, intake.current_step, intake.signed_name) == ("in_progress", "history", "")
    assert (intake.patient, intake.submitted_at) == (maya, None) and intake.appointment_id is not None
    assert snapshot(maya, PATIENT_FIELDS) == before


def test_submitting_an_intake_updates_only_the_patients_contact_details(client, outsider, token, intake, maya):
    save_steps(intake)
    before = snapshot(maya, PATIENT_FIELDS)
    other_before = snapshot(outsider["patient"], PATIENT_FIELDS)
    body = extras(outsider, status="in_progress", signed_name="Someone Else", signed_ip="203.0.113.9",
                  submitted_at="2030-01-01T00:00:00Z", first_name="Mallory")
    response = post_json(client, f"/api/v1/intake/{token}/submit/", body)
    assert response.status_code == 200, response.json()
    intake.refresh_from_db()
    assert (intake.status, intake.patient, intake.signed_name) == ("submitted", maya, "Maya Okafor")
    assert intake.signed_ip != "203.0.113.9"
    assert snapshot(maya, PATIENT_FIELDS) == before  # name, birth date, record number, status, sign-in: unchanged
    assert Patient.objects.get(pk=maya.pk).address_line1 == "12 Elm St"  # what the form is for did change
    assert snapshot(outsider["patient"], PATIENT_FIELDS) == other_before
    assert not Consent.objects.filter(patient=outsider["patient"]).exists()


@pytest.mark.parametrize("path", ["intake", "exams", "scores"])
@pytest.mark.parametrize("method", ["put", "patch", "post", "delete"])
def test_the_staff_intake_and_exam_apis_are_read_only(client, admin_user, outsider, maya, path, method):
    sign_in(client, admin_user)
    before = snapshot(maya, PATIENT_FIELDS)
    response = post_json(client, f"/api/v1/patients/{maya.mrn}/{path}/", extras(outsider, status="archived"), method)
    assert response.status_code == 405
    assert snapshot(maya, PATIENT_FIELDS) == before
    assert not IntakeForm.objects.filter(patient=maya).exists()


# Patient forms -------------------------------------------------------------------------------------------------


def _form_extras(outsider):
    return {key: value for key, value in extras(outsider, status=Patient.Status.ARCHIVED,
                                                created_at="2000-01-01T00:00:00Z").items() if key != "groups"}


def test_the_patient_edit_form_changes_only_the_fields_on_the_form(desk_client, front_desk, outsider, patient):
    desk_access = access(front_desk)
    before = snapshot(patient, PATIENT_FIELDS)
    data = {**PATIENT_FORM, "first_name": "Mae", **_form_extras(outsider), "groups": outsider["admin_group"].pk}
    response = desk_client.post(f"/patients/{patient.mrn}/edit/", data)
    assert response.status_code == 302, response.context["form"].errors
    after = snapshot(patient, PATIENT_FIELDS)
    assert after.pop("first_name") == "Mae"  # on the form: changed
    assert after.pop("last_name") == PATIENT_FORM["last_name"] and after.pop("date_of_birth").isoformat() == "1988-04-12"
    for name in ("first_name", "last_name", "date_of_birth"):
        before.pop(name)
    assert after == before  # record number, status, sign-in and creation time: not on the form, unchanged
    assert access(front_desk) == desk_access


def test_the_new_patient_form_sets_no_record_number_status_or_sign_in(desk_client, front_desk, outsider):
    desk_access = access(front_desk)
    response = desk_client.post("/patients/new/", {**PATIENT_FORM, **_form_extras(outsider)})
    assert response.status_code == 302
    created = Patient.objects.get(first_name=PATIENT_FORM["first_name"])
    assert created.mrn != "HACKED001" and created.status == Patient.Status.ACTIVE and created.user_id is None
    assert created.created_at.year > 2000
    assert access(front_desk) == desk_access


def test_a_consent_is_recorded_for_this_patient_by_whoever_records_it(desk_client, front_desk, outsider, patient):
    data = {"kind": "treatment", "signed_name": "Maya Okafor", "recorded_by": outsider["admin"].pk,
            "ip_address": "203.0.113.9", "signed_at": "2000-01-01T00:00", **_form_extras(outsider)}
    assert desk_client.post(f"/patients/{patient.mrn}/consents/", data).status_code == 302
    consent = Consent.objects.get()
    assert (consent.patient, consent.recorded_by) == (patient, front_desk)
    assert consent.ip_address != "203.0.113.9" and consent.signed_at.year > 2000


def test_a_document_is_filed_on_this_patient_as_uploaded_by_whoever_uploads_it(desk_client, front_desk, outsider,
                                                                               patient):
    data = {"kind": "imaging", "title": "MRI", "file": SimpleUploadedFile("mri.pdf", b"%PDF-1.4 scan"),
            "uploaded_by": outsider["admin"].pk, "size_bytes": 1, "uploaded_at": "2000-01-01T00:00",
            **_form_extras(outsider)}
    response = desk_client.post(f"/patients/{patient.mrn}/documents/", data)
    assert response.status_code == 302, response.content.decode()[:300]
    document = PatientDocument.objects.get()
    assert (document.patient, document.uploaded_by) == (patient, front_desk)
    assert document.size_bytes == len(b"%PDF-1.4 scan") and document.uploaded_at.year > 2000

