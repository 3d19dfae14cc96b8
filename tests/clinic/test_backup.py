"""The documented backup and restore (bin/backup, bin/restore) bring back every row and every document."""

import os
import subprocess
from contextlib import closing
from pathlib import Path

import psycopg
import pytest
from django.apps import apps
from django.core.files.uploadedfile import SimpleUploadedFile
from django.db import connection

from clinic.audit import record_view
from patients.models import PatientDocument
from tests.factories import PatientFactory

ROOT = Path(__file__).resolve().parents[2]
pytestmark = [pytest.mark.postgres, pytest.mark.django_db(transaction=True)]  # pg_dump sees committed rows


def _url(name):
    s = connection.settings_dict
    auth = s["USER"] + (f":{s['PASSWORD']}" if s["PASSWORD"] else "")
    if not s["HOST"]:  # the Unix socket (.ci/run's fallback where local TCP logins are not trusted)
        return f"postgres://{auth}@/{name}"
    return f"postgres://{auth}@{s['HOST']}:{s['PORT'] or 5432}/{name}"


def _counts(url):
    with closing(psycopg.connect(url)) as conn, conn.cursor() as cursor:
        counts = {}
        for model in apps.get_models():
            cursor.execute(f'SELECT count(*) FROM "{model._meta.db_table}"')
            counts[model._meta.db_table] = cursor.fetchone()[0]
        return counts


def test_a_backup_restored_into_a_fresh_database_has_every_row_and_document_and_keeps_the_audit_trail_sealed(
    tmp_path, front_desk, settings
):
    patient = PatientFactory(last_name="Restored")
    mri = b"%PDF-1.4 pelvis MRI report"
    document = PatientDocument.objects.create(patient=patient, kind="imaging", title="MRI",
                                              file=SimpleUploadedFile("mri.pdf", mri))
    record_view(instance=patient, actor=front_desk)
    source = _url(connection.settings_dict["NAME"])
    fresh = f"{connection.settings_dict['NAME']}_restore_check"
    admin = psycopg.connect(_url("postgres"))
    admin.autocommit = True
    with admin.cursor() as cursor:
        cursor.execute(f'DROP DATABASE IF EXISTS "{fresh}"')
        cursor.execute(f'CREATE DATABASE "{fresh}"')
    try:
        env = {**os.environ, "DATABASE_URL": source, "MEDIA_ROOT": settings.MEDIA_ROOT}
        backup = subprocess.run([str(ROOT / "bin/backup"), str(tmp_path / "nightly")], check=True, env=env,
                                cwd=ROOT, capture_output=True, text=True)
        assert "(1 documents)" in backup.stdout
        restored_media = tmp_path / "media-restored"
        subprocess.run([str(ROOT / "bin/restore"), str(tmp_path / "nightly"), _url(fresh), str(restored_media)],
                       check=True, env=env, cwd=ROOT, capture_output=True)
        assert (restored_media / document.file.name).read_bytes() == mri  # the document the restored row names
        before, after = _counts(source), _counts(_url(fresh))
        assert after == before and after["patients_patient"] >= 1 and after["clinic_auditevent"] >= 1
        with closing(psycopg.connect(_url(fresh))) as conn, conn.cursor() as cursor:
            cursor.execute("SELECT last_name FROM patients_patient WHERE last_name = 'Restored'")
            assert cursor.fetchone() == ("Restored",)
            with pytest.raises(psycopg.Error, match="append-only"):
                cursor.execute("DELETE FROM clinic_auditevent")
    finally:
        with admin.cursor() as cursor:
            cursor.execute(f'DROP DATABASE IF EXISTS "{fresh}"')
        admin.close()


def test_backup_refuses_to_report_documents_it_cannot_archive(tmp_path):
    env = {**os.environ, "DATABASE_URL": _url(connection.settings_dict["NAME"]),
           "MEDIA_ROOT": str(tmp_path / "not-there")}
    done = subprocess.run([str(ROOT / "bin/backup"), str(tmp_path / "nightly")], env=env, cwd=ROOT,
                          capture_output=True, text=True)
    assert done.returncode != 0 and "not a folder" in done.stderr
    assert not (tmp_path / "nightly.media.tar.gz").exists()
