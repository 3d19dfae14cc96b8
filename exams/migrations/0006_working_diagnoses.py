"""Several working diagnoses per exam, each with its side and ICD-10-CM code (exams.WorkingDiagnosis), in place of
the exam's one diagnosis and typed code. Each exam's diagnosis moves to a row as it was recorded: its code as typed,
no side (the clinician adds it on a draft's next save; a signed exam keeps what was signed). "Lumbar disc problem"
becomes Other with those words, since the table's disc entry now means a disc disorder with radiculopathy."""

from django.db import migrations, models

# The legacy choices whose meaning the table keeps; the others move to "other" with their old wording.
KEPT = {"deep_gluteal_syndrome", "piriformis_syndrome", "si_joint_dysfunction", "sciatica", "trauma", "other"}
LEGACY_LABELS = {"lumbar_disc": "Lumbar disc problem"}


def forwards(apps, schema_editor):
    Exam = apps.get_model("exams", "Exam")
    WorkingDiagnosis = apps.get_model("exams", "WorkingDiagnosis")
    rows = []
    for exam in Exam.objects.exclude(working_diagnosis="", icd10_code="").only("pk", "working_diagnosis", "icd10_code"):
        key = exam.working_diagnosis
        if key in KEPT:
            diagnosis, note = key, ""
        else:
            diagnosis = "other"
            note = LEGACY_LABELS.get(key, key.replace("_", " ").capitalize()) if key else "Code recorded without a diagnosis"
        rows.append(WorkingDiagnosis(exam_id=exam.pk, diagnosis=diagnosis, icd10_code=exam.icd10_code, note=note,
                                     primary=True))
    WorkingDiagnosis.objects.bulk_create(rows, batch_size=1000)


def backwards(apps, schema_editor):
    Exam = apps.get_model("exams", "Exam")
    WorkingDiagnosis = apps.get_model("exams", "WorkingDiagnosis")
    for row in WorkingDiagnosis.objects.filter(primary=True).only("exam_id", "diagnosis", "icd10_code", "note"):
        legacy = {v: k for k, v in LEGACY_LABELS.items()}.get(row.note) if row.diagnosis == "other" else None
        key = legacy or (row.diagnosis if row.diagnosis in KEPT else "other")
        Exam.objects.filter(pk=row.exam_id).update(working_diagnosis=key, icd10_code=row.icd10_code)


class Migration(migrations.Migration):
    dependencies = [("exams", "0005_gait_walking_running")]

    operations = [
        migrations.CreateModel(
            name="WorkingDiagnosis",
            fields=[
                ("id", models.BigAutoField(auto_created=True, primary_key=True, serialize=False, verbose_name="ID")),
                ("diagnosis", models.CharField(max_length=40)),
                ("side", models.CharField(blank=True, choices=[("left", "Left"), ("right", "Right"), ("both", "Both sides")], max_length=10)),
                ("icd10_code", models.CharField(blank=True, max_length=10, verbose_name="ICD-10-CM code")),
                ("primary", models.BooleanField(default=False)),
                ("note", models.CharField(blank=True, max_length=500)),
                ("position", models.PositiveSmallIntegerField(default=0, help_text="The order the clinician listed them in.")),
                ("exam", models.ForeignKey(on_delete=models.deletion.CASCADE, related_name="diagnoses", to="exams.exam")),
            ],
            options={"verbose_name_plural": "working diagnoses", "ordering": ["-primary", "position", "id"]},
        ),
        migrations.AddConstraint(
            model_name="workingdiagnosis",
            constraint=models.UniqueConstraint(condition=models.Q(("primary", True)), fields=("exam",),
                                               name="one_primary_diagnosis_per_exam"),
        ),
        migrations.RunPython(forwards, backwards),
        migrations.RemoveField(model_name="exam", name="working_diagnosis"),
        migrations.RemoveField(model_name="exam", name="icd10_code"),
    ]
