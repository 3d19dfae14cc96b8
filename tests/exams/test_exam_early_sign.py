"""An exam cannot be signed before its visit has started without a typed reason, stored, shown and audited."""

from datetime import timedelta

import pytest
from django.core.exceptions import ValidationError
from django.utils import timezone

from clinic.models import AuditEvent
from exams import services as exam_services
from scheduling.models import Appointment
from tests.exams.exam_fixtures import diagnosed, make_visit

pytestmark = pytest.mark.django_db


@pytest.fixture
def later_exam(patient, dr_rivera, follow_up, location):
    """The exam of a visit that starts in two hours, with its working diagnosis chosen."""
    start = timezone.now().replace(second=0, microsecond=0) + timedelta(hours=2)
    visit = make_visit(patient, dr_rivera, visit_type=follow_up, location=location, start=start,
                       status=Appointment.Status.BOOKED)
    exam, _created = exam_services.exam_start(appointment=visit, clinician=dr_rivera)
    diagnosed(exam, dr_rivera, "piriformis_syndrome", "right")
    return exam


def test_signing_before_the_visit_starts_without_a_reason_is_refused_next_to_the_field(rivera_client, later_exam):
    page = rivera_client.get(f"/exams/{later_exam.pk}/").content.decode()
    assert "Reason for signing before the visit starts" in page
    response = rivera_client.post(f"/exams/{later_exam.pk}/sign/", {"early_sign_reason": "  soon "})
    assert response.status_code == 400
    html = response.content.decode()
    error = html[html.index('id="early-sign-error"'):][:300]
    assert "To sign the exam before then, say why (at least 10 characters)" in error
    assert ">soon</textarea>" in html or ">  soon </textarea>" in html  # what was typed stays
    later_exam.refresh_from_db()
    assert not later_exam.is_signed


def test_signing_early_with_a_reason_stores_shows_and_audits_it(rivera_client, later_exam):
    reason = "Patient called: visit moved to telehealth, exam done by phone earlier"
    response = rivera_client.post(f"/exams/{later_exam.pk}/sign/", {"early_sign_reason": reason})
    assert response.status_code == 302
    later_exam.refresh_from_db()
    assert later_exam.is_signed and later_exam.early_sign_reason == reason and later_exam.signed_early
    html = rivera_client.get(f"/exams/{later_exam.pk}/").content.decode()
    assert html.count(reason) == 2  # in the signed banner and in the sign-off
    assert "Signed before the visit started" in html
    change = AuditEvent.objects.filter(object_type="exams.Exam", object_id=str(later_exam.pk),
                                       action="change").latest("id")
    assert change.changes["early_sign_reason"] == ["", reason]


def test_a_started_visit_signs_without_a_reason(rivera_client, exam, dr_rivera):
    diagnosed(exam, dr_rivera, "piriformis_syndrome", "right")
    assert "Reason for signing before" not in rivera_client.get(f"/exams/{exam.pk}/").content.decode()
    assert rivera_client.post(f"/exams/{exam.pk}/sign/").status_code == 302
    exam.refresh_from_db()
    assert exam.is_signed and exam.early_sign_reason == ""


def test_the_service_refuses_an_early_signature_without_a_reason(later_exam, dr_rivera):
    with pytest.raises(ValidationError) as refused:
        exam_services.exam_sign(exam=later_exam, actor=dr_rivera.user)
    assert "early_sign_reason" in refused.value.message_dict
