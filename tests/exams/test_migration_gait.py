"""exams 0005: every gait recorded before walking and running were apart becomes walking, signed exams too, its
values unchanged (per-side stride lengths included); a gait with nothing in it is no gait; the way back too."""

import pytest
from django.db import connection
from django.db.migrations.executor import MigrationExecutor
from django.utils import timezone

from exams.models import Exam

BEFORE = [("exams", "0004_exam_early_sign_reason")]
AFTER = [("exams", "0005_gait_walking_running")]

OLD_GAIT = {  # as the old GaitForm stored it: every field, a stride length per side, symmetry on stride and stance
    "speed": 1.1, "cadence": 104, "stride_length_left": 120, "stride_length_right": 130, "step_width": 8,
    "stance_left": 62, "stance_right": 58, "deviations": {"left": ["trendelenburg"], "right": []},
    "deviations_other": "", "symmetry": {"stride_length": {"left": 120, "right": 130, "percent": 8.0},
                                         "stance": {"left": 62, "right": 58, "percent": -6.7}},
}
BLANK_GAIT = {"speed": None, "cadence": None, "stride_length_left": None, "stride_length_right": None,
              "step_width": None, "stance_left": None, "stance_right": None,
              "deviations": {"left": [], "right": []}, "deviations_other": "", "symmetry": {}}


def _migrate(targets):
    executor = MigrationExecutor(connection)
    executor.migrate(targets)
    return executor.loader.project_state(targets).apps


def _latest():
    return MigrationExecutor(connection).loader.graph.leaf_nodes()


@pytest.mark.django_db(transaction=True)
def test_old_gait_becomes_walking_signed_exams_included(patient, dr_rivera):
    old = _migrate(BEFORE)
    try:
        OldExam = old.get_model("exams", "Exam")
        made = {
            name: OldExam.objects.create(patient_id=patient.pk, clinician_id=dr_rivera.pk, findings=findings,
                                         signed_at=timezone.now() if name == "signed" else None).pk
            for name, findings in (
                ("draft", {"gait": OLD_GAIT, "mobility": {"hip_flexion": {"left": 100}}}),
                ("signed", {"gait": OLD_GAIT, "suggestions_at_signing": []}),
                ("blank", {"gait": BLANK_GAIT}),
                ("no_gait", {"plan": {"weeks": 6}}),
            )
        }
    finally:
        _migrate(_latest())

    findings = {name: Exam.objects.get(pk=pk).findings for name, pk in made.items()}
    assert findings["draft"] == {"gait": {"walking": OLD_GAIT}, "mobility": {"hip_flexion": {"left": 100}}}
    assert findings["signed"] == {"gait": {"walking": OLD_GAIT}, "suggestions_at_signing": []}
    assert Exam.objects.get(pk=made["signed"]).is_signed  # still signed: only where the values sit changed
    assert findings["blank"] == {"gait": {}}  # nothing was tested
    assert findings["no_gait"] == {"plan": {"weeks": 6}}


@pytest.mark.django_db(transaction=True)
def test_back_to_one_gait_keeps_walking_and_the_running_beside_it(patient, dr_rivera):
    _migrate(_latest())
    running = {"cadence": 168}
    exam = Exam.objects.create(patient=patient, clinician=dr_rivera,
                               findings={"gait": {"walking": {"speed": 1.2}, "running": running}})
    try:
        old = _migrate(BEFORE)
        assert old.get_model("exams", "Exam").objects.get(pk=exam.pk).findings == {
            "gait": {"speed": 1.2, "running": running}
        }
        new = _migrate(AFTER)
        # Forward again: walking and running as they were.
        assert new.get_model("exams", "Exam").objects.get(pk=exam.pk).findings == {"gait": {"walking": {"speed": 1.2}, "running": running}}
    finally:
        _migrate(_latest())
