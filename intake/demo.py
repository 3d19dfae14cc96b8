"""The demo's questionnaires: a placeholder ODI and a placeholder LEFS, loaded through the same path as a clinic's
licensed files (services.instrument_load), both marked demo wording so no score from them passes for an ODI or
LEFS score. Safe to run twice: loading the same version again changes nothing."""

from pathlib import Path

from . import services

EXAMPLES = Path(__file__).resolve().parent / "instrument_examples"
DEMO_FILES = ("odi-demo-placeholder.yaml", "lefs-demo-placeholder.yaml")


def load_demo_instruments(*, actor=None) -> list:
    """Load the demo-wording ODI and LEFS (unless the clinic already has a licensed version of either in force)."""
    from .models import Instrument

    loaded = []
    for name in DEMO_FILES:
        content = (EXAMPLES / name).read_bytes()
        code = name.split("-", 1)[0]
        if Instrument.objects.filter(code=code, active=True, demo_wording=False).exists():
            continue  # never replace a clinic's licensed wording with the demo's
        loaded.append(services.instrument_load(content=content, source_name=name, actor=actor))
    return loaded
