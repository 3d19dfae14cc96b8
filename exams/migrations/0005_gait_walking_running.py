"""Gait is recorded for walking and running apart (findings["gait"] = {"walking": {...}, "running": {...}}).
Every gait recorded before was a walking gait: it moves, unchanged, under "walking" (its per-side stride
lengths stay as recorded; they are never turned into a step-length symmetry). Signed exams move too: the
values are the same, only where they sit changes (a queryset update, not Exam.save)."""

from django.db import migrations, models

_EMPTY = (None, "", [], {})


def _recorded(gait):
    """Whether an old gait holds any value (old forms stored every field, blank ones as None)."""
    for key, value in gait.items():
        if key == "symmetry":
            continue
        if key == "deviations":
            if any((value or {}).values()):
                return True
        elif value not in _EMPTY:
            return True
    return False


_NEW_KEYS = {"walking", "running", "sex"}


def gait_as_walking(apps, schema_editor):
    Exam = apps.get_model("exams", "Exam")
    for exam in Exam.objects.filter(findings__has_key="gait").only("pk", "findings").iterator():
        gait = exam.findings.get("gait")
        if not isinstance(gait, dict) or set(gait) <= _NEW_KEYS:
            continue  # already in the new shape (or nothing)
        # A running gait or sex answer beside the values were put there by the way back (below).
        walking = {key: value for key, value in gait.items() if key not in ("running", "sex")}
        moved = {"walking": walking} if _recorded(walking) else {}
        moved.update({key: gait[key] for key in ("running", "sex") if gait.get(key)})
        Exam.objects.filter(pk=exam.pk).update(findings={**exam.findings, "gait": moved})


def walking_as_gait(apps, schema_editor):
    """Back to one gait: walking's values, with the running gait and the sex answer kept beside them (unread by
    the code of then, brought back by the way forward)."""
    Exam = apps.get_model("exams", "Exam")
    for exam in Exam.objects.filter(findings__has_key="gait").only("pk", "findings").iterator():
        gait = exam.findings.get("gait")
        if not isinstance(gait, dict) or not gait or not set(gait) <= _NEW_KEYS:
            continue
        old = dict(gait.get("walking") or {})
        old.update({key: gait[key] for key in ("running", "sex") if gait.get(key)})
        Exam.objects.filter(pk=exam.pk).update(findings={**exam.findings, "gait": old})


class Migration(migrations.Migration):

    dependencies = [
        ("exams", "0004_exam_early_sign_reason"),
    ]

    operations = [
        migrations.AlterField(
            model_name="exam",
            name="findings",
            field=models.JSONField(
                blank=True, default=dict,
                help_text="Sections: gait (walking and running apart), mobility (hip rotation with the position "
                          "measured in), strength, neuro, special_tests, ultrasound, plan.",
            ),
        ),
        migrations.RunPython(gait_as_walking, walking_as_gait),
    ]
