"""The front desk changes how a patient is reminded (on the patient's page or in the staff admin): the reminders of
their coming visits follow at once, instead of going to the old channel until the next booking."""

from datetime import timedelta

import pytest

from notifications.models import Notification
from patients.forms import PatientForm
from tests.scheduling.conftest import local

Kind, Status = Notification.Kind, Notification.Status
pytestmark = pytest.mark.django_db


def _edit(desk_client, patient, **changes):
    form = PatientForm(instance=patient)
    data = {name: ("" if value is None else value) for name, value in form.initial.items() if name in form.fields}
    data["date_of_birth"] = patient.date_of_birth.isoformat()
    for name in ("reminder_email_consent", "reminder_sms_consent"):
        data.pop(name)
    data.update({k: v for k, v in changes.items() if v is not False})
    for name in ("reminder_email_consent", "reminder_sms_consent"):
        on = changes.get(name, getattr(patient, name))
        if on:
            data[name] = "on"
    response = desk_client.post(f"/patients/{patient.mrn}/edit/", data)
    assert response.status_code == 302, response.content.decode()[:2000]


def _reminders(visit):
    return {n.channel: n.status for n in Notification.objects.filter(appointment=visit, kind=Kind.REMINDER)}


def test_turning_on_text_reminders_plans_a_text_for_each_coming_visit(desk_client, book, patient, monday, outbox,
                                                                    django_capture_on_commit_callbacks):
    visits = [book(local(monday, 10)), book(local(monday + timedelta(days=7), 10))]
    assert [_reminders(v) for v in visits] == [{"email": Status.QUEUED}] * 2

    with django_capture_on_commit_callbacks(execute=True):
        _edit(desk_client, patient, mobile_phone="617-555-0142", reminder_sms_consent=True)

    assert [_reminders(v) for v in visits] == [{"email": Status.QUEUED, "sms": Status.QUEUED}] * 2
    text = Notification.objects.get(appointment=visits[0], kind=Kind.REMINDER, channel="sms")
    assert text.due_at == local(monday, 8)


def test_turning_off_email_reminders_cancels_the_pending_ones(desk_client, book, patient, monday, outbox):
    visit = book(local(monday, 10))
    _edit(desk_client, patient, reminder_email_consent=False)
    reminder = Notification.objects.get(appointment=visit, kind=Kind.REMINDER, channel="email")
    assert reminder.status == Status.CANCELLED and reminder.note == "The patient opted out of email reminders."


def test_an_edit_that_leaves_the_reminders_alone_changes_nothing(desk_client, book, patient, monday, outbox):
    visit = book(local(monday, 10))
    before = list(Notification.objects.filter(appointment=visit).values_list("pk", "status", "updated_at"))
    _edit(desk_client, patient, occupation="Teacher")
    assert list(Notification.objects.filter(appointment=visit).values_list("pk", "status", "updated_at")) == before
