"""An online booking records which version of the cancellation policy the patient accepted, and when."""

import django.db.models.deletion
from django.db import migrations, models


class Migration(migrations.Migration):

    dependencies = [
        ('clinic', '0007_default_clinic_texts'),
        ('scheduling', '0010_location_color'),
    ]

    operations = [
        migrations.AddField(
            model_name='appointment',
            name='cancellation_policy',
            field=models.ForeignKey(blank=True, editable=False, null=True, on_delete=django.db.models.deletion.PROTECT, related_name='+', to='clinic.clinictext', verbose_name='cancellation policy accepted'),
        ),
        migrations.AddField(
            model_name='appointment',
            name='cancellation_policy_accepted_at',
            field=models.DateTimeField(blank=True, editable=False, null=True, verbose_name='cancellation policy accepted at'),
        ),
    ]
