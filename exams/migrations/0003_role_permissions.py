from django.db import migrations

from clinic import roles
from exams.apps import ExamsConfig


def grant(apps, schema_editor):
    roles.grant(apps, ExamsConfig.role_permissions)


class Migration(migrations.Migration):
    dependencies = [("exams", "0002_content_types_from_intake"), ("clinic", "0002_roles")]

    operations = [migrations.RunPython(grant, migrations.RunPython.noop)]
