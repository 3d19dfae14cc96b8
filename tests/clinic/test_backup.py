"""The documented backup and restore (bin/backup, bin/restore) bring back every row."""

import os
import subprocess
from contextlib import closing
from pathlib import Path

import psycopg
import pytest
from django.apps import apps
from django.db import connection

from clinic.audit import record_view
from tests.factories import PatientFactory

ROOT = Path(__file__).resolve().parents[2]
pytestmark = [pytest.mark.postgres, pytest.mark.django_db(transaction=True)]  # pg_dump sees committed rows


def _url(name):
    s = connection.settings_dict
    auth = s["USER"] + (f":{s['PASSWORD']}" if s["PASSWORD"] else "")
    return f"postgres://{auth}@{s['HOST'] or '127.0.0.1'}:{s['PORT'] or 5432}/{name}"


def _counts(url):
    with closing(psycopg.connect(url)) as conn, conn.cursor() as cursor:
        counts = {}
        for model in apps.get_models():
            cursor.execute(f'SELECT count(*) FROM "{model._meta.db_table}"')
            counts[model._meta.db_table] = cursor.fetchone()[0]
        return counts


def test_a_backup_restored_into_a_fresh_database_has_every_row_and_keeps_the_audit_trail_sealed(
    tmp_path, front_desk
):
    patient = PatientFactory(last_name="Restored")
    record_view(instance=patient, actor=front_desk)
    source = _url(connection.settings_dict["NAME"])
    fresh = f"{connection.settings_dict['NAME']}_restore_check"
    admin = psycopg.connect(_url("postgres"))
    admin.autocommit = True
    with admin.cursor() as cursor:
        cursor.execute(f'DROP DATABASE IF EXISTS "{fresh}"')
        cursor.execute(f'CREATE DATABASE "{fresh}"')
    try:
        env = {**os.environ, "DATABASE_URL": source, "MEDIA_ROOT": str(tmp_path / "no-media")}
        subprocess.run([str(ROOT / "bin/backup"), str(tmp_path / "nightly")], check=True, env=env, cwd=ROOT,
                       capture_output=True)
        subprocess.run([str(ROOT / "bin/restore"), str(tmp_path / "nightly"), _url(fresh)], check=True, env=env,
                       cwd=ROOT, capture_output=True)
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
