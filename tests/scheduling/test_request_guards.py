"""An online request is accepted or declined (never cancelled by staff), and decided once, on every path: the
staff page, the staff API and the services themselves; its patient may still withdraw it from their link."""

import json

import pytest
from django.core.exceptions import ValidationError

from notifications.models import Notification
from scheduling import links, services
from scheduling.models import Appointment
from tests.factories import PatientFactory

from .conftest import local

pytestmark = pytest.mark.django_db
Status = Appointment.Status
HX = {"HTTP_HX_REQUEST": "true"}


@pytest.fixture
def request_appt(dr_rivera, follow_up, monday, clinic_settings):
    clinic_settings.auto_confirm_online_bookings = False
    clinic_settings.save()
    patient = PatientFactory(first_name="Maya", last_name="Okafor", email="maya@example.com")
    return services.appointment_book(patient=patient, clinician=dr_rivera, visit_type=follow_up,
                                     start=local(monday, 10), modality="in_office", location=dr_rivera.locations.get(),
                                     source=Appointment.Source.ONLINE)


def _kinds(appointment):
    return set(Notification.objects.filter(appointment=appointment).values_list("kind", flat=True))


def _status(appointment):
    appointment.refresh_from_db()
    return appointment.status


def test_the_staff_api_cannot_cancel_a_request_so_the_patient_is_never_told_cancelled(desk_client, request_appt,
                                                                                      dr_rivera, follow_up, monday):
    response = desk_client.post(f"/api/v1/appointments/{request_appt.pk}/cancel/", {"reason": "Clinician away"},
                                content_type="application/json")
    assert response.status_code == 400
    assert response.json()["non_field_errors"] == ["Decline the request instead, so the patient is told."]
    assert _status(request_appt) == Status.REQUESTED
    assert Notification.Kind.CANCELLATION not in _kinds(request_appt)
    booked = services.appointment_book(patient=PatientFactory(), clinician=dr_rivera, visit_type=follow_up,
                                       start=local(monday, 14), modality="in_office", location=request_appt.location)
    allowed = desk_client.post(f"/api/v1/appointments/{booked.pk}/cancel/", {"reason": "Patient called"},
                               content_type="application/json")
    assert allowed.status_code == 200 and allowed.json()["appointment"]["status"] == "cancelled"


def test_the_staff_api_cancel_needs_a_reason_as_its_schema_says(desk_client, dr_rivera, follow_up, monday, patient):
    booked = services.appointment_book(patient=patient, clinician=dr_rivera, visit_type=follow_up,
                                       start=local(monday, 14), modality="in_office", location=dr_rivera.locations.get())
    url = f"/api/v1/appointments/{booked.pk}/cancel/"
    for body in ({}, {"reason": ""}, {"reason": "   "}):
        response = desk_client.post(url, json.dumps(body), content_type="application/json")
        assert response.status_code == 400 and response.json()["reason"], body
    assert desk_client.post(url, {"reason": "Ill"}, content_type="application/json").status_code == 200
    schema = desk_client.get("/api/schema/?format=json").json()
    cancel = schema["components"]["schemas"]["AppointmentCancel"]
    assert cancel["required"] == ["reason"] and cancel["properties"]["reason"]["pattern"] == r"\S"
    booking_patient = schema["components"]["schemas"]["BookingPatient"]["properties"]
    assert booking_patient["first_name"]["pattern"] == r"\S"
    create = schema["components"]["schemas"]["AppointmentCreate"]["properties"]
    assert create["patient"]["minimum"] == 1 and create["room"]["minimum"] == 1
    move = schema["paths"]["/api/v1/appointments/{id}/move/"]["post"]["parameters"]
    assert [p["schema"].get("minimum") for p in move if p["in"] == "path"] == [1]


def test_the_staff_page_declines_a_request_once_and_refuses_cancel_and_plain_booking(desk_client, request_appt):
    cancel = desk_client.post(f"/schedule/appointments/{request_appt.pk}/cancel/", {"reason": "other", "details": "x"},
                              **HX)
    assert "Decline the request instead" in cancel.content.decode()
    booked = desk_client.post(f"/schedule/appointments/{request_appt.pk}/status/", {"status": "booked"}, **HX)
    assert "Accept or decline the request" in booked.content.decode()
    assert _status(request_appt) == Status.REQUESTED
    no_reason = desk_client.post(f"/schedule/appointments/{request_appt.pk}/decide/", {"decision": "decline"}, **HX)
    assert "Say why, so the patient knows" in no_reason.content.decode()
    declined = desk_client.post(f"/schedule/appointments/{request_appt.pk}/decide/",
                                {"decision": "decline", "reason": "Dr Rivera is away"}, **HX)
    assert declined.status_code == 200 and _status(request_appt) == Status.CANCELLED
    assert Notification.Kind.REQUEST_DECLINED in _kinds(request_appt)
    again = desk_client.post(f"/schedule/appointments/{request_appt.pk}/decide/", {"decision": "accept"}, **HX)
    assert "This request was already decided." in again.content.decode()
    assert _status(request_appt) == Status.CANCELLED


def test_the_services_guard_requests_whoever_calls_them(request_appt, front_desk):
    with pytest.raises(ValidationError, match="Decline the request instead"):
        services.appointment_cancel(appointment=request_appt, reason="Away", actor=front_desk)
    with pytest.raises(ValidationError, match="Accept or decline the request"):
        services.appointment_set_status(appointment=request_appt, status=Status.BOOKED, actor=front_desk)
    with pytest.raises(ValidationError, match="Say why"):
        services.request_decide(appointment=request_appt, accept=False, actor=front_desk, reason=" ")
    accepted = services.request_decide(appointment=request_appt, accept=True, actor=front_desk)
    assert accepted.status == Status.BOOKED
    with pytest.raises(ValidationError, match="already decided"):
        services.request_decide(appointment=request_appt, accept=False, actor=front_desk, reason="Changed my mind")
    assert _status(request_appt) == Status.BOOKED


def test_the_patient_may_still_withdraw_their_own_request_from_their_link(client, request_appt):
    response = client.post(f"/book/manage/{links.manage_token(request_appt)}/cancel/", {"reason": "better"})
    assert response.status_code in (200, 302)
    assert _status(request_appt) == Status.CANCELLED
    assert request_appt.cancellation_reason.startswith("Cancelled online by the patient")
