"""Clinicians read the clinical records of their own patients; any other record opens only through
emergency access: a stated reason, a time limit, an audit row and a notice to the admins."""

from datetime import timedelta

import pytest
from django.core import mail
from django.utils import timezone

from clinic import roles
from clinic.models import AuditEvent
from patients.models import EmergencyAccess
from tests.exams.exam_fixtures import submitted_intake
from tests.factories import sign_in

REASON = "Covering Dr. Rivera today: patient arrived with new leg numbness."


@pytest.fixture
def record(exam, visit, patient):
    """Dr. Rivera's patient with a submitted intake and an exam draft; Dr. Chen has never seen them."""
    intake = submitted_intake(patient, visit)
    return {"patient": patient, "intake": intake, "exam": exam}


def _clinical_urls(record):
    mrn = record["patient"].mrn
    return [
        f"/intake/forms/{record['intake'].pk}/summary/",
        f"/exams/{record['exam'].pk}/",
        f"/exams/appointment/{record['exam'].appointment_id}/",
    ], [f"/api/v1/patients/{mrn}/exams/", f"/api/v1/patients/{mrn}/scores/", f"/api/v1/patients/{mrn}/intake/"]


def test_the_visits_clinician_reads_the_whole_record(rivera_client, record):
    chart = rivera_client.get(f"/patients/{record['patient'].mrn}/")
    assert b"Intake summary (printable)" in chart.content
    assert b'data-testid="emergency-access"' not in chart.content
    pages, apis = _clinical_urls(record)
    for url in pages + apis:
        assert rivera_client.get(url).status_code in (200, 302), url  # a visit with an exam leads to it


def test_another_clinician_sees_the_chart_without_the_clinical_record(chen_client, record):
    chart = chen_client.get(f"/patients/{record['patient'].mrn}/")
    assert chart.status_code == 200
    assert b"Maya" in chart.content  # demographics and visits, as the front desk sees them
    assert b"is not in your care" in chart.content and b"Open the record (emergency access)" in chart.content
    assert b"Intake summary (printable)" not in chart.content and b"ODI" not in chart.content
    pages, apis = _clinical_urls(record)
    for url in pages:
        page = chen_client.get(url)
        assert page.status_code == 403, url
        assert b"not in your care" in page.content and f"/patients/{record['patient'].mrn}/".encode() in page.content
    for url in apis:
        answer = chen_client.get(url)
        assert answer.status_code == 403 and "not in your care" in answer.json()["detail"], url


def test_emergency_access_needs_a_real_reason_and_keeps_what_was_typed(chen_client, record):
    response = chen_client.post(f"/patients/{record['patient'].mrn}/emergency-access/", {"reason": "urgent"})
    assert response.status_code == 400
    assert b"at least 20 characters" in response.content and b"urgent</textarea>" in response.content
    assert not EmergencyAccess.objects.exists()


def test_emergency_access_opens_the_record_for_an_hour_audited_and_reported(
    chen_client, dr_chen, record, make_user, django_capture_on_commit_callbacks
):
    admin = make_user(roles.ADMIN, email="owner@stride.test")
    make_user(roles.FRONT_DESK, email="desk@stride.test")
    mrn = record["patient"].mrn
    with django_capture_on_commit_callbacks(execute=True):
        response = chen_client.post(f"/patients/{mrn}/emergency-access/", {"reason": REASON})
    assert response.status_code == 302

    access = EmergencyAccess.objects.get()
    assert access.user == dr_chen.user and access.reason == REASON
    assert timedelta(minutes=59) < access.expires_at - timezone.now() <= timedelta(minutes=60)
    audit = AuditEvent.objects.get(object_type__icontains="emergency", action=AuditEvent.Action.CREATE)
    assert audit.actor == dr_chen.user and audit.patient_id == record["patient"].pk
    assert REASON in str(audit.changes)

    assert [m.to for m in mail.outbox] == [[admin.email]]  # the admins only
    assert mrn in mail.outbox[0].subject and dr_chen.user.email in mail.outbox[0].body
    assert REASON not in mail.outbox[0].body  # the reason may hold health details: read in the staff admin

    chart = chen_client.get(f"/patients/{mrn}/")
    assert b"Emergency access: this record is open to you until" in chart.content
    assert b"Intake summary (printable)" in chart.content
    pages, apis = _clinical_urls(record)
    for url in pages + apis:
        assert chen_client.get(url).status_code in (200, 302), url


def test_emergency_access_closes_by_itself_when_its_time_is_up(chen_client, dr_chen, record):
    mrn = record["patient"].mrn
    chen_client.post(f"/patients/{mrn}/emergency-access/", {"reason": REASON})
    EmergencyAccess.objects.update(expires_at=timezone.now() - timedelta(seconds=1))
    assert b"is not in your care" in chen_client.get(f"/patients/{mrn}/").content
    assert chen_client.get(f"/api/v1/patients/{mrn}/exams/").status_code == 403


def test_the_front_desk_cannot_use_emergency_access(client, front_desk, record, dr_chen):
    from django.test import Client

    sign_in(client, front_desk)
    response = client.post(f"/patients/{record['patient'].mrn}/emergency-access/", {"reason": REASON})
    assert response.status_code == 403
    assert not EmergencyAccess.objects.exists()
    # The same request from a clinician opens the record.
    chen = sign_in(Client(), dr_chen.user)
    assert chen.post(f"/patients/{record['patient'].mrn}/emergency-access/", {"reason": REASON}).status_code == 302
    assert EmergencyAccess.objects.get().user == dr_chen.user


def test_admins_read_every_record_without_emergency_access(client, make_user, record):
    sign_in(client, make_user(roles.ADMIN))
    pages, apis = _clinical_urls(record)
    for url in pages + apis:
        assert client.get(url).status_code in (200, 302), url


@pytest.mark.parametrize("status", ["requested", "cancelled"])
def test_a_request_or_a_cancelled_visit_with_a_clinician_does_not_open_the_record(
    chen_client, dr_chen, record, follow_up, location, status
):
    """Anyone can request a visit online, so a request (or a visit cancelled since) puts no one in care."""
    from tests.exams.exam_fixtures import make_visit

    visit = make_visit(record["patient"], dr_chen, visit_type=follow_up, location=location, status=status,
                       start=timezone.now().replace(second=0, microsecond=0) + timedelta(days=2))
    assert chen_client.get(f"/api/v1/patients/{record['patient'].mrn}/exams/").status_code == 403
    visit.__class__.objects.filter(pk=visit.pk).update(status="booked")  # the clinic books it: now in care
    assert chen_client.get(f"/api/v1/patients/{record['patient'].mrn}/exams/").status_code == 200


def test_the_author_of_an_exam_keeps_reading_it_after_the_visit_moves_to_a_colleague(
    rivera_client, record, dr_chen
):
    record["exam"].appointment.__class__.objects.filter(pk=record["exam"].appointment_id).update(clinician=dr_chen)
    assert rivera_client.get(f"/exams/{record['exam'].pk}/").status_code == 200


def test_an_exams_attachment_is_clinical_hidden_from_the_front_desk_and_other_clinicians(
    rivera_client, record, dr_rivera, front_desk, dr_chen
):
    from django.core.files.uploadedfile import SimpleUploadedFile
    from django.test import Client

    from exams import services as exam_services

    attached = exam_services.exam_attach(
        exam=record["exam"], actor=dr_rivera.user, kind="ultrasound", caption="Piriformis thickened, left",
        file=SimpleUploadedFile("still.pdf", b"%PDF-1.4 still"),
    )
    mrn, url = record["patient"].mrn, f"/patients/{record['patient'].mrn}/documents/{attached.document_id}/"
    assert b"Piriformis thickened" in rivera_client.get(f"/patients/{mrn}/").content
    assert rivera_client.get(url).status_code == 200

    for user in (front_desk, dr_chen.user):
        other = sign_in(Client(), user)
        assert b"Piriformis thickened" not in other.get(f"/patients/{mrn}/").content
        assert other.get(url).status_code == 403


def test_booking_a_visit_with_yourself_does_not_open_a_record(chen_client, dr_chen, record, follow_up, location,
                                                             front_desk):
    from tests.exams.exam_fixtures import make_visit

    own = make_visit(record["patient"], dr_chen, visit_type=follow_up, location=location, status="booked",
                     start=timezone.now().replace(second=0, microsecond=0) + timedelta(days=2))
    own.__class__.objects.filter(pk=own.pk).update(created_by=dr_chen.user, vouched_by=dr_chen.user)
    assert chen_client.get(f"/api/v1/patients/{record['patient'].mrn}/exams/").status_code == 403
    # the same visit booked by the front desk
    own.__class__.objects.filter(pk=own.pk).update(created_by=front_desk, vouched_by=front_desk)
    assert chen_client.get(f"/api/v1/patients/{record['patient'].mrn}/exams/").status_code == 200


def test_a_clinician_cannot_move_a_colleagues_visit_onto_their_own_calendar(
    dr_chen, dr_rivera, record, follow_up, location
):
    from django.core.exceptions import ValidationError

    from scheduling import services as scheduling_services
    from tests.exams.exam_fixtures import make_visit

    visit = make_visit(record["patient"], dr_rivera, visit_type=follow_up, location=location, status="booked",
                       start=timezone.now().replace(second=0, microsecond=0) + timedelta(days=2))
    with pytest.raises(ValidationError, match="Ask the front desk"):
        scheduling_services.appointment_move(appointment=visit, start=visit.start_at + timedelta(days=7),
                                             clinician=dr_chen, actor=dr_chen.user)
