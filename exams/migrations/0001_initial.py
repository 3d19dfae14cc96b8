"""The clinician's exam, moved from intake: the models join this app's state and keep their tables.

State only: the tables intake_exam, intake_examaddendum and intake_examattachment, their rows, indexes and
foreign keys stay as they are (the models name them in Meta.db_table); intake 0005 drops the models from
intake's state. Content types and permissions follow in 0002 and 0003.
"""

import django.db.models.deletion
import django.utils.timezone
from django.conf import settings
from django.db import migrations, models


class Migration(migrations.Migration):

    initial = True

    dependencies = [
        ("intake", "0004_attachment_documents_are_clinical"),
        ('patients', '0006_document_clinical'),
        ('scheduling', '0004_appointment_busy_index'),
        migrations.swappable_dependency(settings.AUTH_USER_MODEL),
    ]

    operations = [
        migrations.SeparateDatabaseAndState(
            state_operations=[
                migrations.CreateModel(
                    name='Exam',
                    fields=[
                        ('id', models.BigAutoField(auto_created=True, primary_key=True, serialize=False, verbose_name='ID')),
                        ('findings', models.JSONField(blank=True, default=dict, help_text='Sections: gait, mobility, strength, neuro, special_tests, ultrasound, plan.')),
                        ('working_diagnosis', models.CharField(blank=True, choices=[('deep_gluteal_syndrome', 'Deep gluteal syndrome'), ('piriformis_syndrome', 'Piriformis syndrome'), ('si_joint_dysfunction', 'SI joint dysfunction'), ('sciatica', 'Sciatica'), ('lumbar_disc', 'Lumbar disc problem'), ('trauma', 'Trauma'), ('other', 'Other')], max_length=30)),
                        ('icd10_code', models.CharField(blank=True, max_length=10, verbose_name='ICD-10 code')),
                        ('assessment_notes', models.TextField(blank=True)),
                        ('section_revisions', models.JSONField(blank=True, default=dict, help_text='Per section: how many times it was saved, by whom, when (refuses a save over a newer one).')),
                        ('signed_at', models.DateTimeField(blank=True, null=True)),
                        ('created_at', models.DateTimeField(default=django.utils.timezone.now)),
                        ('updated_at', models.DateTimeField(auto_now=True)),
                        ('appointment', models.OneToOneField(blank=True, null=True, on_delete=django.db.models.deletion.SET_NULL, related_name='exam', to='scheduling.appointment')),
                        ('clinician', models.ForeignKey(on_delete=django.db.models.deletion.PROTECT, related_name='exams', to='scheduling.clinician')),
                        ('patient', models.ForeignKey(on_delete=django.db.models.deletion.CASCADE, related_name='exams', to='patients.patient')),
                        ('signed_by', models.ForeignKey(blank=True, null=True, on_delete=django.db.models.deletion.SET_NULL, related_name='+', to=settings.AUTH_USER_MODEL)),
                    ],
                    options={
                        'db_table': 'intake_exam',
                        'ordering': ['-created_at'],
                    },
                ),
                migrations.CreateModel(
                    name='ExamAddendum',
                    fields=[
                        ('id', models.BigAutoField(auto_created=True, primary_key=True, serialize=False, verbose_name='ID')),
                        ('text', models.TextField()),
                        ('created_at', models.DateTimeField(default=django.utils.timezone.now)),
                        ('author', models.ForeignKey(on_delete=django.db.models.deletion.PROTECT, related_name='+', to=settings.AUTH_USER_MODEL)),
                        ('exam', models.ForeignKey(on_delete=django.db.models.deletion.CASCADE, related_name='addenda', to='exams.exam')),
                    ],
                    options={
                        'verbose_name_plural': 'exam addenda',
                        'db_table': 'intake_examaddendum',
                        'ordering': ['created_at'],
                    },
                ),
                migrations.CreateModel(
                    name='ExamAttachment',
                    fields=[
                        ('id', models.BigAutoField(auto_created=True, primary_key=True, serialize=False, verbose_name='ID')),
                        ('caption', models.CharField(blank=True, max_length=200)),
                        ('document', models.ForeignKey(on_delete=django.db.models.deletion.CASCADE, related_name='+', to='patients.patientdocument')),
                        ('exam', models.ForeignKey(on_delete=django.db.models.deletion.CASCADE, related_name='attachments', to='exams.exam')),
                    ],
                    options={
                        'db_table': 'intake_examattachment',
                    },
                ),
                migrations.AddIndex(
                    model_name='exam',
                    index=models.Index(fields=['patient', '-created_at'], name='intake_exam_patient_df40c2_idx'),
                ),
            ],
            database_operations=[],
        ),
    ]
