"""Every calendar page against every role: who may open it, who is turned away."""

import pytest

from clinic import roles
from scheduling import services
from scheduling.models import Modality
from tests.factories import sign_in

from .conftest import local

ANON, PATIENT, DESK, CLIN, ADMIN = "anonymous", roles.PATIENT, roles.FRONT_DESK, roles.CLINICIAN, roles.ADMIN
EVERYONE = (ANON, PATIENT, DESK, CLIN, ADMIN)
STAFF = {DESK, CLIN, ADMIN}

# (name, method, path template, data, roles allowed)
PAGES = [
    ("day", "get", "/schedule/", {}, STAFF),
    ("week", "get", "/schedule/?view=week", {}, STAFF),
    ("rooms", "get", "/schedule/?by=room", {}, STAFF),
    ("appointment", "get", "/schedule/appointments/{pk}/", {}, STAFF),
    ("confirm", "post", "/schedule/appointments/{pk}/status/", {"status": "confirmed"}, STAFF),
    ("move", "post", "/schedule/appointments/{pk}/move/", {"date": "{day}", "time": "15:00", "clinician": "{clin}"}, STAFF),
    ("cancel", "post", "/schedule/appointments/{pk}/cancel/", {"reason": "other", "details": "Ill"}, STAFF),
    ("decide", "post", "/schedule/appointments/{pk}/decide/", {"decision": "accept"}, STAFF),
    ("book form", "get", "/schedule/book/", {}, {DESK, ADMIN}),
    ("book", "post", "/schedule/book/", {"action": "search", "q": "oka"}, {DESK, ADMIN}),
    ("patient search", "get", "/schedule/patients/?q=oka", {}, STAFF),
    ("series", "get", "/schedule/series/", {}, {DESK, ADMIN}),
    ("waitlist", "get", "/schedule/waitlist/", {}, {DESK, ADMIN}),
    ("waitlist add", "post", "/schedule/waitlist/", {"action": "search", "q": "oka"}, {DESK, ADMIN}),
    ("waitlist remove", "post", "/schedule/waitlist/{entry}/remove/", {}, {DESK, ADMIN}),
    ("feed reset", "post", "/schedule/clinicians/{clin}/feed/", {}, {ADMIN}),
]


@pytest.mark.parametrize("role", EVERYONE)
@pytest.mark.parametrize("name,method,path,data,allowed", PAGES, ids=[p[0] for p in PAGES])
def test_role_matrix(client, make_user, patient, dr_rivera, follow_up, monday, role, name, method, path, data, allowed):
    appointment = services.appointment_book(
        patient=patient, clinician=dr_rivera, visit_type=follow_up, start=local(monday, 10),
        modality=Modality.IN_OFFICE, location=dr_rivera.locations.first(),
    )
    entry = services.waitlist_add(patient=patient, visit_type=follow_up, earliest_date=monday, latest_date=monday)
    if role != ANON:
        sign_in(client, make_user(role))
    values = {"pk": appointment.pk, "entry": entry.pk, "clin": dr_rivera.pk, "day": monday.isoformat()}
    url = path.format(**values)
    response = getattr(client, method)(url, {k: v.format(**values) for k, v in data.items()})

    if role in allowed:
        assert response.status_code in (200, 302), f"{role} should reach {name}"
        if response.status_code == 302:
            assert "/login/" not in response.url
    elif role == ANON:
        assert response.status_code == 302 and "/login/" in response.url
    else:
        assert response.status_code == 403, f"{role} must not reach {name}"


def test_the_feed_needs_no_sign_in_but_the_secret_token(client, dr_rivera):
    assert client.get(f"/schedule/feeds/{dr_rivera.calendar_token}.ics").status_code == 200
    assert client.get(f"/schedule/feeds/{dr_rivera.calendar_token[:-1]}.ics").status_code == 404


def test_patients_do_not_see_the_calendar_link(client, patient_user):
    sign_in(client, patient_user)
    assert b"Calendar</a>" not in client.get("/").content
