"""ODI scores stored before instrument files existed were answered on the built-in placeholder statements
(version "placeholder"): they are demo wording. Mark them so, and take away their band: a placeholder answer is
never an Oswestry score. Their value stays (the demo's plots), labelled "demo wording" wherever it appears.
Also grants the admin role the new instrument permissions."""

from decimal import Decimal

from django.db import migrations

from clinic import roles
from intake.apps import IntakeConfig

PLACEHOLDER = "placeholder"
BANDS = ((20, "minimal"), (40, "moderate"), (60, "severe"), (80, "crippled"), (100, "bed-bound or exaggerating"))


def mark_demo(apps, schema_editor):
    OutcomeScore = apps.get_model("intake", "OutcomeScore")
    OutcomeScore.objects.filter(instrument="odi", instrument_version=PLACEHOLDER).update(demo_wording=True, band="")


def unmark_demo(apps, schema_editor):
    OutcomeScore = apps.get_model("intake", "OutcomeScore")
    for score in OutcomeScore.objects.filter(instrument="odi", instrument_version=PLACEHOLDER, demo_wording=True):
        score.band = next(band for upper, band in BANDS if score.value <= Decimal(upper))
        score.demo_wording = False
        score.save(update_fields=["band", "demo_wording"])


def grant(apps, schema_editor):
    roles.grant(apps, IntakeConfig.role_permissions)


class Migration(migrations.Migration):
    dependencies = [("intake", "0011_instruments_loaded_from_files")]

    operations = [
        migrations.RunPython(mark_demo, unmark_demo),
        migrations.RunPython(grant, migrations.RunPython.noop),
    ]
