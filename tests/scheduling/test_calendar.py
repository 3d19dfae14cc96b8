"""The front desk's calendar: views, booking from a free time, moving, status changes, requests, feeds."""

import re
from datetime import timedelta

import pytest
from django.utils import timezone

from notifications import content
from notifications.models import Notification
from scheduling import services
from scheduling.models import Appointment, ClinicSettings, Modality, WaitlistEntry
from tests.factories import PatientFactory, has_started, sign_in

from .conftest import assert_calendar_lines, local

Status = Appointment.Status
HX = {"HTTP_HX_REQUEST": "true"}


def book(patient, clinician, visit, start, **kw):
    kw.setdefault("modality", Modality.IN_OFFICE)
    if kw["modality"] == Modality.IN_OFFICE:
        kw.setdefault("location", clinician.locations.first())
    return services.appointment_book(patient=patient, clinician=clinician, visit_type=visit, start=start, **kw)


def text(response):
    return re.sub(r"\s+", " ", response.content.decode())


@pytest.fixture
def clinician_client(client, dr_rivera):
    sign_in(client, dr_rivera.user)
    return client


# The calendar pages


def test_front_desk_lands_on_the_calendar_and_clinicians_on_their_day(desk_client, client, dr_rivera):
    assert desk_client.get("/").url == "/schedule/"
    sign_in(client, dr_rivera.user)
    assert client.get("/").url == "/my-day/"  # with the calendar one link away
    assert b'href="/schedule/">Calendar</a>' in desk_client.get("/schedule/").content


def test_day_view_has_a_column_per_clinician_and_shows_each_visit_with_its_status(
    desk_client, dr_rivera, dr_chen, visit_types, follow_up, monday
):
    evaluation = visit_types["Initial evaluation"]
    book(PatientFactory(first_name="Maya", last_name="Okafor"), dr_rivera, evaluation, local(monday, 9, 30))
    checked = book(PatientFactory(first_name="Liam", last_name="Park"), dr_chen, follow_up, local(monday, 11))
    services.appointment_set_status(appointment=checked, status=Status.CHECKED_IN)

    response = desk_client.get("/schedule/", {"date": monday.isoformat()})
    page = text(response)
    assert response.status_code == 200
    assert [c.label for c in response.context["grid"].columns] == ["Jordan Chen", "Sam Rivera"]  # by last name
    assert "9:30 AM</span> <span class=\"n\">Maya Okafor</span>" in page
    assert "Intake not started" in page  # initial evaluations need the intake form
    assert 'badge st st-checked_in">Checked in<' in page
    assert "--vt: #2a9d8f" in page  # coloured by visit type
    # Rows run in 15-minute steps over the working day (9-17), drawn as one block per clinician; a click on
    # Sam's column books with Sam, and the free time around Maya's visit is listed as links to book.
    grid = response.context["grid"]
    assert grid.first_minute == 9 * 60 and grid.last_minute == 17 * 60 and len(grid.rows) == 32
    assert page.count('class="cal-work"') == 2
    assert f'data-who="clinician={dr_rivera.pk}" data-where="with Sam Rivera"' in page
    assert 'aria-label="Book with Sam Rivera at 9:00 AM, free until 9:30 AM"' in page
    assert 'aria-label="Book with Sam Rivera at 10:30 AM, free until 5:00 PM"' in page  # 9:30-10:30 is Maya's
    assert 'aria-label="Book with Jordan Chen at 9:00 AM, free until 11:00 AM"' in page


def test_room_view_has_a_column_per_room(desk_client, dr_rivera, follow_up, telehealth_consult, monday, location):
    room = location.rooms.get(name="Treatment 2")
    book(PatientFactory(), dr_rivera, follow_up, local(monday, 10), room=room)
    book(PatientFactory(), dr_rivera, telehealth_consult, local(monday, 14), modality=Modality.TELEHEALTH)
    response = desk_client.get("/schedule/", {"date": monday.isoformat(), "by": "room"})
    grid = response.context["grid"]
    assert [c.label for c in grid.columns] == ["Treatment 1", "Treatment 2", "No room"]
    columns = {c.index: c.label for c in grid.columns}
    assert sorted(columns[i.col] for i in grid.items) == ["No room", "Treatment 2"]
    page = text(response)
    assert 'aria-label="Book in Treatment 1 at 9:00 AM, free until 5:00 PM"' in page
    assert f'data-who="location={location.pk}&amp;room={room.pk}"' in page
    assert 'class="cal-work"' not in page  # rooms have no working hours of their own


def test_week_view_shows_seven_days_for_one_clinician_or_everyone_compact(
    desk_client, dr_rivera, dr_chen, follow_up, monday
):
    book(PatientFactory(last_name="Okafor"), dr_rivera, follow_up, local(monday + timedelta(days=2), 10))
    book(PatientFactory(last_name="Park"), dr_chen, follow_up, local(monday + timedelta(days=2), 10))
    one = desk_client.get("/schedule/", {"date": monday.isoformat(), "view": "week", "clinician": dr_rivera.pk})
    grid = one.context["grid"]
    assert len(grid.columns) == 7 and grid.columns[0].day == monday
    assert len(grid.items) == 1
    tuesday = monday + timedelta(days=1)
    assert f'aria-label="Book {tuesday:%a, %b} {tuesday.day} at 9:00 AM, free until 5:00 PM"' in text(one)
    assert grid.columns[1].work and not grid.columns[5].work and not grid.columns[5].free  # Saturday: nobody works

    everyone = desk_client.get("/schedule/", {"date": (monday + timedelta(days=3)).isoformat(), "view": "week"})
    grid = everyone.context["grid"]
    assert grid.columns[0].day == monday and len(grid.items) == 2
    assert {(i.lane, i.lanes) for i in grid.items} == {(0, 2), (1, 2)}  # a lane per clinician
    assert all(not c.work and not c.free for c in grid.columns)
    assert "data-book=" not in text(everyone) and "Free times" not in text(everyone)  # booked day by day instead


def test_cancelled_visits_are_hidden_unless_asked_for(desk_client, dr_rivera, follow_up, monday):
    gone = book(PatientFactory(first_name="Gone"), dr_rivera, follow_up, local(monday, 10))
    services.appointment_cancel(appointment=gone, reason="Ill")
    assert "Gone" not in text(desk_client.get("/schedule/", {"date": monday.isoformat()}))
    shown = text(desk_client.get("/schedule/", {"date": monday.isoformat(), "cancelled": "1"}))
    assert 'cal-appt st-cancelled' in shown and "Gone" in shown


def test_an_htmx_refresh_returns_only_the_calendar_body(desk_client, dr_rivera, monday):
    response = desk_client.get("/schedule/", {"date": monday.isoformat(), "partial": "1"}, **HX)
    assert response.content.lstrip().startswith(b'<div id="calendar-body"')
    assert b"<nav" not in response.content


# Session, and the user with roles and permissions take 2 queries; the calendar itself 6 to 8, however full.
@pytest.mark.parametrize("size", [2, 24])
@pytest.mark.parametrize(
    "params,most",
    [({}, 9), ({"by": "room"}, 10), ({"view": "week"}, 9), ({"view": "week", "clinician": "me"}, 10),
     ({"partial": "1"}, 8)],
    ids=["day", "rooms", "week-everyone", "week-one", "day-refresh"],
)
def test_calendar_pages_run_a_fixed_number_of_queries(
    desk_client, dr_rivera, dr_chen, follow_up, telehealth_consult, monday, size, params, most,
    django_assert_max_num_queries,
):
    for n in range(size):
        clinician = (dr_rivera, dr_chen)[n % 2]
        day = monday + timedelta(days=(n // 2) % 5)
        start = local(day, 9) + timedelta(minutes=45 * (n // 10))
        if n % 3 == 0:
            appt = book(PatientFactory(), clinician, telehealth_consult, start, modality=Modality.TELEHEALTH)
        else:
            appt = book(PatientFactory(), clinician, follow_up, start, source=Appointment.Source.ONLINE)
        if n % 4 == 0:
            services.appointment_set_status(appointment=appt, status=Status.CHECKED_IN)
    rules = ClinicSettings.load()
    rules.auto_confirm_online_bookings = False
    rules.save()  # save() also clears the cached settings
    book(PatientFactory(), dr_rivera, follow_up, local(monday, 16), source=Appointment.Source.ONLINE)  # a request
    query = {"date": monday.isoformat(), "cancelled": "1", **params}
    if query.get("clinician") == "me":
        query["clinician"] = dr_rivera.pk
    desk_client.get("/schedule/", query)  # the process's first page reads content types and such once
    with django_assert_max_num_queries(most):
        response = desk_client.get("/schedule/", query, **(HX if "partial" in params else {}))
    assert response.status_code == 200
    days = 7 if "view" in params else 1
    shown = Appointment.objects.filter(start_at__gte=local(monday, 0), start_at__lt=local(monday + timedelta(days=days), 0))
    if "clinician" in query:
        shown = shown.filter(clinician=dr_rivera)
    assert len(response.context["grid"].items) == shown.count()
    assert len(response.context["requests"]) == 1


def test_the_calendar_works_across_a_daylight_saving_change(desk_client, dr_rivera, follow_up):
    from datetime import date

    march = date(timezone.localdate().year + 1, 3, 1)  # within the staff horizon
    sunday = march + timedelta(days=(6 - march.weekday()) % 7 + 7)  # the second: clocks go forward at 2 AM
    for day in (sunday - timedelta(days=2), sunday):
        services.appointment_book(
            patient=PatientFactory(), clinician=dr_rivera, visit_type=follow_up, start=local(day, 9),
            modality=Modality.TELEHEALTH,
        )
    response = desk_client.get("/schedule/", {"date": sunday.isoformat(), "view": "week", "clinician": dr_rivera.pk})
    grid = response.context["grid"]
    assert len(grid.items) == 2
    assert {i.row for i in grid.items} == {grid.row_for(9 * 60)}  # 9 AM local on both sides of the change
    assert {i.span for i in grid.items} == {3}


# The appointment panel and its actions


def test_panel_shows_details_and_the_actions_the_status_allows(desk_client, dr_rivera, follow_up, monday, patient):
    a = book(patient, dr_rivera, follow_up, local(monday, 10), reason="Sciatica flare")
    response = desk_client.get(f"/schedule/appointments/{a.pk}/", **HX)
    page = text(response)
    assert response.status_code == 200 and 'id="panel-title"' in page and "<nav" not in page
    assert "Sciatica flare" in page and "Sam Rivera, PT, DPT" in page
    for label in ("Confirm", "Check in", "Move", "Cancel appointment"):
        assert f">{label}</button>" in page
    assert ">Complete</button>" not in page  # only after check-in
    assert ">No-show</button>" not in page  # only once the visit has started
    full = desk_client.get(f"/schedule/appointments/{a.pk}/")
    assert b"<nav" in full.content and b"Check in</button>" in full.content  # works without JavaScript too


def test_check_in_then_complete_and_undo_no_show(desk_client, dr_rivera, follow_up, monday, patient):
    a = book(patient, dr_rivera, follow_up, local(monday, 10))
    response = desk_client.post(f"/schedule/appointments/{a.pk}/status/", {"status": "checked_in"}, **HX)
    assert response["HX-Trigger"] == "calendar-changed"
    assert "Checked in." in text(response) and 'badge st st-checked_in">Checked in<' in text(response)
    assert ">Complete</button>" in text(response) and ">Undo check-in</button>" in text(response)
    desk_client.post(f"/schedule/appointments/{a.pk}/status/", {"status": "completed"}, **HX)
    a.refresh_from_db()
    assert a.status == Status.COMPLETED

    b = book(PatientFactory(), dr_rivera, follow_up, local(monday, 14))
    panel = text(desk_client.get(f"/schedule/appointments/{b.pk}/"))
    assert ">No-show</button>" not in panel  # not offered before the visit starts
    b = has_started(b)
    panel = text(desk_client.get(f"/schedule/appointments/{b.pk}/"))
    assert ">No-show</button>" in panel and "as a no-show for this visit?" in panel  # asked once to confirm
    response = desk_client.post(f"/schedule/appointments/{b.pk}/status/", {"status": "no_show"})
    assert response.status_code == 302 and response.url == f"/schedule/appointments/{b.pk}/"
    desk_client.post(f"/schedule/appointments/{b.pk}/status/", {"status": "booked"})
    b.refresh_from_db()
    assert b.status == Status.BOOKED


def test_a_status_the_workflow_forbids_is_refused_with_the_reason(desk_client, dr_rivera, follow_up, monday, patient):
    a = book(patient, dr_rivera, follow_up, local(monday, 10))
    response = desk_client.post(f"/schedule/appointments/{a.pk}/status/", {"status": "completed"}, **HX)
    assert "A booked appointment cannot become completed." in text(response)
    a.refresh_from_db()
    assert a.status == Status.BOOKED


def test_move_to_another_time_and_clinician(desk_client, dr_rivera, dr_chen, follow_up, monday, patient):
    a = book(patient, dr_rivera, follow_up, local(monday, 10), source=Appointment.Source.ONLINE)
    response = desk_client.post(
        f"/schedule/appointments/{a.pk}/move/",
        {"date": monday.isoformat(), "time": "14:15", "clinician": dr_chen.pk}, **HX,
    )
    assert response["HX-Trigger"] == "calendar-changed"
    assert "Moved to" in text(response) and "2:15 PM with Jordan Chen" in text(response)
    a.refresh_from_db()
    assert (a.start_at, a.clinician) == (local(monday, 14, 15), dr_chen)


def test_moving_onto_a_taken_time_is_refused_with_a_clear_message_and_next_free_times(
    desk_client, dr_rivera, follow_up, monday
):
    taken = book(PatientFactory(), dr_rivera, follow_up, local(monday, 11))
    a = book(PatientFactory(), dr_rivera, follow_up, local(monday, 9))
    response = desk_client.post(
        f"/schedule/appointments/{a.pk}/move/", {"date": monday.isoformat(), "time": "11:15", "clinician": dr_rivera.pk}
    )
    page = text(response)
    assert response.status_code == 409
    assert "That time is already booked: choose another." in page and 'role="alert"' in page
    assert re.search(r'name="slot" value="\d+\|' + monday.isoformat() + r'T11:45">', page)  # after the 11:00 visit
    a.refresh_from_db()
    assert a.start_at == local(monday, 9) and taken.start_at == local(monday, 11)

    # One click on a suggested time moves it there.
    slot = re.search(r'name="slot" value="([^"]+)"', page).group(1)
    done = desk_client.post(f"/schedule/appointments/{a.pk}/move/", {"slot": slot}, **HX)
    assert "Moved to" in text(done)
    a.refresh_from_db()
    assert a.start_at != local(monday, 9)


def test_checked_in_visits_cannot_be_moved(desk_client, dr_rivera, follow_up, monday, patient):
    a = book(patient, dr_rivera, follow_up, local(monday, 10))
    services.appointment_set_status(appointment=a, status=Status.CHECKED_IN)
    assert ">Move</button>" not in text(desk_client.get(f"/schedule/appointments/{a.pk}/", **HX))
    response = desk_client.post(
        f"/schedule/appointments/{a.pk}/move/", {"date": monday.isoformat(), "time": "14:00", "clinician": dr_rivera.pk}, **HX
    )
    assert "A checked in appointment cannot be moved." in text(response)


def test_cancel_asks_for_a_reason_then_lists_the_waitlist_for_that_time(
    desk_client, dr_rivera, dr_chen, follow_up, monday, patient
):
    a = book(patient, dr_rivera, follow_up, local(monday, 10))
    waiting = PatientFactory(first_name="Wren", last_name="Ito")
    services.waitlist_add(patient=waiting, visit_type=follow_up, earliest_date=monday, latest_date=monday)
    services.waitlist_add(patient=PatientFactory(first_name="Other"), visit_type=follow_up, clinician=dr_chen,
                          earliest_date=monday, latest_date=monday)

    response = desk_client.post(f"/schedule/appointments/{a.pk}/cancel/", {"reason": ""}, **HX)
    assert "Choose why the visit is cancelled" in text(response)
    a.refresh_from_db()
    assert a.status == Status.BOOKED

    response = desk_client.post(f"/schedule/appointments/{a.pk}/cancel/",
                                {"reason": "other", "details": "Patient is ill", "notify_patient": "on"}, **HX)
    page = text(response)
    assert "Cancelled. The time is free again." in page and "Wren Ito" in page and "Other" not in page
    entry = WaitlistEntry.objects.get(patient=waiting)
    assert f"waitlist={entry.pk}" in page and "Book Wren here" in page
    a.refresh_from_db()
    assert (a.status, a.cancellation_reason) == (Status.CANCELLED, "Patient is ill")


def test_the_video_link_is_shown_only_to_that_visits_clinician(
    desk_client, client, dr_rivera, dr_chen, telehealth_consult, monday, patient
):
    a = book(patient, dr_rivera, telehealth_consult, local(monday, 10), modality=Modality.TELEHEALTH)
    url = f"/schedule/appointments/{a.pk}/"
    assert a.video_token not in desk_client.get(url).content.decode()
    assert a.video_token not in desk_client.get("/schedule/", {"date": monday.isoformat()}).content.decode()
    sign_in(client, dr_chen.user)
    assert a.video_token not in client.get(url).content.decode()
    sign_in(client, dr_rivera.user)
    assert a.video_url in client.get(url).content.decode()


# Online requests


@pytest.fixture
def request_appt(dr_rivera, follow_up, monday, clinic_settings):
    clinic_settings.auto_confirm_online_bookings = False
    clinic_settings.save()
    patient = PatientFactory(first_name="Maya", last_name="Okafor", email="maya@example.com")
    return book(patient, dr_rivera, follow_up, local(monday, 10), source=Appointment.Source.ONLINE)


def _told(appointment, kind):
    """The patient's outbox message of this kind about the visit, with what it says."""
    message = Notification.objects.get(appointment=appointment, kind=kind, channel=Notification.Channel.EMAIL)
    return message, content.compose(message)


def test_pending_requests_are_listed_and_accepting_one_emails_the_patient(desk_client, request_appt, monday):
    assert request_appt.status == Status.REQUESTED
    calendar = text(desk_client.get("/schedule/", {"date": monday.isoformat()}))
    assert "Online requests waiting for a decision (1)" in calendar and "Accept the request of Maya Okafor" in calendar

    response = desk_client.post(f"/schedule/appointments/{request_appt.pk}/decide/", {"decision": "accept"}, **HX)
    assert "Request accepted. We are emailing Maya." in text(response)
    request_appt.refresh_from_db()
    assert request_appt.status == Status.BOOKED
    message, says = _told(request_appt, Notification.Kind.REQUEST_ACCEPTED)
    assert message.status == Notification.Status.QUEUED and message.patient.email == "maya@example.com"
    assert "booked" in says.subject
    assert "Follow-up with Sam Rivera, PT, DPT" in says.lines[0] and "Back Bay" in str(says.facts)
    assert not Notification.objects.filter(appointment=request_appt, kind=Notification.Kind.REQUEST_DECLINED).exists()
    assert "Online requests waiting" not in text(desk_client.get("/schedule/", {"date": monday.isoformat()}))


def test_declining_a_request_needs_a_reason_and_tells_the_patient_why(desk_client, request_appt):
    url = f"/schedule/appointments/{request_appt.pk}/decide/"
    assert "Say why" in text(desk_client.post(url, {"decision": "decline", "reason": " "}, **HX))
    assert not Notification.objects.filter(appointment=request_appt, kind=Notification.Kind.REQUEST_DECLINED).exists()
    desk_client.post(url, {"decision": "decline", "reason": "Dr Rivera is away that week"}, **HX)
    request_appt.refresh_from_db()
    assert request_appt.status == Status.CANCELLED
    message, says = _told(request_appt, Notification.Kind.REQUEST_DECLINED)
    assert message.status == Notification.Status.QUEUED and message.patient.email == "maya@example.com"
    assert "could not accept your request" in says.lines[0]
    assert "Reason: Dr Rivera is away that week" in says.lines
    assert not Notification.objects.filter(appointment=request_appt, kind=Notification.Kind.REQUEST_ACCEPTED).exists()
    assert "already decided" in text(desk_client.post(url, {"decision": "accept"}, **HX))


def test_a_request_is_not_booked_by_the_plain_status_button(desk_client, request_appt):
    response = desk_client.post(f"/schedule/appointments/{request_appt.pk}/status/", {"status": "booked"}, **HX)
    assert "Accept or decline the request" in text(response)


# Booking from a free time


def test_a_free_cell_opens_the_booking_panel_prefilled(desk_client, dr_rivera, location, monday):
    response = desk_client.get("/schedule/book/", {"clinician": dr_rivera.pk, "start": f"{monday}T10:30"}, **HX)
    form = response.context["form"]
    assert form.initial["clinician"] == str(dr_rivera.pk) and form.initial["time"] == "10:30"
    assert form.initial["location"] == location.pk  # the clinician's only location
    assert 'value="10:30"' in text(response)


def test_search_in_the_booking_panel_lists_matching_patients(desk_client, dr_rivera, monday):
    PatientFactory(first_name="Maya", last_name="Okafor")
    PatientFactory(first_name="Liam", last_name="Chen")
    response = desk_client.get("/schedule/patients/", {"q": "okaf"}, **HX)
    assert "Okafor, Maya" in text(response) and "Chen" not in text(response)


def test_booking_a_free_time_for_a_patient(desk_client, dr_rivera, follow_up, location, monday, patient, front_desk):
    data = {
        "action": "book", "patient": patient.pk, "visit_type": follow_up.pk, "modality": "in_office",
        "location": location.pk, "clinician": dr_rivera.pk, "date": monday.isoformat(), "time": "10:30",
        "reason": "Piriformis pain",
    }
    response = desk_client.post("/schedule/book/", data, **HX)
    assert response["HX-Trigger"] == "calendar-changed"
    a = Appointment.objects.get()
    assert "Booked Maya Okafor for" in text(response) and "10:30 AM" in text(response)
    assert (a.start_at, a.patient, a.created_by, a.source) == (local(monday, 10, 30), patient, front_desk, "front_desk")

    again = desk_client.post("/schedule/book/", {**data, "patient": PatientFactory().pk, "time": "10:45"}, **HX)
    assert "That time is already booked" in text(again) and 'name="slot"' in text(again)
    assert Appointment.objects.count() == 1


def test_booking_needs_a_patient(desk_client, dr_rivera, follow_up, location, monday):
    response = desk_client.post("/schedule/book/", {
        "action": "book", "visit_type": follow_up.pk, "modality": "in_office", "location": location.pk,
        "clinician": dr_rivera.pk, "date": monday.isoformat(), "time": "10:30",
    }, **HX)
    assert "Choose a patient, or add a new one." in text(response)


def test_booking_a_new_patient_creates_them_and_warns_about_possible_duplicates(
    desk_client, dr_rivera, follow_up, location, monday
):
    PatientFactory(first_name="Lena", last_name="Kowalski", date_of_birth="1988-04-12")
    data = {
        "action": "book", "visit_type": follow_up.pk, "modality": "in_office", "location": location.pk,
        "clinician": dr_rivera.pk, "date": monday.isoformat(), "time": "11:00",
        "new-first_name": "Lena", "new-last_name": "Kowalski", "new-date_of_birth": "1988-04-12",
        "new-mobile_phone": "(617) 555-0142",
    }
    warned = text(desk_client.post("/schedule/book/", data, **HX))
    assert "This may be a patient we already have" in warned and Appointment.objects.count() == 0

    desk_client.post("/schedule/book/", {**data, "new-confirm_not_duplicate": "on"}, **HX)
    a = Appointment.objects.get()
    assert a.patient.mobile_phone == "+16175550142" and a.patient.preferred_channel == "sms"


def test_booking_a_waitlisted_patient_takes_them_off_the_list(desk_client, dr_rivera, follow_up, location, monday):
    waiting = PatientFactory()
    entry = services.waitlist_add(patient=waiting, visit_type=follow_up, earliest_date=monday, latest_date=monday)
    desk_client.post("/schedule/book/", {
        "action": "book", "patient": waiting.pk, "visit_type": follow_up.pk, "modality": "in_office",
        "location": location.pk, "clinician": dr_rivera.pk, "date": monday.isoformat(), "time": "10:00",
        "waitlist": entry.pk,
    }, **HX)
    entry.refresh_from_db()
    assert entry.status == WaitlistEntry.Status.BOOKED


# Series and waitlist pages


def test_a_series_shows_conflicts_before_booking_the_free_ones(desk_client, dr_rivera, follow_up, location, monday, patient):
    book(PatientFactory(), dr_rivera, follow_up, local(monday + timedelta(days=7), 10))  # week 2, Monday
    data = {
        "patient": patient.pk, "visit_type": follow_up.pk, "modality": "in_office", "location": location.pk,
        "clinician": dr_rivera.pk, "date": monday.isoformat(), "time": "10:00", "weekdays": ["0", "3"], "weeks": "3",
    }
    checked = desk_client.post("/schedule/series/", {**data, "action": "check"})
    occurrences = checked.context["occurrences"]
    assert len(occurrences) == 6 and [o.start for o in occurrences if o.conflict] == [local(monday + timedelta(days=7), 10)]
    assert "Book the 5 free ones" in text(checked) and Appointment.objects.count() == 1

    booked = desk_client.post("/schedule/series/", {**data, "action": "book"})
    assert "Booked 5 visits." in text(booked)
    assert Appointment.objects.filter(patient=patient, series__isnull=False).count() == 5


def test_waitlist_add_list_and_remove(desk_client, dr_rivera, follow_up, monday, patient):
    response = desk_client.post("/schedule/waitlist/", {
        "patient": patient.pk, "visit_type": follow_up.pk, "clinician": "", "earliest_date": monday.isoformat(),
        "latest_date": (monday + timedelta(days=14)).isoformat(), "notes": "Mornings only",
    })
    assert response.status_code == 302
    entry = WaitlistEntry.objects.get()
    assert entry.clinician is None and entry.notes == "Mornings only"
    page = text(desk_client.get("/schedule/waitlist/"))
    assert "Okafor, Maya" in page and "Mornings only" in page
    desk_client.post(f"/schedule/waitlist/{entry.pk}/remove/")
    entry.refresh_from_db()
    assert entry.status == WaitlistEntry.Status.REMOVED
    assert "No one is waiting." in text(desk_client.get("/schedule/waitlist/"))


def test_waitlist_dates_must_be_in_order(desk_client, follow_up, monday, patient):
    response = desk_client.post("/schedule/waitlist/", {
        "patient": patient.pk, "visit_type": follow_up.pk, "earliest_date": monday.isoformat(),
        "latest_date": (monday - timedelta(days=1)).isoformat(),
    })
    assert "The last date must be on or after the first." in text(response)


# The patient chart


def test_the_chart_lists_upcoming_and_past_visits_with_status_and_missing_intake(
    desk_client, dr_rivera, visit_types, follow_up, monday, patient
):
    book(patient, dr_rivera, visit_types["Initial evaluation"], local(monday, 10))
    past = book(patient, dr_rivera, follow_up, local(monday, 12))
    Appointment.objects.filter(pk=past.pk).update(
        start_at=past.start_at - timedelta(days=30), end_at=past.end_at - timedelta(days=30), status=Status.COMPLETED
    )
    page = text(desk_client.get(f"/patients/{patient.mrn}/"))
    section = page[page.index('id="appt-h"'):page.index('id="intake-h"')]
    assert "Upcoming" in section and "Initial evaluation" in section and "Intake not started" in section
    assert "Past" in section and 'st-completed">Completed<' in section
    assert f'href="/schedule/book/?patient={patient.pk}"' in section


# Calendar feeds


def test_a_clinicians_feed_shows_initials_and_visit_type_only(client, dr_rivera, follow_up, monday, patient):
    book(patient, dr_rivera, follow_up, local(monday, 10), reason="Sciatica")
    response = client.get(f"/schedule/feeds/{dr_rivera.calendar_token}.ics")
    body = response.content.decode()
    assert response.status_code == 200 and response["Content-Type"].startswith("text/calendar")
    assert "SUMMARY:MO · Follow-up" in body and "LOCATION:Back Bay" in body
    assert "Okafor" not in body and "Maya" not in body and "Sciatica" not in body
    assert client.get("/schedule/feeds/not-a-token.ics").status_code == 404


def test_a_feed_keeps_names_with_punctuation_and_line_breaks_inside_their_fields(
    client, dr_rivera, follow_up, location, monday, patient
):
    location.name = "Back Bay, Annex;\r\nLevel 2 \\ Größe"
    location.save()
    dr_rivera.user.first_name = "Zoë"
    dr_rivera.user.save()
    book(patient, dr_rivera, follow_up, local(monday, 10))
    raw = client.get(f"/schedule/feeds/{dr_rivera.calendar_token}.ics").content
    document = assert_calendar_lines(raw)
    [event] = document.walk("VEVENT")
    assert str(event["location"]) == "Back Bay, Annex;\nLevel 2 \\ Größe"
    assert str(event["summary"]) == "MO · Follow-up"
    assert b"X-WR-CALNAME:Stride Sports Rehab: Zo\xc3\xab Rivera\\, PT\\, DPT\r\n" in raw


def test_a_feed_link_can_be_reset_by_its_clinician_or_an_admin_only(
    client, dr_rivera, dr_chen, admin_user, desk_client
):
    old = dr_rivera.calendar_token
    assert desk_client.post(f"/schedule/clinicians/{dr_rivera.pk}/feed/").status_code == 403
    sign_in(client, dr_chen.user)
    assert client.post(f"/schedule/clinicians/{dr_rivera.pk}/feed/").status_code == 403
    sign_in(client, dr_rivera.user)
    page = text(client.get("/schedule/"))
    assert "My calendar feed" in page and f"/schedule/feeds/{old}.ics" in page
    assert client.post(f"/schedule/clinicians/{dr_rivera.pk}/feed/").status_code == 302
    dr_rivera.refresh_from_db()
    assert dr_rivera.calendar_token != old
    assert client.get(f"/schedule/feeds/{old}.ics").status_code == 404
    assert client.get(f"/schedule/feeds/{dr_rivera.calendar_token}.ics").status_code == 200
    sign_in(client, admin_user)
    assert client.post(f"/schedule/clinicians/{dr_rivera.pk}/feed/").status_code == 302
    dr_rivera.is_active = False
    dr_rivera.save()
    dr_rivera.refresh_from_db()
    assert client.get(f"/schedule/feeds/{dr_rivera.calendar_token}.ics").status_code == 404


@pytest.mark.parametrize("visits", [1, 15])
def test_the_chart_query_count_does_not_grow_with_appointments(
    desk_client, dr_rivera, follow_up, monday, patient, visits, django_assert_max_num_queries
):
    for n in range(visits):
        a = book(patient, dr_rivera, follow_up, local(monday + timedelta(days=n % 5), 9) + timedelta(hours=n // 5))
        if n % 2:
            Appointment.objects.filter(pk=a.pk).update(
                start_at=a.start_at - timedelta(days=60), end_at=a.end_at - timedelta(days=60)
            )
    with django_assert_max_num_queries(11):  # as pinned in tests/patients
        response = desk_client.get(f"/patients/{patient.mrn}/")
    assert response.content.count(b"Follow-up \xc2\xb7 Sam Rivera") == min(visits, (visits + 1) // 2 + 10)


def test_a_request_is_declined_not_cancelled(desk_client, request_appt):
    panel = text(desk_client.get(f"/schedule/appointments/{request_appt.pk}/", **HX))
    assert ">Decline</button>" in panel and "Cancel appointment" not in panel
    response = desk_client.post(f"/schedule/appointments/{request_appt.pk}/cancel/",
                                {"reason": "other", "details": "x"}, **HX)
    assert "Decline the request instead" in text(response)
    request_appt.refresh_from_db()
    assert request_appt.status == Status.REQUESTED


@pytest.mark.parametrize("entries", [1, 12])
def test_the_panel_and_the_waitlist_run_a_fixed_number_of_queries(
    desk_client, dr_rivera, follow_up, monday, patient, entries, django_assert_max_num_queries
):
    a = book(patient, dr_rivera, follow_up, local(monday, 10))
    for _ in range(entries):
        services.waitlist_add(patient=PatientFactory(), visit_type=follow_up, earliest_date=monday, latest_date=monday)
    services.appointment_cancel(appointment=a, reason="Ill")
    with django_assert_max_num_queries(5):  # session, user with roles, the visit, waitlist matches, its messages
        panel = desk_client.get(f"/schedule/appointments/{a.pk}/", **HX)
    assert len(panel.context["matches"]) == entries
    with django_assert_max_num_queries(6):
        page = desk_client.get("/schedule/waitlist/")
    assert len(page.context["entries"]) == entries
