"""The exam's move from intake to exams (intake 0005, exams 0001-0003) on a database that holds exams already:
rows, grants and log entries written under the intake app are all there, unchanged, under exams."""

import pytest
from django.contrib.admin.models import CHANGE, LogEntry
from django.contrib.auth.models import Group, Permission
from django.contrib.contenttypes.models import ContentType
from django.db import connection
from django.db.migrations.executor import MigrationExecutor

from clinic import roles
from exams.models import Exam
from patients.models import PatientDocument
from tests.exams.exam_fixtures import make_visit
from tests.factories import UserFactory

BEFORE = [("intake", "0004_attachment_documents_are_clinical"), ("exams", None)]


def _migrate(targets):
    """Migrate to `targets`; the historical apps as of the first one."""
    executor = MigrationExecutor(connection)
    executor.migrate(targets)
    return executor.loader.project_state(targets[0]).apps


def _latest():
    return MigrationExecutor(connection).loader.graph.leaf_nodes()


@pytest.mark.django_db(transaction=True)
def test_an_exam_written_before_the_move_keeps_its_addenda_attachments_grants_and_log(
    patient, dr_rivera, follow_up, location
):
    visit = make_visit(patient, dr_rivera, visit_type=follow_up, location=location)
    document = PatientDocument.objects.create(
        patient=patient, kind="ultrasound", title="Ultrasound still", file="documents/still.png", clinical=True
    )
    old = _migrate(BEFORE)
    try:
        # Written as the code before the move wrote it: intake's models, intake's content types and grants.
        OldExam = old.get_model("intake", "Exam")
        exam = OldExam.objects.create(
            patient_id=patient.pk, appointment_id=visit.pk, clinician_id=dr_rivera.pk,
            findings={"gait": {"speed": 1.1}}, working_diagnosis="piriformis_syndrome",
        )
        old.get_model("intake", "ExamAddendum").objects.create(exam=exam, author_id=dr_rivera.user_id, text="Eased.")
        old.get_model("intake", "ExamAttachment").objects.create(exam=exam, document_id=document.pk, caption="Left")
        old_type = ContentType.objects.get(app_label="intake", model="exam")
        # (exams' own later models, such as the red-flag re-screen, keep their content type throughout.)
        assert not ContentType.objects.filter(app_label="exams", model__startswith="exam").exists()
        assert Group.objects.get(name=roles.CLINICIAN).permissions.filter(
            content_type=old_type, codename="change_exam"
        ).exists()
        # A grant no role gives (so only the relabelled rows can carry it) and an admin log entry.
        locum = UserFactory()
        locum.user_permissions.add(Permission.objects.get(content_type=old_type, codename="view_exam"))
        entry = LogEntry.objects.create(
            user_id=locum.pk, content_type_id=old_type.pk, object_id=str(exam.pk), object_repr="Exam",
            action_flag=CHANGE,
        )
    finally:
        _migrate(_latest())
    ContentType.objects.clear_cache()

    moved = Exam.objects.prefetch_related("addenda", "attachments__document").get(pk=exam.pk)
    assert (moved.patient_id, moved.appointment_id, moved.findings) == (patient.pk, visit.pk, {"gait": {"speed": 1.1}})
    assert moved.get_working_diagnosis_display() == "Piriformis syndrome"
    assert [a.text for a in moved.addenda.all()] == ["Eased."]
    assert [(a.caption, a.document.title) for a in moved.attachments.all()] == [("Left", "Ultrasound still")]

    new_type = ContentType.objects.get_for_model(Exam)
    assert new_type.pk == old_type.pk and new_type.app_label == "exams"
    assert not ContentType.objects.filter(app_label="intake", model__startswith="exam").exists()
    clinician = type(locum).objects.get(pk=dr_rivera.user_id)
    assert all(clinician.has_perm(p) for p in ("exams.view_exam", "exams.change_exam", "exams.add_examaddendum"))
    assert not clinician.has_perm("intake.view_exam")
    assert type(locum).objects.get(pk=locum.pk).has_perm("exams.view_exam")
    assert LogEntry.objects.get(pk=entry.pk).get_edited_object() == moved
