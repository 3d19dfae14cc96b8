"""Every exam page and exam/score API endpoint against every role: the front desk and patients never get in."""

from datetime import timedelta

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile

from clinic import roles
from exams import services as exam_services
from tests.exams.exam_fixtures import sign
from tests.factories import sign_in

ANON, PATIENT, DESK, CLIN, ADMIN = "anonymous", roles.PATIENT, roles.FRONT_DESK, roles.CLINICIAN, roles.ADMIN
EVERYONE = (ANON, PATIENT, DESK, CLIN, ADMIN)
STAFF_CLINICAL = {CLIN, ADMIN}

# (name, method, path template, roles allowed). {exam} is a draft, {signed} a signed exam of the same patient.
PAGES = [
    ("open from visit", "get", "/exams/appointment/{appt}/", STAFF_CLINICAL),
    ("start from visit", "post", "/exams/appointment/{appt}/", STAFF_CLINICAL),
    ("exam page", "get", "/exams/{exam}/", STAFF_CLINICAL),
    ("signed exam page", "get", "/exams/{signed}/", STAFF_CLINICAL),
    ("save section", "post", "/exams/{exam}/sections/plan/", STAFF_CLINICAL),
    ("sign", "post", "/exams/{exam}/sign/", {CLIN}),  # only the exam's own clinician signs
    ("addendum", "post", "/exams/{signed}/addenda/", STAFF_CLINICAL),
    ("attachment", "post", "/exams/{exam}/attachments/", STAFF_CLINICAL),
    ("book plan form", "get", "/exams/{exam}/plan/book/", STAFF_CLINICAL),
]
API = [
    ("exams api", "/api/v1/patients/{mrn}/exams/"),
    ("scores api", "/api/v1/patients/{mrn}/scores/"),
]


@pytest.fixture
def setup(db, exam, dr_rivera, patient, follow_up, location):
    from tests.exams.exam_fixtures import make_visit

    other = make_visit(patient, dr_rivera, visit_type=follow_up, location=location,
                       start=exam.appointment.start_at - timedelta(days=1))
    signed, _ = exam_services.exam_start(appointment=other, clinician=dr_rivera)
    sign(signed, dr_rivera)
    return {"appt": exam.appointment_id, "exam": exam.pk, "signed": signed.pk, "mrn": patient.mrn}


def _login(client, make_user, dr_rivera, role):
    if role == CLIN:
        sign_in(client, dr_rivera.user)  # the visit's and the exam's clinician
    elif role != ANON:
        sign_in(client, make_user(role))


@pytest.mark.django_db
@pytest.mark.parametrize("role", EVERYONE)
@pytest.mark.parametrize("name,method,path,allowed", PAGES, ids=[p[0] for p in PAGES])
def test_exam_pages_role_matrix(client, make_user, dr_rivera, setup, role, name, method, path, allowed):
    _login(client, make_user, dr_rivera, role)
    data = {}
    if name == "addendum":
        data = {"text": "A correction."}
    if name == "attachment":
        data = {"kind": "gait", "file": SimpleUploadedFile("gait.pdf", b"%PDF-1.4")}
    response = getattr(client, method)(path.format(**setup), data)

    if role in allowed:
        assert response.status_code in (200, 302), f"{role} should reach {name}"
        if response.status_code == 302:
            assert "/login/" not in response.url
    elif role == ANON:
        assert response.status_code == 302 and "/login/" in response.url
    else:
        assert response.status_code == 403, f"{role} must not reach {name}"


@pytest.mark.django_db
@pytest.mark.parametrize("role", EVERYONE)
@pytest.mark.parametrize("name,path", API, ids=[a[0] for a in API])
def test_exam_api_role_matrix(client, make_user, dr_rivera, setup, role, name, path):
    _login(client, make_user, dr_rivera, role)
    response = client.get(path.format(**setup))
    if role in STAFF_CLINICAL:
        assert response.status_code == 200
    elif role == ANON:
        assert response.status_code in (401, 403)
    else:
        assert response.status_code == 403
        assert b"findings" not in response.content and b"value" not in response.content


@pytest.mark.django_db
def test_front_desk_cannot_open_exam_notes_even_by_guessing_the_address(desk_client, setup):
    for path in (f"/exams/{setup['exam']}/", f"/exams/{setup['signed']}/", f"/api/v1/patients/{setup['mrn']}/exams/"):
        response = desk_client.get(path)
        assert response.status_code == 403
        assert b"Special tests" not in response.content
