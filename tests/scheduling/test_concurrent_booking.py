"""Many people race for one slot on PostgreSQL: exactly one gets it, and every loser is told the time is taken."""

import json
import threading

import pytest
from django.core.cache import cache
from django.db import IntegrityError, connection, transaction
from django.test import Client

from clinic.models import User
from scheduling import services
from scheduling.models import Appointment, Clinician, Modality
from tests.factories import PatientFactory

from .conftest import NY, local

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


PUBLIC_RACERS = 30


def test_thirty_patients_racing_for_one_slot_online_get_one_booking_and_29_conflicts(dr_rivera, follow_up, monday,
                                                                                    location):
    """Through the public API, each in its own thread and connection: a deadlock or serialisation failure between
    them would be a 500 or the 503 outage answer; every loser must get 409 with other free times instead."""
    cache.clear()  # the booking throttle counts per address; each racer has its own
    start = local(monday, 10)
    barrier = threading.Barrier(PUBLIC_RACERS)
    answers = []

    def race(n):
        body = {"visit_type": follow_up.pk, "clinician": dr_rivera.pk, "start": start.astimezone(NY).isoformat(),
                "modality": "in_office", "location": location.pk,
                "patient": {"first_name": f"Racer{n}", "last_name": "Silva", "date_of_birth": "1987-05-14",
                            "email": f"racer{n}@example.com", "phone": f"617-555-{1000 + n}"},
                "accepts_cancellation_policy": True}
        client = Client(raise_request_exception=False)
        try:
            barrier.wait(timeout=30)
            response = client.post("/api/v1/bookings/", json.dumps(body), content_type="application/json",
                                   REMOTE_ADDR=f"10.9.0.{n + 1}", HTTP_IDEMPOTENCY_KEY=f"race-key-{n:04d}")
            answers.append((response.status_code, response.json()))
        except Exception as exc:  # anything else is a bug the test must show
            answers.append((None, repr(exc)))
        finally:
            connection.close()

    threads = [threading.Thread(target=race, args=(n,)) for n in range(PUBLIC_RACERS)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=120)

    codes = sorted(code or 0 for code, _ in answers)
    assert codes == [201] + [409] * (PUBLIC_RACERS - 1), answers
    for code, body in answers:
        if code == 409:
            assert body["detail"] and body["next_free"], body
            assert all(slot["start"] != start.astimezone(NY).isoformat() or slot["clinician"] != dr_rivera.pk
                       for slot in body["next_free"])
    assert Appointment.objects.filter(clinician=dr_rivera, start_at=start).count() == 1


def test_a_lost_race_is_not_reported_as_an_outage(client):
    """A deadlock that escapes a view anyway is a 409 "changed at the same moment", not the 503 outage answer."""
    from django.db import OperationalError

    from clinic import views
    from clinic.races import is_lost_race

    class Deadlock(Exception):
        pgcode = "40P01"

    error = OperationalError("deadlock detected")
    error.__cause__ = Deadlock()
    assert is_lost_race(error) and not is_lost_race(OperationalError("could not connect to server"))
    try:
        raise error
    except OperationalError:
        answer = views.server_error(client.get("/api/v1/").wsgi_request)
    assert answer.status_code == 409 and "at the same moment" in answer.content.decode()
    try:
        raise OperationalError("could not connect to server")
    except OperationalError:
        outage = views.server_error(client.get("/api/v1/").wsgi_request)
    assert outage.status_code == 503 and outage["Retry-After"] == "30"


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
