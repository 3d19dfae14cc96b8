"""Every patient page against every role: who may open it, who is turned away."""

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile

from clinic import roles
from patients.models import PatientDocument
from tests.factories import sign_in

ANON, PATIENT, DESK, CLIN, ADMIN = "anonymous", roles.PATIENT, roles.FRONT_DESK, roles.CLINICIAN, roles.ADMIN
EVERYONE = (ANON, PATIENT, DESK, CLIN, ADMIN)

# (name, method, path template, roles allowed)
PAGES = [
    ("list", "get", "/patients/", {DESK, CLIN, ADMIN}),
    ("search", "get", "/patients/?q=oka", {DESK, CLIN, ADMIN}),
    ("create form", "get", "/patients/new/", {DESK, ADMIN}),
    ("chart", "get", "/patients/{mrn}/", {DESK, CLIN, ADMIN}),
    ("edit form", "get", "/patients/{mrn}/edit/", {DESK, ADMIN}),
    ("archive", "post", "/patients/{mrn}/archive/", {DESK, ADMIN}),
    ("document", "get", "/patients/{mrn}/documents/{doc}/", {DESK, CLIN, ADMIN}),
    ("consent", "post", "/patients/{mrn}/consents/", {DESK, ADMIN}),
    ("upload", "post", "/patients/{mrn}/documents/", {DESK, CLIN, ADMIN}),
    ("staff admin", "get", "/admin/patients/patient/", {ADMIN}),
    ("audit log", "get", "/admin/clinic/auditevent/", {ADMIN}),
]


@pytest.mark.parametrize("role", EVERYONE)
@pytest.mark.parametrize("name,method,path,allowed", PAGES, ids=[p[0] for p in PAGES])
def test_role_matrix(client, make_user, patient, role, name, method, path, allowed):
    document = PatientDocument.objects.create(
        patient=patient, kind="referral", title="Referral", file=SimpleUploadedFile("r.pdf", b"%PDF-1.4 x")
    )
    if role != ANON:
        sign_in(client, make_user(role))
    url = path.format(mrn=patient.mrn, doc=document.pk)
    data = {"kind": "treatment", "signed_name": "Maya Okafor"} if name == "consent" else {}
    if name == "upload":
        data = {"kind": "imaging", "title": "MRI", "file": SimpleUploadedFile("mri.pdf", b"%PDF-1.4 y")}
    response = getattr(client, method)(url, data)

    if role in allowed:
        assert response.status_code in (200, 302), f"{role} should reach {name}"
        if response.status_code == 302:
            assert "/login/" not in response.url
    elif role == ANON:
        assert response.status_code == 302 and "/login/" in response.url
    else:
        assert response.status_code in (302, 403), f"{role} must not reach {name}"
        if response.status_code == 302:  # the staff admin sends non-staff users to its own login
            assert "/login/" in response.url


def test_patient_user_sees_only_their_own_home_not_staff_pages(client, patient_user):
    sign_in(client, patient_user)
    home = client.get("/")
    assert home.status_code == 200
    assert b"Patients</a>" not in home.content
    assert client.get("/patients/").status_code == 403
