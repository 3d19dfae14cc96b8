from django.db import migrations

from clinic import roles
from scheduling.apps import SchedulingConfig
from scheduling.defaults import ensure_default_visit_types


def seed(apps, schema_editor):
    ensure_default_visit_types(apps.get_model("scheduling", "VisitType"))
    roles.grant(apps, SchedulingConfig.role_permissions)


class Migration(migrations.Migration):
    dependencies = [("scheduling", "0002_no_double_booking"), ("clinic", "0002_roles")]

    operations = [migrations.RunPython(seed, migrations.RunPython.noop)]
