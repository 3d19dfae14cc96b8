"""The patient's home after sign-in: their own upcoming visits with manage links, and their open forms."""

import re
from datetime import timedelta

import pytest
from django.utils import timezone

from intake import links as intake_links
from intake import services as intake_services
from intake.models import IntakeForm
from scheduling import links, services
from scheduling.models import Appointment, Modality
from tests.factories import PatientFactory, sign_in
from tests.scheduling.conftest import local

pytestmark = pytest.mark.django_db


def visits_linked(html):
    """The visits the page's manage links open (a signed link carries its time: compare what it opens)."""
    return {links.appointment_id_from_token(t) for t in re.findall(r'href="/book/manage/([^/"]+)/"', html)}


def forms_linked(html):
    return {intake_links.intake_id_from(t) for t in re.findall(r'href="/intake/([^/"]+)/"', html)}


@pytest.fixture
def me(patient_user):
    return PatientFactory(first_name="Maya", last_name="Okafor", user=patient_user)


def _book(patient, clinician, start, visit_type, *, modality=Modality.IN_OFFICE, where=None):
    return services.appointment_book(patient=patient, clinician=clinician, visit_type=visit_type, start=start,
                                     modality=modality, location=where)


def test_home_lists_own_upcoming_visits_with_manage_links_and_open_forms(
    client, patient_user, me, dr_rivera, dr_chen, follow_up, telehealth_consult, location, monday,
    django_assert_max_num_queries,
):
    in_office = _book(me, dr_rivera, local(monday, 9), follow_up, where=location)
    video = _book(me, dr_chen, local(monday, 14), telehealth_consult, modality=Modality.TELEHEALTH)
    cancelled = _book(me, dr_rivera, local(monday, 11), follow_up, where=location)
    Appointment.objects.filter(pk=cancelled.pk).update(status=Appointment.Status.CANCELLED)
    form = intake_services.intake_start(appointment=in_office)
    sign_in(client, patient_user)
    client.get("/")  # the first view after sign-in also writes the session and caches the clinic settings

    with django_assert_max_num_queries(5):  # session, user with roles, their patient record, visits, forms
        page = client.get("/")
    assert page.status_code == 200
    html = page.content.decode()
    assert "Upcoming visits" in html
    assert "9:00 AM" in html and "2:00 PM" in html and ("EST" in html or "EDT" in html)  # the clinic's zone
    assert dr_rivera.display_name in html and dr_chen.display_name in html
    assert location.name in html and "Video visit" in html
    assert visits_linked(html) == {in_office.pk, video.pk}  # not the cancelled one
    open_forms = set(IntakeForm.objects.filter(patient=me).values_list("pk", flat=True))  # one per visit needing it
    assert form.pk in open_forms and forms_linked(html) == open_forms and "Fill in the form" in html
    assert html.index("9:00 AM") < html.index("2:00 PM")  # soonest first


def test_another_patients_visits_and_forms_never_show(client, patient_user, me, dr_rivera, follow_up, location,
                                                      monday):
    other = PatientFactory(first_name="Lena", last_name="Novak")
    theirs = _book(other, dr_rivera, local(monday, 10), follow_up, where=location)
    their_form = intake_services.intake_start(appointment=theirs)
    mine = _book(me, dr_rivera, local(monday, 9), follow_up, where=location)
    html = sign_in(client, patient_user).get("/").content.decode()
    assert visits_linked(html) == {mine.pk}
    assert their_form.pk not in forms_linked(html)
    assert "10:00 AM" not in html


def test_past_visits_and_submitted_forms_leave_a_clear_empty_state(client, patient_user, me, dr_rivera, follow_up,
                                                                   location):
    past = _book(me, dr_rivera, local(timezone.localdate() + timedelta(days=3), 9), follow_up, where=location)
    Appointment.objects.filter(pk=past.pk).update(
        start_at=timezone.now() - timedelta(days=2, hours=1), end_at=timezone.now() - timedelta(days=2))
    html = sign_in(client, patient_user).get("/").content.decode()
    assert "You have no upcoming visits." in html and 'href="/book/"' in html
    assert visits_linked(html) == set() and "Forms to fill in" not in html


def test_a_patient_account_without_a_record_sees_the_empty_state(client, patient_user):
    page = sign_in(client, patient_user).get("/")
    assert page.status_code == 200
    assert "You have no upcoming visits." in page.content.decode()
    assert "not linked to a patient record" in page.content.decode()


def test_staff_still_land_on_the_calendar(client, front_desk):
    response = sign_in(client, front_desk).get("/")
    assert response.status_code == 302 and response["Location"] == "/schedule/"
