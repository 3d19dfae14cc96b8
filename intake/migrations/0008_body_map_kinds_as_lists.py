"""The body map's marks become {region: [kinds]}: a region can carry pain, tingling and numbness at once. Forms saved
before hold one kind per region ({region: kind}); each becomes a list of that one kind."""

from django.db import migrations

KINDS = ("pain", "tingling", "numbness")


def _as_lists(body_map):
    return {region: [kind for kind in KINDS if kind in (value if isinstance(value, list) else [value])]
            for region, value in body_map.items()}


def _first_kind(body_map):
    # Back to one kind per region: the first in the map's order (pain, tingling, numbness); the others are lost.
    return {region: next(kind for kind in KINDS if kind in value)
            for region, value in body_map.items() if isinstance(value, list) and any(k in KINDS for k in value)}


def _convert(apps, change):
    IntakeForm = apps.get_model("intake", "IntakeForm")
    changed = []
    for form in IntakeForm.objects.filter(answers__has_key="complaint").only("answers").iterator(chunk_size=500):
        complaint = form.answers.get("complaint")
        body_map = complaint.get("body_map") if isinstance(complaint, dict) else None
        if not isinstance(body_map, dict) or not body_map:
            continue
        converted = change(body_map)
        if converted != body_map:
            complaint["body_map"] = {region: kinds for region, kinds in converted.items() if kinds}
            changed.append(form)
        if len(changed) >= 500:
            IntakeForm.objects.bulk_update(changed, ["answers"])
            changed = []
    IntakeForm.objects.bulk_update(changed, ["answers"])


def forwards(apps, schema_editor):
    _convert(apps, _as_lists)


def backwards(apps, schema_editor):
    _convert(apps, _first_kind)


class Migration(migrations.Migration):
    dependencies = [("intake", "0007_intakeform_step_drafts")]
    operations = [migrations.RunPython(forwards, backwards)]
