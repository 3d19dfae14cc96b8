"""Cancelling from the calendar: a reason from the clinic's own list (or Other, in words), and a choice whether the
patient is sent the cancellation message."""

import re

import pytest

from notifications.models import Notification
from scheduling import services
from scheduling.models import Appointment, CancellationReason, Modality
from tests.factories import sign_in

from .conftest import local

HX = {"HTTP_HX_REQUEST": "true"}
Status = Appointment.Status


def text(response):
    return re.sub(r"\s+", " ", response.content.decode())


def options(page):
    select = re.search(r'<select[^>]*name="reason".*?</select>', page).group(0)
    return re.findall(r"<option[^>]*>([^<]*)</option>", select)


@pytest.fixture
def visit(patient, dr_rivera, follow_up, monday, cancellation_reasons):
    return services.appointment_book(patient=patient, clinician=dr_rivera, visit_type=follow_up,
                                     start=local(monday, 10), modality=Modality.IN_OFFICE, location=dr_rivera.locations.first())


def cancel(client, visit, **data):
    return client.post(f"/schedule/appointments/{visit.pk}/cancel/", data, **HX)


def cancellation_messages(visit):
    return Notification.objects.filter(appointment=visit, kind=Notification.Kind.CANCELLATION)


def test_the_cancel_form_offers_the_clinics_reasons_and_one_an_admin_adds(desk_client, client, admin_user, visit,
                                                                          cancellation_reasons):
    panel = text(desk_client.get(f"/schedule/appointments/{visit.pk}/", **HX))
    assert options(panel) == ["Choose a reason…", "Patient request", "Patient ill", "Clinician unavailable", "Weather",
                              "Insurance / authorisation", "Rescheduled", "Other"]
    assert 'id="cancel-notify_patient" name="notify_patient" checked' in panel  # told unless unticked

    sign_in(client, admin_user)
    added = client.post("/admin/scheduling/cancellationreason/add/",
                        {"name": "Flooded car park", "sort_order": 15, "is_active": "on"})
    assert added.status_code == 302
    client.post(f"/admin/scheduling/cancellationreason/{cancellation_reasons['Weather'].pk}/change/",
                {"name": "Weather", "sort_order": 40})  # retired: Active unticked
    panel = text(desk_client.get(f"/schedule/appointments/{visit.pk}/", **HX))
    assert options(panel) == ["Choose a reason…", "Patient request", "Flooded car park", "Patient ill",
                              "Clinician unavailable", "Insurance / authorisation", "Rescheduled", "Other"]


def test_other_needs_the_reason_typed_and_nothing_chosen_is_kept(desk_client, visit):
    response = cancel(desk_client, visit, reason="other", details="  ")
    page = text(response)
    assert response.status_code == 200 and "Type the reason when it is Other." in page
    assert '<option value="other" selected>Other</option>' in page  # what was chosen stays chosen
    assert 'name="notify_patient" checked' not in page  # and the unticked box stays unticked

    page = text(cancel(desk_client, visit, details="Moving to Denver", notify_patient="on"))
    assert "Choose why the visit is cancelled, or Other and type the reason." in page
    assert 'value="Moving to Denver"' in page
    visit.refresh_from_db()
    assert visit.status == Status.BOOKED and not cancellation_messages(visit).exists()

    page = text(cancel(desk_client, visit, reason="other", details="Moving to Denver", notify_patient="on"))
    assert "Cancelled. The time is free again." in page and "Why cancelled</dt><dd>Moving to Denver</dd>" in page
    visit.refresh_from_db()
    assert (visit.status, visit.cancellation_reason, visit.cancelled_because) == (Status.CANCELLED, "Moving to Denver",
                                                                                 None)


def test_a_reason_from_the_list_is_stored_in_its_words_with_the_details(desk_client, visit, cancellation_reasons):
    ill = cancellation_reasons["Patient ill"]
    cancel(desk_client, visit, reason=ill.pk, details="Flu", notify_patient="on")
    visit.refresh_from_db()
    assert (visit.status, visit.cancellation_reason, visit.cancelled_because) == (Status.CANCELLED, "Patient ill: Flu",
                                                                                 ill)
    ill.name = "Unwell"  # renaming the reason later leaves the visit's words as they were
    ill.save()
    visit.refresh_from_db()
    assert visit.cancellation_reason == "Patient ill: Flu"


def test_a_retired_reason_is_refused_next_to_the_field(desk_client, visit, cancellation_reasons):
    weather = cancellation_reasons["Weather"]
    CancellationReason.objects.filter(pk=weather.pk).update(is_active=False)
    page = text(cancel(desk_client, visit, reason=weather.pk, notify_patient="on"))
    assert "That reason is no longer on the list: choose another." in page
    visit.refresh_from_db()
    assert visit.status == Status.BOOKED


def test_ticking_tell_the_patient_sends_the_cancellation_message(desk_client, visit, cancellation_reasons):
    page = text(cancel(desk_client, visit, reason=cancellation_reasons["Weather"].pk, notify_patient="on"))
    assert "The patient was not sent a message." not in page
    assert cancellation_messages(visit).filter(channel=Notification.Channel.EMAIL).count() == 1


def test_unticking_tell_the_patient_sends_no_message_but_stops_the_reminders(desk_client, visit, cancellation_reasons):
    reminders = Notification.objects.filter(appointment=visit, kind=Notification.Kind.REMINDER)
    assert reminders.filter(status=Notification.Status.QUEUED).exists()
    page = text(cancel(desk_client, visit, reason=cancellation_reasons["Clinician unavailable"].pk))  # box unticked
    assert "Cancelled. The time is free again. The patient was not sent a message." in page
    visit.refresh_from_db()
    assert visit.status == Status.CANCELLED and visit.cancellation_reason == "Clinician unavailable"
    assert not cancellation_messages(visit).exists()
    assert not reminders.filter(status=Notification.Status.QUEUED).exists()


def test_the_staff_api_can_cancel_without_telling_the_patient(desk_client, visit, patient, dr_rivera, follow_up,
                                                              monday):
    url = f"/api/v1/appointments/{visit.pk}/cancel/"
    quiet = desk_client.post(url, {"reason": "Told on the phone", "notify_patient": False},
                             content_type="application/json")
    assert quiet.status_code == 200 and not cancellation_messages(visit).exists()
    told = services.appointment_book(patient=patient, clinician=dr_rivera, visit_type=follow_up,
                                     start=local(monday, 11), modality=Modality.IN_OFFICE,
                                     location=dr_rivera.locations.first())
    response = desk_client.post(f"/api/v1/appointments/{told.pk}/cancel/", {"reason": "Ill"},
                                content_type="application/json")
    assert response.status_code == 200 and cancellation_messages(told).exists()  # told by default
