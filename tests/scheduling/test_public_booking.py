"""The public booking pages and the patient's private manage link, as a patient would use them."""

import re
from datetime import timedelta

import pytest
from django.core import mail
from django.core.cache import cache
from django.utils import timezone

from notifications.models import Notification
from patients.models import Patient
from scheduling import links, services, throttle
from scheduling.booking_wizard import slot_value
from scheduling.models import Appointment, ClinicSettings
from tests.factories import PatientFactory, linked_ids, on_the_grid

from .conftest import assert_calendar_lines, local

pytestmark = pytest.mark.django_db

TYPED = {
    "first_name": "Ana",
    "last_name": "Silva",
    "date_of_birth": "1987-05-14",
    "email": "ana.silva@example.com",
    "phone": "(617) 555-0187",
    "reason": "Pain deep in the right buttock when sitting.",
    "accepts_cancellation_policy": "on",  # the clinic's policy is in force (tests/scheduling/test_cancellation_policy.py)
}


@pytest.fixture(autouse=True)
def _fresh_throttle():
    cache.clear()
    yield
    cache.clear()


def telehealth_params(visit_type, **extra):
    return {"modality": "telehealth", "visit_type": visit_type.pk, **extra}


def in_office_params(visit_type, **extra):
    return {"modality": "in_office", "visit_type": visit_type.pk, **extra}


def post_details(client, params, clinician, start, **typed):
    data = {**params, "slot": slot_value(clinician.pk, start), **TYPED, **typed}
    return client.post("/book/details/", data)


def test_landing_page_offers_the_three_website_buttons(client):
    page = client.get("/book/").content.decode()
    assert 'href="?modality=telehealth">Request Telehealth' in page
    assert 'href="?modality=in_office">Request in-office visit' in page
    assert ">Book now<" in page


def test_telehealth_button_lists_only_visits_offered_by_video(client, dr_rivera, visit_types):
    page = client.get("/book/?modality=telehealth").content.decode()
    assert "Telehealth consult" in page and "Follow-up" in page
    assert "3D gait analysis" not in page  # in-office only
    assert "Diagnostic ultrasound" not in page  # not bookable online


def test_book_now_asks_video_or_clinic_for_a_visit_offered_both_ways(client, dr_rivera, follow_up):
    page = client.get("/book/", {"modality": "any", "visit_type": follow_up.pk}).content.decode()
    assert "Video visit or at the clinic?" in page
    assert "how=telehealth" in page and "how=in_office" in page


def test_a_button_on_the_clinics_website_starts_the_booking_at_its_visit_type(client, dr_rivera, dr_chen, visit_types):
    gait = visit_types["3D gait analysis"]  # offered in the clinic only: no video-or-clinic question either
    page = client.get("/book/", {"visit_type": gait.pk}).content.decode()
    assert "Who would you like to see?" in page and f"visit_type={gait.pk}" in page  # carried to the next steps
    both_ways = client.get("/book/", {"visit_type": visit_types["Follow-up"].pk}).content.decode()
    assert "Video visit or at the clinic?" in both_ways


def test_with_two_clinicians_the_patient_may_choose_first_available(client, dr_rivera, dr_chen, follow_up):
    page = client.get("/book/", in_office_params(follow_up)).content.decode()
    assert "Who would you like to see?" in page
    assert "First available" in page and "Sam Rivera" in page and "Jordan Chen" in page


def test_day_strip_shows_free_times_of_the_chosen_day_without_javascript(client, dr_rivera, follow_up, monday):
    response = client.get("/book/", in_office_params(follow_up, week=monday, day=monday))
    page = response.content.decode()
    assert response.status_code == 200
    assert "<html" in page
    assert 'aria-current="date"' in page
    assert monday.strftime("%a, %b ") + str(monday.day) in page
    assert ">9:00 AM<" in page and ">4:15 PM<" in page  # 45-minute follow-up fits until 5 PM
    assert "Times are EDT" in page or "Times are EST" in page


def test_choosing_a_day_with_htmx_returns_only_the_picker(client, dr_rivera, follow_up, monday):
    response = client.get(
        "/book/", in_office_params(follow_up, week=monday, day=monday + timedelta(days=1)), HTTP_HX_REQUEST="true"
    )
    page = response.content.decode()
    assert "<html" not in page
    assert page.strip().startswith('<div id="picker">')
    assert (monday + timedelta(days=1)).strftime("%a, %b ") in page


def test_a_boosted_link_to_a_day_gets_the_whole_page(client, dr_rivera, follow_up, monday):
    # hx-boost swaps the whole body: it must get the page, not the picker alone.
    response = client.get(
        "/book/", in_office_params(follow_up, week=monday, day=monday + timedelta(days=1)),
        HTTP_HX_REQUEST="true", HTTP_HX_BOOSTED="true",
    )
    page = response.content.decode()
    assert "<html" in page and '<div id="picker">' in page


def test_patient_books_a_telehealth_visit_and_sees_the_video_and_manage_links(
    client, dr_rivera, telehealth_consult, monday
):
    start = local(monday, 10)
    response = post_details(client, telehealth_params(telehealth_consult), dr_rivera, start)
    assert response.status_code == 302
    appointment = Appointment.objects.get()
    assert response["Location"].endswith("/")
    assert linked_ids(response["Location"], "/book/confirmed/", links.appointment_id_from_token) == [appointment.pk]
    assert appointment.status == Appointment.Status.BOOKED
    assert appointment.source == Appointment.Source.ONLINE
    assert appointment.modality == "telehealth" and appointment.location is None
    patient = appointment.patient
    assert (patient.first_name, patient.mobile_phone, patient.email) == ("Ana", "+16175550187", "ana.silva@example.com")

    page = client.get(response["Location"]).content.decode()
    assert "You're booked" in page
    assert monday.strftime("%a, %b ") in page and "10:00 AM to 10:30 AM" in page
    assert appointment.video_url and appointment.video_token not in page  # days ahead: not open yet
    assert "Your video visit opens at 9:45 AM" in page and "(15 minutes before)" in page
    assert appointment.pk in linked_ids(page, "/book/manage/", links.appointment_id_from_token)


def test_patient_books_an_in_office_visit_with_address(client, dr_rivera, follow_up, location, monday):
    response = post_details(client, in_office_params(follow_up), dr_rivera, local(monday, 9, 15))
    page = client.get(response["Location"]).content.decode()
    appointment = Appointment.objects.get()
    assert appointment.location == location and appointment.room is not None
    assert "200 Boylston St" in page and "Suite 4B." in page
    assert "Join the video visit" not in page


def test_a_returning_patient_is_matched_not_duplicated(client, dr_rivera, follow_up, monday):
    existing = PatientFactory(
        first_name="ANA", last_name="silva", date_of_birth="1987-05-14", email="other@example.com",
        mobile_phone="+16175550187",
    )
    post_details(client, in_office_params(follow_up), dr_rivera, local(monday, 10))
    assert Patient.objects.count() == 1
    assert Appointment.objects.get().patient == existing


def test_same_name_and_birth_date_but_other_contacts_is_a_new_patient(client, dr_rivera, follow_up, monday):
    PatientFactory(first_name="Ana", last_name="Silva", date_of_birth="1987-05-14", email="x@example.com",
                   mobile_phone="+16175550111")
    post_details(client, in_office_params(follow_up), dr_rivera, local(monday, 10))
    assert Patient.objects.count() == 2


def test_when_auto_confirm_is_off_the_booking_waits_as_a_request(client, dr_rivera, follow_up, monday):
    ClinicSettings.objects.filter(pk=1).update(auto_confirm_online_bookings=False)
    details = client.get(
        "/book/details/", {**in_office_params(follow_up), "slot": slot_value(dr_rivera.pk, local(monday, 10))}
    ).content.decode()
    assert "Send booking request" in details
    response = post_details(client, in_office_params(follow_up), dr_rivera, local(monday, 10))
    assert Appointment.objects.get().status == Appointment.Status.REQUESTED
    page = client.get(response["Location"]).content.decode()
    assert "Request received" in page and "requested" in page
    # Not in the patient's calendar until the clinic confirms it: no file on the page, by link or in the email.
    assert ".ics" not in page
    visit = Appointment.objects.get()
    assert client.get(manage_url(visit, "visit.ics")).status_code == 404
    from notifications.content import compose
    from notifications.models import Notification

    confirmation = Notification.objects.get(appointment=visit, kind="booking_confirmation", channel="email")
    assert compose(confirmation).ics == ""


def test_the_confirmation_page_tells_the_patient_about_the_intake_form_when_the_visit_needs_one(
        client, dr_rivera, visit_types, follow_up, monday):
    evaluation = visit_types["Initial evaluation"]
    response = post_details(client, in_office_params(evaluation), dr_rivera, local(monday, 10))
    page = client.get(response["Location"]).content.decode()
    assert "Before your visit: the intake form" in page and "Add to my calendar (.ics)" in page
    response = post_details(client, in_office_params(follow_up), dr_rivera, local(monday, 14), email="b@example.com",
                            first_name="Bo")
    assert "intake form" not in client.get(response["Location"]).content.decode()  # a follow-up needs none


def test_a_request_for_a_visit_that_needs_intake_says_the_form_comes_once_confirmed_and_offers_no_calendar_file(
        client, dr_rivera, visit_types, monday):
    ClinicSettings.objects.filter(pk=1).update(auto_confirm_online_bookings=False)
    response = post_details(client, in_office_params(visit_types["Initial evaluation"]), dr_rivera, local(monday, 10))
    page = client.get(response["Location"]).content.decode()
    assert "Request received" in page and "Before your visit: the intake form" in page
    assert "Once your time is confirmed, we will send you a link to a short health questionnaire" in page
    assert ".ics" not in page
    visit = Appointment.objects.get()
    assert client.get(manage_url(visit, "visit.ics")).status_code == 404
    assert not Notification.objects.filter(appointment=visit, kind=Notification.Kind.INTAKE_INVITATION).exists()


def test_errors_sit_next_to_the_field_and_keep_what_was_typed(client, dr_rivera, follow_up, monday):
    response = post_details(client, in_office_params(follow_up), dr_rivera, local(monday, 10), phone="617 555 01",
                            email="not-an-email")
    page = response.content.decode()
    assert response.status_code == 400
    assert "That is not a valid phone number" in page
    assert "Enter an email address like name@example.com." in page
    assert 'value="Silva"' in page and 'value="1987-05-14"' in page and "Pain deep in the right buttock" in page
    assert Appointment.objects.count() == 0 and Patient.objects.count() == 0


def test_date_of_birth_in_the_future_is_refused(client, dr_rivera, follow_up, monday):
    future = (timezone.localdate() + timedelta(days=2)).isoformat()
    response = post_details(client, in_office_params(follow_up), dr_rivera, local(monday, 10), date_of_birth=future)
    assert "cannot be in the future" in response.content.decode()
    assert Appointment.objects.count() == 0


def test_honeypot_pretends_success_but_creates_nothing(client, dr_rivera, follow_up, monday):
    response = post_details(client, in_office_params(follow_up), dr_rivera, local(monday, 10), website="http://spam")
    assert response.status_code == 200
    assert "Thank you" in response.content.decode()
    assert Appointment.objects.count() == 0 and Patient.objects.count() == 0


def test_honeypot_is_hidden_from_people(client, dr_rivera, follow_up, monday):
    page = client.get(
        "/book/details/", {**in_office_params(follow_up), "slot": slot_value(dr_rivera.pk, local(monday, 10))}
    ).content.decode()
    assert re.search(r'<div class="visually-hidden" aria-hidden="true">\s*<label for="id_website">', page)
    assert re.search(r'<input[^>]*name="website"[^>]*tabindex="-1"|<input[^>]*tabindex="-1"[^>]*name="website"', page)


def test_more_than_ten_booking_attempts_an_hour_get_a_friendly_429(client, dr_rivera, follow_up, monday):
    for _ in range(throttle.BOOKING_LIMIT):
        post_details(client, in_office_params(follow_up), dr_rivera, local(monday, 10), phone="bad")
    response = post_details(client, in_office_params(follow_up), dr_rivera, local(monday, 10))
    assert response.status_code == 429
    assert "Too many tries" in response.content.decode()
    assert Appointment.objects.count() == 0


def test_booking_form_is_csrf_protected(dr_rivera, follow_up, monday):
    from django.test import Client

    strict = Client(enforce_csrf_checks=True)
    response = post_details(strict, in_office_params(follow_up), dr_rivera, local(monday, 10))
    assert response.status_code == 403
    assert Appointment.objects.count() == 0


def test_a_time_taken_meanwhile_offers_the_next_free_times_and_keeps_the_details(
    client, dr_rivera, follow_up, patient, monday
):
    services.appointment_book(
        patient=patient, clinician=dr_rivera, visit_type=follow_up, start=local(monday, 10), modality="in_office",
        location=dr_rivera.locations.get(),
    )
    response = post_details(client, in_office_params(follow_up), dr_rivera, local(monday, 10))
    page = response.content.decode()
    assert response.status_code == 409
    assert "That time was just taken" in page
    assert 'value="Silva"' in page
    picks = re.findall(r'name="pick" value="([^"]+)">Book ([^<]+)<', page)
    assert picks and "10:45 AM" in picks[0][1]

    response = client.post("/book/details/", {**in_office_params(follow_up), **TYPED, "slot": "", "pick": picks[0][0]})
    assert response.status_code == 302
    assert Appointment.objects.filter(patient__first_name="Ana", start_at=local(monday, 10, 45)).exists()


def test_a_time_outside_working_hours_cannot_be_booked(client, dr_rivera, follow_up, monday):
    response = post_details(client, in_office_params(follow_up), dr_rivera, local(monday, 7))
    assert response.status_code == 409
    assert Appointment.objects.count() == 0


# The private manage link ------------------------------------------------------------------------------


@pytest.fixture
def online_visit(dr_rivera, telehealth_consult, monday):
    return services.online_booking_create(
        visit_type=telehealth_consult, clinician=dr_rivera, start=local(monday, 10), modality="telehealth",
        first_name="Ana", last_name="Silva", date_of_birth="1987-05-14", email="ana@example.com",
        phone="+16175550187", reason="", accepts_cancellation_policy=True,
    )


def manage_url(appointment, suffix=""):
    return f"/book/manage/{links.manage_token(appointment)}/{suffix}"


def test_manage_page_shows_the_visit_video_link_and_actions(client, online_visit):
    response = client.get(manage_url(online_visit))
    page = response.content.decode()
    assert response.status_code == 200
    assert online_visit.video_token not in page and "Your video visit opens at 9:45 AM" in page
    assert "Change time" in page and "Cancel visit" in page
    assert response["Referrer-Policy"] == "same-origin"
    assert "no-cache" in response["Cache-Control"] or "max-age=0" in response["Cache-Control"]


def test_tampered_or_made_up_tokens_are_not_found(client, online_visit):
    token = links.manage_token(online_visit)
    forged = token[:-2] + ("A" if token[-2] != "A" else "B") + token[-1]
    assert client.get(f"/book/manage/{forged}/").status_code == 404
    assert client.get("/book/manage/1/").status_code == 404
    assert client.post(f"/book/manage/{forged}/cancel/").status_code == 404
    from django.core import signing

    other_salt = signing.dumps(online_visit.pk, salt="something-else")
    assert client.get(f"/book/manage/{other_salt}/").status_code == 404


def test_patient_reschedules_with_the_same_clinician(client, online_visit, monday):
    page = client.get(manage_url(online_visit, "reschedule/"), {"week": monday, "day": monday}).content.decode()
    assert ">2:00 PM</button>" in page
    assert ">10:00 AM</button>" not in page  # the current time is not offered again
    picked = {"slot": slot_value(online_visit.clinician_id, local(monday, 14))}
    asked = client.post(manage_url(online_visit, "reschedule/"), picked)
    assert asked.status_code == 200 and "Move your visit?" in asked.content.decode()
    assert "2:00 PM" in asked.content.decode() and 'name="confirm" value="yes"' in asked.content.decode()
    online_visit.refresh_from_db()
    assert online_visit.start_at == local(monday, 10)  # one tap only proposes the new time
    response = client.post(manage_url(online_visit, "reschedule/"), {**picked, "confirm": "yes"})
    assert response.status_code == 302
    online_visit.refresh_from_db()
    assert online_visit.start_at == local(monday, 14)
    page = client.get(response["Location"]).content.decode()
    assert "2:00 PM to 2:30 PM" in page


def test_reschedule_to_a_taken_time_offers_others(client, online_visit, patient, monday, telehealth_consult):
    services.appointment_book(
        patient=patient, clinician=online_visit.clinician, visit_type=telehealth_consult, start=local(monday, 14),
        modality="telehealth",
    )
    response = client.post(manage_url(online_visit, "reschedule/"),
                           {"slot": slot_value(online_visit.clinician_id, local(monday, 14)), "confirm": "yes"})
    assert response.status_code == 409
    assert "That time was just taken" in response.content.decode()
    assert "Move to" in response.content.decode()
    online_visit.refresh_from_db()
    assert online_visit.start_at == local(monday, 10)


def test_patient_cancels_with_a_reason(client, online_visit):
    page = client.get(manage_url(online_visit, "cancel/")).content.decode()
    assert "Cancel this visit?" in page and "Why are you cancelling?" in page
    response = client.post(manage_url(online_visit, "cancel/"), {"reason": "better", "details": "Back to running"})
    assert response.status_code == 302
    online_visit.refresh_from_db()
    assert online_visit.status == Appointment.Status.CANCELLED
    assert online_visit.cancellation_reason == "Cancelled online by the patient: I'm feeling better: Back to running"
    page = client.get(response["Location"]).content.decode()
    assert "This visit is cancelled." in page
    assert online_visit.video_url not in page


def _cancel_form(html):
    """The cancel question as drawn: the <form> without its CSRF token (which differs per response)."""
    form = html[html.index("<form"):html.index("</form>") + 7]
    return re.sub(r'name="csrfmiddlewaretoken" value="[^"]+"', "", form)


def test_cancelling_asks_the_same_question_from_the_email_link_and_from_the_manage_link(client, online_visit):
    from notifications import links as message_links

    from_manage = client.get(manage_url(online_visit, "cancel/"))
    from_email = client.get(message_links.action_urls(online_visit)["cancel"].removeprefix("https://stride.example"),
                            follow=True)
    assert from_email.status_code == from_manage.status_code == 200
    assert _cancel_form(from_email.content.decode()) == _cancel_form(from_manage.content.decode())
    # The links of messages sent before this change lead to the same question.
    old_link = client.get(f"/messages/a/{message_links.action_token(online_visit)}/cancel", follow=True)
    assert _cancel_form(old_link.content.decode()) == _cancel_form(from_manage.content.decode())
    for label in ("I'm feeling better", "I'm unwell", "I can't get there", "Other", "Anything to add?"):
        assert label in from_manage.content.decode().replace("&#x27;", "'")

    missing = client.post(manage_url(online_visit, "cancel/"), {"details": "Something"})
    assert missing.status_code == 400
    assert "Choose why you are cancelling (or Other)." in missing.content.decode()
    assert "Something" in missing.content.decode()  # what was typed stays
    online_visit.refresh_from_db()
    assert online_visit.status == Appointment.Status.BOOKED


@pytest.fixture
def soon_visit(dr_rivera, follow_up, location):
    location.phone = "+16175550100"
    location.save()
    start = on_the_grid(timezone.now() + timedelta(hours=5))
    return services.appointment_book(
        patient=PatientFactory(), clinician=dr_rivera, visit_type=follow_up, start=start, modality="in_office",
        location=location, source=Appointment.Source.ONLINE,
    )


def test_changes_are_refused_after_the_cutoff_with_the_clinic_phone(client, soon_visit, monday):
    page = client.get(manage_url(soon_visit)).content.decode()
    assert "can no longer be changed online" in page and "(617) 555-0100" in page
    assert "Cancel visit" not in page

    response = client.post(manage_url(soon_visit, "cancel/"), {"reason": "other", "details": "x"})
    assert response.status_code == 400
    assert "(617) 555-0100" in response.content.decode()
    response = client.post(manage_url(soon_visit, "reschedule/"), {"slot": slot_value(soon_visit.clinician_id, local(monday, 14))})
    assert response.status_code == 400
    soon_visit.refresh_from_db()
    assert soon_visit.status == Appointment.Status.BOOKED
    assert soon_visit.start_at != local(monday, 14)


def test_calendar_file_downloads_the_visit(client, online_visit):
    response = client.get(manage_url(online_visit, "visit.ics"))
    assert response["Content-Type"].startswith("text/calendar")
    assert 'filename="visit.ics"' in response["Content-Disposition"]
    body = response.content.decode()
    assert "BEGIN:VEVENT" in body and "DTSTART:" in body
    unfolded = body.replace("\r\n ", "")
    assert online_visit.video_token not in unfolded  # read days early: the visit's video page, which opens on time
    assert "opens 15 minutes before" in unfolded
    assert set(linked_ids(unfolded, "/book/manage/", links.appointment_id_from_token)) == {online_visit.pk}


TRICKY = "Park behind\rthe gym;\nenter by door 2,\r\nthen ring: Müller \\ São Paulo ☎"


def test_calendar_file_keeps_typed_line_breaks_and_punctuation_inside_their_fields(
    client, dr_rivera, follow_up, location, monday
):
    # Notes typed in a textarea arrive with CRLF; the old hand escaping left a bare CR in the file.
    location.arrival_notes = TRICKY
    location.address_line2 = "Suite 4B, 2nd floor; Ünit ☎"
    location.save()
    visit = services.online_booking_create(
        visit_type=follow_up, clinician=dr_rivera, start=local(monday, 10), modality="in_office", location=location,
        first_name="Ana", last_name="Silva", date_of_birth="1987-05-14", email="ana@example.com",
        phone="+16175550187", reason="Knee\r\npain, left; since Größe\rMarch\n", accepts_cancellation_policy=True,
    )
    raw = client.get(manage_url(visit, "visit.ics")).content
    [event] = assert_calendar_lines(raw).walk("VEVENT")
    assert str(event["description"]) == "Stride Sports Rehab. " + TRICKY.replace("\r\n", "\n").replace("\r", "\n")
    assert str(event["location"]) == "200 Boylston St, Suite 4B, 2nd floor; Ünit ☎, Boston, MA 02116"
    assert str(event["summary"]) == "Follow-up with Sam Rivera, PT, DPT"
    assert event["dtstart"].dt == visit.start_at


# Email -----------------------------------------------------------------------------------------------


@pytest.fixture
def eager_celery():
    from clinic.celery import app

    before = app.conf.task_always_eager
    app.conf.task_always_eager = True
    yield
    app.conf.task_always_eager = before


def test_patient_gets_one_confirmation_email_after_commit(client, dr_rivera, follow_up, monday, eager_celery,
                                                           django_capture_on_commit_callbacks):
    # The notifications outbox sends it (one row per visit, kind and channel), delivered here in-process.
    with django_capture_on_commit_callbacks(execute=True):
        post_details(client, in_office_params(follow_up), dr_rivera, local(monday, 10))
    visit = Appointment.objects.get()
    confirmation = Notification.objects.get(appointment=visit, kind=Notification.Kind.BOOKING_CONFIRMATION)
    assert (confirmation.channel, confirmation.status) == (Notification.Channel.EMAIL, Notification.Status.SENT)
    assert confirmation.to_address == "ana.silva@example.com"
    assert len(mail.outbox) == 1
    message = mail.outbox[0]
    assert message.to == ["ana.silva@example.com"]
    assert "200 Boylston St" in message.body or "Back Bay" in message.body
    assert Appointment.objects.get().pk in linked_ids(message.body, "/book/manage/", links.appointment_id_from_token)
    assert [a[0] for a in message.attachments] == ["visit.ics"]


def test_nothing_is_queued_when_the_booking_fails(client, dr_rivera, follow_up, monday,
                                                  django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks() as callbacks:
        post_details(client, in_office_params(follow_up), dr_rivera, local(monday, 7))
    assert callbacks == []


def test_the_three_website_links_open_the_booking_pages(client, dr_rivera):
    assert "How would you like to be seen?" in client.get("/book/").content.decode()
    assert "What kind of visit do you need?" in client.get("/book/?modality=telehealth").content.decode()
    assert "What kind of visit do you need?" in client.get("/book/?modality=in_office").content.decode()


def _confirmation_email(visit):
    from notifications import content

    row = Notification.objects.get(appointment=visit, kind=Notification.Kind.BOOKING_CONFIRMATION, channel="email")
    return content.email_message(row, content.compose(row), visit.patient.email).body


def test_a_visit_booked_inside_the_change_cutoff_is_told_to_call_on_the_page_and_in_the_email(
    client, dr_rivera, follow_up, location, monday
):
    location.phone = "+16175550100"
    location.save()
    ClinicSettings.objects.filter(pk=1).update(patient_change_cutoff_hours=24 * 14)  # Monday is inside it
    cache.clear()
    response = post_details(client, in_office_params(follow_up), dr_rivera, local(monday, 10))
    page = client.get(response["Location"]).content.decode()
    assert "This visit starts within 336 hours, so it can no longer be changed online." in page
    assert "please call us at (617) 555-0100" in page and 'href="tel:(617) 555-0100"' in page
    assert "change or cancel this visit online until" not in page and "Change or cancel this visit" not in page
    visit = Appointment.objects.get()
    manage = client.get(manage_url(visit)).content.decode()
    assert "please call us at (617) 555-0100" in manage and "Cancel visit" not in manage  # the same story
    body = _confirmation_email(visit)
    assert "so it can no longer be changed online. To change or cancel it, please call us at (617) 555-0100." in body
    assert "Confirm: http" in body
    assert "Reschedule:" not in body and "Cancel:" not in body and "online until" not in body


def test_a_visit_outside_the_cutoff_is_told_it_can_change_online_until_the_cutoff(
    client, dr_rivera, follow_up, location, monday
):
    response = post_details(client, in_office_params(follow_up), dr_rivera, local(monday, 10))
    page = client.get(response["Location"]).content.decode()
    assert "change or cancel this visit online until 24 hours before it starts" in page
    assert "can no longer be changed online" not in page
    body = _confirmation_email(Appointment.objects.get())
    assert "You can change or cancel online until 24 hours before the visit." in body
    assert "Reschedule: http" in body and "Cancel: http" in body
