import django.db.models.deletion
from django.conf import settings
from django.db import migrations, models
from django.db.models import F


def vouch_for_staff_visits(apps, schema_editor):
    """A visit staff booked was vouched for by whoever booked it; an online one that staff other than its
    clinician confirmed, checked in or completed (the last change is theirs), by them."""
    Appointment = apps.get_model("scheduling", "Appointment")
    Appointment.objects.filter(created_by__isnull=False).update(vouched_by=F("created_by"))
    (
        Appointment.objects.filter(
            vouched_by__isnull=True, updated_by__isnull=False, status__in=("confirmed", "checked_in", "completed")
        )
        .exclude(updated_by=F("clinician__user"))
        .update(vouched_by=F("updated_by"))
    )


class Migration(migrations.Migration):

    dependencies = [
        ("scheduling", "0004_appointment_busy_index"),
        migrations.swappable_dependency(settings.AUTH_USER_MODEL),
    ]

    operations = [
        migrations.AddField(
            model_name="appointment",
            name="vouched_by",
            field=models.ForeignKey(
                blank=True, editable=False, null=True, on_delete=django.db.models.deletion.SET_NULL,
                related_name="+", to=settings.AUTH_USER_MODEL,
            ),
        ),
        migrations.RunPython(vouch_for_staff_visits, migrations.RunPython.noop),
    ]
