"""Many people race for one slot on PostgreSQL: exactly one gets it."""

import threading

import pytest
from django.db import IntegrityError, connection, transaction

from clinic.models import User
from scheduling import services
from scheduling.models import Appointment, Clinician, Modality
from tests.factories import PatientFactory

from .conftest import local

pytestmark = [pytest.mark.postgres, pytest.mark.django_db(transaction=True)]

RACERS = 12


def test_concurrent_bookings_of_one_slot_yield_exactly_one_appointment(dr_rivera, follow_up, monday, location):
    patients = PatientFactory.create_batch(RACERS)
    start = local(monday, 10)
    barrier = threading.Barrier(RACERS)
    outcomes = []

    def race(patient):
        try:
            barrier.wait(timeout=10)
            services.appointment_book(
                patient=patient, clinician=dr_rivera, visit_type=follow_up, start=start,
                modality=Modality.IN_OFFICE, location=location,
            )
            outcomes.append("booked")
        except services.SlotTaken as exc:
            outcomes.append("taken" if exc.next_free else "taken without alternatives")
        except Exception as exc:  # anything else is a bug the test must show
            outcomes.append(f"error: {exc!r}")
        finally:
            connection.close()

    threads = [threading.Thread(target=race, args=(p,)) for p in patients]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=60)

    assert sorted(outcomes) == ["booked"] + ["taken"] * (RACERS - 1)
    assert Appointment.objects.filter(clinician=dr_rivera, start_at=start).count() == 1


def test_the_database_itself_refuses_overlaps_that_skip_the_service(patient, dr_rivera, follow_up, monday, location):
    def insert(start, **extra):
        return Appointment.objects.create(
            patient=patient, clinician=dr_rivera, visit_type=follow_up, modality=Modality.IN_OFFICE,
            location=location, start_at=start, end_at=start + (local(monday, 10, 45) - local(monday, 10)), **extra
        )

    insert(local(monday, 10))
    with pytest.raises(IntegrityError, match="appointment_clinician_no_overlap"), transaction.atomic():
        insert(local(monday, 10, 30))
    insert(local(monday, 10, 30), status=Appointment.Status.CANCELLED)  # cancelled visits hold no time
    insert(local(monday, 10, 45))  # back to back is fine
    room = location.rooms.first()
    other = PatientFactory()
    Appointment.objects.create(
        patient=other, clinician=dr_rivera, visit_type=follow_up, modality=Modality.IN_OFFICE, location=location,
        room=room, start_at=local(monday, 14), end_at=local(monday, 15),
    )
    chen = Clinician.objects.create(user=User.objects.create_user(email="chen2@stride.test"))
    with pytest.raises(IntegrityError, match="appointment_room_no_overlap"), transaction.atomic():
        Appointment.objects.create(
            patient=other, clinician=chen, visit_type=follow_up, modality=Modality.IN_OFFICE, location=location,
            room=room, start_at=local(monday, 14, 30), end_at=local(monday, 15, 30),
        )
