from django.db import migrations

from clinic import roles
from intake.apps import IntakeConfig


def grant(apps, schema_editor):
    roles.grant(apps, IntakeConfig.role_permissions)


class Migration(migrations.Migration):
    dependencies = [("intake", "0001_initial"), ("clinic", "0002_roles")]

    operations = [migrations.RunPython(grant, migrations.RunPython.noop)]
