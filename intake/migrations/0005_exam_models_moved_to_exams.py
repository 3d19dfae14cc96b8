"""The exam models left intake for the exams app (exams 0001): removed from intake's state only; their
tables and rows stay and now belong to exams."""

from django.db import migrations


class Migration(migrations.Migration):

    dependencies = [
        ('intake', '0004_attachment_documents_are_clinical'),
        ('exams', '0001_initial'),
    ]

    operations = [
        migrations.SeparateDatabaseAndState(
            state_operations=[
                migrations.RemoveField(
                    model_name='examattachment',
                    name='exam',
                ),
                migrations.RemoveField(
                    model_name='examaddendum',
                    name='exam',
                ),
                migrations.RemoveField(
                    model_name='examaddendum',
                    name='author',
                ),
                migrations.RemoveField(
                    model_name='examattachment',
                    name='document',
                ),
                migrations.DeleteModel(
                    name='Exam',
                ),
                migrations.DeleteModel(
                    name='ExamAddendum',
                ),
                migrations.DeleteModel(
                    name='ExamAttachment',
                ),
            ],
            database_operations=[],
        ),
    ]
