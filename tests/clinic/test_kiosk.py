"""Fill in clinic hands the device to the patient without ending the staff session: only that one form answers
until the staff member who handed it over unlocks it with their password (no new code)."""

import pytest
from django.contrib.auth import SESSION_KEY

from intake import links, questionnaire
from intake.models import INTAKE_STEPS, IntakeForm
from tests.factories import PASSWORD, PatientFactory, sign_in
from tests.intake.intake_fixtures import other_visit, save_steps, valid_answers


@pytest.fixture
def handed_over(desk_client, appointment):
    """The front desk's device, handed to Maya for her form: (client, the form's page)."""
    response = desk_client.post(f"/intake/patients/{appointment.patient.mrn}/fill-in-clinic/")
    assert response.status_code == 302
    return desk_client, response.url


def _locked(response):
    return response.status_code == 403 and "Handed to a patient — a staff member unlocks" in response.content.decode()


def test_a_handed_over_device_shows_the_lock_screen_on_every_staff_page(handed_over, appointment, monday):
    client, _ = handed_over
    other = PatientFactory(first_name="Ben", last_name="Other")
    for url in ["/", "/schedule/", f"/schedule/?date={monday.isoformat()}", "/patients/", "/patients/?q=okafor",
                f"/patients/{appointment.patient.mrn}/", f"/patients/{other.mrn}/",
                f"/schedule/appointments/{appointment.pk}/", "/messages/", "/admin/", "/book/"]:
        response = client.get(url)
        assert _locked(response), url
        assert b"Find patient" not in response.content and b">Calendar<" not in response.content  # no staff menu


def test_a_handed_over_device_opens_no_other_patients_form(handed_over, appointment, monday):
    from tests.scheduling.conftest import local

    client, _ = handed_over
    ben = PatientFactory(first_name="Ben", last_name="Other")
    bens_visit = other_visit(appointment, local(monday, 14), patient=ben)
    bens_form = IntakeForm.objects.create(patient=ben, appointment=bens_visit)
    assert _locked(client.get(links.intake_path(bens_form)))
    assert client.put(f"/api/v1/intake/{links.token_for(bens_form)}/steps/contact/", {},
                      content_type="application/json").status_code == 403


def test_a_handed_over_device_refuses_the_staff_api(handed_over, appointment):
    client, _ = handed_over
    response = client.get("/api/v1/appointments/")
    assert response.status_code == 403 and "handed to a patient" in response.json()["detail"]
    assert client.get(f"/api/v1/patients/{appointment.patient.mrn}/intake/").status_code == 403


def test_an_htmx_request_on_a_handed_over_device_sends_the_window_to_the_lock_screen(handed_over, appointment):
    client, _ = handed_over
    response = client.get(f"/schedule/appointments/{appointment.pk}/", HTTP_HX_REQUEST="true")
    assert response.status_code == 403 and response["HX-Redirect"] == "/accounts/unlock/"


def test_the_patient_fills_in_and_submits_the_handed_over_form_by_its_pages_and_api(handed_over, appointment):
    client, form_page = handed_over
    page = client.get(form_page, follow=True)
    assert page.status_code == 200 and b"Step 1 of 7" in page.content
    assert b"Staff: unlock this device" in page.content
    token = form_page.strip("/").split("/")[-1]
    answers = valid_answers()
    saved = client.put(f"/api/v1/intake/{token}/steps/contact/", answers["contact"], content_type="application/json")
    assert saved.status_code == 200
    intake = IntakeForm.objects.get(appointment=appointment)
    save_steps(intake, only=INTAKE_STEPS[1:-1])
    last = questionnaire.STEP_FORMS["consent"].to_data(answers["consent"])
    done = client.post(f"/intake/{token}/consent/", {k: v for k, v in last.items() if v not in (None, False)},
                       follow=True)
    assert done.status_code == 200 and b"Please hand the device back" in done.content
    intake.refresh_from_db()
    assert intake.is_submitted

    assert client.get(f"/intake/{token}/done/").status_code == 200  # the thank-you page stays up...
    assert _locked(client.get("/schedule/"))  # ...and the staff pages stay locked after submitting


def test_unlocking_with_a_wrong_password_says_so_and_stays_locked(handed_over, appointment):
    client, _ = handed_over
    response = client.post("/accounts/unlock/", {"password": "not-my-password"})
    assert response.status_code == 400
    assert b"That password is not right. 4 more wrong tries sign this device out." in response.content
    assert _locked(client.get(f"/patients/{appointment.patient.mrn}/"))


def test_a_colleagues_password_does_not_unlock_someone_elses_session(handed_over, make_user):
    from clinic import roles

    make_user(roles.FRONT_DESK, email="colleague@stride.test", password="Colleagues-own-passphrase-88")
    client, _ = handed_over
    response = client.post("/accounts/unlock/", {"password": "Colleagues-own-passphrase-88"})
    assert response.status_code == 400 and b"That password is not right." in response.content
    assert _locked(client.get("/schedule/"))
    assert client.post("/accounts/unlock/", {"password": PASSWORD}).status_code == 302  # the owner's does


def test_the_right_password_restores_the_staff_session_without_a_new_code(handed_over, appointment, front_desk):
    client, _ = handed_over
    key_before = client.session.session_key
    response = client.post("/accounts/unlock/", {"password": PASSWORD})
    assert response.status_code == 302 and response.url == f"/patients/{appointment.patient.mrn}/"
    chart = client.get(response.url)
    assert chart.status_code == 200 and b"Maya" in chart.content  # no redirect to the code page
    assert client.get("/schedule/").status_code == 200
    assert client.session[SESSION_KEY] == str(front_desk.pk) and client.session.session_key != key_before


def test_five_wrong_passwords_sign_the_device_out(handed_over):
    client, _ = handed_over
    for _ in range(4):
        assert client.post("/accounts/unlock/", {"password": "guess"}).status_code == 400
    response = client.post("/accounts/unlock/", {"password": "guess"}, follow=True)
    assert b"Too many wrong passwords: this device was signed out." in response.content
    assert not response.wsgi_request.user.is_authenticated
    assert client.get("/patients/").status_code == 302  # to sign in: password and code
    assert client.post("/accounts/unlock/", {"password": PASSWORD}).status_code == 302
    assert client.get("/patients/").status_code == 302


def test_the_unlock_page_of_a_session_not_handed_over_leads_home(desk_client):
    response = desk_client.get("/accounts/unlock/")
    assert response.status_code == 302 and response.url == "/"


def test_the_lock_screen_leads_the_patient_back_to_their_form(handed_over):
    client, form_page = handed_over
    lock = client.get("/patients/")
    assert f'href="{form_page}"'.encode() in lock.content and b"Patient: back to your form" in lock.content


def test_a_clinician_can_hand_over_too(client, appointment):
    sign_in(client, appointment.clinician.user)
    response = client.post(f"/intake/patients/{appointment.patient.mrn}/fill-in-clinic/")
    assert client.get(response.url, follow=True).status_code == 200
    assert _locked(client.get("/schedule/"))


def test_the_lock_screen_reads_nothing_from_the_database(handed_over, appointment, django_assert_max_num_queries):
    client, _ = handed_over
    client.get("/patients/")  # the signed-in user is then read from the cache
    with django_assert_max_num_queries(0):
        assert _locked(client.get(f"/patients/{appointment.patient.mrn}/"))


def _kiosk_events(appointment):
    from clinic.models import AuditEvent

    return list(AuditEvent.objects.filter(patient_id=appointment.patient_id, action__in=["handover", "takeback"])
                .order_by("at", "id").values_list("action", "actor__email", "object_type", "changes"))


def test_the_audit_log_shows_who_handed_the_device_over_and_took_it_back(handed_over, appointment, front_desk):
    client, _ = handed_over
    assert _kiosk_events(appointment) == [("handover", front_desk.email, "intake.IntakeForm", {})]
    client.post("/accounts/unlock/", {"password": "guess"})  # a wrong try is not the end of the hand-over
    client.post("/accounts/unlock/", {"password": PASSWORD})
    assert _kiosk_events(appointment)[1:] == [
        ("takeback", front_desk.email, "intake.IntakeForm", {"outcome": "unlocked with the owner's password"})]


def test_a_hand_over_ended_by_wrong_passwords_is_in_the_audit_log(handed_over, appointment, front_desk):
    client, _ = handed_over
    for _ in range(5):
        client.post("/accounts/unlock/", {"password": "guess"})
    assert _kiosk_events(appointment)[-1] == (
        "takeback", front_desk.email, "intake.IntakeForm", {"outcome": "signed out after wrong passwords"})
