"""The moved models' content types change app label from intake to exams.

Permissions (auth_permission) and admin log entries point at a content type by id, so relabelling the
rows keeps every role's grants and every log entry on the right model. Where Django already made an exams
row (a post_migrate ran between the moves), the grants move onto its permissions and the intake row goes.
"""

from django.db import migrations

MODELS = ("exam", "examaddendum", "examattachment")


def _relabel(apps, old, new):
    ContentType = apps.get_model("contenttypes", "ContentType")
    Permission = apps.get_model("auth", "Permission")
    for model in MODELS:
        source = ContentType.objects.filter(app_label=old, model=model).first()
        if source is None:
            continue
        target = ContentType.objects.filter(app_label=new, model=model).first()
        if target is None:
            source.app_label = new
            source.save(update_fields=["app_label"])
            continue
        for perm in Permission.objects.filter(content_type=source):
            twin, _ = Permission.objects.get_or_create(
                content_type=target, codename=perm.codename, defaults={"name": perm.name}
            )
            for group in perm.group_set.all():
                group.permissions.add(twin)
            for user in perm.user_set.all():
                user.user_permissions.add(twin)
        source.delete()
    ContentType.objects.clear_cache()


def forwards(apps, schema_editor):
    _relabel(apps, "intake", "exams")


def backwards(apps, schema_editor):
    _relabel(apps, "exams", "intake")


class Migration(migrations.Migration):
    dependencies = [
        ("exams", "0001_initial"),
        ("intake", "0005_exam_models_moved_to_exams"),
        ("contenttypes", "0002_remove_content_type_name"),
        ("auth", "0012_alter_user_first_name_max_length"),
    ]

    operations = [migrations.RunPython(forwards, backwards)]
