"""On PostgreSQL, the database itself refuses overlapping active visits of a clinician or a room."""

from django.db import migrations

ACTIVE = "('requested', 'booked', 'confirmed', 'checked_in', 'completed')"

FORWARD = [
    "CREATE EXTENSION IF NOT EXISTS btree_gist",
    f"""ALTER TABLE scheduling_appointment ADD CONSTRAINT appointment_clinician_no_overlap
        EXCLUDE USING gist (clinician_id WITH =, tstzrange(busy_start_at, busy_end_at, '[)') WITH &&)
        WHERE (status IN {ACTIVE})""",
    f"""ALTER TABLE scheduling_appointment ADD CONSTRAINT appointment_room_no_overlap
        EXCLUDE USING gist (room_id WITH =, tstzrange(start_at, end_at, '[)') WITH &&)
        WHERE (room_id IS NOT NULL AND status IN {ACTIVE})""",
]
BACKWARD = [
    "ALTER TABLE scheduling_appointment DROP CONSTRAINT IF EXISTS appointment_clinician_no_overlap",
    "ALTER TABLE scheduling_appointment DROP CONSTRAINT IF EXISTS appointment_room_no_overlap",
]


def _run(statements):
    def run(apps, schema_editor):
        if schema_editor.connection.vendor != "postgresql":
            return  # SQLite serialises writers; the booking service's check is enough there.
        for sql in statements:
            schema_editor.execute(sql)

    return run


class Migration(migrations.Migration):
    dependencies = [("scheduling", "0001_initial")]

    operations = [migrations.RunPython(_run(FORWARD), _run(BACKWARD))]
