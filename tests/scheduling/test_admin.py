"""An admin sets the clinic up in the staff admin, with no code and no shell: locations and rooms, visit types,
a clinician with hours, closures and the clinic settings; and what they set is what the calendar offers."""

from datetime import timedelta

import pytest
from django.core.cache import cache

from clinic.models import User
from scheduling.models import Clinician, ClinicSettings, Closure, Location, Room, VisitType
from tests.factories import sign_in

pytestmark = pytest.mark.django_db


@pytest.fixture
def admin_client(client, admin_user):
    sign_in(client, admin_user)
    return client


def inline(prefix, rows=()):
    """An admin inline's POST fields: the management form and each row as prefix-N-field."""
    data = {f"{prefix}-TOTAL_FORMS": len(rows), f"{prefix}-INITIAL_FORMS": 0}
    for i, row in enumerate(rows):
        data.update({f"{prefix}-{i}-{name}": value for name, value in row.items()})
    return data


def test_an_admin_sets_up_a_clinician_from_nothing_and_their_slots_appear_online(admin_client, client, monday):
    cache.clear()  # the booking throttle and settings cache start empty
    response = admin_client.post("/admin/scheduling/location/add/", {
        "name": "Cambridge", "address_line1": "1 Main St", "city": "Cambridge", "state": "MA", "postal_code": "02139",
        "time_zone": "America/New_York", "is_active": "on",
        **inline("rooms", [{"name": "Gait lab", "is_active": "on"}, {"name": "Treatment A", "is_active": "on"}]),
    })
    assert response.status_code == 302, response.context["adminform"].form.errors
    location = Location.objects.get(name="Cambridge")
    assert sorted(location.rooms.values_list("name", flat=True)) == ["Gait lab", "Treatment A"]

    assert admin_client.post("/admin/scheduling/visittype/add/", {
        "name": "Running assessment", "modality": "in_office", "duration_minutes": 60, "buffer_before_minutes": 0,
        "buffer_after_minutes": 0, "color": "#2a9d8f", "bookable_online": "on", "sort_order": 5, "is_active": "on",
    }).status_code == 302
    running = VisitType.objects.get(name="Running assessment")

    # A new user given the Clinician role goes straight on to their clinician profile.
    response = admin_client.post("/admin/clinic/user/add/", {
        "email": "dr.ito@stride.test", "first_name": "Ken", "last_name": "Ito", "role": "Clinician",
        "usable_password": "true", "password1": "a long and Unusual phrase 42", "password2": "a long and Unusual phrase 42",
    })
    user_id = User.objects.get(email="dr.ito@stride.test").pk
    assert response.status_code == 302 and response["Location"] == f"/admin/scheduling/clinician/add/?user={user_id}"
    profile_form = admin_client.get(response["Location"])
    assert profile_form.context["adminform"].form.initial["user"] == str(user_id)

    response = admin_client.post("/admin/scheduling/clinician/add/", {
        "user": user_id, "credentials": "DPT", "visit_types": [running.pk], "is_active": "on", "sort_order": 0,
        # No location ticked: the hours' location is linked for them, or the hours would never offer a slot.
        **inline("working_hours", [{"weekday": 0, "start_time": "09:00", "end_time": "12:00",
                                    "location": location.pk, "effective_from": (monday - timedelta(days=7))}]),
        **inline("time_off"),
    }, follow=True)
    assert response.status_code == 200
    assert "Added the locations of their working hours" in response.content.decode()
    clinician = Clinician.objects.get(user_id=user_id)
    assert list(clinician.locations.all()) == [location]

    slots = client.get("/api/v1/availability/", {"visit_type": running.pk, "start": monday, "end": monday,
                                                 "modality": "in_office"}).json()["slots"]
    assert [s["start"][11:16] for s in slots if s["clinician"] == clinician.pk] == ["09:00", "09:15", "09:30",
                                                                                   "09:45", "10:00", "10:15",
                                                                                   "10:30", "10:45", "11:00"]
    # A closure added in the admin takes the day away.
    assert admin_client.post("/admin/scheduling/closure/add/", {"date": monday, "name": "Staff training",
                                                                 "location": ""}).status_code == 302
    assert Closure.objects.get().location is None
    assert client.get("/api/v1/availability/", {"visit_type": running.pk, "start": monday, "end": monday,
                                                "modality": "in_office"}).json()["slots"] == []


def test_a_clinician_without_hours_is_flagged_in_the_clinician_list(admin_client, make_user, location, dr_rivera,
                                                                    django_assert_max_num_queries):
    Clinician.objects.create(user=make_user("Clinician", email="idle@stride.test", first_name="Ida", last_name="Idle"))
    with django_assert_max_num_queries(12):
        page = admin_client.get("/admin/scheduling/clinician/").content.decode()
    rows = {name: row for row in page.split("<tr") for name in ("Ida Idle", "Sam Rivera") if name in row}
    assert "None: not on the calendar or online" in rows["Ida Idle"]
    assert "None: not on the calendar or online" not in rows["Sam Rivera"]
    only_idle = admin_client.get("/admin/scheduling/clinician/?hours=no").content.decode()
    assert "Ida Idle" in only_idle and dr_rivera.user.last_name not in only_idle
    for i in range(5):  # more clinicians, each with locations: the list still runs the same few queries
        more = Clinician.objects.create(user=make_user("Clinician", email=f"more{i}@stride.test"))
        more.locations.add(location)
    with django_assert_max_num_queries(12):
        assert admin_client.get("/admin/scheduling/clinician/").status_code == 200


def test_a_clinician_without_hours_is_flagged_above_their_column_on_the_calendar(desk_client, make_user, dr_rivera,
                                                                                  monday):
    Clinician.objects.create(user=make_user("Clinician", email="new@stride.test", first_name="Nia", last_name="New"))
    page = desk_client.get("/schedule/", {"date": monday}).content.decode()
    heads = [h.split("</div>", 1)[0] for h in page.split('class="cal-head')[1:]]
    flagged = {h.split('title="', 1)[1].split(" ", 2)[1]: "No working hours set: not bookable" in h for h in heads}
    assert flagged == {"New": True, "Rivera": False}


def test_clinic_settings_are_one_page_that_can_be_changed_and_read_at_once(admin_client):
    ClinicSettings.load()
    listing = admin_client.get("/admin/scheduling/clinicsettings/")
    assert listing.status_code == 302 and listing["Location"] == "/admin/scheduling/clinicsettings/1/change/"
    assert admin_client.get("/admin/scheduling/clinicsettings/add/").status_code == 403
    assert admin_client.get("/admin/scheduling/clinicsettings/1/delete/").status_code == 403
    response = admin_client.post("/admin/scheduling/clinicsettings/1/change/", {
        "auto_confirm_online_bookings": "", "min_notice_hours": 24, "booking_horizon_days": 60,
        "patient_change_cutoff_hours": 48, "slot_grid_minutes": 15, "telehealth_base_url": "https://video.example",
    })
    assert response.status_code == 302
    rules = ClinicSettings.load()  # no minute-long wait for the cached copy
    assert (rules.auto_confirm_online_bookings, rules.min_notice_hours, rules.patient_change_cutoff_hours) == (
        False, 24, 48)


def test_a_location_with_a_time_zone_that_does_not_exist_is_refused_next_to_the_field(admin_client):
    response = admin_client.post("/admin/scheduling/location/add/", {
        "name": "Typo", "address_line1": "1 Main St", "city": "Boston", "time_zone": "America/Bostn",
        "is_active": "on", **inline("rooms"),
    })
    assert response.status_code == 200 and "time_zone" in response.context["adminform"].form.errors
    assert "Typo" in response.content.decode()  # what was typed stays in the form
    assert not Location.objects.filter(name="Typo").exists()


def test_visits_are_looked_up_in_the_admin_but_changed_only_on_the_calendar(admin_client, front_desk, dr_rivera,
                                                                           follow_up, location, monday, patient):
    from scheduling import services
    from tests.scheduling.conftest import local

    visit = services.appointment_book(patient=patient, clinician=dr_rivera, visit_type=follow_up,
                                      start=local(monday, 10), modality="in_office", location=location)
    listing = admin_client.get("/admin/scheduling/appointment/")
    assert listing.status_code == 200 and patient.last_name in listing.content.decode()
    assert admin_client.get("/admin/scheduling/appointment/add/").status_code == 403
    assert admin_client.get(f"/admin/scheduling/appointment/{visit.pk}/delete/").status_code == 403
    assert admin_client.post(f"/admin/scheduling/appointment/{visit.pk}/change/", {"status": "cancelled"}
                             ).status_code == 403
    visit.refresh_from_db()
    assert visit.status == "booked"
    # The front desk is not staff-admin staff at all.
    from django.test import Client

    desk = sign_in(Client(), front_desk)
    assert desk.get("/admin/scheduling/clinician/").status_code == 302
    assert Room.objects.filter(location=location).count() == 2
