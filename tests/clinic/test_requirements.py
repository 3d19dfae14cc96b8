"""The locked requirements: what runs installs no test tools, and the tests run exactly what runs."""

import re
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
PIN = re.compile(r"^([A-Za-z0-9_.-]+)==([^ \\]+) \\$")


def _pins(name):
    lines = (ROOT / name).read_text().splitlines()
    pins = {}
    for number, line in enumerate(lines):
        if match := PIN.match(line):
            assert lines[number + 1].strip().startswith("--hash=sha256:"), f"{name}: {line} has no hash"
            pins[match[1].lower().replace("_", "-")] = match[2]
    assert pins and not [line for line in lines if line and line[0].isalpha() and not PIN.match(line)]
    return pins


def test_what_runs_is_locked_with_hashes_and_holds_no_test_tools():
    runtime = _pins("requirements.txt")
    assert {"django", "celery", "gunicorn", "psycopg", "psycopg-binary", "icalendar", "django-storages"} <= set(runtime)
    assert not {"pytest", "pytest-xdist", "ruff", "playwright", "hypothesis", "psycopg2-binary", "boto3"} & set(runtime)


def test_the_tests_install_every_runtime_package_at_its_locked_version_plus_their_tools():
    runtime, dev, s3 = _pins("requirements.txt"), _pins("requirements-dev.txt"), _pins("requirements-s3.txt")
    assert {name: dev.get(name) for name in runtime} == runtime
    assert {name: runtime.get(name, dev.get(name)) for name in s3} == s3  # the extra agrees with both
    assert {"pytest", "pytest-django", "pytest-xdist", "ruff", "playwright", "boto3"} <= set(dev)
