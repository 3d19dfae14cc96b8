from datetime import UTC, timedelta

import pytest
from django.core.exceptions import ValidationError
from django.utils import timezone

from clinic.models import AuditEvent
from scheduling import selectors, services
from scheduling.models import Appointment, ClinicSettings, Modality, TimeOff, WaitlistEntry
from tests.factories import PatientFactory, has_started

from .conftest import local

Status = Appointment.Status


def book(patient, clinician, visit, start, **kw):
    kw.setdefault("modality", Modality.IN_OFFICE)
    kw.setdefault("location", clinician.locations.first())
    return services.appointment_book(patient=patient, clinician=clinician, visit_type=visit, start=start, **kw)


def test_booking_sets_end_room_and_status(patient, dr_rivera, follow_up, monday, front_desk):
    appointment = book(patient, dr_rivera, follow_up, local(monday, 10), actor=front_desk)
    assert appointment.end_at - appointment.start_at == timedelta(minutes=45)
    assert appointment.status == Status.BOOKED and appointment.room is not None
    assert appointment.created_by == front_desk
    assert AuditEvent.objects.filter(object_type="scheduling.Appointment", action="create").count() == 1


def test_a_second_booking_over_the_same_time_is_refused_with_next_free_times(patient, dr_rivera, follow_up, monday):
    book(patient, dr_rivera, follow_up, local(monday, 10))
    with pytest.raises(services.SlotTaken) as taken:
        book(PatientFactory(), dr_rivera, follow_up, local(monday, 10, 30))
    assert taken.value.message == "That time is already booked: choose another."  # booked, not a race
    assert taken.value.next_free, "offers other times"
    assert all(s.start >= local(monday, 10, 30) for s in taken.value.next_free)
    assert local(monday, 10, 45) in [s.start for s in taken.value.next_free]
    assert Appointment.objects.count() == 1


def test_rooms_are_not_double_booked_either(patient, dr_rivera, dr_chen, follow_up, monday, location):
    room = location.rooms.first()
    book(patient, dr_rivera, follow_up, local(monday, 10), room=room)
    with pytest.raises(services.SlotTaken):
        book(PatientFactory(), dr_chen, follow_up, local(monday, 10), room=room)
    other = book(PatientFactory(), dr_chen, follow_up, local(monday, 10))
    assert other.room != room  # the free room is picked automatically


def test_cancelled_visits_free_their_time(patient, dr_rivera, follow_up, monday):
    first = book(patient, dr_rivera, follow_up, local(monday, 10))
    services.appointment_cancel(appointment=first, reason="Flu")
    second = book(PatientFactory(), dr_rivera, follow_up, local(monday, 10))
    assert second.status == Status.BOOKED


def test_clinician_must_offer_the_visit_and_location(patient, dr_rivera, visit_types, monday):
    gait = visit_types["3D gait analysis"]
    dr_rivera.visit_types.remove(gait)
    with pytest.raises(ValidationError) as error:
        book(patient, dr_rivera, gait, local(monday, 10))
    assert "does not offer" in str(error.value)
    with pytest.raises(ValidationError):
        book(patient, dr_rivera, visit_types["Telehealth consult"], local(monday, 10))  # telehealth only


def test_telehealth_visits_get_a_private_video_link_and_no_room(patient, dr_rivera, telehealth_consult, monday):
    appointment = book(patient, dr_rivera, telehealth_consult, local(monday, 11), modality=Modality.TELEHEALTH)
    other = book(PatientFactory(), dr_rivera, telehealth_consult, local(monday, 12), modality=Modality.TELEHEALTH)
    assert appointment.location is None and appointment.room is None
    assert appointment.video_url.startswith(ClinicSettings.load().telehealth_base_url)
    assert len(appointment.video_token) >= 32 and appointment.video_url != other.video_url


def test_online_booking_must_fall_on_an_open_slot(patient, dr_rivera, follow_up, monday):
    with pytest.raises(services.SlotTaken):
        book(patient, dr_rivera, follow_up, local(monday, 7), source=Appointment.Source.ONLINE, check_hours=True)
    ok = book(patient, dr_rivera, follow_up, local(monday, 9), source=Appointment.Source.ONLINE, check_hours=True)
    assert ok.source == "online"


def test_online_bookings_wait_as_requests_when_the_clinic_says_so(patient, dr_rivera, follow_up, monday, clinic_settings):
    clinic_settings.auto_confirm_online_bookings = False
    clinic_settings.save()
    appointment = book(patient, dr_rivera, follow_up, local(monday, 9), source=Appointment.Source.ONLINE)
    assert appointment.status == Status.REQUESTED
    assert list(selectors.pending_requests()) == [appointment]
    services.request_decide(appointment=appointment, accept=True, actor=None)
    appointment.refresh_from_db()
    assert appointment.status == Status.BOOKED


def test_moving_onto_a_taken_time_is_refused_and_leaves_the_visit_where_it_was(patient, dr_rivera, follow_up, monday):
    first = book(patient, dr_rivera, follow_up, local(monday, 9))
    second = book(PatientFactory(), dr_rivera, follow_up, local(monday, 11))
    with pytest.raises(services.SlotTaken) as taken:
        services.appointment_move(appointment=second, start=local(monday, 9, 15))
    assert "already booked" in taken.value.message
    second.refresh_from_db()
    assert second.start_at == local(monday, 11)
    moved = services.appointment_move(appointment=second, start=local(monday, 9, 45))
    assert moved.start_at == local(monday, 9, 45) and moved.end_at == local(monday, 10, 30)
    assert first.start_at == local(monday, 9)


def test_moving_within_its_own_time_is_allowed(patient, dr_rivera, follow_up, monday):
    appointment = book(patient, dr_rivera, follow_up, local(monday, 9))
    moved = services.appointment_move(appointment=appointment, start=local(monday, 9, 15))
    assert moved.start_at == local(monday, 9, 15)


def test_moving_to_another_clinician(patient, dr_rivera, dr_chen, follow_up, monday):
    appointment = book(patient, dr_rivera, follow_up, local(monday, 9))
    moved = services.appointment_move(appointment=appointment, start=local(monday, 9), clinician=dr_chen)
    assert moved.clinician == dr_chen


@pytest.mark.parametrize(
    "path,allowed",
    [
        ([Status.CONFIRMED, Status.CHECKED_IN, Status.COMPLETED], True),
        ([Status.CHECKED_IN, Status.COMPLETED], True),
        ([Status.NO_SHOW], True),
        ([Status.COMPLETED], False),  # must check in first
        ([Status.CANCELLED, Status.BOOKED], False),  # cancelled is final
        ([Status.CHECKED_IN, Status.COMPLETED, Status.CANCELLED], False),
    ],
)
def test_status_workflow(patient, dr_rivera, follow_up, monday, path, allowed):
    appointment = book(patient, dr_rivera, follow_up, local(monday, 9))
    if Status.NO_SHOW in path:
        appointment = has_started(appointment)
    if allowed:
        for status in path:
            appointment = services.appointment_set_status(appointment=appointment, status=status)
        assert appointment.status == path[-1]
    else:
        with pytest.raises(ValidationError):
            for status in path:
                appointment = services.appointment_set_status(appointment=appointment, status=status)


def test_completed_visits_cannot_be_moved(patient, dr_rivera, follow_up, monday):
    appointment = book(patient, dr_rivera, follow_up, local(monday, 9))
    services.appointment_set_status(appointment=appointment, status=Status.CHECKED_IN)
    with pytest.raises(ValidationError):
        services.appointment_move(appointment=appointment, start=local(monday, 14))


def test_cancelling_lists_matching_waitlist_entries(patient, dr_rivera, dr_chen, follow_up, visit_types, monday):
    appointment = book(patient, dr_rivera, follow_up, local(monday, 9))
    anyone = services.waitlist_add(patient=PatientFactory(), visit_type=follow_up,
                                   earliest_date=monday - timedelta(days=2), latest_date=monday + timedelta(days=5))
    only_rivera = services.waitlist_add(patient=PatientFactory(), visit_type=follow_up, clinician=dr_rivera,
                                        earliest_date=monday, latest_date=monday)
    services.waitlist_add(patient=PatientFactory(), visit_type=follow_up, clinician=dr_chen,
                          earliest_date=monday, latest_date=monday)
    services.waitlist_add(patient=PatientFactory(), visit_type=visit_types["Initial evaluation"],
                          earliest_date=monday, latest_date=monday)
    services.waitlist_add(patient=PatientFactory(), visit_type=follow_up,
                          earliest_date=monday + timedelta(days=1), latest_date=monday + timedelta(days=3))
    _, matches = services.appointment_cancel(appointment=appointment, reason="Work trip")
    assert {m.pk for m in matches} == {anyone.pk, only_rivera.pk}


def test_waitlist_window_must_be_in_order(patient, follow_up, monday):
    with pytest.raises(ValidationError):
        services.waitlist_add(patient=patient, visit_type=follow_up, earliest_date=monday,
                              latest_date=monday - timedelta(days=1))
    assert not WaitlistEntry.objects.exists()


def test_series_preview_shows_conflicts_and_booking_skips_them(patient, dr_rivera, follow_up, monday, front_desk):
    book(PatientFactory(), dr_rivera, follow_up, local(monday + timedelta(days=7), 9))  # week 2, Monday 9:00
    starts = services.series_occurrences(first_start=local(monday, 9), weekdays=[0, 3], weeks=6)
    assert len(starts) == 12
    preview = services.series_preview(
        clinician=dr_rivera, visit_type=follow_up, modality=Modality.IN_OFFICE, location=dr_rivera.locations.first(),
        starts=starts,
    )
    assert [o.start for o in preview if o.conflict] == [local(monday + timedelta(days=7), 9)]
    results = services.series_book(
        patient=patient, clinician=dr_rivera, visit_type=follow_up, modality=Modality.IN_OFFICE,
        location=dr_rivera.locations.first(), starts=starts, actor=front_desk,
    )
    assert sum(1 for r in results if r.appointment) == 11
    assert patient.appointments.filter(series__isnull=False).count() == 11


def test_series_keeps_the_local_time_across_daylight_saving(patient):
    from datetime import date

    first = local(date(2026, 10, 26), 9)  # a Monday in EDT; the series runs into EST
    starts = services.series_occurrences(first_start=first, weekdays=[0], weeks=3)
    from zoneinfo import ZoneInfo

    assert [s.astimezone(ZoneInfo("America/New_York")).hour for s in starts] == [9, 9, 9]
    assert starts[1].astimezone(UTC) - starts[0].astimezone(UTC) == timedelta(days=7, hours=1)


def test_selector_availability_excludes_time_off_and_bookings(patient, dr_rivera, follow_up, monday):
    book(patient, dr_rivera, follow_up, local(monday, 9))
    TimeOff.objects.create(clinician=dr_rivera, start_at=local(monday, 13), end_at=local(monday, 17))
    slots, clinicians = selectors.open_slots(follow_up, monday, monday, clinician_ids=[dr_rivera.pk])
    starts = [s.start for s in slots]
    assert local(monday, 9) not in starts and local(monday, 9, 45) in starts
    assert max(starts) == local(monday, 12, 15)
    assert clinicians[dr_rivera.pk] == dr_rivera


@pytest.mark.parametrize("appointments", [2, 40])
def test_availability_runs_a_fixed_number_of_queries(
    dr_rivera, dr_chen, follow_up, monday, django_assert_max_num_queries, appointments
):
    patients = PatientFactory.create_batch(3)
    for i in range(appointments):
        day = monday + timedelta(days=(i // 8) * 1)
        try:
            book(patients[i % 3], [dr_rivera, dr_chen][i % 2], follow_up, local(day, 9 + (i % 8)))
        except services.SlotTaken:
            pass
    with django_assert_max_num_queries(6):
        slots, _ = selectors.open_slots(follow_up, monday, monday + timedelta(days=27))
    assert slots


def test_booking_for_a_waitlist_entry_takes_it_off_the_list_only_when_booked(patient, dr_rivera, follow_up, monday,
                                                                            front_desk):
    entry = services.waitlist_add(patient=patient, visit_type=follow_up, earliest_date=monday, latest_date=monday)
    someone_else = services.waitlist_add(patient=PatientFactory(), visit_type=follow_up, earliest_date=monday,
                                         latest_date=monday)
    book(PatientFactory(), dr_rivera, follow_up, local(monday, 10))
    with pytest.raises(services.SlotTaken):
        book(patient, dr_rivera, follow_up, local(monday, 10), actor=front_desk, waitlist_entry=entry)
    entry.refresh_from_db()
    assert entry.status == WaitlistEntry.Status.WAITING  # the booking failed: still waiting
    book(patient, dr_rivera, follow_up, local(monday, 11), actor=front_desk, waitlist_entry=someone_else)
    someone_else.refresh_from_db()
    assert someone_else.status == WaitlistEntry.Status.WAITING  # another patient's entry is not theirs to close
    book(patient, dr_rivera, follow_up, local(monday, 14), actor=front_desk, waitlist_entry=entry)
    entry.refresh_from_db()
    assert entry.status == WaitlistEntry.Status.BOOKED


def test_staff_are_offered_the_real_next_free_times_not_those_past_the_online_notice(make_user, location, visit_types,
                                                                                   follow_up, clinic_settings):
    """The online 12-hour notice keeps patients from booking the next morning; the front desk may, and sees it."""
    from datetime import time as clock

    from scheduling.models import Clinician, WorkingHours

    clinician = Clinician.objects.create(user=make_user("Clinician", email="allday@stride.test"))
    clinician.visit_types.add(follow_up)
    clinician.locations.add(location)
    for weekday in range(7):  # open round the clock, so "soon" has free times whatever the hour the test runs
        WorkingHours.objects.create(clinician=clinician, location=location, weekday=weekday, start_time=clock(0),
                                    end_time=clock(23, 45), effective_from=timezone.localdate() - timedelta(days=1))
    now = timezone.now()
    soon = now.replace(second=0, microsecond=0) + timedelta(hours=3, minutes=-(now.minute % 15))
    book(PatientFactory(), clinician, follow_up, soon)
    with pytest.raises(services.SlotTaken) as taken:
        book(PatientFactory(), clinician, follow_up, soon)
    assert taken.value.next_free and taken.value.next_free[0].start < now + timedelta(hours=clinic_settings.min_notice_hours)


def test_a_visit_is_a_no_show_only_once_its_start_has_passed(patient, dr_rivera, follow_up, monday, front_desk):
    upcoming = book(patient, dr_rivera, follow_up, local(monday, 9))
    with pytest.raises(ValidationError) as refused:
        services.appointment_set_status(appointment=upcoming, status=Status.NO_SHOW, actor=front_desk)
    assert refused.value.messages == ["A visit is a no-show only once its start time has passed."]
    upcoming.refresh_from_db()
    assert upcoming.status == Status.BOOKED
    started = services.appointment_set_status(appointment=has_started(upcoming), status=Status.NO_SHOW,
                                              actor=front_desk)
    assert started.status == Status.NO_SHOW
