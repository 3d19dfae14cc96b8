"""On PostgreSQL, the audit trail is append-only for every database role, the application's included.

The model already refuses save() of an existing row and delete(); this trigger also stops a queryset
update or delete, raw SQL, or a compromised application from rewriting history. The one change let
through is the one Django makes when a user account is deleted: actor set to NULL, with `actor_label`
(the email) kept. TRUNCATE is left to the database owner (the test runner empties tables with it).
"""

from django.db import migrations

CREATE = """
CREATE OR REPLACE FUNCTION clinic_audit_append_only() RETURNS trigger AS $$
BEGIN
    IF TG_OP = 'UPDATE' AND OLD.actor_id IS NOT NULL AND NEW.actor_id IS NULL
       AND (to_jsonb(NEW) - 'actor_id') = (to_jsonb(OLD) - 'actor_id') THEN
        RETURN NEW;
    END IF;
    RAISE EXCEPTION 'audit events are append-only: % refused', TG_OP USING ERRCODE = 'insufficient_privilege';
END
$$ LANGUAGE plpgsql;
CREATE TRIGGER clinic_auditevent_append_only BEFORE UPDATE OR DELETE ON clinic_auditevent
    FOR EACH ROW EXECUTE FUNCTION clinic_audit_append_only();
"""
DROP = """
DROP TRIGGER IF EXISTS clinic_auditevent_append_only ON clinic_auditevent;
DROP FUNCTION IF EXISTS clinic_audit_append_only();
"""


def _on_postgres(sql):
    def run(apps, schema_editor):
        if schema_editor.connection.vendor == "postgresql":
            schema_editor.execute(sql, params=None)  # the SQL has a literal %

    return run


class Migration(migrations.Migration):
    dependencies = [("clinic", "0002_roles")]

    operations = [migrations.RunPython(_on_postgres(CREATE), _on_postgres(DROP))]
