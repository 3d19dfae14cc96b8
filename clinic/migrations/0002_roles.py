from django.db import migrations

from clinic import roles
from clinic.apps import ClinicConfig


def create_roles(apps, schema_editor):
    roles.grant(apps, ClinicConfig.role_permissions)


class Migration(migrations.Migration):
    dependencies = [
        ("clinic", "0001_initial"),
        ("auth", "0012_alter_user_first_name_max_length"),
        ("contenttypes", "0002_remove_content_type_name"),
    ]

    operations = [migrations.RunPython(create_roles, migrations.RunPython.noop)]
