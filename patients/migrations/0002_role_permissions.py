from django.db import migrations

from clinic import roles

EVERYTHING = [
    f"patients.{action}_{model}"
    for model in ("patient", "patientdocument", "consent")
    for action in ("view", "add", "change", "delete")
] + ["patients.archive_patient"]


def grant_patient_permissions(apps, schema_editor):
    roles.grant(
        apps,
        {
            roles.ADMIN: EVERYTHING,
            roles.FRONT_DESK: [
                "patients.view_patient", "patients.add_patient", "patients.change_patient",
                "patients.archive_patient", "patients.view_patientdocument", "patients.add_patientdocument",
                "patients.view_consent", "patients.add_consent",
            ],
            roles.CLINICIAN: [
                "patients.view_patient", "patients.view_patientdocument", "patients.add_patientdocument",
                "patients.view_consent",
            ],
        },
    )


class Migration(migrations.Migration):
    dependencies = [("patients", "0001_initial"), ("clinic", "0002_roles")]

    operations = [migrations.RunPython(grant_patient_permissions, migrations.RunPython.noop)]
