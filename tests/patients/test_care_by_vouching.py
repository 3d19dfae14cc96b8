"""Care comes from what the clinic did (patients.care): a clinician who books a patient online with
themselves, from a private window, gains nothing; the front desk confirming, accepting or checking in
the visit, or staff booking it, puts the patient in that clinician's care."""

import json

import pytest
from django.core.cache import cache
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import Client

from clinic.models import AuditEvent
from exams import services as exam_services
from intake.models import RedFlagAlert
from patients.models import EmergencyAccess
from scheduling import services as scheduling_services
from scheduling.models import Appointment, ClinicSettings
from tests.exams.exam_fixtures import submitted_intake
from tests.factories import sign_in
from tests.fixtures.clinic import local


@pytest.fixture(autouse=True)
def _fresh_throttle():
    cache.clear()
    yield
    cache.clear()


@pytest.fixture
def record(exam, visit, patient, dr_rivera):
    """Dr. Rivera's patient: a submitted intake with a red flag, an exam draft with an ultrasound still."""
    intake = submitted_intake(patient, visit)
    alert = RedFlagAlert.objects.create(
        patient=patient, appointment=visit, intake=intake, urgency="urgent",
        flags=[{"category": "cauda_equina", "item": "saddle", "label": "Saddle numbness", "urgency": "urgent"}],
    )
    attached = exam_services.exam_attach(
        exam=exam, actor=dr_rivera.user, kind="ultrasound", caption="Piriformis thickened, left",
        file=SimpleUploadedFile("still.pdf", b"%PDF-1.4 still"),
    )
    return {"patient": patient, "intake": intake, "exam": exam, "alert": alert, "document": attached.document_id}


def _reads(record):
    """Every way into the clinical record: pages, then APIs."""
    mrn = record["patient"].mrn
    return [
        f"/intake/forms/{record['intake'].pk}/summary/",  # the intake answers and the red flags' details
        f"/exams/{record['exam'].pk}/",
        f"/patients/{mrn}/documents/{record['document']}/",
    ], [f"/api/v1/patients/{mrn}/scores/", f"/api/v1/patients/{mrn}/exams/", f"/api/v1/patients/{mrn}/intake/"]


def _book_online_anonymously(patient, clinician, follow_up, location, start):
    """What anyone can do from a private window, knowing the name, birth date and phone the chart shows."""
    body = {
        "visit_type": follow_up.pk, "clinician": clinician.pk, "start": start.isoformat(), "modality": "in_office",
        "location": location.pk, "reason": "Sore hip", "accepts_cancellation_policy": True,
        "patient": {"first_name": patient.first_name, "last_name": patient.last_name,
                    "date_of_birth": patient.date_of_birth.isoformat(), "email": patient.email, "phone": patient.mobile_phone},
    }
    response = Client().post("/api/v1/bookings/", json.dumps(body), content_type="application/json")
    assert response.status_code == 201, response.json()
    visit = Appointment.objects.get(pk=response.json()["id"])
    assert visit.patient == patient and visit.vouched_by is None
    return visit


def _assert_closed(client, record):
    mrn = record["patient"].mrn
    pages, apis = _reads(record)
    for url in pages:
        page = client.get(url)
        assert page.status_code == 403, url
        assert b"not in your care" in page.content and f"/patients/{mrn}/".encode() in page.content, url
    for url in apis:
        answer = client.get(url)
        assert answer.status_code == 403 and "emergency access" in answer.json()["detail"], url
    acknowledge = client.post(f"/intake/alerts/{record['alert'].pk}/acknowledge/")
    assert acknowledge.status_code == 403
    chart = client.get(f"/patients/{mrn}/")
    assert b"Open the record (emergency access)" in chart.content and b"Saddle numbness" not in chart.content


def _assert_open(client, record):
    pages, apis = _reads(record)
    for url in pages + apis:
        assert client.get(url).status_code == 200, url
    assert b"Saddle numbness" in client.get(pages[0]).content


def test_booking_a_patient_online_with_yourself_opens_nothing(dr_chen, record, follow_up, location, monday):
    assert ClinicSettings.load().auto_confirm_online_bookings  # the default: saved as booked, not requested
    visit = _book_online_anonymously(record["patient"], dr_chen, follow_up, location, local(monday, 11))
    assert visit.status == Appointment.Status.BOOKED

    chen = sign_in(Client(), dr_chen.user)
    _assert_closed(chen, record)
    assert not EmergencyAccess.objects.exists()
    clinical = AuditEvent.objects.filter(actor=dr_chen.user, object_type__iregex="intake|exam|score|alert|document|emerg")
    assert not clinical.exists(), list(clinical)  # nothing clinical was read, no emergency access was opened
    # The clinician confirming or checking in the visit themselves vouches for nothing either.
    for status in (Appointment.Status.CONFIRMED, Appointment.Status.CHECKED_IN):
        answer = chen.post(f"/schedule/appointments/{visit.pk}/status/", {"status": status})
        assert answer.status_code in (200, 302), answer.content
    visit.refresh_from_db()
    assert visit.status == Appointment.Status.CHECKED_IN
    _assert_closed(chen, record)


@pytest.mark.parametrize("status", [Appointment.Status.CONFIRMED, Appointment.Status.CHECKED_IN])
def test_the_front_desk_confirming_or_checking_in_the_online_visit_puts_the_patient_in_care(
    dr_chen, front_desk, record, follow_up, location, monday, status
):
    visit = _book_online_anonymously(record["patient"], dr_chen, follow_up, location, local(monday, 11))
    chen = sign_in(Client(), dr_chen.user)
    _assert_closed(chen, record)

    desk = sign_in(Client(), front_desk)
    assert desk.post(f"/schedule/appointments/{visit.pk}/status/", {"status": status}).status_code in (200, 302)
    visit.refresh_from_db()
    assert (visit.status, visit.vouched_by) == (status, front_desk)
    _assert_open(chen, record)


def test_the_front_desk_accepting_an_online_request_puts_the_patient_in_care(
    dr_chen, front_desk, record, follow_up, location, monday
):
    ClinicSettings.objects.filter(pk=1).update(auto_confirm_online_bookings=False)
    visit = _book_online_anonymously(record["patient"], dr_chen, follow_up, location, local(monday, 11))
    assert visit.status == Appointment.Status.REQUESTED
    chen = sign_in(Client(), dr_chen.user)
    _assert_closed(chen, record)

    desk = sign_in(Client(), front_desk)
    assert desk.post(f"/schedule/appointments/{visit.pk}/decide/", {"decision": "accept"}).status_code in (200, 302)
    visit.refresh_from_db()
    assert (visit.status, visit.vouched_by) == (Appointment.Status.BOOKED, front_desk)
    _assert_open(chen, record)


def test_a_visit_the_front_desk_books_puts_the_patient_in_care_one_the_clinician_books_does_not(
    dr_chen, front_desk, record, follow_up, location, monday
):
    chen = sign_in(Client(), dr_chen.user)
    own = scheduling_services.appointment_book(
        patient=record["patient"], clinician=dr_chen, visit_type=follow_up, start=local(monday, 11),
        modality="in_office", location=location, actor=dr_chen.user,
    )
    assert own.vouched_by == dr_chen.user
    _assert_closed(chen, record)

    booked = scheduling_services.appointment_book(
        patient=record["patient"], clinician=dr_chen, visit_type=follow_up, start=local(monday, 14),
        modality="in_office", location=location, actor=front_desk,
    )
    assert booked.vouched_by == front_desk
    _assert_open(chen, record)
    # The clinician later checking the patient in keeps the front desk's word.
    scheduling_services.appointment_set_status(appointment=booked, status="confirmed", actor=dr_chen.user)
    booked.refresh_from_db()
    assert booked.vouched_by == front_desk
    _assert_open(chen, record)
