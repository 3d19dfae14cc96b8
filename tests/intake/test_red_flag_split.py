"""Which red flags alert on their own and which are context, alerting only in the stated combinations
(clinical reference, "Product decisions, second round": red flags). Values by hand from the reference:
age 50 or over counts (so 50 does, 49 does not); age over 70 means 71 and older (70 does not)."""

import datetime

import pytest
from django.core import mail
from django.utils import timezone

from intake import services
from intake.models import RedFlagAlert
from intake.rules import alerting, red_flags
from notifications.models import Notification
from tests.intake.intake_fixtures import red_flags_ticked, save_steps, valid_answers


def _levels(flags):
    return {f.item: f.urgency for f in flags}


# --- Context alone: listed, never an alert ---------------------------------------------------------------------

CONTEXT_ALONE = ["no_improvement_1_month", "pain_not_eased_by_rest", "diabetes", "recent_infection",
                 "long_term_steroids", "minor_trauma", "osteoporosis"]


@pytest.mark.parametrize("item", CONTEXT_ALONE)
def test_each_context_item_alone_is_listed_with_its_rule_and_raises_no_alert(item):
    [flag] = red_flags({item: True}, age=49)
    assert flag.urgency == "context"
    assert flag.rule.startswith("context alone, no alert; it alerts in combination: ")
    assert alerting([flag]) is None


def test_no_improvement_after_a_month_in_a_patient_of_49_raises_no_alert():
    # The clinic's usual new patient: chronic buttock pain, no better in the last month.
    flags = red_flags({"no_improvement_1_month": True}, age=49)
    assert _levels(flags) == {"no_improvement_1_month": "context"}
    assert "any two of age 50 or over, no improvement after a month and pain not eased by rest" in flags[0].rule


@pytest.mark.parametrize(("age", "listed"), [
    (49, {}),
    (50, {"age_50_plus": "context"}),
    (70, {"age_50_plus": "context"}),
    (71, {"age_50_plus": "context", "age_over_70": "context"}),
])
def test_age_alone_is_context_at_each_limit(age, listed):
    flags = red_flags({}, age=age)
    assert _levels(flags) == listed and alerting(flags) is None


# --- The combinations that alert ----------------------------------------------------------------------------


@pytest.mark.parametrize(("answers", "age", "alert"), [
    ({"no_improvement_1_month": True}, 50, "urgent"),  # age exactly 50 counts
    ({"no_improvement_1_month": True}, 49, None),
    ({"pain_not_eased_by_rest": True}, 50, "urgent"),
    ({"pain_not_eased_by_rest": True}, 49, None),
    ({"no_improvement_1_month": True, "pain_not_eased_by_rest": True}, 30, "urgent"),
    ({"no_improvement_1_month": True, "pain_not_eased_by_rest": True}, None, "urgent"),
])
def test_malignancy_pattern_alerts_on_any_two_of_its_three_context_items(answers, age, alert):
    flags = red_flags(answers, age=age)
    assert alerting(flags) == alert
    if alert:
        assert all(f.urgency == "urgent" and f.rule.startswith("urgent in combination: any two of age 50")
                   for f in flags)


def test_all_three_malignancy_context_items_alert_once_as_urgent():
    flags = red_flags({"no_improvement_1_month": True, "pain_not_eased_by_rest": True}, age=62)
    assert _levels(flags) == {"no_improvement_1_month": "urgent", "pain_not_eased_by_rest": "urgent",
                              "age_50_plus": "urgent"}


@pytest.mark.parametrize(("answers", "alert"), [
    ({"diabetes": True, "recent_infection": True}, "urgent"),
    ({"diabetes": True}, None),
    ({"recent_infection": True}, None),
])
def test_diabetes_alerts_only_with_a_recent_infection(answers, alert):
    assert alerting(red_flags(answers, age=40)) == alert


def test_diabetes_in_a_patient_over_70_is_still_context():
    flags = red_flags({"diabetes": True}, age=80)
    assert alerting(flags) is None
    assert _levels(flags) == {"diabetes": "context", "age_50_plus": "context", "age_over_70": "context"}


@pytest.mark.parametrize(("answers", "age", "alert"), [
    ({"minor_trauma": True}, 71, "urgent"),
    ({"minor_trauma": True}, 70, None),  # 70 is not over 70
    ({"minor_trauma": True, "osteoporosis": True}, 40, "urgent"),
    ({"minor_trauma": True, "long_term_steroids": True}, 40, "urgent"),
    ({"minor_trauma": True}, 40, None),
    ({"long_term_steroids": True, "osteoporosis": True}, 80, None),  # no fall or lift
])
def test_a_minor_fall_or_lift_alerts_with_age_over_70_osteoporosis_or_steroids(answers, age, alert):
    flags = red_flags(answers, age=age)
    assert alerting(flags) == alert
    if alert:
        assert "a minor fall or lift with age over 70, osteoporosis or long-term steroids" in flags[0].rule


def test_a_flag_in_one_combination_stays_context_for_another():
    # Age 72 with no improvement: the malignancy pattern fires; age over 70 has no fall to go with.
    flags = {f.item: f for f in red_flags({"no_improvement_1_month": True}, age=72)}
    assert flags["age_50_plus"].urgency == "urgent" and flags["no_improvement_1_month"].urgency == "urgent"
    assert flags["age_over_70"].urgency == "context"


# --- Alone --------------------------------------------------------------------------------------------------


@pytest.mark.parametrize("item", ["previous_cancer", "unexplained_weight_loss", "fever", "iv_drug_use",
                                  "immunosuppression", "major_trauma", "major_motor_weakness",
                                  "progressive_deficit", "multi_level_deficit", "bilateral_deficit"])
def test_items_that_alert_on_their_own_are_urgent_at_any_age(item):
    [flag] = red_flags({item: True}, age=30)
    assert flag.urgency == "urgent" and flag.rule == "alerts on its own"


@pytest.mark.parametrize("item", ["saddle_numbness", "urinary_retention", "bladder_change", "bowel_incontinence",
                                  "sexual_dysfunction", "worsening_leg_weakness", "reduced_anal_tone"])
def test_every_cauda_equina_sign_is_an_emergency_on_its_own(item):
    [flag] = red_flags({item: True})
    assert flag.urgency == "emergency"


def test_leg_symptoms_on_both_sides_alone_are_urgent_the_same_day_not_an_emergency():
    [flag] = red_flags({"bilateral_sciatica": True})
    assert (flag.urgency, flag.note) == ("urgent", "same day")
    assert alerting([flag]) == "urgent"


def test_leg_symptoms_on_both_sides_with_saddle_numbness_are_an_emergency():
    flags = red_flags({"bilateral_sciatica": True, "saddle_numbness": True})
    assert _levels(flags) == {"saddle_numbness": "emergency", "bilateral_sciatica": "emergency"}


# --- Through the intake form: the alert and the clinician's email ------------------------------------------------


def _submit_with(intake, *items, history=None):
    answers = valid_answers()
    answers["red_flags"] = red_flags_ticked(*items)
    if history:
        answers["history"] = {**answers["history"], **history}
    save_steps(intake, answers)
    return services.intake_submit(intake=intake)


def _aged_on_visit(intake, years, days_short=0):
    """Make the patient `years` old on the visit's day (`days_short` days short of that birthday)."""
    day = timezone.localtime(intake.appointment.start_at).date()
    try:
        birthday = day.replace(year=day.year - years)
    except ValueError:  # Feb 29
        birthday = day.replace(year=day.year - years, day=28)
    intake.patient.date_of_birth = birthday + datetime.timedelta(days=days_short)
    intake.patient.save(update_fields=["date_of_birth"])


def test_a_chronic_patient_of_49_with_no_improvement_gets_no_alert_and_no_email(
    client, intake, deliver_now, django_capture_on_commit_callbacks
):
    _aged_on_visit(intake, 50, days_short=1)  # 50 tomorrow: 49 on the visit's day
    with django_capture_on_commit_callbacks(execute=True):
        _submit_with(intake, "no_improvement_1_month")
    assert not RedFlagAlert.objects.exists()
    assert not Notification.objects.filter(kind=Notification.Kind.RED_FLAG).exists() and mail.outbox == []
    # The clinician still sees the flag listed, with the rule that withheld the alert.
    from tests.factories import sign_in

    sign_in(client, intake.appointment.clinician.user)
    page = client.get(f"/intake/forms/{intake.pk}/summary/").content.decode()
    assert "Red-flag screen: context only, no alert" in page
    assert "no improvement after 1 month" in page and "context alone, no alert" in page


def test_the_same_answer_on_the_day_the_patient_turns_50_alerts_and_emails_the_clinician(
    intake, deliver_now, django_capture_on_commit_callbacks
):
    _aged_on_visit(intake, 50)
    with django_capture_on_commit_callbacks(execute=True):
        _submit_with(intake, "no_improvement_1_month")
    alert = RedFlagAlert.objects.get()
    assert (alert.urgency, alert.source) == ("urgent", "intake")
    assert {f["item"]: f["urgency"] for f in alert.flags} == {"no_improvement_1_month": "urgent",
                                                              "age_50_plus": "urgent"}
    assert [m.to for m in mail.outbox] == [[intake.appointment.clinician.user.email]]
    assert "raised from the intake form of" in mail.outbox[0].body


def test_a_minor_fall_with_osteoporosis_in_the_history_alerts(intake, deliver_now, django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=True):
        _submit_with(intake, "minor_trauma", history={"health_conditions": ["osteoporosis"]})
    alert = RedFlagAlert.objects.get()
    assert alert.urgency == "urgent"
    assert {f["item"] for f in alert.flags} == {"minor_trauma", "osteoporosis"}


def test_leg_symptoms_on_both_sides_alone_ask_the_patient_to_expect_a_call_today_not_to_call_911(
    client, intake, token, deliver_now, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=True):
        _submit_with(intake, "bilateral_sciatica")
    assert RedFlagAlert.objects.get().urgency == "urgent"
    assert len(mail.outbox) == 1
    done = client.get(f"/intake/{token}/done/").content.decode()
    assert "need a look from your clinician today" in done and "call 911" not in done


def test_the_exam_lists_the_intakes_context_flags_with_the_rule_that_withheld_the_alert(rivera_client, exam):
    from tests.exams.exam_fixtures import submitted_intake

    submitted_intake(exam.patient, exam.appointment)  # its history: osteoporosis, no fall reported
    page = rivera_client.get(f"/exams/{exam.pk}/").content.decode()
    assert "Red-flag screen" in page and "osteoporosis" in page
    assert ("context alone, no alert; it alerts in combination: a minor fall or lift with age over 70, "
            "osteoporosis or long-term steroids [33,41]") in page
