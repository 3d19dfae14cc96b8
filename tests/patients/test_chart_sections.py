"""The chart as a composition of each app's sections (patients.chart): what it shows after a change, each
viewer's own chart, the audit of what was shown, and a fixed number of queries for a clinician."""

import re
from datetime import timedelta

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import Client
from django.utils import timezone

from clinic.models import AuditEvent
from intake.models import IntakeForm, OutcomeScore, RedFlagAlert
from notifications.models import Notification
from patients.models import Consent, Patient, PatientDocument
from scheduling.models import Appointment, VisitType
from tests.exams.exam_fixtures import make_visit, sign, submitted_intake
from tests.factories import sign_in


def body(response):
    """The page's main part, with CSRF tokens (masked afresh on every request) left out."""
    html = response.content.decode()
    return re.sub(r'value="[A-Za-z0-9]{64}"', 'value="(token)"', html[html.index("<main"):])


@pytest.fixture
def look(rivera_client, patient):
    return lambda client=None: (client or rivera_client).get(f"/patients/{patient.mrn}/")


@pytest.fixture
def chart(exam, visit, patient, dr_rivera):
    """Dr. Rivera's patient with a submitted intake, scores, a draft exam and an upcoming visit."""
    submitted_intake(patient, visit)
    upcoming = make_visit(patient, dr_rivera, visit_type=visit.visit_type, location=visit.location,
                          start=timezone.now().replace(second=0, microsecond=0) + timedelta(days=2),
                          status=Appointment.Status.BOOKED)
    return {"patient": patient, "visit": visit, "exam": exam, "upcoming": upcoming, "dr_rivera": dr_rivera}


def _rename(c):
    Patient.objects.filter(pk=c["patient"].pk).update(email="renamed@example.com")
    return lambda html: "renamed@example.com" in html


def _book(c):
    make_visit(c["patient"], c["dr_rivera"], visit_type=c["visit"].visit_type, location=c["visit"].location,
               start=timezone.now().replace(hour=15, minute=0, second=0, microsecond=0) + timedelta(days=9),
               status=Appointment.Status.BOOKED)
    return lambda html: html.count("st-booked") == 2


def _cancel(c):
    Appointment.objects.filter(pk=c["upcoming"].pk).update(status=Appointment.Status.CANCELLED)
    return lambda html: "st-cancelled" in html


def _score(c):
    OutcomeScore.objects.create(patient=c["patient"], instrument="nprs", instrument_version="1", value=2,
                                recorded_at=timezone.now())
    return lambda html: html.count("<tr><td>") > c["before"].count("<tr><td>")  # one more row in a score table


def _red_flag(c):
    RedFlagAlert.objects.create(patient=c["patient"], appointment=c["visit"], urgency="emergency",
                                flags=[{"label": "Saddle numbness"}])
    return lambda html: "Saddle numbness" in html


def _intake_reopened(c):
    IntakeForm.objects.filter(patient=c["patient"]).update(status=IntakeForm.Status.IN_PROGRESS)
    return lambda html: "In progress" in html


def _exam_signed(c):
    sign(c["exam"], c["dr_rivera"])
    return lambda html: "Signed" in html and "Draft" not in html


def _document(c):
    PatientDocument.objects.create(patient=c["patient"], kind="imaging", title="Pelvis MRI",
                                   file=SimpleUploadedFile("mri.pdf", b"%PDF-1.4"))
    return lambda html: "Pelvis MRI" in html


def _consent(c):
    Consent.objects.create(patient=c["patient"], kind="treatment", signed_name="Signed By Hand")
    return lambda html: "Signed By Hand" in html


def _message_failed(c):
    Notification.objects.create(patient=c["patient"], appointment=c["upcoming"], kind="reminder", channel="sms",
                                due_at=timezone.now(), occasion="48h", status="failed", last_error="Carrier refused")
    return lambda html: "Carrier refused" in html


def _clinician_renamed(c):
    user = c["dr_rivera"].user
    user.last_name = "Rivera-Ortiz"
    user.save()
    return lambda html: "Rivera-Ortiz" in html


def _visit_type_renamed(c):
    VisitType.objects.filter(pk=c["visit"].visit_type_id).update(name="Return visit")
    return lambda html: "Return visit" in html


CHANGES = [_rename, _book, _cancel, _score, _red_flag, _intake_reopened, _exam_signed, _document,
           _consent, _message_failed, _clinician_renamed, _visit_type_renamed]


@pytest.mark.parametrize("change", CHANGES, ids=[c.__name__.strip("_") for c in CHANGES])
def test_a_change_shows_on_the_next_look(look, chart, change):
    before = body(look())
    shows = change({**chart, "before": before})
    assert not shows(before)
    assert shows(body(look()))


def test_each_viewer_gets_their_own_chart_and_their_own_csrf_token(look, chart, front_desk, dr_chen):
    mine = look()
    assert "Draft" in body(mine) and "ODI" in body(mine)  # exams and scores, for Dr. Rivera who treats the patient
    desk = Client()
    sign_in(desk, front_desk)
    theirs = look(desk)
    assert "Submitted" in body(theirs) and "Appointments" in body(theirs)  # the intake's status, the visits
    assert "Draft" not in body(theirs) and "ODI" not in body(theirs)  # no clinical notes for the front desk
    chen = Client()
    sign_in(chen, dr_chen.user)
    outside = body(look(chen))
    assert 'data-testid="emergency-access"' in outside and "Draft" not in outside  # not in Dr. Chen's care
    tokens = {re.search(r'name="csrfmiddlewaretoken" value="([^"]+)"', r.content.decode()).group(1)
              for r in (mine, theirs)}
    assert len(tokens) == 2
    token = re.search(r'name="csrfmiddlewaretoken" value="([^"]+)"', look(desk).content.decode()).group(1)
    desk_posting = Client(enforce_csrf_checks=True)
    desk_posting.cookies = desk.cookies
    response = desk_posting.post(f"/patients/{chart['patient'].mrn}/consents/",
                                 {"kind": "treatment", "signed_name": "Ada Desk", "csrfmiddlewaretoken": token})
    assert response.status_code == 302
    assert Consent.objects.filter(signed_name="Ada Desk").exists()


def test_the_audit_row_of_a_chart_view_names_the_sections_it_showed(look, chart, front_desk):
    look()
    desk = Client()
    sign_in(desk, front_desk)
    look(desk)
    views = AuditEvent.objects.filter(action="view", patient_id=chart["patient"].pk).order_by("id")
    clinician_saw, desk_saw = (set(v.changes["sections"]) for v in views)
    assert {"visits", "intake_forms", "exams", "progress", "documents", "messages"} <= clinician_saw
    assert {"visits", "intake_forms", "documents", "messages"} <= desk_saw
    assert not desk_saw & {"exams", "progress"}


@pytest.mark.parametrize("visits", [1, 12])
def test_a_clinicians_chart_runs_a_fixed_number_of_queries(look, chart, visits, django_assert_max_num_queries):
    for n in range(visits):
        past = make_visit(chart["patient"], chart["dr_rivera"], visit_type=chart["visit"].visit_type,
                          location=chart["visit"].location, start=timezone.now() - timedelta(days=8 + n),
                          status=Appointment.Status.COMPLETED)
        OutcomeScore.objects.create(patient=chart["patient"], appointment=past, instrument="nprs",
                                    instrument_version="1", value=n % 10, recorded_at=past.start_at)
    # session, user with roles; the patient with the viewer's access; visits; intake forms; red-flag alerts;
    # outcome scores; exams; documents; consents; messages; the audit row
    with django_assert_max_num_queries(12):
        response = look()
    assert response.status_code == 200
    assert body(response).count("Open exam</a>") == min(visits, 5)  # recent visits without an exam, at most 5
