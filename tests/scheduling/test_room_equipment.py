"""Rooms carry equipment and visits name what they need: each visit gets the least specialised room that fits,
so a follow-up never blocks the gait lab's treadmill, and a gait analysis is offered only where there is one."""

from datetime import timedelta

import pytest

from scheduling import services
from scheduling.models import Equipment, Location, Room
from tests.factories import PatientFactory

from .conftest import local

pytestmark = pytest.mark.django_db


@pytest.fixture
def gait_lab(location, visit_types):
    """The fixture location's two treatment rooms get a plinth; a gait lab has a plinth and the treadmill."""
    plinth, treadmill = Equipment.objects.create(name="Plinth"), Equipment.objects.create(name="Instrumented treadmill")
    for room in location.rooms.all():
        room.equipment.add(plinth)
    lab = Room.objects.create(location=location, name="A gait lab")  # first by name: picked before, by accident
    lab.equipment.add(plinth, treadmill)
    visit_types["3D gait analysis"].equipment_needed.add(treadmill)
    return lab


def book(clinician, visit_type, start, location):
    return services.appointment_book(patient=PatientFactory(), clinician=clinician, visit_type=visit_type, start=start,
                                     modality="in_office", location=location)


def test_a_follow_up_goes_to_a_treatment_room_and_a_gait_analysis_to_the_gait_lab(gait_lab, dr_rivera, dr_chen,
                                                                               follow_up, visit_types, location,
                                                                               monday):
    follow = book(dr_rivera, follow_up, local(monday, 10), location)
    assert follow.room.name.startswith("Treatment")
    gait = book(dr_chen, visit_types["3D gait analysis"], local(monday, 10), location)
    assert gait.room == gait_lab  # still free: the follow-up did not take it


def test_a_second_gait_analysis_at_the_same_time_is_refused_with_the_reason(gait_lab, dr_rivera, dr_chen,
                                                                             visit_types, location, monday):
    book(dr_rivera, visit_types["3D gait analysis"], local(monday, 10), location)
    with pytest.raises(services.SlotTaken) as refused:
        book(dr_chen, visit_types["3D gait analysis"], local(monday, 10), location)
    assert refused.value.message == "No room with the instrumented treadmill is free at that time."
    assert refused.value.next_free  # and the next times come with it


def test_a_gait_analysis_is_offered_online_only_where_a_room_has_the_treadmill(gait_lab, client, dr_rivera, location,
                                                                               visit_types, monday):
    bare = Location.objects.create(name="Annex", address_line1="9 Side St", city="Boston")
    Room.objects.create(location=bare, name="Room 1")
    dr_rivera.locations.add(bare)
    dr_rivera.working_hours.filter(weekday=0).update(location=bare)  # Mondays at the annex, which has no treadmill
    gait = visit_types["3D gait analysis"]
    params = {"visit_type": gait.pk, "start": monday, "end": monday + timedelta(days=1),
              "modality": "in_office"}
    slots = client.get("/api/v1/availability/", params).json()["slots"]
    assert slots and {s["location"] for s in slots} == {location.pk}  # Tuesday at the main clinic only
    assert all(s["start"].startswith(str(monday + timedelta(days=1))) for s in slots)
    # A follow-up needs nothing special: offered on Monday at the annex as before.
    follow = client.get("/api/v1/availability/", {**params, "visit_type": visit_types["Follow-up"].pk}).json()["slots"]
    assert bare.pk in {s["location"] for s in follow}
