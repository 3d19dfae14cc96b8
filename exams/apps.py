from django.apps import AppConfig

from clinic import roles

_CLINICAL = ["exam", "examaddendum", "examattachment", "workingdiagnosis"]


def _perms(models, actions):
    return [f"exams.{a}_{m}" for m in models for a in actions]


class ExamsConfig(AppConfig):
    name = "exams"
    # Reading an exam also takes intake.view_clinical (the clinical record's one switch, on IntakeForm).
    # A red-flag re-screen is a record: added and read, never changed.
    role_permissions = {
        roles.ADMIN: _perms(_CLINICAL, ("view", "add", "change")) + _perms(["redflagscreen"], ("view", "add")),
        roles.CLINICIAN: _perms(_CLINICAL, ("view", "add", "change")) + _perms(["redflagscreen"], ("view", "add")),
    }

    def ready(self):
        from clinic import audit
        from patients import care

        from . import chart_sections  # noqa: F401  (registers the chart's exams)
        from .models import Exam, ExamAddendum, RedFlagScreen, WorkingDiagnosis
        from .selectors import exams_in_care

        audit.track(Exam, patient=lambda obj: obj.patient_id, redact=("findings", "assessment_notes"))
        audit.track(ExamAddendum, patient=lambda a: a.exam.patient_id, redact=("text",))
        audit.track(WorkingDiagnosis, patient=lambda d: d.exam.patient_id, redact=("note",))
        audit.track(RedFlagScreen, patient=lambda obj: obj.patient_id, redact=("answers", "flags", "notes"))
        care.register_care_source(exams_in_care)
