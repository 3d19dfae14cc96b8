from django.db import migrations


def mark_clinical(apps, schema_editor):
    """Documents stored as exams' attachments before the flag existed are clinical too."""
    ExamAttachment = apps.get_model("intake", "ExamAttachment")
    PatientDocument = apps.get_model("patients", "PatientDocument")
    PatientDocument.objects.filter(pk__in=ExamAttachment.objects.values("document_id")).update(clinical=True)


class Migration(migrations.Migration):
    dependencies = [
        ("intake", "0003_exam_section_revisions"),
        ("patients", "0006_document_clinical"),
    ]

    operations = [migrations.RunPython(mark_clinical, migrations.RunPython.noop)]
