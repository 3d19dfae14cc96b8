from django.db import migrations

from clinic import roles


def create_roles(apps, schema_editor):
    roles.grant(
        apps,
        {
            roles.ADMIN: [
                "clinic.view_user", "clinic.add_user", "clinic.change_user",
                "auth.view_group", "auth.add_group", "auth.change_group",
                "clinic.view_auditevent", "clinic.view_workerheartbeat",
            ],
            roles.FRONT_DESK: [],
            roles.CLINICIAN: [],
            roles.PATIENT: [],
        },
    )


class Migration(migrations.Migration):
    dependencies = [
        ("clinic", "0001_initial"),
        ("auth", "0012_alter_user_first_name_max_length"),
        ("contenttypes", "0002_remove_content_type_name"),
    ]

    operations = [migrations.RunPython(create_roles, migrations.RunPython.noop)]
