"""The front desk works the calendar: an online booking appears, is moved and checked in; a free time is booked."""

import re

import pytest
from playwright.sync_api import expect

from notifications.models import Notification
from scheduling import services
from scheduling.models import Appointment, ClinicSettings, Modality
from tests.e2e.conftest import SCREENSHOTS
from tests.factories import PatientFactory
from tests.scheduling.conftest import local, next_weekday

pytestmark = pytest.mark.django_db(transaction=True)


@pytest.fixture
def monday():
    return next_weekday(0)


def _book(patient, clinician, visit, start, **kw):
    return services.appointment_book(
        patient=patient, clinician=clinician, visit_type=visit, start=start, modality=Modality.IN_OFFICE,
        location=clinician.locations.first(), **kw,
    )


def _calendar(page, live_server, day):
    page.goto(f"{live_server.url}/schedule/?date={day.isoformat()}")
    page.evaluate("window.__sameDocument = true")  # gone if anything reloads the whole page


def _still_same_document(page):
    assert page.evaluate("window.__sameDocument === true"), "the page was reloaded"


def test_front_desk_moves_an_online_booking_and_checks_the_patient_in(
    page, live_server, sign_in, front_desk, dr_rivera, follow_up, monday  # noqa: F811
):
    online = _book(PatientFactory(first_name="Maya", last_name="Okafor"), dr_rivera, follow_up, local(monday, 10),
                   source=Appointment.Source.ONLINE)
    _book(PatientFactory(first_name="Liam", last_name="Park"), dr_rivera, follow_up, local(monday, 14))
    _book(PatientFactory(first_name="Noah", last_name="Berg"), dr_rivera, follow_up, local(monday, 11))

    sign_in(front_desk)
    expect(page).to_have_url(re.compile(r"/schedule/$"))  # the calendar is the front desk's home
    _calendar(page, live_server, monday)
    maya = page.get_by_role("link", name=re.compile(r"^10:00 AM Maya Okafor · Follow-up Booked"))
    expect(maya).to_be_visible()

    # Move Maya's online booking to 12:15.
    maya.click()
    panel = page.get_by_role("dialog", name="Maya Okafor")
    expect(panel).to_be_visible()
    expect(panel.get_by_text("Booked online", exact=True)).to_be_visible()
    panel.get_by_label("New time").fill("12:15")
    panel.get_by_role("button", name="Move").click()
    expect(panel.get_by_role("status")).to_contain_text("Moved to")
    expect(page.get_by_role("link", name=re.compile(r"^12:15 PM Maya Okafor"))).to_be_visible()
    expect(page.get_by_role("link", name=re.compile(r"^10:00 AM Maya Okafor"))).to_have_count(0)

    # Moving Noah onto Liam's 2 PM visit is refused, with the next free times offered.
    page.get_by_role("link", name=re.compile(r"^11:00 AM Noah Berg")).click()
    panel = page.get_by_role("dialog", name="Noah Berg")
    panel.get_by_label("New time").fill("14:15")
    panel.get_by_role("button", name="Move").click()
    refusal = panel.get_by_role("alert")
    expect(refusal).to_contain_text("That time is already booked: choose another.")
    expect(refusal.get_by_role("button", name=re.compile(r"3:00 PM with Sam Rivera"))).to_be_visible()
    expect(page.get_by_role("link", name=re.compile(r"^11:00 AM Noah Berg"))).to_be_visible()  # not moved

    # Check Maya in: the status word changes on the calendar without a page load.
    page.get_by_role("link", name=re.compile(r"^12:15 PM Maya Okafor")).click()
    panel = page.get_by_role("dialog", name="Maya Okafor")
    panel.get_by_role("button", name="Check in").click()
    expect(panel.get_by_role("status")).to_have_text("Checked in.")
    expect(page.get_by_role("link", name=re.compile(r"^12:15 PM Maya Okafor · Follow-up Checked in"))).to_be_visible()
    _still_same_document(page)
    online.refresh_from_db()
    assert online.status == Appointment.Status.CHECKED_IN and online.start_at == local(monday, 12, 15)
    page.get_by_role("button", name="Close panel").click()
    expect(panel).to_be_hidden()


def test_front_desk_books_a_free_time_for_a_patient(
    page, live_server, sign_in, front_desk, dr_rivera, location, monday  # noqa: F811
):
    PatientFactory(first_name="Lena", last_name="Kowalski")
    PatientFactory(first_name="Liam", last_name="Chen")
    sign_in(front_desk)
    _calendar(page, live_server, monday)

    # By keyboard: the free times, behind a disclosure under the grid, open the booking panel at their start.
    page.get_by_text("Free times by clinician").focus()
    page.keyboard.press("Enter")
    page.get_by_role("link", name="Book with Sam Rivera at 9:00 AM, free until 5:00 PM").focus()
    page.keyboard.press("Enter")
    panel = page.get_by_role("dialog", name="Book a visit")
    expect(panel.get_by_label("Time")).to_have_value("09:00")
    panel.get_by_role("button", name="Close panel").click()
    expect(panel).to_be_hidden()

    # By pointer: a click on Sam's column at the 11:00 line books with Sam at 11:00 (one handler for the grid).
    eleven = page.locator(".cal-time", has_text=re.compile(r"^11:00 AM$"))
    eleven.scroll_into_view_if_needed()
    column, row = page.locator('.cal-col[data-where="with Sam Rivera"]').bounding_box(), eleven.bounding_box()
    page.mouse.click(column["x"] + column["width"] / 2, row["y"] + 6)
    expect(panel).to_be_visible()
    expect(panel.get_by_label("Time")).to_have_value("11:00")
    search = panel.get_by_label("Search for the patient")
    search.fill("kowal")
    search.press("Enter")  # as a person would; also covers typing before htmx has wired the new panel
    panel.get_by_role("radio", name=re.compile(r"Kowalski, Lena")).check()
    expect(panel.get_by_role("radio", name=re.compile(r" born "))).to_have_count(1)  # Liam Chen does not match
    panel.get_by_label("Visit type").select_option(label="Follow-up")
    panel.get_by_label("Reason for visit").fill("Deep gluteal pain when sitting")
    expect(panel.get_by_label("Location")).to_have_value(str(location.pk))  # where Sam works at 11:00
    # Without a location, the one error that applies shows beside that field (none from the new-patient fields).
    panel.get_by_label("Location").select_option(label="—")
    panel.get_by_role("button", name="Book", exact=True).click()
    expect(panel.locator("#div_id_location")).to_contain_text("Choose the location for an in-office visit.")
    expect(panel.get_by_text("This field is required")).to_have_count(0)
    expect(panel.get_by_label("Reason for visit")).to_have_value("Deep gluteal pain when sitting")  # nothing lost
    panel.get_by_label("Location").select_option(label="Back Bay")
    panel.get_by_role("button", name="Book", exact=True).click()

    booked = page.get_by_role("dialog", name="Lena Kowalski")  # the panel now shows the new appointment
    expect(booked.get_by_role("status")).to_contain_text("Booked Lena Kowalski for")
    expect(page.get_by_role("link", name=re.compile(r"^11:00 AM Lena Kowalski · Follow-up Booked"))).to_be_visible()
    _still_same_document(page)
    assert Appointment.objects.get().reason == "Deep gluteal pain when sitting"


def test_front_desk_accepts_an_online_request_and_the_patient_is_told(
    page, live_server, sign_in, front_desk, dr_rivera, dr_chen, follow_up, monday  # noqa: F811
):
    rules = ClinicSettings.load()
    rules.auto_confirm_online_bookings = False
    rules.save()  # save() also clears the cached settings
    request = _book(PatientFactory(first_name="Ada", last_name="Moss", email="ada@example.com"), dr_rivera, follow_up,
                    local(monday, 15), source=Appointment.Source.ONLINE)
    _book(PatientFactory(first_name="Ben", last_name="Ruiz"), dr_chen, follow_up, local(monday, 9, 30))
    sign_in(front_desk)
    _calendar(page, live_server, monday)

    requests = page.get_by_role("region", name=re.compile("Online requests waiting"))
    expect(requests).to_contain_text("Ada Moss")
    expect(page.get_by_role("link", name=re.compile(r"^3:00 PM Ada Moss · Follow-up Requested"))).to_be_visible()
    requests.get_by_role("button", name="Accept the request of Ada Moss").click()

    expect(page.get_by_role("dialog", name="Ada Moss").get_by_role("status")).to_contain_text(
        "Request accepted. We are emailing Ada."
    )
    expect(page.get_by_role("link", name=re.compile(r"^3:00 PM Ada Moss · Follow-up Booked"))).to_be_visible()
    expect(page.get_by_role("region", name=re.compile("Online requests waiting"))).to_have_count(0)
    told = Notification.objects.filter(appointment=request, kind__in=[Notification.Kind.REQUEST_ACCEPTED,
                                                                      Notification.Kind.REQUEST_DECLINED])
    assert [(n.kind, n.channel, n.patient.email) for n in told] == [
        (Notification.Kind.REQUEST_ACCEPTED, Notification.Channel.EMAIL, "ada@example.com")
    ]
    assert told[0].status != Notification.Status.CANCELLED


def test_front_desk_checks_a_series_for_conflicts_then_books_the_free_dates(
    page, live_server, sign_in, front_desk, dr_rivera, follow_up, location, monday  # noqa: F811
):
    from datetime import timedelta

    PatientFactory(first_name="Lena", last_name="Kowalski")
    _book(PatientFactory(), dr_rivera, follow_up, local(monday + timedelta(days=3), 10))  # the first Thursday
    sign_in(front_desk)
    page.get_by_role("link", name="Series").click()
    page.get_by_label("Search for the patient").fill("kowal")
    page.get_by_label("Search for the patient").press("Enter")
    page.get_by_role("radio", name=re.compile(r"Kowalski, Lena")).check()
    page.get_by_label("Visit type").select_option(label="Follow-up")
    page.get_by_label("Clinician").select_option(label="Sam Rivera, PT, DPT")
    page.get_by_label("Location").select_option(label="Back Bay")
    page.get_by_label("First date").fill(monday.isoformat())
    page.get_by_label("Time").fill("10:00")
    page.get_by_label("Monday").check()
    page.get_by_label("Thursday").check()
    page.get_by_label("For how many weeks").fill("6")
    page.evaluate("window.__sameDocument = true")
    page.get_by_role("button", name="Check", exact=True).click()

    expect(page.get_by_role("heading", name="12 visits: 11 free, 1 with a conflict")).to_be_visible()
    clash = page.get_by_role("row", name=re.compile(r"Thu, .* Conflict Clinician already booked"))
    expect(clash).to_have_count(1)
    # The clashing Thursday offers other times: the front desk takes the one just after the visit in the way.
    offers = clash.get_by_role("group", name=re.compile(r"^Instead of Thu, .* at 10:00 AM"))
    expect(offers.get_by_label("Leave this date out")).to_be_checked()
    offers.get_by_label("10:45 AM the same day").check()
    page.screenshot(path=str(SCREENSHOTS / "series-other-times.png"), full_page=True)
    page.get_by_role("button", name="Book the 11 free ones and the other times ticked").click()
    expect(page.get_by_role("status")).to_have_text("Booked 12 visits.")
    expect(page.get_by_text(re.compile(r"\(instead of Thu, .* at 10:00 AM\)"))).to_be_visible()
    _still_same_document(page)
    assert Appointment.objects.filter(series__isnull=False).count() == 12
    assert Appointment.objects.filter(series__isnull=False, start_at=local(monday + timedelta(days=3), 10, 45)).exists()


def test_the_grid_draws_the_day_the_week_and_the_rooms_with_the_now_line(
    page, live_server, sign_in, front_desk, dr_rivera, dr_chen, follow_up  # noqa: F811
):
    from datetime import timedelta

    from django.utils import timezone

    today = timezone.localdate()
    _book(PatientFactory(first_name="Maya", last_name="Okafor"), dr_rivera, follow_up, local(today, 9, 30))
    _book(PatientFactory(first_name="Liam", last_name="Park"), dr_chen, follow_up, local(today, 11),
          room=dr_chen.locations.first().rooms.get(name="Treatment 2"))
    _book(PatientFactory(first_name="Noah", last_name="Berg"), dr_chen, follow_up,
          local(today + timedelta(days=1 if today.weekday() < 6 else -1), 14))
    sign_in(front_desk)
    page.clock.set_fixed_time(local(today, 10, 30))  # the browser's clock: the now-line is drawn by script
    _calendar(page, live_server, today)
    now = page.locator(".cal-now")
    expect(now).to_be_visible()
    ten, eleven = (page.locator(".cal-time", has_text=re.compile(f"^{h}:00 AM$")).bounding_box() for h in (10, 11))
    assert ten["y"] < now.bounding_box()["y"] < eleven["y"]  # half past ten
    expect(page.get_by_role("link", name=re.compile(r"^9:30 AM Maya Okafor"))).to_be_visible()
    page.screenshot(path=str(SCREENSHOTS / "calendar-day.png"), full_page=True)

    page.get_by_role("link", name="Week", exact=True).click()
    expect(page.get_by_role("link", name=re.compile(r"Berg"))).to_be_visible()
    expect(page.locator(".cal-now")).to_be_visible()  # in today's column
    page.screenshot(path=str(SCREENSHOTS / "calendar-week.png"), full_page=True)

    page.get_by_role("link", name="Rooms", exact=True).click()
    expect(page.locator(".cal-head", has_text="Treatment 2")).to_be_visible()
    expect(page.get_by_role("link", name=re.compile(r"^11:00 AM Liam Park"))).to_be_visible()
    page.screenshot(path=str(SCREENSHOTS / "calendar-rooms.png"), full_page=True)


def _row_top(page, hour, minute=0):
    """Where a time's row starts on the grid (the hour labels sit on the hour lines)."""
    def line(h):
        label = f"{(h % 12) or 12}:00 {'AM' if h < 12 else 'PM'}"
        return page.locator(".cal-time", has_text=re.compile(f"^{label}$")).bounding_box()["y"]

    top = line(hour)
    return top + (line(hour + 1) - top) * minute / 60


def _close_panel(page):
    """Close the side panel and wait until the grid has its room back (it narrows beside the open panel)."""
    page.get_by_role("button", name="Close panel").click()
    expect(page.locator("#panel")).to_be_hidden()
    expect(page.locator("#main")).to_have_css("padding-right", re.compile(r"^[12]?\d(\.\d+)?px$"))  # < 30px


def _drag(page, block, column, hour, minute=0):
    """Press on the block's top edge, move as a person would (in steps), and let go over `column` at that time."""
    box, col = block.bounding_box(), column.bounding_box()
    page.mouse.move(box["x"] + 12, box["y"] + 4)
    page.mouse.down()
    page.mouse.move(box["x"] + 20, box["y"] + 20, steps=3)
    page.mouse.move(col["x"] + col["width"] / 2, _row_top(page, hour, minute) + 4, steps=8)
    page.mouse.up()


def test_front_desk_drags_a_visit_to_another_time_and_clinician_or_moves_it_by_keyboard(
    page, live_server, sign_in, front_desk, dr_rivera, dr_chen, follow_up, monday  # noqa: F811
):
    maya = _book(PatientFactory(first_name="Maya", last_name="Okafor"), dr_rivera, follow_up, local(monday, 10))
    noah = _book(PatientFactory(first_name="Noah", last_name="Berg"), dr_rivera, follow_up, local(monday, 12))
    _book(PatientFactory(first_name="Liam", last_name="Park"), dr_chen, follow_up, local(monday, 14))
    sign_in(front_desk)
    _calendar(page, live_server, monday)
    chen = page.locator('.cal-col[data-drop-where="with Jordan Chen"]')

    # Maya's 10:00 with Sam Rivera, dragged onto Jordan Chen's column at 11:30: asked once, then moved.
    _drag(page, page.get_by_role("link", name=re.compile(r"^10:00 AM Maya Okafor")), chen, 11, 30)
    question = page.get_by_role("dialog", name="Move Maya Okafor to 11:30 AM with Jordan Chen?")
    expect(question).to_be_visible()
    page.screenshot(path=str(SCREENSHOTS / "calendar-drag-confirm.png"), full_page=True)
    question.get_by_role("button", name="Move", exact=True).click()
    expect(page.get_by_role("dialog", name="Maya Okafor").get_by_role("status")).to_contain_text(
        "11:30 AM with Jordan Chen")
    moved = page.get_by_role("link", name=re.compile(r"^11:30 AM Maya Okafor"))
    expect(moved).to_be_visible()
    assert abs(moved.bounding_box()["x"] - chen.bounding_box()["x"]) < 8  # drawn in Jordan Chen's column
    maya.refresh_from_db()
    assert (maya.start_at, maya.clinician) == (local(monday, 11, 30), dr_chen)
    _close_panel(page)

    # Noah dropped onto Liam's 2 PM with Jordan Chen: refused, the panel says why, the block goes back.
    noah_block = page.get_by_role("link", name=re.compile(r"^12:00 PM Noah Berg"))
    _drag(page, noah_block, chen, 14)
    page.get_by_role("dialog", name="Move Noah Berg to 2:00 PM with Jordan Chen?").get_by_role(
        "button", name="Move", exact=True).click()
    refusal = page.get_by_role("dialog", name="Noah Berg").get_by_role("alert")
    expect(refusal).to_contain_text("That time is already booked: choose another.")
    expect(page.get_by_role("status").filter(has_text="Noah Berg was not moved")).to_have_count(1)
    expect(page.locator("#panel")).not_to_have_class(re.compile(r"\bshowing\b"))  # slid in
    page.screenshot(path=str(SCREENSHOTS / "calendar-drag-refused.png"), full_page=True)
    after, sam = noah_block.bounding_box(), page.locator('.cal-col[data-drop-where="with Sam Rivera"]').bounding_box()
    assert abs(after["y"] - _row_top(page, 12)) < 4 and sam["x"] <= after["x"] < sam["x"] + sam["width"]  # put back
    noah.refresh_from_db()
    assert (noah.start_at, noah.clinician) == (local(monday, 12), dr_rivera)
    _close_panel(page)

    # By keyboard: focus Noah, M, two steps down (12:30), Enter, Enter on "Move".
    noah_block.focus()
    page.keyboard.press("m")
    page.keyboard.press("ArrowDown")
    page.keyboard.press("ArrowDown")
    page.keyboard.press("Enter")
    expect(page.get_by_role("dialog", name="Move Noah Berg to 12:30 PM with Sam Rivera?")).to_be_visible()
    page.keyboard.press("Enter")
    expect(page.get_by_role("link", name=re.compile(r"^12:30 PM Noah Berg"))).to_be_visible()
    noah.refresh_from_db()
    assert noah.start_at == local(monday, 12, 30)

    # Escape leaves a visit where it was.
    _close_panel(page)
    page.get_by_role("link", name=re.compile(r"^12:30 PM Noah Berg")).focus()
    page.keyboard.press("m")
    page.keyboard.press("ArrowDown")
    page.keyboard.press("Escape")
    expect(page.locator(".cal-ghost")).to_have_count(0)
    noah.refresh_from_db()
    assert noah.start_at == local(monday, 12, 30)
    _still_same_document(page)


def test_a_two_location_calendar_filters_by_location_and_marks_each_visit(
    page, live_server, sign_in, front_desk, dr_rivera, dr_chen, follow_up, location, monday  # noqa: F811
):
    from scheduling.models import Location, Room, WorkingHours

    cambridge = Location.objects.create(name="Cambridge", address_line1="15 Brattle St", city="Cambridge",
                                        time_zone="America/New_York", color="#d63384")
    Room.objects.create(location=cambridge, name="Treatment A")
    dr_chen.locations.add(cambridge)
    WorkingHours.objects.filter(clinician=dr_chen, weekday=0).update(location=cambridge)
    _book(PatientFactory(first_name="Maya", last_name="Okafor"), dr_rivera, follow_up, local(monday, 10))
    services.appointment_book(patient=PatientFactory(first_name="Liam", last_name="Park"), clinician=dr_chen,
                              visit_type=follow_up, start=local(monday, 11), modality=Modality.IN_OFFICE,
                              location=cambridge)
    sign_in(front_desk)
    _calendar(page, live_server, monday)
    # The location is written on each visit (not colour alone), and a legend says which colour is which.
    expect(page.get_by_role("link", name=re.compile(r"^11:00 AM Liam Park .*Cambridge$"))).to_be_visible()
    expect(page.get_by_role("link", name=re.compile(r"^10:00 AM Maya Okafor .*Back Bay$"))).to_be_visible()
    expect(page.get_by_text("Locations (right edge):")).to_be_visible()
    page.screenshot(path=str(SCREENSHOTS / "calendar-two-locations.png"), full_page=True)

    page.get_by_role("navigation", name="Location").get_by_role("link", name="Cambridge").click()
    expect(page).to_have_url(re.compile(f"location={cambridge.pk}"))
    expect(page.locator(".cal-head")).to_have_count(1)
    expect(page.locator(".cal-head")).to_contain_text("Jordan Chen")
    expect(page.get_by_role("link", name=re.compile(r"^10:00 AM Maya Okafor"))).to_have_count(0)
    page.get_by_role("link", name="Next day").click()  # the filter stays on as the days go by
    expect(page).to_have_url(re.compile(f"location={cambridge.pk}"))
    expect(page.get_by_role("link", name="Cambridge", exact=True)).to_have_attribute("aria-current", "page")


def test_an_open_calendar_shows_an_online_booking_and_a_colleagues_cancellation_without_a_reload(
    page, live_server, sign_in, front_desk, make_user, dr_rivera, dr_chen, follow_up, monday  # noqa: F811
):
    import json

    from django.test import Client

    from clinic import roles

    maya = _book(PatientFactory(first_name="Maya", last_name="Okafor"), dr_rivera, follow_up, local(monday, 10))
    sign_in(front_desk)
    _calendar(page, live_server, monday)

    # The front desk has Maya's panel open, has typed a time in "Book a time" and scrolled the grid.
    page.get_by_role("link", name=re.compile(r"^10:00 AM Maya Okafor")).click()
    panel = page.get_by_role("dialog", name="Maya Okafor")
    expect(panel).to_be_visible()
    expect(page.locator("#panel")).not_to_have_class(re.compile(r"\bshowing\b"))
    grid, shown = page.locator(".cal-scroll").bounding_box(), page.locator("#panel").bounding_box()
    assert grid["x"] + grid["width"] <= shown["x"] + 1  # the panel covers no column: the grid made room
    page.get_by_label("Booking time").fill("15:30")
    panel.get_by_role("heading", name="Maya Okafor").click()
    scrolled = page.locator(".cal-scroll").evaluate(
        "el => { el.scrollTop = Math.min(40, el.scrollHeight - el.clientHeight); return el.scrollTop; }")

    # A patient books online (the public API): the visit appears within a few seconds, nothing else moves.
    body = {"visit_type": follow_up.pk, "clinician": dr_chen.pk, "modality": "in_office",
            "location": dr_chen.locations.first().pk, "start": local(monday, 11).isoformat(),
            "patient": {"first_name": "Ada", "last_name": "Moss", "date_of_birth": "1990-04-02",
                        "email": "ada@example.com", "phone": "617-555-0199"}, "accepts_cancellation_policy": True}
    assert Client().post("/api/v1/bookings/", json.dumps(body), content_type="application/json").status_code == 201
    expect(page.get_by_role("link", name=re.compile(r"^11:00 AM Ada Moss"))).to_be_visible(timeout=12_000)
    expect(panel).to_be_visible()
    expect(page.get_by_label("Booking time")).to_have_value("15:30")
    assert page.locator(".cal-scroll").evaluate("el => el.scrollTop") == scrolled
    _still_same_document(page)

    # A colleague cancels Maya's visit: it leaves the grid, and the open panel says it changed.
    services.appointment_cancel(appointment=maya, reason="Patient is ill",
                                actor=make_user(roles.FRONT_DESK, email="colleague@stride.test"))
    expect(page.get_by_role("link", name=re.compile(r"^10:00 AM Maya Okafor"))).to_have_count(0, timeout=12_000)
    notice = panel.get_by_role("status").filter(has_text="This visit changed since you opened it.")
    expect(notice).to_be_visible()
    page.screenshot(path=str(SCREENSHOTS / "calendar-stays-current.png"), full_page=True)
    notice.get_by_role("button", name="Show it as it is now").click()
    expect(page.get_by_role("dialog", name="Maya Okafor").locator("#panel-status")).to_contain_text("Cancelled")
    _still_same_document(page)
