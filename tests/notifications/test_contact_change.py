"""A returning patient types a new email when booking online: where their messages go, and who may change that.

Anyone can book in anyone's name (a name, a birth date and one contact detail on file find the record), so the
typed address waits for the front desk, who knows the patient, and the page never shows what is on file.
"""

from datetime import timedelta

import pytest
from django.core import mail
from django.core.cache import cache
from django.test import Client

from clinic import roles
from clinic.models import AuditEvent
from notifications.models import Notification
from patients import services as patient_services
from patients.models import ContactChange, Patient
from scheduling import links
from scheduling.booking_wizard import slot_value
from scheduling.models import Appointment
from tests.factories import PatientFactory, sign_in
from tests.fixtures.clinic import local

pytestmark = pytest.mark.django_db
HX = {"HTTP_HX_REQUEST": "true"}
ON_FILE, TYPED = "ana.old@example.com", "ana.new@example.com"
PANEL_QUERIES = 6  # the same with waiting changes as without: they are one query, drawn from what it returned
HELD_NOTICE = ("If you have seen us before and gave a new email or number today, we'll keep sending messages to the "
               "ones we have on file until the clinic confirms your new details with you.")


@pytest.fixture(autouse=True)
def _fresh_throttle():
    cache.clear()


@pytest.fixture
def ana(db):
    return PatientFactory(first_name="Ana", last_name="Silva", date_of_birth="1987-05-14", email=ON_FILE,
                          mobile_phone="+16175550187")


def book_online(dr_rivera, follow_up, start, *, email=TYPED, phone="(617) 555-0187", client=None):
    """Whoever holds the patient's name, birth date and mobile books with an email of their choosing."""
    client = client or Client()
    response = client.post("/book/details/", {
        "modality": "in_office", "visit_type": follow_up.pk, "slot": slot_value(dr_rivera.pk, start),
        "first_name": "Ana", "last_name": "Silva", "date_of_birth": "1987-05-14", "email": email, "phone": phone,
        "accepts_cancellation_policy": "on",
    })
    assert response.status_code == 302, response.content.decode()[:2000]
    return client, response["Location"]


def test_a_matched_patient_is_told_where_messages_go_without_seeing_the_address_on_file(
    ana, dr_rivera, follow_up, monday
):
    client, confirmed = book_online(dr_rivera, follow_up, local(monday, 10))
    visit = Appointment.objects.get()
    assert visit.patient == ana and Patient.objects.count() == 1
    page = client.get(confirmed).content.decode()
    assert HELD_NOTICE in page
    assert ON_FILE not in page and "ana.old" not in page
    for later in (links.manage_path(visit), confirmed.split("?")[0]):  # no page behind the link reveals it either
        assert ON_FILE not in client.get(later).content.decode()
    ana.refresh_from_db()
    assert ana.email == ON_FILE  # typing an address changes nothing by itself
    change = ContactChange.objects.get()
    assert (change.patient, change.field, change.value, change.status) == (ana, "email", TYPED, "pending")


def test_everyone_reads_the_same_words_so_the_page_tells_no_one_a_record_exists(dr_rivera, follow_up, monday):
    """A newcomer sees the notice too: said only to a matched patient, it would confirm to whoever typed a name and a
    birth date that the clinic has such a patient (tests/security/test_account_enumeration.py compares whole pages)."""
    client, confirmed = book_online(dr_rivera, follow_up, local(monday, 10))
    assert HELD_NOTICE in client.get(confirmed).content.decode()
    assert not ContactChange.objects.exists()  # a new record takes what was typed


def test_messages_go_to_the_address_on_file_until_the_front_desk_confirms_the_new_one(
    ana, dr_rivera, follow_up, monday, outbox, desk_client
):
    book_online(dr_rivera, follow_up, local(monday, 10))
    visit = Appointment.objects.get()
    outbox.run()
    assert [m.to for m in mail.outbox] == [[ON_FILE]]  # the confirmation

    panel = desk_client.get(f"/schedule/appointments/{visit.pk}/", **HX).content.decode()
    assert "Contact change to confirm" in panel and TYPED in panel and ON_FILE in panel
    assert "Use the new email" in panel and "Keep the one on file" in panel
    change = ContactChange.objects.get()
    done = desk_client.post(f"/patients/{ana.mrn}/contact-changes/{change.pk}/", {"decision": "confirm"}, **HX)
    assert done.status_code == 200
    assert "New email saved: messages go there from now on." in done.content.decode()
    assert "Use the new email" not in done.content.decode()
    ana.refresh_from_db()
    assert ana.email == TYPED

    mail.outbox.clear()
    outbox.run(now=local(monday - timedelta(days=2), 10))  # the 48-hour reminder
    assert [m.to for m in mail.outbox] == [[TYPED]]
    reminder = Notification.objects.get(appointment=visit, kind=Notification.Kind.REMINDER, channel="email")
    assert reminder.to_address == TYPED


def test_confirming_the_new_address_is_recorded_in_the_audit_trail(ana, front_desk, desk_client):
    [change] = patient_services.contact_change_propose(patient=ana, email=TYPED, ip="203.0.113.9")
    response = desk_client.post(f"/patients/{ana.mrn}/contact-changes/{change.pk}/", {"decision": "confirm",
                                                                                      "next": f"/patients/{ana.mrn}/"})
    assert response.status_code == 302 and response["Location"] == f"/patients/{ana.mrn}/"
    record = AuditEvent.objects.get(object_type="patients.Patient", object_id=str(ana.pk),
                                    action=AuditEvent.Action.CHANGE)
    assert record.actor == front_desk and record.changes == {"email": [ON_FILE, TYPED]}
    decided = AuditEvent.objects.filter(object_type="patients.ContactChange", action=AuditEvent.Action.CHANGE).get()
    assert decided.actor == front_desk and decided.patient_id == ana.pk
    assert decided.changes["status"] == ["pending", "confirmed"]
    typed = AuditEvent.objects.get(object_type="patients.ContactChange", action=AuditEvent.Action.CREATE)
    assert typed.actor is None and typed.ip_address == "203.0.113.9"  # typed online, by whoever it was


def test_the_front_desk_may_keep_the_address_on_file_and_decides_once(ana, desk_client):
    [change] = patient_services.contact_change_propose(patient=ana, email=TYPED)
    url = f"/patients/{ana.mrn}/contact-changes/{change.pk}/"
    kept = desk_client.post(url, {"decision": "reject"}, **HX).content.decode()
    assert "Kept the email on file." in kept
    ana.refresh_from_db()
    change.refresh_from_db()
    assert ana.email == ON_FILE and change.status == ContactChange.Status.REJECTED
    again = desk_client.post(url, {"decision": "confirm"}, **HX).content.decode()
    assert "already decided" in again
    ana.refresh_from_db()
    assert ana.email == ON_FILE


def test_the_chart_offers_the_change_to_the_front_desk(ana, desk_client):
    patient_services.contact_change_propose(patient=ana, email=TYPED, mobile_phone="+16175550199")
    chart = desk_client.get(f"/patients/{ana.mrn}/").content.decode()
    assert "Contact change to confirm" in chart and TYPED in chart and "(617) 555-0199" in chart
    assert "Use the new email" in chart and "Use the new mobile phone" in chart


def test_no_one_outside_the_front_desk_and_admins_can_change_the_address(
    ana, dr_rivera, follow_up, monday, make_user, clinician
):
    """Security: booking is open to anyone, so neither booking again nor any patient-side page moves the address."""
    client, confirmed = book_online(dr_rivera, follow_up, local(monday, 10))
    book_online(dr_rivera, follow_up, local(monday, 14), email="attacker@example.com")  # a second try replaces
    change = ContactChange.objects.get()  # one waiting change per detail
    assert change.value == "attacker@example.com"
    url = f"/patients/{ana.mrn}/contact-changes/{change.pk}/"
    pages = [client.get(confirmed).content.decode(), client.get(links.manage_path(Appointment.objects.first())).content.decode()]
    assert all("contact-changes" not in page for page in pages)  # no way to confirm from the patient's side

    assert Client().post(url, {"decision": "confirm"})["Location"].startswith("/accounts/login/")
    patient_client = Client()
    patient_client.force_login(make_user(roles.PATIENT, email="someone@example.com"))
    assert patient_client.post(url, {"decision": "confirm"}).status_code == 403
    assert sign_in(Client(), clinician).post(url, {"decision": "confirm"}).status_code == 403
    ana.refresh_from_db()
    change.refresh_from_db()
    assert ana.email == ON_FILE and change.status == ContactChange.Status.PENDING
    assert "Contact change to confirm" not in sign_in(Client(), clinician).get(f"/patients/{ana.mrn}/").content.decode()


@pytest.mark.parametrize("changes", [0, 2])
def test_the_panel_shows_waiting_changes_in_a_fixed_number_of_queries(
    ana, dr_rivera, follow_up, monday, desk_client, changes, django_assert_max_num_queries
):
    book_online(dr_rivera, follow_up, local(monday, 10), email=ON_FILE)
    if changes:
        patient_services.contact_change_propose(patient=ana, email=TYPED, mobile_phone="+16175550199")
    visit = Appointment.objects.get()
    desk_client.get(f"/schedule/appointments/{visit.pk}/", **HX)  # content types and such, read once per process
    with django_assert_max_num_queries(PANEL_QUERIES):
        panel = desk_client.get(f"/schedule/appointments/{visit.pk}/", **HX).content.decode()
    assert panel.count("Keep the one on file") == changes
