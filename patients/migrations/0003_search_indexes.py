"""On PostgreSQL, indexes for the front desk's patient search at chain scale.

Name prefixes (lower(name) LIKE 'riv%') use text_pattern_ops btree indexes; phone digits anywhere in
the number (LIKE '%5550134%') use trigram indexes. SQLite has no such index types and needs none.
"""

from django.db import migrations

FORWARD = [
    "CREATE EXTENSION IF NOT EXISTS pg_trgm",
    "CREATE INDEX IF NOT EXISTS patient_last_prefix_idx ON patients_patient (lower(last_name) text_pattern_ops)",
    "CREATE INDEX IF NOT EXISTS patient_first_prefix_idx ON patients_patient (lower(first_name) text_pattern_ops)",
    "CREATE INDEX IF NOT EXISTS patient_pref_prefix_idx ON patients_patient (lower(preferred_name) text_pattern_ops)",
    "CREATE INDEX IF NOT EXISTS patient_phone_trgm_idx ON patients_patient USING gin (mobile_phone gin_trgm_ops)",
    "CREATE INDEX IF NOT EXISTS patient_ec_phone_trgm_idx ON patients_patient "
    "USING gin (emergency_contact_phone gin_trgm_ops)",
]
BACKWARD = [
    f"DROP INDEX IF EXISTS {name}"
    for name in ("patient_last_prefix_idx", "patient_first_prefix_idx", "patient_pref_prefix_idx",
                 "patient_phone_trgm_idx", "patient_ec_phone_trgm_idx")
]


def _run(statements):
    def run(apps, schema_editor):
        if schema_editor.connection.vendor == "postgresql":
            for sql in statements:
                schema_editor.execute(sql)

    return run


class Migration(migrations.Migration):
    dependencies = [("patients", "0002_role_permissions")]

    operations = [migrations.RunPython(_run(FORWARD), _run(BACKWARD))]
