"""The scheduling tests' clinic is tests/fixtures/clinic.py (a plugin every test folder sees); its helpers
stay importable from here (`from .conftest import local`)."""

from tests.fixtures.clinic import NY, _clinician, local, next_weekday  # noqa: F401
