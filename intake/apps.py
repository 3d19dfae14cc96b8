from django.apps import AppConfig

from clinic import roles

_CLINICAL = ["intakeform", "outcomescore", "redflagalert"]


def _perms(models, actions):
    return [f"intake.{a}_{m}" for m in models for a in actions]


class IntakeConfig(AppConfig):
    name = "intake"
    # The front desk sends intake links and sees whether a form is done, never what it says.
    role_permissions = {
        # Loading an instrument file changes what every patient answers and rests on the clinic's licence: admins (in
        # the staff admin) and the clinicians who choose the clinic's measures (the Questionnaires page) may; putting
        # an old version back in force or taking one out of the intake stays in the staff admin.
        roles.ADMIN: _perms(_CLINICAL, ("view", "add", "change")) + ["intake.view_clinical"]
        + _perms(["instrument"], ("view", "add", "change")),
        roles.FRONT_DESK: ["intake.add_intakeform", "intake.view_redflagalert"],
        roles.CLINICIAN: _perms(_CLINICAL, ("view", "add", "change")) + ["intake.view_clinical"]
        + _perms(["instrument"], ("view", "add")),
    }

    def ready(self):
        from clinic import audit
        from scheduling import intake_progress

        from . import chart_sections, checks  # noqa: F401  (registers the chart's sections and the ODI check)
        from .models import INTAKE_STEPS, Instrument, IntakeForm, IntakeSignature, OutcomeScore, RedFlagAlert

        intake_progress.register_steps(INTAKE_STEPS)  # the calendar's "Intake 3 of 7"

        clinical = ("answers", "step_drafts", "flags", "details")
        for model in (IntakeForm, OutcomeScore, RedFlagAlert):
            audit.track(model, patient=lambda obj: obj.patient_id, redact=clinical)
        # The drawn signature: the trail records that it was drawn or changed, never the image.
        audit.track(IntakeSignature, patient=lambda obj: obj.intake.patient_id, redact=("png",))
        audit.track(Instrument, patient=lambda obj: None, redact=("definition",))
