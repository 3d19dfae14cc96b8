import pytest
from django.core.files.uploadedfile import SimpleUploadedFile

from clinic.models import AuditEvent
from patients.models import Patient
from tests.factories import PATIENT_FORM, sign_in


def test_creating_a_patient_records_who_when_and_what(desk_client, front_desk):
    desk_client.post("/patients/new/", PATIENT_FORM)
    patient = Patient.objects.get(last_name="Kowalski")
    event = AuditEvent.objects.get(action="create", object_type="patients.Patient")
    assert event.actor == front_desk and event.actor_label == front_desk.email
    assert event.patient_id == patient.pk
    assert event.ip_address == "127.0.0.1"
    assert event.changes["last_name"] == [None, "Kowalski"]
    assert event.changes["mobile_phone"] == [None, "+16175550199"]


def test_editing_records_only_the_fields_that_changed(desk_client, front_desk):
    desk_client.post("/patients/new/", PATIENT_FORM)
    patient = Patient.objects.get(last_name="Kowalski")
    desk_client.post(f"/patients/{patient.mrn}/edit/", {**PATIENT_FORM, "city": "Somerville"})
    event = AuditEvent.objects.get(action="change")
    assert event.changes == {"city": ["", "Somerville"]}
    assert event.actor == front_desk


def test_opening_a_chart_records_who_opened_it(desk_client, front_desk, patient):
    desk_client.get(f"/patients/{patient.mrn}/")
    desk_client.get(f"/patients/{patient.mrn}/")
    views = AuditEvent.objects.filter(action="view", patient_id=patient.pk)
    assert views.count() == 2
    assert {e.actor_id for e in views} == {front_desk.pk}


def test_document_upload_archive_and_delete_are_audited(desk_client, patient):
    desk_client.post(
        f"/patients/{patient.mrn}/documents/",
        {"kind": "imaging", "title": "MRI", "file": SimpleUploadedFile("mri.pdf", b"%PDF-1.7")},
    )
    desk_client.post(f"/patients/{patient.mrn}/archive/")
    patient.documents.get().delete()
    actions = list(AuditEvent.objects.filter(patient_id=patient.pk).order_by("id").values_list("object_type", "action"))
    assert ("patients.PatientDocument", "create") in actions
    assert ("patients.Patient", "change") in actions
    assert actions[-1] == ("patients.PatientDocument", "delete")


def test_admin_can_browse_the_audit_log_but_nobody_can_change_it(client, admin_user, patient):
    sign_in(client, admin_user)
    client.get(f"/patients/{patient.mrn}/")
    event = AuditEvent.objects.get(action="view")
    listing = client.get("/admin/clinic/auditevent/")
    assert listing.status_code == 200 and admin_user.email.encode() in listing.content
    detail = client.post(f"/admin/clinic/auditevent/{event.pk}/change/", {"action": "delete"})
    event.refresh_from_db()
    assert event.action == "view"
    assert detail.status_code in (200, 403)
    assert client.get(f"/admin/clinic/auditevent/{event.pk}/delete/").status_code == 403
    assert client.get("/admin/clinic/auditevent/add/").status_code == 403
    event.action = "delete"
    with pytest.raises(PermissionError):
        event.save()
    with pytest.raises(PermissionError):
        event.delete()


def test_edits_made_in_the_staff_admin_are_audited_too(client, admin_user, patient):
    sign_in(client, admin_user)
    page = client.get(f"/admin/patients/patient/{patient.pk}/change/")
    form = page.context["adminform"].form
    data = {k: v for k, v in form.initial.items() if v is not None and k != "user"}
    data.update({"insurance_carrier": "Aetna", "date_of_birth": patient.date_of_birth.isoformat()})
    for prefix in ("documents", "consents"):
        data.update({f"{prefix}-TOTAL_FORMS": 0, f"{prefix}-INITIAL_FORMS": 0})
    response = client.post(f"/admin/patients/patient/{patient.pk}/change/", data)
    assert response.status_code == 302, response.context["adminform"].form.errors if response.context else ""
    event = AuditEvent.objects.get(action="change")
    assert event.changes["insurance_carrier"] == ["", "Aetna"]
    assert event.actor == admin_user


@pytest.mark.postgres
def test_the_database_refuses_to_rewrite_or_delete_audit_rows_even_bypassing_the_model(front_desk, patient):
    from django.db import DatabaseError, transaction

    from clinic.audit import record_view

    record_view(instance=patient, actor=front_desk, ip="10.0.0.1")
    event = AuditEvent.objects.get(action="view", patient_id=patient.pk)
    for attempt in (
        lambda: AuditEvent.objects.filter(pk=event.pk).update(action="create"),
        lambda: AuditEvent.objects.filter(pk=event.pk).update(actor=None, ip_address="10.9.9.9"),
        lambda: AuditEvent.objects.filter(pk=event.pk).delete(),
    ):
        with pytest.raises(DatabaseError, match="append-only"), transaction.atomic():
            attempt()
    event.refresh_from_db()
    assert (event.action, event.ip_address, event.actor) == ("view", "10.0.0.1", front_desk)


@pytest.mark.postgres
def test_deleting_a_user_account_keeps_their_audit_rows_under_their_email(front_desk, patient):
    from clinic.audit import record_view

    record_view(instance=patient, actor=front_desk, ip="10.0.0.1")
    email = front_desk.email
    front_desk.delete()
    event = AuditEvent.objects.get(action="view", patient_id=patient.pk)
    assert event.actor is None and event.actor_label == email
