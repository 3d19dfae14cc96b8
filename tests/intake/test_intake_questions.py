"""What the intake asks: telehealth consent only for a video visit, the reminder channel with an explicit text
opt-in, and the red-flag screen as items to tick or one "None of these apply to me"."""

import datetime

import pytest
from django.utils import timezone

from intake import links, rules, services
from intake.models import IntakeForm, RedFlagAlert
from intake.questionnaire import RED_FLAG_GROUPS, RED_FLAG_QUESTIONS, RedFlagForm
from patients.models import Consent
from scheduling.models import Appointment, Modality
from tests.factories import sign_in
from tests.intake.intake_fixtures import as_post, red_flags_ticked, save_steps, valid_answers
from tests.intake.test_intake_pages import field_block, html, url

TELEHEALTH_CONSENT = "I agree to have my video visits by a secure video link (telehealth)"


@pytest.fixture
def video_visit(maya, dr_rivera, telehealth_consult, appointment):
    start = appointment.start_at + datetime.timedelta(days=40)  # another episode: a form of its own
    return Appointment.objects.create(
        patient=maya, clinician=dr_rivera, visit_type=telehealth_consult, modality=Modality.TELEHEALTH,
        start_at=start, end_at=start + datetime.timedelta(minutes=30), vouched_by=appointment.vouched_by,
    )


def _submit(intake, django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=True):
        return services.intake_submit(intake=intake, ip="203.0.113.9")


# --- Telehealth consent ------------------------------------------------------------------------------


def test_a_telehealth_visits_intake_asks_consent_to_telehealth_and_an_in_office_one_does_not(client, intake,
                                                                                           video_visit):
    IntakeForm.objects.filter(pk=intake.pk).update(current_step="consent")
    in_office = html(client.get(url(links.token_for(intake), "consent")))
    assert "I agree to be assessed and treated" in in_office and TELEHEALTH_CONSENT not in in_office

    video = services.intake_start(appointment=video_visit)
    IntakeForm.objects.filter(pk=video.pk).update(current_step="consent")
    page = html(client.get(url(links.token_for(video), "consent")))
    assert "Video visits (telehealth)" in page and TELEHEALTH_CONSENT in page


def test_a_video_visits_form_is_not_signed_without_telehealth_consent_and_records_it_when_given(
    client, video_visit, deliver_now, django_capture_on_commit_callbacks
):
    intake = services.intake_start(appointment=video_visit)
    save_steps(intake, skip=("consent",))
    token = links.token_for(intake)
    consent = as_post(valid_answers()["consent"], "consent")
    response = client.post(url(token, "consent"), consent)
    assert response.status_code == 400
    assert "Tick to agree to video visits, or call us to change to an in-office visit." in field_block(
        html(response), "consent_telehealth"
    )
    intake.refresh_from_db()
    assert not intake.is_submitted

    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(url(token, "consent"), {**consent, "consent_telehealth": "on"})
    assert response.status_code == 302
    kinds = set(Consent.objects.filter(patient=intake.patient).values_list("kind", flat=True))
    assert kinds == {"treatment", "privacy", "telehealth"}


def test_an_in_office_visit_records_no_telehealth_consent(intake, django_capture_on_commit_callbacks, deliver_now):
    save_steps(intake)
    _submit(intake, django_capture_on_commit_callbacks)
    assert set(Consent.objects.filter(patient=intake.patient).values_list("kind", flat=True)) == {"treatment", "privacy"}


# --- Reminder channel and text opt-in ---------------------------------------------------------------------


def _contact(**changes):
    return {**valid_answers()["contact"], **changes}


def test_the_contact_step_asks_the_reminder_channel_and_an_unticked_text_opt_in(client, token):
    page = html(client.get(url(token, "contact")))
    assert "How should we send your appointment reminders?" in page
    opt_in = field_block(page, "sms_opt_in")
    assert "checked" not in opt_in and "Reply STOP to any text to stop them." in page  # never pre-ticked
    assert 'data-show-if="reminder_channel=sms|both"' in opt_in


def test_choosing_text_without_ticking_the_opt_in_is_refused_next_to_the_opt_in(client, token, intake):
    response = client.post(url(token, "contact"), as_post(_contact(reminder_channel="sms"), "contact"))
    assert response.status_code == 400
    assert "Tick to agree to text messages, or choose email reminders." in field_block(html(response), "sms_opt_in")
    intake.refresh_from_db()
    assert intake.answers == {}


def test_text_reminders_need_a_mobile_number_and_email_reminders_an_address(client, token):
    no_mobile = _contact(reminder_channel="sms", sms_opt_in=True, mobile_phone="")
    page = html(client.post(url(token, "contact"), as_post(no_mobile, "contact")))
    assert "Add your mobile number to get reminders by text message." in field_block(page, "mobile_phone")
    no_email = _contact(reminder_channel="both", sms_opt_in=True, email="")
    page = html(client.post(url(token, "contact"), as_post(no_email, "contact")))
    assert "Add your email address to get reminders by email, or choose text messages." in field_block(page, "email")


@pytest.mark.parametrize("channel, opt_in, expected", [
    ("sms", True, ("sms", False, True)),
    ("both", True, ("sms", True, True)),
    ("email", False, ("email", True, False)),
])
def test_the_submitted_reminder_answer_is_stored_on_the_record(intake, django_capture_on_commit_callbacks,
                                                               deliver_now, channel, opt_in, expected):
    intake.patient.reminder_sms_consent = channel == "email"  # the answer replaces what the record said
    intake.patient.save()
    answers = valid_answers()
    answers["contact"].update(reminder_channel=channel, sms_opt_in=opt_in)
    save_steps(intake, answers)
    _submit(intake, django_capture_on_commit_callbacks)
    patient = intake.patient
    patient.refresh_from_db()
    assert (patient.preferred_channel, patient.reminder_email_consent, patient.reminder_sms_consent) == expected
    sms_consents = Consent.objects.filter(patient=patient, kind=Consent.Kind.SMS)
    assert [c.signed_name for c in sms_consents] == (["Maya Okafor"] if opt_in else [])


# --- Red flags: tick the items, or "None of these apply to me" ---------------------------------------------


def _red_flags_post(*items, none_apply=False):
    data = {"notes": ""}
    for name, *_rest, keys in RED_FLAG_GROUPS:
        data[name] = [key for key in keys if key in items]
    if none_apply:
        data["none_apply"] = "on"
    return data


def _at_red_flags(intake):
    save_steps(intake, only=("contact", "history", "complaint"))
    return links.token_for(intake)


def test_the_red_flag_step_is_one_list_to_tick_with_none_of_these_apply(client, intake):
    token = _at_red_flags(intake)
    page = html(client.get(url(token, "red_flags")))
    assert page.count('type="checkbox"') == len(RED_FLAG_QUESTIONS) + 1
    assert "None of these apply to me" in page and "Choose yes or no" not in page and 'value="True"' not in page
    # Six cauda equina items give the emergency advice at once when ticked, as their Yes did; leg symptoms on both
    # sides alone are urgent, the same day (clinical reference, product decisions): "call the clinic today".
    assert page.count('data-urgent="emergency"') == 6
    assert page.count('data-urgent="same_day"') == 1 and 'value="bilateral_sciatica"' in page
    assert "Please call the clinic today." in page


def test_none_apply_with_an_item_ticked_is_refused_with_a_clear_message_and_the_ticks_are_kept(client, intake):
    token = _at_red_flags(intake)
    response = client.post(url(token, "red_flags"), _red_flags_post("fever", none_apply=True))
    assert response.status_code == 400
    page = html(response)
    assert ("You ticked “None of these apply to me” and also 1 item(s) above. Untick “None of these apply to me” "
            "if anything above applies to you, or untick the items.") in field_block(page, "none_apply")
    assert 'value="fever" class="intake-choice-input" id="id_general_health_2" checked' in page
    intake.refresh_from_db()
    assert "red_flags" not in intake.answers


def test_not_choosing_either_is_refused(client, intake):
    token = _at_red_flags(intake)
    response = client.post(url(token, "red_flags"), _red_flags_post())
    assert response.status_code == 400
    assert "Tick each item above that applies to you, or tick “None of these apply to me”." in field_block(
        html(response), "none_apply"
    )
    intake.refresh_from_db()
    assert "red_flags" not in intake.answers


def test_none_apply_alone_is_saved_with_every_item_not_reported(client, intake):
    token = _at_red_flags(intake)
    assert client.post(url(token, "red_flags"), _red_flags_post(none_apply=True)).status_code == 302
    intake.refresh_from_db()
    assert intake.answers["red_flags"] == red_flags_ticked()


@pytest.mark.parametrize("item", list(RED_FLAG_QUESTIONS))
def test_ticking_one_red_flag_item_raises_the_same_alert_as_answering_yes_did(
    client, intake, item, deliver_now, django_capture_on_commit_callbacks
):
    token = _at_red_flags(intake)
    assert client.post(url(token, "red_flags"), _red_flags_post(item)).status_code == 302
    save_steps(intake, only=("outcomes", "goals", "consent"))
    _submit(intake, django_capture_on_commit_callbacks)

    # Before: 21 yes/no answers, this one Yes and every other No.
    age = intake.patient.age_on(timezone.localtime(intake.appointment.start_at).date())
    before = rules.red_flags({key: key == item for key in RED_FLAG_QUESTIONS} | {"osteoporosis": False}, age=age)
    urgency = rules.highest_urgency(before)
    alerts = list(RedFlagAlert.objects.filter(intake=intake))
    if urgency in (rules.EMERGENCY, rules.URGENT):
        (alert,) = alerts
        assert alert.urgency == urgency
        assert [(f["item"], f["urgency"], f["note"]) for f in alert.flags] == [(f.item, f.urgency, f.note) for f in before]
    else:  # context alone raises no alert (clinical reference, product decisions): these six, at this age
        assert age < 50
        assert item in ("minor_trauma", "no_improvement_1_month", "pain_not_eased_by_rest", "diabetes",
                        "recent_infection", "long_term_steroids") and alerts == []


# --- Forms saved before the change ----------------------------------------------------------------------------


def _legacy_red_flags(**yes):
    return {**{key: key in yes for key in RED_FLAG_QUESTIONS}, "notes": "Stiff in the mornings"}


def test_a_form_submitted_with_yes_no_answers_still_displays_on_the_summary(client, intake):
    answers = valid_answers()
    del answers["contact"]["reminder_channel"], answers["contact"]["sms_opt_in"]
    answers["red_flags"] = _legacy_red_flags(fever=True, diabetes=True)
    IntakeForm.objects.filter(pk=intake.pk).update(
        answers=answers, status=IntakeForm.Status.SUBMITTED, submitted_at=timezone.now()
    )
    sign_in(client, intake.appointment.clinician.user)
    page = html(client.get(f"/intake/forms/{intake.pk}/summary/"))
    assert "Do any of these apply to you?</dt><dd>Fever, chills or night sweats in the past few weeks; Diabetes" in page
    assert "Stiff in the mornings" in page and "None of these apply to me" not in page

    all_no = {**answers, "red_flags": _legacy_red_flags()}
    IntakeForm.objects.filter(pk=intake.pk).update(answers=all_no)
    assert "None of these apply to me</dt><dd>Yes" in html(client.get(f"/intake/forms/{intake.pk}/summary/"))


def test_a_draft_saved_with_yes_no_answers_still_submits_and_alerts_the_same(
    intake, deliver_now, django_capture_on_commit_callbacks
):
    save_steps(intake, skip=("red_flags",))
    answers = {**intake.answers, "red_flags": _legacy_red_flags(previous_cancer=True)}
    IntakeForm.objects.filter(pk=intake.pk).update(answers=answers)
    intake.refresh_from_db()
    _submit(intake, django_capture_on_commit_callbacks)
    alert = RedFlagAlert.objects.get(intake=intake)
    assert alert.urgency == "urgent" and [f["item"] for f in alert.flags] == ["previous_cancer"]
    assert RedFlagForm.red_flag_answers(IntakeForm.objects.get(pk=intake.pk).answers["red_flags"])["fever"] is False
