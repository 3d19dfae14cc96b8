"""The patient's video link opens 15 minutes before a telehealth visit and closes at its end; the clinician's
panel shows it at any time."""

import pytest
from django.utils import timezone

from notifications import content
from notifications.models import Notification
from scheduling import links, services
from tests.factories import PatientFactory, sign_in

from .conftest import local

pytestmark = pytest.mark.django_db


@pytest.fixture
def video_visit(dr_rivera, telehealth_consult, monday):
    return services.online_booking_create(
        visit_type=telehealth_consult, clinician=dr_rivera, start=local(monday, 10), modality="telehealth",
        first_name="Ana", last_name="Silva", date_of_birth="1987-05-14", email="ana@example.com",
        phone="+16175550187", reason="", accepts_cancellation_policy=True,
    )


def at(monkeypatch, instant):
    monkeypatch.setattr(timezone, "now", lambda: instant)


def video_page(client, visit):
    return client.get(links.video_path(visit)).content.decode()


def test_before_it_opens_the_patient_is_told_when_and_given_no_link(client, video_visit, monday, monkeypatch):
    at(monkeypatch, local(monday, 9, 44))
    for page in (video_page(client, video_visit), client.get(links.manage_path(video_visit)).content.decode()):
        assert "Your video visit opens at 9:45 AM EST (15 minutes before)." in page
        assert video_visit.video_token not in page and "Join the video visit</a>" not in page
    assert '<meta http-equiv="refresh" content="61">' in video_page(client, video_visit)  # reloads itself on time


def test_the_link_is_there_from_15_minutes_before_until_the_end(client, video_visit, monday, monkeypatch):
    for minute in (local(monday, 9, 45), local(monday, 10, 29)):
        at(monkeypatch, minute)
        page = video_page(client, video_visit)
        assert f'href="{video_visit.video_url}"' in page and "Join the video visit" in page
        assert video_visit.video_url in client.get(links.manage_path(video_visit)).content.decode()
    at(monkeypatch, local(monday, 10, 30))
    page = video_page(client, video_visit)
    assert "This video visit has ended." in page and video_visit.video_token not in page


def test_a_cancelled_video_visit_never_opens(client, video_visit, monday, monkeypatch):
    services.online_booking_cancel(appointment=video_visit, reason="better")
    at(monkeypatch, local(monday, 9, 50))
    page = video_page(client, video_visit)
    assert video_visit.video_token not in page and "opens at" not in page


def test_the_clinicians_panel_shows_the_link_at_any_time(client, video_visit, dr_rivera, monday):
    sign_in(client, dr_rivera.user)
    panel = client.get(f"/schedule/appointments/{video_visit.pk}/").content.decode()  # days before the visit
    assert video_visit.video_url in panel


def test_messages_and_the_calendar_file_lead_to_the_video_page_not_the_room(client, video_visit):
    row = Notification.objects.get(appointment=video_visit, kind=Notification.Kind.BOOKING_CONFIRMATION,
                                   channel="email")
    body = content.email_message(row, content.compose(row), "ana@example.com").body
    assert video_visit.video_token not in body
    assert f"Video visit: {links.video_url(video_visit)}" in body
    assert "Opens: 9:45 AM EST, 15 minutes before the visit" in body
    calendar = client.get(links.manage_path(video_visit) + "visit.ics").content.decode().replace("\r\n ", "")
    assert video_visit.video_token not in calendar and links.video_path(video_visit) in calendar


def test_an_in_office_visit_has_no_video_page(client, dr_rivera, follow_up, location, monday):
    visit = services.appointment_book(patient=PatientFactory(), clinician=dr_rivera, visit_type=follow_up,
                                      start=local(monday, 10), modality="in_office", location=location)
    response = client.get(links.video_path(visit))
    assert response.status_code == 302 and response["Location"] == links.manage_path(visit)


def test_the_video_page_runs_a_fixed_number_of_queries(client, video_visit, django_assert_max_num_queries):
    video_page(client, video_visit)
    with django_assert_max_num_queries(3):
        assert "Your video visit" in video_page(client, video_visit)
