from django.db import migrations

from clinic import roles
from notifications.apps import NotificationsConfig


def grant(apps, schema_editor):
    roles.grant(apps, NotificationsConfig.role_permissions)


class Migration(migrations.Migration):
    dependencies = [("notifications", "0001_initial"), ("clinic", "0002_roles")]

    operations = [migrations.RunPython(grant, migrations.RunPython.noop)]
