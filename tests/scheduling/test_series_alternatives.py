"""A series whose dates clash offers other times on or near each clashing date (the same day first, then the day
before or after, same clinician and visit type, from the availability engine), which the front desk accepts per
date before booking, instead of silently leaving the dates out."""

import re
from datetime import time, timedelta

import pytest

from scheduling import services
from scheduling.models import Appointment, Modality, TimeOff, WorkingHours
from tests.factories import PatientFactory

from .conftest import local

pytestmark = pytest.mark.django_db


def book(clinician, visit, start):
    return services.appointment_book(patient=PatientFactory(), clinician=clinician, visit_type=visit, start=start,
                                     modality=Modality.IN_OFFICE, location=clinician.locations.first())


def preview(clinician, visit, location, starts):
    return services.series_preview(clinician=clinician, visit_type=visit, modality=Modality.IN_OFFICE,
                                   location=location, starts=starts, with_alternatives=True)


def text(response):
    return re.sub(r"\s+", " ", response.content.decode())


def test_a_clashing_date_is_offered_the_nearest_free_times_the_same_day(dr_rivera, follow_up, location, monday):
    book(dr_rivera, follow_up, local(monday, 10))  # 10:00-10:45
    book(dr_rivera, follow_up, local(monday, 9))  # 9:00-9:45, so the nearest earlier time is gone
    occurrences = preview(dr_rivera, follow_up, location, [local(monday, 10), local(monday + timedelta(days=7), 10)])
    clash, free = occurrences
    assert clash.conflict == "Clinician already booked" and not free.conflict
    # After the 10:00 visit, nearest first; the two offers are two real choices, not overlapping each other.
    assert clash.alternatives == [local(monday, 10, 45), local(monday, 11, 30)]
    assert free.alternatives == []


def test_a_full_day_offers_the_day_before_or_after_at_the_same_time_of_day(dr_rivera, follow_up, location, monday):
    tuesday, wednesday, thursday = (monday + timedelta(days=n) for n in (1, 2, 3))
    WorkingHours.objects.filter(clinician=dr_rivera, weekday=2).update(start_time=time(10), end_time=time(10, 45))
    book(dr_rivera, follow_up, local(wednesday, 10))  # Wednesday's only time
    book(dr_rivera, follow_up, local(tuesday, 10))  # the day before is free only at other times
    occurrences = preview(dr_rivera, follow_up, location, [local(wednesday, 10)])
    assert occurrences[0].conflict
    assert occurrences[0].alternatives == [local(thursday, 10), local(tuesday, 9, 15)]  # 9:15 as near as 10:45


def test_offers_avoid_the_series_own_dates_and_each_other(dr_rivera, follow_up, location, monday):
    tuesday = monday + timedelta(days=1)
    WorkingHours.objects.filter(clinician=dr_rivera).update(start_time=time(9), end_time=time(11))
    book(dr_rivera, follow_up, local(monday, 9, 30))  # Monday 9:30-10:15 taken: Monday's series visit clashes
    occurrences = preview(dr_rivera, follow_up, location, [local(monday, 9, 30), local(tuesday, 9, 30)])
    monday_offers = occurrences[0].alternatives
    assert all(o.date() == local(monday, 12).date() for o in monday_offers)  # Tuesday already has the series' visit
    assert monday_offers == [local(monday, 10, 15)]  # 10:15-11:00 is the only free 45 minutes left that day


def test_the_check_lists_each_clashing_date_with_times_to_choose_and_books_the_one_chosen(
    desk_client, dr_rivera, follow_up, location, monday, patient
):
    thursday = monday + timedelta(days=3)
    book(dr_rivera, follow_up, local(thursday, 10))
    data = {"patient": patient.pk, "visit_type": follow_up.pk, "modality": "in_office", "location": location.pk,
            "clinician": dr_rivera.pk, "date": monday.isoformat(), "time": "10:00", "weekdays": ["0", "3"],
            "weeks": "2"}
    checked = text(desk_client.post("/schedule/series/", {**data, "action": "check"}))
    field = f"instead-{thursday.isoformat()}"
    assert f"Instead of {thursday:%a, %b} {thursday.day} at 10:00 AM" in checked
    # As near before as after: 9:15 (ends as the 10:00 visit starts) and 10:45 (starts as it ends).
    assert f'name="{field}" id="{field}-1" value="{thursday.isoformat()}T09:15"' in checked
    assert f'name="{field}" id="{field}-2" value="{thursday.isoformat()}T10:45"' in checked
    assert "10:45 AM the same day" in checked and "Leave this date out" in checked
    assert f'name="{field}" id="{field}-0" value="" checked' in checked  # nothing is booked unless chosen
    assert "Book the 3 free ones and the other times ticked" in checked

    booked = desk_client.post("/schedule/series/", {**data, "action": "book", field: f"{thursday.isoformat()}T10:45"})
    page = text(booked)
    assert "Booked 4 visits." in page
    assert f"(instead of {thursday:%a, %b} {thursday.day} at 10:00 AM)" in page and "Not booked" not in page
    series = Appointment.objects.filter(patient=patient, series__isnull=False).order_by("start_at")
    assert [a.start_at for a in series] == [local(monday, 10), local(thursday, 10, 45),
                                            local(monday + timedelta(days=7), 10), local(thursday + timedelta(days=7), 10)]
    assert len({a.series_id for a in series}) == 1


def test_a_clashing_date_left_out_is_reported_not_booked(desk_client, dr_rivera, follow_up, location, monday, patient):
    book(dr_rivera, follow_up, local(monday, 10))
    data = {"patient": patient.pk, "visit_type": follow_up.pk, "modality": "in_office", "location": location.pk,
            "clinician": dr_rivera.pk, "date": monday.isoformat(), "time": "10:00", "weekdays": ["0"], "weeks": "2"}
    page = text(desk_client.post("/schedule/series/", {**data, "action": "book", f"instead-{monday.isoformat()}": ""}))
    assert "Booked 1 visit." in page
    assert "Not booked (time taken)" in page and f"{monday:%a, %b} {monday.day}, {monday.year} · 10:00 AM" in page
    assert Appointment.objects.filter(patient=patient).count() == 1


def test_another_time_taken_since_the_check_is_reported_and_the_rest_booked(desk_client, dr_rivera, follow_up,
                                                                             location, monday, patient):
    book(dr_rivera, follow_up, local(monday, 10))
    data = {"patient": patient.pk, "visit_type": follow_up.pk, "modality": "in_office", "location": location.pk,
            "clinician": dr_rivera.pk, "date": monday.isoformat(), "time": "10:00", "weekdays": ["0"], "weeks": "2",
            f"instead-{monday.isoformat()}": f"{monday.isoformat()}T10:45"}
    book(dr_rivera, follow_up, local(monday, 10, 45))  # someone took it meanwhile
    page = text(desk_client.post("/schedule/series/", {**data, "action": "book"}))
    assert "Booked 1 visit." in page
    assert f"10:45 AM: That time was just taken. (the other time for {monday:%a, %b} {monday.day})" in page
    assert not Appointment.objects.filter(patient=patient, start_at=local(monday, 10, 45)).exists()


def test_a_date_with_no_free_time_near_it_says_so(desk_client, dr_rivera, follow_up, location, monday, patient):
    WorkingHours.objects.filter(clinician=dr_rivera, weekday=0).update(start_time=time(10), end_time=time(10, 45))
    WorkingHours.objects.filter(clinician=dr_rivera, weekday=1).delete()  # and nobody on Sunday
    TimeOff.objects.create(clinician=dr_rivera, start_at=local(monday - timedelta(days=1), 0),
                           end_at=local(monday, 0))
    book(dr_rivera, follow_up, local(monday, 10))
    data = {"patient": patient.pk, "visit_type": follow_up.pk, "modality": "in_office", "location": location.pk,
            "clinician": dr_rivera.pk, "date": monday.isoformat(), "time": "10:00", "weekdays": ["0"], "weeks": "1"}
    page = text(desk_client.post("/schedule/series/", {**data, "action": "check"}))
    assert "No free time with this clinician that day or the day before or after." in page
    assert "No free dates: change the time" in page  # nothing to book
