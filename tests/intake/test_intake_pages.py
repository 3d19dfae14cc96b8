"""The patient's intake pages, reached by the signed link: steps, validation, drafts, expiry."""

import datetime
import json
import re
from unittest import mock

import pytest
from django.core import signing
from django.utils import timezone

from clinic.models import AuditEvent
from intake import links
from intake.models import INTAKE_STEPS, IntakeForm
from scheduling.models import Appointment
from tests.factories import PatientFactory
from tests.intake.intake_fixtures import as_post, other_visit, save_steps, valid_answers
from tests.scheduling.conftest import local


def url(token, step=None):
    return f"/intake/{token}/" + (f"{step}/" if step else "")


def html(response):
    return response.content.decode()


def field_block(page, name):
    """The HTML of one question's block (label, errors, input), to check a message sits by its field."""
    match = re.search(rf'<div class="intake-field[^"]*"[^>]*>(?:(?!<div class="intake-field).)*?name="{name}"[^>]*>', page, re.S)
    assert match, f"no field {name}"
    return match.group(0)


def test_opening_the_link_starts_at_the_first_step_with_the_record_filled_in(client, token):
    response = client.get(url(token))
    assert response.status_code == 302 and response.url == url(token, "contact")
    page = client.get(response.url)
    assert page.status_code == 200
    text = html(page)
    assert "Step 1 of 7" in text and 'role="progressbar"' in text
    assert 'value="maya@example.com"' in text and "Maya Okafor" in text
    assert page["Cache-Control"].startswith("max-age=0") and page["Referrer-Policy"] == "same-origin"


def test_step_errors_sit_next_to_their_fields_and_keep_what_was_typed(client, token):
    data = as_post(valid_answers()["contact"])
    data.update(emergency_contact_phone="555", city="", address_line1="12 Elm Street")
    response = client.post(url(token, "contact"), data)
    assert response.status_code == 400
    page = html(response)
    assert "Please check the answers marked below" in page
    phone_block = field_block(page, "emergency_contact_phone")
    assert "phone number" in phone_block and 'aria-invalid="true"' in phone_block and 'value="555"' in phone_block
    assert "Enter your town or city." in field_block(page, "city")
    assert 'value="12 Elm Street"' in page  # kept input
    assert "Enter your town or city." not in field_block(page, "postal_code")
    assert IntakeForm.objects.get().answers == {}


def test_a_question_that_does_not_apply_is_hidden_and_not_required(client, token, intake):
    save_steps(intake, only=("contact", "history"))
    answers = valid_answers()["complaint"]
    answers.update(symptoms=["difficulty_sitting"], leg_side=None, leg_extent=None)
    assert client.post(url(token, "complaint"), as_post(answers)).status_code == 302
    intake.refresh_from_db()
    assert intake.answers["complaint"]["leg_side"] is None

    answers.update(symptoms=["leg_symptoms"])  # leg symptoms now: which leg and how far are asked
    response = client.post(url(token, "complaint"), as_post(answers))
    assert response.status_code == 400
    page = html(response)
    assert "Tell us which leg." in field_block(page, "leg_side")
    assert "Tell us how far down the leg it goes." in field_block(page, "leg_extent")
    fresh = html(client.get(url(token, "history")))
    assert re.search(r'data-show-if="had_surgery=True" hidden', fresh)  # answered No: surgery details hidden


def test_drafts_are_saved_per_step_and_the_link_resumes_where_the_patient_left_off(client, token, intake):
    answers = valid_answers()
    response = client.post(url(token, "contact"), as_post(answers["contact"]))
    assert response.status_code == 302 and response.url == url(token, "history") + "?saved=contact"
    client.post(url(token, "history"), as_post(answers["history"]))
    intake.refresh_from_db()
    assert intake.status == IntakeForm.Status.IN_PROGRESS and intake.current_step == "complaint"
    assert intake.answers["history"]["medications"] == "Ibuprofen 400 mg when needed"

    assert client.get(url(token)).url == url(token, "complaint")  # the link resumes at step 3
    assert client.get(url(token, "goals")).url == url(token, "complaint")  # no skipping ahead
    back = html(client.get(url(token, "history")))  # going back shows what was saved
    assert "Ibuprofen 400 mg when needed" in back
    saved_page = html(client.get(url(token, "complaint") + "?saved=history"))
    assert 'data-saved-step="history"' in saved_page  # tells the browser to drop its local draft of step 2
    assert f'data-draft-key="stride-intake:{intake.pk}:complaint"' in saved_page


def test_body_map_regions_are_buttons_named_with_all_their_marks(client, token, intake):
    save_steps(intake, only=("contact", "history", "complaint"))
    page = html(client.get(url(token, "complaint")))
    assert re.search(r'<button type="button" class="body-region" data-region="back_buttock_left"[^>]*'
                     r'aria-label="Left buttock: pain, tingling"', page)
    assert 'aria-label="Right groin: no symptoms"' in page
    assert "You marked: Left buttock (pain, tingling), Left calf (tingling)." in page
    # The toolbar: the patient chooses the kind first (pain to start with), one pressed at a time.
    assert re.search(r'data-map-kind="pain" aria-pressed="true"', page)
    assert re.search(r'data-map-kind="tingling" aria-pressed="false"', page)


def tick(page, region, kind):
    """The list's tick box for one region and kind (the page without JavaScript), or None."""
    match = re.search(rf'<input type="checkbox" name="map_{region}" value="{kind}"[^>]*>', page)
    return match and match.group(0)


def test_without_javascript_the_body_map_is_a_list_of_tick_boxes_per_place_and_kind(client, token, intake):
    save_steps(intake, only=("contact", "history", "complaint"))
    page = html(client.get(url(token, "complaint")))
    assert "checked" in tick(page, "back_buttock_left", "pain") and "checked" in tick(page, "back_buttock_left", "tingling")
    assert "checked" not in tick(page, "back_buttock_left", "numbness")
    assert "checked" not in tick(page, "front_foot_right", "pain")
    assert '<span class="visually-hidden">Left buttock: numbness</span>' in page  # each box has its own name
    assert len(re.findall(r'<input type="checkbox" name="map_', page)) == 20 * 3

    # Ticking boxes posts the same marks as tapping the drawing: several kinds on one place.
    answers = valid_answers()["complaint"]
    data = {key: value for key, value in as_post(answers).items() if not key.startswith("map_")}
    data.update(map_front_groin_left=["pain", "numbness"], map_back_calf_right=["tingling"])
    assert client.post(url(token, "complaint"), data).status_code == 302
    intake.refresh_from_db()
    assert intake.answers["complaint"]["body_map"] == {"front_groin_left": ["pain", "numbness"],
                                                       "back_calf_right": ["tingling"]}


def test_body_map_marks_are_kept_with_the_step_when_another_question_is_missing(client, token, intake):
    save_steps(intake, only=("contact", "history"))
    answers = valid_answers()["complaint"]
    answers.update(pain_now=None, body_map={"back_buttock_left": ["pain", "numbness"], "front_shin_right": ["tingling"]})
    response = client.post(url(token, "complaint"), as_post(answers))
    assert response.status_code == 400
    assert "Choose a number from 0 to 10." in field_block(html(response), "pain_now")
    intake.refresh_from_db()
    assert "complaint" not in intake.answers  # not saved as an answer: it is not complete
    assert intake.step_drafts["complaint"]["map_back_buttock_left"] == ["pain", "numbness"]

    # Coming back later (another device, no local draft): the marks are there, with the other answers entered.
    page = html(client.get(url(token, "complaint")))
    assert 'aria-label="Left buttock: pain, numbness"' in page and 'aria-label="Right shin: tingling"' in page
    assert "checked" in tick(page, "back_buttock_left", "numbness")
    assert 'value="Running"' in page
    assert "We kept what you entered on this step last time." in page

    answers["pain_now"] = 6
    assert client.post(url(token, "complaint"), as_post(answers)).status_code == 302
    intake.refresh_from_db()
    assert intake.answers["complaint"]["body_map"] == {"back_buttock_left": ["pain", "numbness"],
                                                       "front_shin_right": ["tingling"]}
    assert intake.step_drafts == {}  # saved whole: the draft has done its job
    assert 'aria-label="Left buttock: pain, numbness"' in html(client.get(url(token, "complaint")))


def test_the_audit_trail_records_that_a_draft_changed_not_what_it_says(client, token, intake):
    save_steps(intake, only=("contact", "history"))
    answers = {**valid_answers()["complaint"], "pain_now": None, "onset_details": "Slipped on the ice at the rink"}
    assert client.post(url(token, "complaint"), as_post(answers)).status_code == 400
    change = AuditEvent.objects.filter(object_type="intake.IntakeForm", action="change").latest("pk")
    assert "step_drafts" in change.changes  # the trail says the draft changed...
    assert "Slipped on the ice" not in json.dumps(change.changes)  # ...never what the patient typed


def test_a_submitted_form_keeps_no_draft(client, token, intake):
    save_steps(intake, skip=("consent",))
    consent = as_post(valid_answers()["consent"], "consent")
    assert client.post(url(token, "consent"), {**consent, "signed_name": ""}).status_code == 400
    intake.refresh_from_db()
    assert intake.step_drafts["consent"]["consent_treatment"] == "on"
    assert client.post(url(token, "consent"), consent).status_code == 302
    intake.refresh_from_db()
    assert intake.is_submitted and intake.step_drafts == {}


def test_a_tampered_or_unknown_link_is_404(client, token, db):
    assert client.get(url(token[:-2] + "xx")).status_code == 404
    assert client.get(url("not-a-token")).status_code == 404
    other = signing.dumps(999999, salt=links.SALT)
    assert client.get(url(other)).status_code == 404
    wrong_salt = signing.dumps(1, salt="something.else")
    assert client.get(url(wrong_salt)).status_code == 404


def test_a_link_older_than_the_signature_limit_shows_it_has_expired(client, intake):
    long_ago = (timezone.now() - links.MAX_AGE - datetime.timedelta(days=1)).timestamp()
    with mock.patch("django.core.signing.time.time", return_value=long_ago):
        old = links.token_for(intake)
    response = client.get(url(old))
    assert response.status_code == 410
    assert "This link has expired" in html(response) and intake.patient.first_name not in html(response)


def test_after_the_visit_day_the_link_shows_it_has_expired_and_to_call(client, appointment):
    past = other_visit(appointment, local(timezone.localdate() - datetime.timedelta(days=1), 10))
    past.location.phone = "(617) 555-0100"
    past.location.save()
    expired = IntakeForm.objects.create(patient=past.patient, appointment=past)
    token = links.token_for(expired)
    for path in (url(token), url(token, "contact"), url(token) + "done/"):
        response = client.get(path)
        assert response.status_code == 410
        assert "This link has expired" in html(response) and "call the clinic" in html(response)
        assert "(617) 555-0100" in html(response)
    assert client.post(url(token, "contact"), as_post(valid_answers()["contact"])).status_code == 410


def test_the_link_works_until_midnight_after_the_visit_in_the_clinic_time_zone(intake, appointment):
    local_day = timezone.localtime(appointment.start_at, appointment.local_tz).date()
    midnight = local(local_day + datetime.timedelta(days=1), 0)
    assert links.expires_at(intake) == midnight
    assert not links.is_expired(intake, now=midnight - datetime.timedelta(seconds=1))
    assert links.is_expired(intake, now=midnight)
    appointment.status = Appointment.Status.CANCELLED
    assert links.is_expired(intake, now=midnight - datetime.timedelta(days=2))


def test_the_last_step_refuses_to_submit_without_a_signature(client, token, intake):
    save_steps(intake, skip=("consent",))
    data = as_post(valid_answers()["consent"])
    data["signed_name"] = ""
    response = client.post(url(token, "consent"), data)
    assert response.status_code == 400
    assert "Type your full name to sign the form." in field_block(html(response), "signed_name")
    data["signed_name"] = "Someone Else"
    response = client.post(url(token, "consent"), data)
    assert "Type the patient&#x27;s full name as it is on their record (Maya Okafor)" in html(response)
    intake.refresh_from_db()
    assert not intake.is_submitted and intake.appointment.intake_completed_at is None


def test_submitting_with_a_step_missing_lists_what_is_still_needed(client, token, intake):
    save_steps(intake, skip=("outcomes", "consent"))
    IntakeForm.objects.filter(pk=intake.pk).update(current_step="consent")
    response = client.post(url(token, "consent"), as_post(valid_answers()["consent"]))
    assert response.status_code == 400
    page = html(response)
    assert "Some answers are still needed before you can submit" in page
    assert f'href="{url(token, "outcomes")}">Daily activities</a>: This step has not been filled in yet.' in page
    intake.refresh_from_db()
    assert not intake.is_submitted


def test_the_whole_form_through_the_pages_ends_on_the_thank_you_page(client, token, intake, deliver_now,
                                                                    django_capture_on_commit_callbacks):
    answers = valid_answers()
    for step in INTAKE_STEPS:
        with django_capture_on_commit_callbacks(execute=True):
            response = client.post(url(token, step), as_post(answers[step], step))
        assert response.status_code == 302, (step, html(response)[:3000])
    assert response.url == url(token) + "done/?saved=consent"
    done = client.get(response.url)
    assert "Thank you, Maya" in html(done) and f'data-clear-drafts="stride-intake:{intake.pk}:"' in html(done)
    assert client.get(url(token, "contact")).url == url(token) + "done/"  # a submitted form is not edited again
    intake.refresh_from_db()
    assert intake.is_submitted and intake.signed_name == "Maya Okafor" and intake.signed_ip == "127.0.0.1"


@pytest.mark.parametrize("history", [0, 12])
def test_step_page_query_count_does_not_grow(client, django_assert_max_num_queries, intake, token, history):
    for n in range(history):  # earlier forms of the same patient must not be loaded
        older = other_visit(intake.appointment, local(timezone.localdate() - datetime.timedelta(days=30 + n), 9))
        IntakeForm.objects.create(patient=intake.patient, appointment=older, answers=valid_answers())
    if history:
        save_steps(intake, only=("contact", "history", "complaint"))
    with django_assert_max_num_queries(1):
        response = client.get(url(token, "complaint" if history else "contact"))
    assert response.status_code == 200


def test_a_patient_cannot_open_another_patients_form_by_changing_the_id(client, intake, token):
    other = IntakeForm.objects.create(patient=PatientFactory())
    _payload, rest = token.split(":", 1)
    forged = signing.b64_encode(str(other.pk).encode()).decode() + ":" + rest
    assert client.get(url(forged)).status_code == 404
