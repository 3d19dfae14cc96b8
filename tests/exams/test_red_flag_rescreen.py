"""The red-flag re-screen at a follow-up: each item that alerts on its own, new or worsening yes/no, or "none of
these", stored with the date and clinician and run through the intake's rules, raising the same alerts (clinical
reference, product decisions: red flags). Ages by hand: over 70 means 71 and older."""

import datetime

import pytest
from django.core import mail
from django.utils import timezone

from exams import services
from exams.models import Exam, RedFlagScreen
from exams.red_flag_screen import SCREEN_ITEMS, RedFlagScreenForm
from intake.models import RedFlagAlert
from tests.exams.exam_fixtures import sign, submitted_intake
from tests.factories import sign_in


def _aged(patient, appointment, years, days_short=0):
    day = timezone.localtime(appointment.start_at).date()
    try:
        birthday = day.replace(year=day.year - years)
    except ValueError:  # Feb 29
        birthday = day.replace(year=day.year - years, day=28)
    patient.date_of_birth = birthday + datetime.timedelta(days=days_short)
    patient.save(update_fields=["date_of_birth"])


def _post(**yes):
    """The form as the page posts it: the items named Yes, every other item No."""
    return {f"rf-{item}": "yes" if item in yes else "no" for item in SCREEN_ITEMS} | {"rf-notes": ""}


def _record(visit, actor, **yes):
    return services.red_flag_screen_record(patient=visit.patient, appointment=visit, actor=actor,
                                           answers={item: item in yes for item in SCREEN_ITEMS})


# --- The form ---------------------------------------------------------------------------------------------


def test_none_of_these_alone_answers_every_item_no():
    form = RedFlagScreenForm({"rf-none_apply": "on"})
    assert form.is_valid()
    assert form.answers() == dict.fromkeys(SCREEN_ITEMS, False)


def test_none_of_these_with_an_item_answered_yes_is_refused():
    form = RedFlagScreenForm({"rf-none_apply": "on", "rf-fever": "yes"})
    assert not form.is_valid()
    assert "1 item(s) are answered Yes" in form.errors["none_apply"][0]


def test_an_item_left_unanswered_is_marked_and_nothing_else_is_lost():
    data = _post()
    del data["rf-bladder_change"]
    form = RedFlagScreenForm(data)
    assert not form.is_valid()
    assert set(form.errors) == {"none_apply", "bladder_change"}


def test_the_screen_asks_every_item_that_alerts_on_its_own_and_a_minor_fall_or_lift():
    assert set(SCREEN_ITEMS) == {
        "saddle_numbness", "urinary_retention", "bladder_change", "bowel_incontinence", "sexual_dysfunction",
        "worsening_leg_weakness", "bilateral_sciatica", "major_motor_weakness", "progressive_deficit",
        "previous_cancer", "unexplained_weight_loss", "fever", "immunosuppression", "iv_drug_use", "major_trauma",
        "minor_trauma",
    }


# --- The rules and the alert ------------------------------------------------------------------------------------


def test_nothing_new_is_stored_with_date_and_clinician_and_raises_no_alert(visit, dr_rivera):
    _aged(visit.patient, visit, 40)
    screen = services.red_flag_screen_record(patient=visit.patient, appointment=visit, actor=dr_rivera.user,
                                             answers={}, none_apply=True)
    stored = RedFlagScreen.objects.get()
    assert stored == screen and stored.screened_by == dr_rivera.user and stored.screened_at is not None
    assert (stored.urgency, stored.alert, stored.flags) == ("", None, [])
    assert stored.answers == dict.fromkeys(SCREEN_ITEMS, False) and stored.none_apply
    assert not RedFlagAlert.objects.exists()


def test_new_saddle_numbness_at_a_follow_up_raises_an_emergency_alert_and_emails_the_clinician(
    visit, dr_rivera, deliver_now, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=True):
        screen = _record(visit, dr_rivera.user, saddle_numbness=True)
    alert = RedFlagAlert.objects.get()
    assert screen.alert == alert and screen.urgency == "emergency"
    assert (alert.urgency, alert.source, alert.appointment_id) == ("emergency", "rescreen", visit.pk)
    assert [m.to for m in mail.outbox] == [["rivera@stride.test"]]
    assert "raised from a red-flag re-screen of" in mail.outbox[0].body


def test_leg_symptoms_on_both_sides_alone_at_a_follow_up_are_urgent(visit, dr_rivera):
    screen = _record(visit, dr_rivera.user, bilateral_sciatica=True)
    assert screen.urgency == "urgent" and screen.flags[0]["note"] == "same day"


@pytest.mark.parametrize(("years", "days_short", "alert"), [(71, 0, "urgent"), (71, 1, ""), (70, 0, "")])
def test_a_minor_fall_alerts_over_70_by_the_age_on_the_visits_day(visit, dr_rivera, years, days_short, alert):
    _aged(visit.patient, visit, years, days_short)
    assert _record(visit, dr_rivera.user, minor_trauma=True).urgency == alert


def test_a_minor_fall_with_osteoporosis_from_the_latest_intake_alerts(visit, dr_rivera):
    _aged(visit.patient, visit, 40)
    submitted_intake(visit.patient, visit)  # its history: osteoporosis
    screen = _record(visit, dr_rivera.user, minor_trauma=True)
    assert screen.urgency == "urgent"
    assert {f["item"]: f["urgency"] for f in screen.flags} == {"minor_trauma": "urgent", "osteoporosis": "urgent"}


def test_a_minor_fall_with_long_term_steroids_from_the_exams_history_alerts(visit, dr_rivera, exam):
    _aged(visit.patient, visit, 40)
    Exam.objects.filter(pk=exam.pk).update(findings={"history": {"long_term_steroids": True}})
    exam.refresh_from_db()
    screen = services.red_flag_screen_record(patient=visit.patient, appointment=visit, exam=exam,
                                             actor=dr_rivera.user, answers={"minor_trauma": True})
    assert screen.urgency == "urgent"
    assert _record(visit, dr_rivera.user, minor_trauma=False).urgency == ""  # no fall: steroids are context


def test_context_is_listed_on_the_screen_without_an_alert(visit, dr_rivera):
    _aged(visit.patient, visit, 62)
    screen = _record(visit, dr_rivera.user)
    assert [(f["item"], f["urgency"]) for f in screen.flags] == [("age_50_plus", "context")]
    assert screen.urgency == ""


def test_a_screen_is_a_record_never_edited(visit, dr_rivera):
    screen = _record(visit, dr_rivera.user)
    screen.notes = "changed"
    with pytest.raises(PermissionError):
        screen.save()


# --- The pages -----------------------------------------------------------------------------------------------


def test_the_clinician_re_screens_on_the_visits_page_and_sees_it_listed(rivera_client, visit):
    page = rivera_client.get(f"/exams/appointment/{visit.pk}/red-flags/")
    assert page.status_code == 200 and "Re-screen red flags" in page.content.decode()
    response = rivera_client.post(f"/exams/appointment/{visit.pk}/red-flags/", _post(fever=True))
    assert response.status_code == 302
    screen = RedFlagScreen.objects.get()
    assert screen.urgency == "urgent" and screen.answers["fever"] is True and screen.appointment == visit
    listed = rivera_client.get(f"/exams/appointment/{visit.pk}/red-flags/").content.decode()
    assert "Urgent alert" in listed and "fever" in listed and "Sam Rivera" in listed


def test_a_screen_with_an_unanswered_item_comes_back_with_the_message_and_the_answers_kept(rivera_client, visit):
    data = _post(fever=True)
    del data["rf-major_trauma"]
    response = rivera_client.post(f"/exams/appointment/{visit.pk}/red-flags/", data)
    assert response.status_code == 400
    page = response.content.decode()
    assert "Answer each item Yes or No, or tick “None of these”." in page and "Yes or No?" in page
    assert '<input type="radio" name="rf-fever" value="yes" class="form-check-input" id="id_rf-fever_0" checked>' in page
    assert 'name="rf-major_trauma" value="yes" class="form-check-input" id="id_rf-major_trauma_0" aria-invalid="true"' in page
    assert not RedFlagScreen.objects.exists()


def test_the_re_screen_page_runs_a_fixed_number_of_queries(rivera_client, visit, dr_rivera,
                                                           django_assert_num_queries):
    rivera_client.get("/robots.txt")
    for count in (1, 5):
        while RedFlagScreen.objects.count() < count:
            _record(visit, dr_rivera.user, fever=True)
        # The visit with the viewer's access, the screens with their clinicians and alerts, the audit row.
        with django_assert_num_queries(3):
            rivera_client.get(f"/exams/appointment/{visit.pk}/red-flags/")


def test_the_front_desk_and_a_clinician_without_the_patient_cannot_re_screen(desk_client, visit, client, dr_chen):
    assert desk_client.get(f"/exams/appointment/{visit.pk}/red-flags/").status_code == 403
    assert desk_client.post(f"/exams/appointment/{visit.pk}/red-flags/", _post()).status_code == 403
    sign_in(client, dr_chen.user)
    assert client.post(f"/exams/appointment/{visit.pk}/red-flags/", _post()).status_code in (403, 404)
    assert not RedFlagScreen.objects.exists()


def test_the_draft_exam_carries_the_re_screen_and_returns_to_it(rivera_client, exam):
    page = rivera_client.get(f"/exams/{exam.pk}/").content.decode()
    assert 'id="red-flag-screen"' in page and 'name="rf-saddle_numbness"' in page
    response = rivera_client.post(f"/exams/appointment/{exam.appointment_id}/red-flags/",
                                  {**_post(), "next": f"/exams/{exam.pk}/#red-flag-screen"})
    assert response.status_code == 302 and response["Location"] == f"/exams/{exam.pk}/#red-flag-screen"
    assert RedFlagScreen.objects.get().exam == exam  # the visit's exam: its history feeds the fracture rule
    elsewhere = rivera_client.post(f"/exams/appointment/{exam.appointment_id}/red-flags/",
                                   {**_post(), "next": "https://evil.example/"})
    assert elsewhere["Location"] == f"/exams/appointment/{exam.appointment_id}/red-flags/"


def test_a_signed_exam_lists_the_screens_without_a_form_and_links_the_page(rivera_client, exam, dr_rivera):
    _record(exam.appointment, dr_rivera.user)
    sign(exam, dr_rivera)
    page = rivera_client.get(f"/exams/{exam.pk}/").content.decode()
    assert 'name="rf-saddle_numbness"' not in page
    assert "Earlier re-screens" in page and "Re-screen red flags for this visit" in page
