"""A clinician's home is "my day": today's patients in time order with intake progress, open red flags and the
visit's exam, then every draft of theirs, then the calendar. Front desk and admins keep the calendar."""

from datetime import datetime, time, timedelta

import pytest
from django.utils import timezone

from clinic import roles
from exams import services as exam_services
from intake.models import IntakeForm, RedFlagAlert
from scheduling.models import Appointment
from tests.exams.exam_fixtures import make_visit, sign, submitted_intake
from tests.factories import PatientFactory, sign_in

pytestmark = pytest.mark.django_db


def at(hour, days=0):
    """An instant today (or `days` from today) at `hour` in the clinic's time zone."""
    day = timezone.localdate() + timedelta(days=days)
    return datetime.combine(day, time(hour), tzinfo=timezone.get_current_timezone())


@pytest.fixture
def rivera_day(dr_rivera, dr_chen, follow_up, visit_types, location):
    """Dr Rivera's day: 9:00 an initial evaluation with an intake half done, 11:00 a follow-up with a submitted
    intake, an open red flag and a draft exam; 14:00 cancelled. Dr Chen's visit and yesterday's are not on it."""
    initial = visit_types["Initial evaluation"]
    ana, ben, cat, dan = (PatientFactory(first_name=n, last_name="Day") for n in ("Ana", "Ben", "Cat", "Dan"))
    nine = make_visit(ana, dr_rivera, visit_type=initial, location=location, start=at(9), status="booked")
    IntakeForm.objects.create(patient=ana, appointment=nine, status=IntakeForm.Status.IN_PROGRESS,
                              answers={"contact": {}, "history": {}, "complaint": {}})
    eleven = make_visit(ben, dr_rivera, visit_type=follow_up, location=location, start=at(11), status="checked_in")
    intake = submitted_intake(ben, eleven)
    RedFlagAlert.objects.create(patient=ben, intake=intake, urgency="emergency", flags=[{"label": "Saddle numbness"}])
    draft, _created = exam_services.exam_start(appointment=eleven, clinician=dr_rivera)
    make_visit(cat, dr_rivera, visit_type=follow_up, location=location, start=at(14), status="cancelled")
    make_visit(dan, dr_chen, visit_type=follow_up, location=location, start=at(10), status="booked")
    yesterday = make_visit(dan, dr_rivera, visit_type=follow_up, location=location, start=at(10, days=-1))
    old_draft, _created = exam_services.exam_start(appointment=yesterday, clinician=dr_rivera)
    return {"nine": nine, "eleven": eleven, "draft": draft, "old_draft": old_draft}


def test_a_clinician_lands_on_my_day_and_front_desk_and_admins_keep_the_calendar(client, dr_rivera, front_desk,
                                                                                 make_user):
    assert sign_in(client, dr_rivera.user).get("/")["Location"] == "/my-day/"
    client.logout()
    assert sign_in(client, front_desk).get("/")["Location"] == "/schedule/"
    client.logout()
    admin = make_user(roles.ADMIN, email="admin.home@stride.test")
    assert sign_in(client, admin).get("/")["Location"] == "/schedule/"


def test_my_day_lists_todays_patients_in_time_order_with_intake_red_flags_and_exams(rivera_client, rivera_day):
    response = rivera_client.get("/my-day/")
    assert response.status_code == 200
    html = response.content.decode()
    table = html[html.index('id="today-h"'):html.index('id="drafts-h"')]
    assert table.index("Ana Day") < table.index("Ben Day")  # time order
    assert "Cat Day" not in table and "Dan Day" not in table  # cancelled; another clinician's; yesterday's
    ana_row = table[table.index("Ana Day"):table.index("Ben Day")]
    assert "In progress: 3 of 7" in ana_row and "Start exam" in ana_row
    assert f'/exams/appointment/{rivera_day["nine"].pk}/' in ana_row
    ben_row = table[table.index("Ben Day"):]
    assert "Submitted" in ben_row and "Emergency" in ben_row
    assert f'/exams/{rivera_day["draft"].pk}/' in ben_row and "Draft: continue" in ben_row
    assert "Open red flags today" in html
    drafts = html[html.index('id="drafts-h"'):]
    assert f'/exams/{rivera_day["old_draft"].pk}/' in drafts and f'/exams/{rivera_day["draft"].pk}/' in drafts
    assert "/schedule/?date=" in html  # then the calendar


def test_signed_exams_and_other_clinicians_drafts_are_not_waiting(rivera_client, rivera_day, dr_rivera, dr_chen,
                                                                  follow_up, location):
    sign(rivera_day["old_draft"], dr_rivera)
    chens = make_visit(PatientFactory(first_name="Eve", last_name="Day"), dr_chen, visit_type=follow_up,
                       location=location, start=at(12, days=-2))
    chens_draft, _created = exam_services.exam_start(appointment=chens, clinician=dr_chen)
    drafts = rivera_client.get("/my-day/").content.decode().split('id="drafts-h"')[1]
    assert f'/exams/{rivera_day["draft"].pk}/' in drafts
    assert f'/exams/{rivera_day["old_draft"].pk}/' not in drafts and f"/exams/{chens_draft.pk}/" not in drafts


def test_a_clinicians_empty_day_says_what_to_do_next(client, dr_chen):
    html = sign_in(client, dr_chen.user).get("/my-day/").content.decode()
    assert "No patients booked with you today." in html and "Nothing waiting: every exam of yours is signed." in html


def test_the_front_desk_has_no_my_day(client, front_desk):
    assert sign_in(client, front_desk).get("/my-day/").status_code == 403


# The clinician's profile, today's visits, their intakes, the patients' open red flags, the visits' exams, the
# clinician's drafts (the session and user come from the cache once warm).
MY_DAY_QUERIES = 6


@pytest.mark.parametrize("extra", [0, 5])
def test_my_day_runs_a_fixed_number_of_queries(rivera_client, rivera_day, dr_rivera, follow_up, location,
                                               django_assert_num_queries, extra):
    for n in range(extra):
        patient = PatientFactory(first_name=f"Extra{n}", last_name="Day")
        visit = make_visit(patient, dr_rivera, visit_type=follow_up, location=location, start=at(15 + n),
                           status=Appointment.Status.BOOKED)
        submitted_intake(patient, visit)
        RedFlagAlert.objects.create(patient=patient, urgency="urgent", flags=[])
        exam_services.exam_start(appointment=visit, clinician=dr_rivera)
    rivera_client.get("/robots.txt")
    with django_assert_num_queries(MY_DAY_QUERIES):
        html = rivera_client.get("/my-day/").content.decode()
    assert html.count("Draft: continue") == 1 + extra
