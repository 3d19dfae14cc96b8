from django.db import migrations

from clinic import roles
from patients.apps import PatientsConfig


def grant_patient_permissions(apps, schema_editor):
    roles.grant(apps, PatientsConfig.role_permissions)


class Migration(migrations.Migration):
    dependencies = [("patients", "0001_initial"), ("clinic", "0002_roles")]

    operations = [migrations.RunPython(grant_patient_permissions, migrations.RunPython.noop)]
