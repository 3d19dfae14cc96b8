from datetime import timedelta

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.files.uploadedfile import SimpleUploadedFile
from django.utils import timezone

from clinic.models import AuditEvent
from exams import selectors as exam_selectors
from exams import services as exam_services
from exams.forms import SpecialTestsForm, UltrasoundForm
from exams.models import Exam, ExamAttachment
from intake.models import OutcomeScore
from scheduling.models import Appointment
from tests.exams.exam_fixtures import SI_CLUSTER_3, current_revision, diagnosed, make_visit, sign, submitted_intake

pytestmark = pytest.mark.django_db


def _tests(data):
    form = SpecialTestsForm(data)
    assert form.is_valid(), form.errors
    return form.to_findings()


def test_exam_starts_prefilled_from_the_visits_submitted_intake(visit, dr_rivera):
    submitted_intake(visit.patient, visit)
    exam, created = exam_services.exam_start(appointment=visit, clinician=dr_rivera)
    history = exam.findings["history"]
    assert created and exam.clinician == dr_rivera and exam.patient == visit.patient
    assert history["onset_mechanism"] == "fall" and history["onset_notes"] == "Slipped on ice"
    assert history["side"] == "left" and history["osteoporosis"] is True and history["long_term_steroids"] is False
    assert history["from_intake"]["pain"] == {"pain_now": 6, "pain_best": 3, "pain_worst": 8}
    assert history["from_intake"]["scores"] == {"nprs": 6.0, "odi": 35.6, "psfs": 4.3}


def test_exam_start_uses_the_latest_intake_when_the_visit_has_none_and_maps_middle_to_central(visit, dr_rivera):
    submitted_intake(visit.patient, None, side="middle", onset_how="gradual")
    exam, _ = exam_services.exam_start(appointment=visit, clinician=dr_rivera)
    assert exam.findings["history"]["side"] == "central"
    assert exam.findings["history"]["onset_mechanism"] == "gradual"


def test_opening_twice_returns_the_same_exam(visit, dr_rivera):
    first, created = exam_services.exam_start(appointment=visit, clinician=dr_rivera)
    again, created_again = exam_services.exam_start(appointment=visit, clinician=dr_rivera)
    assert created and not created_again and first.pk == again.pk
    assert Exam.objects.count() == 1


def test_no_exam_for_a_cancelled_visit(patient, dr_rivera, follow_up, location):
    cancelled = make_visit(patient, dr_rivera, visit_type=follow_up, location=location,
                           status=Appointment.Status.CANCELLED)
    with pytest.raises(ValidationError, match="cancelled"):
        exam_services.exam_start(appointment=cancelled, clinician=dr_rivera)


def test_a_follow_up_exam_carries_the_last_signed_working_diagnosis(exam, dr_rivera, patient, follow_up, location):
    sign(exam, dr_rivera, "piriformis_syndrome")
    later = make_visit(patient, dr_rivera, visit_type=follow_up, location=location,
                       start=timezone.now() + timedelta(days=7))
    follow, _ = exam_services.exam_start(appointment=later, clinician=dr_rivera)
    [carried] = follow.diagnoses.all()
    assert (carried.diagnosis, carried.side, carried.icd10_code, carried.primary) == (
        "piriformis_syndrome", "left", "G57.02", True)
    assert not follow.is_signed and list(exam.diagnoses.all()) != [carried]  # a copy on the draft


def test_saving_one_section_keeps_the_others(exam, dr_rivera):
    exam_services.exam_save_section(exam=exam, section="special_tests", revision=current_revision(exam, "special_tests"), data=_tests(SI_CLUSTER_3), actor=dr_rivera.user)
    exam_services.exam_save_section(exam=exam, section="plan", revision=current_revision(exam, "plan"), data={"weeks": 6}, actor=dr_rivera.user)
    exam.refresh_from_db()
    assert exam.findings["special_tests"]["distraction"] == "positive"
    assert exam.findings["plan"] == {"weeks": 6} and "history" in exam.findings


def test_si_cluster_suggestion_shows_its_rule_and_never_sets_the_diagnosis(exam, dr_rivera):
    exam_services.exam_save_section(exam=exam, section="special_tests", revision=current_revision(exam, "special_tests"), data=_tests(SI_CLUSTER_3), actor=dr_rivera.user)
    exam.refresh_from_db()
    suggestions = exam_selectors.exam_suggestions(exam)
    si = [s for s in suggestions if s.condition == "si_joint_dysfunction"]
    assert si and si[0].rule.startswith("3 of 5 SI provocation tests positive")
    assert "sensitivity 0.91, specificity 0.78" in si[0].rule
    assert "thigh thrust positive (right)" in si[0].evidence
    assert not exam.diagnoses.exists()


def test_signing_locks_the_exam_and_keeps_the_suggestions_shown(exam, dr_rivera):
    exam_services.exam_save_section(exam=exam, section="special_tests", revision=current_revision(exam, "special_tests"), data=_tests(SI_CLUSTER_3), actor=dr_rivera.user)
    signed = sign(exam, dr_rivera)
    assert signed.signed_by == dr_rivera.user and signed.signed_at is not None
    assert signed.findings["suggestions_at_signing"][0]["rule"].startswith("3 of 5")
    with pytest.raises(exam_services.ExamLocked):
        exam_services.exam_save_section(exam=signed, section="plan", revision=current_revision(signed, "plan"), data={}, actor=dr_rivera.user)
    with pytest.raises(exam_services.ExamLocked):
        exam_services.exam_sign(exam=signed, actor=dr_rivera.user)
    signed.refresh_from_db()
    signed.assessment_notes = "changed in place"
    with pytest.raises(PermissionError):
        signed.save()


def test_signing_needs_a_working_diagnosis(exam, dr_rivera):
    with pytest.raises(ValidationError, match="working diagnosis"):
        exam_services.exam_sign(exam=exam, actor=dr_rivera.user)


def test_only_the_exams_clinician_signs_it(exam, dr_chen, dr_rivera):
    diagnosed(exam, dr_rivera, "sciatica", "left")
    with pytest.raises(PermissionDenied):
        exam_services.exam_sign(exam=exam, actor=dr_chen.user)
    assert not Exam.objects.get(pk=exam.pk).is_signed


def test_addenda_are_for_signed_exams_and_keep_author_and_time(exam, dr_rivera, dr_chen):
    with pytest.raises(ValidationError, match="still a draft"):
        exam_services.exam_add_addendum(exam=exam, author=dr_rivera.user, text="Too early")
    sign(exam, dr_rivera)
    with pytest.raises(ValidationError):
        exam_services.exam_add_addendum(exam=exam, author=dr_chen.user, text="   ")
    addendum = exam_services.exam_add_addendum(exam=exam, author=dr_chen.user, text="FABER was positive on the left.")
    assert addendum.author == dr_chen.user and addendum.created_at is not None
    assert list(exam.addenda.values_list("text", flat=True)) == ["FABER was positive on the left."]
    assert AuditEvent.objects.filter(object_type="exams.ExamAddendum", action="create").count() == 1


def test_todays_scores_are_stored_as_outcome_scores_of_the_visit(exam, dr_rivera):
    odi = {"pain_intensity": 2, "personal_care": 1, "lifting": 3, "walking": 1, "sitting": 3, "standing": 2,
           "sleeping": 1, "sex_life": None, "social_life": 2, "travelling": 1}
    data = {"nprs": 4, "nprs_version": "1", "odi": odi, "odi_version": "placeholder"}
    exam_services.exam_save_section(exam=exam, section="scores", revision=current_revision(exam, "scores"), data=data, actor=dr_rivera.user)
    rows = {s.instrument: s for s in OutcomeScore.objects.filter(patient=exam.patient)}
    assert float(rows["nprs"].value) == 4 and rows["nprs"].band == "moderate" and rows["nprs"].instrument_version == "1"
    assert float(rows["odi"].value) == 35.6 and rows["odi"].instrument_version == "placeholder"  # 16 / 45
    # Sections saved on the old built-in placeholder are demo wording: stored, never banded as an ODI score.
    assert rows["odi"].demo_wording and rows["odi"].band == ""
    assert rows["odi"].appointment == exam.appointment and rows["odi"].recorded_at == exam.appointment.start_at
    assert rows["odi"].intake is None and rows["odi"].details["exam_id"] == exam.pk

    # Saving again updates in place; clearing a measure removes its row.
    exam_services.exam_save_section(exam=exam, section="scores", revision=current_revision(exam, "scores"), data={**data, "nprs": 3, "odi": {}}, actor=dr_rivera.user)
    assert list(OutcomeScore.objects.filter(patient=exam.patient).values_list("instrument", "value")) == [("nprs", 3)]


def test_gait_symmetry_is_stored_with_raw_values_and_formula(exam):
    from exams.forms import GaitForm

    form = GaitForm({"walking_step_length_left": "60", "walking_step_length_right": "65", "walking_stance_left": "62",
                     "walking_stance_right": "58", "walking_deviations_left": ["trendelenburg"]}, exam=exam)
    assert form.is_valid(), form.errors
    walking = form.to_findings()["walking"]
    # (65 - 60) / (0.5 x 125) x 100 = 8.0, right larger; stance (58 - 62) / 60 x 100 = -6.7.
    assert walking["symmetry"]["step_length"] == {
        "left": 60, "right": 65, "percent": 8.0, "formula": "SI = (R - L) / (0.5 x (R + L)) x 100",
        "larger_side": "right",
    }
    assert walking["symmetry"]["stance"]["percent"] == -6.7
    assert walking["deviations"] == {"left": ["trendelenburg"], "right": []}


def test_an_ultrasound_still_is_a_patient_document_linked_to_its_finding(exam, dr_rivera):
    form = UltrasoundForm({"us-TOTAL_FORMS": "1", "us-INITIAL_FORMS": "0", "us-0-structure": "piriformis",
                           "us-0-side": "left", "us-0-mode": "dynamic", "us-0-measurement": "1.2", "us-0-unit": "cm",
                           "us-0-finding": "Thickened"}, exam=exam)
    assert form.is_valid(), form.errors
    exam = exam_services.exam_save_section(exam=exam, section="ultrasound", revision=current_revision(exam, "ultrasound"), data=form.to_findings(), actor=dr_rivera.user)
    row_id = exam.findings["ultrasound"][0]["id"]
    attachment = exam_services.exam_attach(
        exam=exam, actor=dr_rivera.user, kind="ultrasound", file=SimpleUploadedFile("still.png", b"\x89PNG\r\n\x1a\n..."),
        caption="Piriformis, left, contracted", finding_id=row_id,
    )
    exam.refresh_from_db()
    assert attachment.document.kind == "ultrasound" and attachment.document.patient == exam.patient
    assert exam.findings["ultrasound"][0]["image_ids"] == [attachment.pk]
    sign(exam, dr_rivera)
    with pytest.raises(exam_services.ExamLocked):
        exam_services.exam_attach(exam=exam, actor=dr_rivera.user, kind="gait",
                                  file=SimpleUploadedFile("gait.pdf", b"%PDF-1.7"))
    assert ExamAttachment.objects.count() == 1


def test_ultrasound_row_needs_structure_and_side_and_a_unit_for_a_measurement(exam):
    form = UltrasoundForm({"us-TOTAL_FORMS": "1", "us-INITIAL_FORMS": "0", "us-0-measurement": "1.2",
                           "us-0-finding": "Thickened"}, exam=exam)
    assert not form.is_valid()
    assert set(form.errors) == {"us-0-structure", "us-0-side", "us-0-unit"}


def test_booking_the_plan_books_the_series_with_the_exams_clinician(exam, dr_rivera, follow_up):
    monday = timezone.localdate() + timedelta(days=7 - timezone.localdate().weekday() + 7)
    first = timezone.make_aware(timezone.datetime.combine(monday, timezone.datetime.min.time()).replace(hour=10))
    results = exam_services.exam_book_plan_series(
        exam=exam, actor=dr_rivera.user, visit_type=follow_up, first_start=first, weekdays=[0, 3], weeks=3
    )
    booked = [r.appointment for r in results if r.appointment]
    assert len(booked) == 6
    assert {a.clinician_id for a in booked} == {dr_rivera.pk} and {a.patient_id for a in booked} == {exam.patient_id}
    assert booked[0].series_id and booked[0].reason.startswith("Treatment plan from the exam of")
    assert [timezone.localtime(a.start_at).weekday() for a in booked[:2]] == [0, 3]
