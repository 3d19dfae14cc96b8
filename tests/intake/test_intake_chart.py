"""The intake form on the staff side: chart section and red-flag box, send link, fill in clinic, summary."""

import re

import pytest
from django.core import mail
from django.test import Client

from clinic import roles
from intake import links, services
from intake.models import IntakeForm, RedFlagAlert
from notifications.models import Notification
from tests.factories import sign_in
from tests.intake.intake_fixtures import red_flags_ticked, save_steps, valid_answers

ANON, PATIENT, DESK, CLIN, ADMIN = "anonymous", roles.PATIENT, roles.FRONT_DESK, roles.CLINICIAN, roles.ADMIN

# At a clinic that has loaded its licensed ODI (a test version of the wording): the ODI is asked and scored.
pytestmark = pytest.mark.usefixtures("licensed_odi")


def text(response):
    return re.sub(r"\s+", " ", response.content.decode())


@pytest.fixture
def flagged(intake, deliver_now, django_capture_on_commit_callbacks):
    """A submitted form that reported saddle numbness: an emergency alert."""
    answers = valid_answers()
    answers["red_flags"] = red_flags_ticked("saddle_numbness")
    save_steps(intake, answers)
    with django_capture_on_commit_callbacks(execute=True):
        return services.intake_submit(intake=intake)


def test_front_desk_sees_status_and_the_alert_but_never_the_answers(desk_client, flagged):
    page = text(desk_client.get(f"/patients/{flagged.patient.mrn}/"))
    assert "Red flag: Emergency" in page and 'role="alert"' in page and "red-flag-icon" in page
    assert "The clinician must see this now." in page
    assert "Submitted" in page and "Initial evaluation" in page
    for clinical in ("saddle", "ODI", "Pain now", "Ibuprofen", "Intake summary", "Acknowledge"):
        assert clinical not in page, clinical
    assert desk_client.get(f"/intake/forms/{flagged.pk}/summary/").status_code == 403


def test_clinician_sees_the_flags_scores_and_acknowledges_the_alert(client, flagged):
    clinician = flagged.appointment.clinician.user  # the patient's clinician
    sign_in(client, clinician)
    chart = f"/patients/{flagged.patient.mrn}/"
    page = text(client.get(chart))
    words = re.sub(r"\s+", " ", re.sub(r"<[^>]+>", " ", page))
    assert "Red flag: Emergency" in page and "Raised from the intake form on" in page
    # Each flag with the rule that raised the alert (clinical reference: every flag listed with its rule).
    assert ("new or worsening saddle/perineal numbness emergency cauda equina sign: an emergency on its own; "
            "incomplete CES (no retention reported)") in words
    assert "ODI 35.6% (moderate)" in page and "Pain now 6/10" in page and "PSFS 4.3/10" in page
    alert = RedFlagAlert.objects.get()
    response = client.post(f"/intake/alerts/{alert.pk}/acknowledge/")
    assert response.status_code == 302 and response.url == chart
    alert.refresh_from_db()
    assert alert.acknowledged_by == clinician and alert.acknowledged_at is not None
    assert "Red flag: Emergency" not in text(client.get(chart))


def test_front_desk_cannot_acknowledge_an_alert(desk_client, flagged):
    alert = RedFlagAlert.objects.get()
    assert desk_client.post(f"/intake/alerts/{alert.pk}/acknowledge/").status_code == 403
    alert.refresh_from_db()
    assert alert.acknowledged_at is None
    clinician = flagged.appointment.clinician.user  # the visit's clinician can, with the same request
    assert sign_in(Client(), clinician).post(f"/intake/alerts/{alert.pk}/acknowledge/").status_code == 302
    alert.refresh_from_db()
    assert alert.acknowledged_by == clinician


def test_the_printable_summary_shows_scores_answers_and_the_signature(client, flagged):
    sign_in(client, flagged.appointment.clinician.user)
    page = text(client.get(f"/intake/forms/{flagged.pk}/summary/"))
    assert "Intake summary" in page and 'class="print-header"' in page and "<thead>" in page
    assert f"Maya Okafor</strong> · born Mar 4, 1990 · record {flagged.patient.mrn}" in page
    assert "35.6% (16 points, 9 of 10 sections)" in page and "Red flag: Emergency" in page
    assert "Which medicines, and how much?</dt><dd>Ibuprofen 400 mg when needed" in page
    assert "Left buttock: pain, tingling; Left calf: tingling" in page
    assert 'aria-label="Body map, Back view"' in page and "Left buttock (pain, tingling)" in page  # drawn too
    assert "Signed “Maya Okafor”" in page and "placeholder" in page


def test_send_intake_emails_the_patient_a_link_for_the_next_visit(desk_client, appointment, deliver_now,
                                                                  django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=True):
        response = desk_client.post(f"/intake/patients/{appointment.patient.mrn}/send/")
    assert response.status_code == 302
    intake = IntakeForm.objects.get(appointment=appointment)
    assert intake.status == IntakeForm.Status.NOT_STARTED
    # The outbox holds the patient's invitation with the absolute link to this form, and sent it.
    invitation = Notification.objects.get(appointment=appointment, kind=Notification.Kind.INTAKE_INVITATION,
                                          channel=Notification.Channel.EMAIL)
    link = invitation.payload["link"]
    assert link.startswith("http://testserver/intake/")
    assert links.intake_id_from(link.removeprefix("http://testserver/intake/").split("/")[0]) == intake.pk
    assert invitation.recipient_user is None and invitation.status == Notification.Status.SENT
    (email,) = mail.outbox
    assert email.to == ["maya@example.com"] and "intake form" in email.subject
    assert link in email.body and "Ibuprofen" not in email.body
    page = text(desk_client.get(response.url))
    assert "Intake link emailed to maya@example.com." in page and "Sent, not started" in page


def test_send_intake_again_sends_a_new_message_each_time(desk_client, appointment, deliver_now,
                                                        django_capture_on_commit_callbacks):
    for _ in range(2):
        with django_capture_on_commit_callbacks(execute=True):
            desk_client.post(f"/intake/patients/{appointment.patient.mrn}/send/")
    invitations = Notification.objects.filter(appointment=appointment, kind=Notification.Kind.INTAKE_INVITATION,
                                              channel=Notification.Channel.EMAIL)
    assert invitations.count() == 2
    assert len(mail.outbox) == 2 and all("/intake/" in m.body for m in mail.outbox)


def test_send_intake_says_why_when_there_is_nothing_to_send(desk_client, maya, appointment):
    appointment.visit_type.needs_intake = False
    appointment.visit_type.save()
    page = text(desk_client.post(f"/intake/patients/{maya.mrn}/send/", follow=True))
    assert "No upcoming visit of this patient needs an intake form." in page
    maya.email = ""
    maya.preferred_channel = "phone"
    maya.save()
    page = text(desk_client.post(f"/intake/patients/{maya.mrn}/send/", follow=True))
    assert "Add the patient&#x27;s email address first" in page
    assert not IntakeForm.objects.exists()


def test_fill_in_clinic_opens_the_form_for_the_patient_and_locks_staff_pages(desk_client, appointment):
    response = desk_client.post(f"/intake/patients/{appointment.patient.mrn}/fill-in-clinic/")
    intake = IntakeForm.objects.get(appointment=appointment)
    assert intake.filled_in_clinic
    assert response.status_code == 302 and response.url.startswith("/intake/")
    form_page = desk_client.get(response.url, follow=True)
    assert form_page.status_code == 200 and "Step 1 of 7" in text(form_page)
    assert form_page.wsgi_request.user.is_authenticated  # the staff session goes on, locked (tests/clinic/test_kiosk.py)
    chart = desk_client.get(f"/patients/{appointment.patient.mrn}/")
    assert chart.status_code == 403 and "Handed to a patient" in text(chart)


def test_fill_in_clinic_never_shows_staff_a_form_the_patient_has_started(desk_client, appointment):
    started = services.intake_start(appointment=appointment)
    services.intake_save_step(intake=started, step="complaint", answers={"onset_details": "Slipped on ice"})
    response = desk_client.post(f"/intake/patients/{appointment.patient.mrn}/fill-in-clinic/", follow=True)
    page = text(response)
    assert "already started this form" in page and "Slipped on ice" not in page
    assert response.wsgi_request.user.is_authenticated  # still at the chart, no link handed over
    assert response.request["PATH_INFO"] == f"/patients/{appointment.patient.mrn}/"


STAFF_ACTIONS = [
    ("send", "post", "/intake/patients/{mrn}/send/", {DESK, CLIN, ADMIN}),
    ("fill in clinic", "post", "/intake/patients/{mrn}/fill-in-clinic/", {DESK, CLIN, ADMIN}),
    ("summary", "get", "/intake/forms/{intake}/summary/", {CLIN, ADMIN}),
    ("acknowledge", "post", "/intake/alerts/{alert}/acknowledge/", {CLIN, ADMIN}),
]


@pytest.mark.parametrize("role", [ANON, PATIENT, DESK, CLIN, ADMIN])
@pytest.mark.parametrize("name,method,path,allowed", STAFF_ACTIONS, ids=[a[0] for a in STAFF_ACTIONS])
def test_intake_staff_actions_by_role(client, make_user, appointment, intake, role, name, method, path, allowed):
    alert = RedFlagAlert.objects.create(patient=intake.patient, intake=intake, urgency="urgent", flags=[])
    if role != ANON:  # the clinician is the visit's: clinical records are open to a patient's own clinicians
        sign_in(client, appointment.clinician.user if role == CLIN else make_user(role))
    response = getattr(client, method)(path.format(mrn=intake.patient.mrn, intake=intake.pk, alert=alert.pk))
    if role in allowed:
        assert response.status_code in (200, 302) and "/login/" not in response.get("Location", "")
    elif role == ANON:
        assert response.status_code == 302 and "/login/" in response.url
    else:
        assert response.status_code == 403


def test_fill_in_clinic_refuses_a_form_with_only_a_draft_of_the_patients_answers(desk_client, appointment):
    started = services.intake_start(appointment=appointment)
    services.intake_save_draft(intake=started, step="complaint", data={"onset_details": "Slipped on ice"})
    page = text(desk_client.post(f"/intake/patients/{appointment.patient.mrn}/fill-in-clinic/", follow=True))
    assert "already started this form" in page and "Slipped on ice" not in page
    assert not IntakeForm.objects.get(pk=started.pk).filled_in_clinic
