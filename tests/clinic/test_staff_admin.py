"""The staff admin in the clinic's words: a role per person instead of raw permissions, an audit log that says
"Patient" and "Outcome score" and exports to CSV, an accounting of disclosures per patient, and patients edited
in the admin checked like the front desk's form."""

import csv
import io

import pytest
from django.test import Client

from clinic import roles
from clinic.models import AuditEvent, User
from patients.models import Patient
from patients.services import emergency_access_open
from tests.exams.exam_fixtures import make_visit, submitted_intake
from tests.factories import sign_in

pytestmark = pytest.mark.django_db

PASSWORD = "a long and Unusual phrase 42"


@pytest.fixture
def admin_client(client, admin_user):
    return sign_in(client, admin_user)


def _csv(response):
    return list(csv.DictReader(io.StringIO(b"".join(response.streaming_content).decode())))


def test_the_user_form_picks_one_role_with_what_it_may_do_not_raw_permissions(admin_client):
    page = admin_client.get("/admin/clinic/user/add/").content.decode()
    assert 'name="role"' in page and "no clinical notes" in page
    assert 'name="user_permissions"' not in page and 'name="groups"' not in page
    assert admin_client.get("/admin/auth/group/").status_code == 404  # no raw permissions by another door

    response = admin_client.post("/admin/clinic/user/add/", {
        "email": "desk2@stride.test", "first_name": "Lee", "last_name": "Park", "role": roles.FRONT_DESK,
        "usable_password": "true", "password1": PASSWORD, "password2": PASSWORD,
    })
    assert response.status_code == 302
    desk = User.objects.get(email="desk2@stride.test")
    assert [g.name for g in desk.groups.all()] == [roles.FRONT_DESK] and not desk.is_staff


def test_a_user_form_without_a_role_says_so_next_to_the_field_and_keeps_what_was_typed(admin_client):
    response = admin_client.post("/admin/clinic/user/add/", {
        "email": "norole@stride.test", "first_name": "Nor", "last_name": "Ole",
        "usable_password": "true", "password1": PASSWORD, "password2": PASSWORD,
    })
    assert response.status_code == 200
    assert "role" in response.context["adminform"].form.errors
    assert 'value="norole@stride.test"' in response.content.decode()
    assert not User.objects.filter(email="norole@stride.test").exists()


def test_changing_a_users_role_replaces_it_and_an_admin_role_opens_the_staff_admin(admin_client, front_desk):
    page = admin_client.get(f"/admin/clinic/user/{front_desk.pk}/change/")
    form = page.context["adminform"].form
    assert form["role"].value() == roles.FRONT_DESK  # the current role is the one ticked
    response = admin_client.post(f"/admin/clinic/user/{front_desk.pk}/change/", {
        "email": front_desk.email, "first_name": front_desk.first_name, "last_name": front_desk.last_name,
        "role": roles.ADMIN, "is_active": "on", "_save": "Save",
        "trusted_devices-TOTAL_FORMS": "0", "trusted_devices-INITIAL_FORMS": "0",
    })
    assert response.status_code == 302, response.context["adminform"].form.errors
    front_desk.refresh_from_db()
    assert [g.name for g in front_desk.groups.all()] == [roles.ADMIN] and front_desk.is_staff
    assert sign_in(Client(), front_desk).get("/admin/").status_code == 200


def test_the_audit_log_names_records_as_the_clinic_does_and_filters_by_them(admin_client, patient, dr_rivera,
                                                                            follow_up, location):
    submitted_intake(patient, make_visit(patient, dr_rivera, visit_type=follow_up, location=location))
    page = admin_client.get("/admin/clinic/auditevent/").content.decode()
    assert "<td class=\"field-record_kind\">Outcome score</td>" in page and ">Intake form<" in page
    assert ">intake.OutcomeScore<" not in page

    scores = admin_client.get("/admin/clinic/auditevent/", {"object_type": "intake.OutcomeScore"})
    assert scores.context["cl"].result_count == 3
    assert {e.object_type for e in scores.context["cl"].result_list} == {"intake.OutcomeScore"}

    event = AuditEvent.objects.filter(object_type="patients.Patient", action="create").first()
    detail = admin_client.get(f"/admin/clinic/auditevent/{event.pk}/change/").content.decode()
    assert "<strong>Legal first name</strong>: None → Maya" in detail  # fields by their names, and what they became


def test_the_audit_log_exports_what_is_filtered_every_page_of_it_to_csv(admin_client, patient):
    for n in range(130):  # more than one page of the changelist (100 a page)
        AuditEvent.objects.create(action="view", object_type="patients.Patient", object_id=str(patient.pk),
                                  object_label=f"Maya Okafor #{n}", patient_id=patient.pk, actor_label="x@stride.test")
    AuditEvent.objects.create(action="view", object_type="exams.Exam", object_id="9", object_label="Other",
                              patient_id=patient.pk)
    page = admin_client.get("/admin/clinic/auditevent/?object_type=patients.Patient&action__exact=view")
    assert "export.csv?object_type=patients.Patient" in page.content.decode()

    response = admin_client.get("/admin/clinic/auditevent/export.csv",
                                {"object_type": "patients.Patient", "action__exact": "view"})
    assert response["Content-Type"].startswith("text/csv") and "attachment" in response["Content-Disposition"]
    rows = _csv(response)
    assert len(rows) == 130 and {r["Record"] for r in rows} == {"Patient"}
    assert rows[0]["Action"] == "Viewed" and rows[0]["Who"] == "x@stride.test"


def test_staff_who_are_not_admins_cannot_export_the_audit_log(client, front_desk):
    sign_in(client, front_desk)
    assert client.get("/admin/clinic/auditevent/export.csv").status_code in (302, 403)


def test_the_accounting_of_disclosures_lists_who_saw_the_record_when_and_why(admin_client, patient, front_desk,
                                                                             clinician):
    desk = sign_in(Client(), front_desk)
    desk.get(f"/patients/{patient.mrn}/")
    emergency_access_open(patient=patient, reason="Covering for Dr Rivera, patient in clinic", actor=clinician)
    other = Patient.objects.create(first_name="Other", last_name="Person", date_of_birth="1980-01-01")
    desk.get(f"/patients/{other.mrn}/")

    page = admin_client.get(f"/admin/patients/patient/{patient.pk}/change/").content.decode()
    assert f"/admin/patients/patient/{patient.pk}/disclosures/" in page

    response = admin_client.get(f"/admin/patients/patient/{patient.pk}/disclosures/")
    html = response.content.decode()
    rows = response.context["rows"]
    assert any(r["who"] == front_desk.email and r["role"] == roles.FRONT_DESK and r["what"].startswith("Viewed Patient")
               for r in rows)
    assert "Covering for Dr Rivera, patient in clinic" in html
    assert "Other Person" not in html  # only this patient's record

    exported = _csv(admin_client.get(f"/admin/patients/patient/{patient.pk}/disclosures.csv"))
    assert len(exported) == len(rows)
    assert any("Emergency access" in r["What"] for r in exported)


def test_a_patient_added_in_the_admin_is_checked_for_duplicates_like_the_front_desks_form(admin_client, patient):
    data = {"first_name": "maya", "last_name": "OKAFOR", "date_of_birth": patient.date_of_birth.isoformat(),
            "sex": patient.sex, "preferred_channel": "phone", "country": "US", "status": "active",
            "mobile_phone": "617 555 0199",
            **{f"{p}-{k}": 0 for p in ("documents", "consents") for k in ("TOTAL_FORMS", "INITIAL_FORMS")}}
    response = admin_client.post("/admin/patients/patient/add/", data)
    assert response.status_code == 200
    errors = response.context["adminform"].form.errors["confirm_not_duplicate"]
    assert patient.mrn in errors[0]
    assert Patient.objects.count() == 1

    response = admin_client.post("/admin/patients/patient/add/", {**data, "confirm_not_duplicate": "on"})
    assert response.status_code == 302, response.context["adminform"].form.errors
    added = Patient.objects.exclude(pk=patient.pk).get()
    assert added.mobile_phone == "+16175550199"  # normalised as on the front desk's form
    created = AuditEvent.objects.get(object_type="patients.Patient", object_id=str(added.pk), action="create")
    assert created.actor_label == "boss@stride.test" and created.ip_address == "127.0.0.1"
