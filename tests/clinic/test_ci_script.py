""".ci/run takes its names from the environment, never changes a password, and removes its virtualenv.

`make` is replaced by a stand-in that records what it was given, so the script runs for real up to the suite.
"""

import os
import subprocess
from pathlib import Path

import psycopg
import pytest
from django.db import connection

ROOT = Path(__file__).resolve().parents[2]
pytestmark = [pytest.mark.postgres, pytest.mark.redis]


def test_ci_run_uses_the_names_it_is_given_and_cleans_up_its_virtualenv(tmp_path, settings):
    stand_in = tmp_path / "bin"
    stand_in.mkdir()
    record = tmp_path / "make.env"
    (stand_in / "make").write_text(
        "#!/usr/bin/env bash\n"
        f'printf "%s\\n" "$*" "$DATABASE_URL" "$CELERY_BROKER_URL" > {record}\n'
        'venv=${2#VENV=}; mkdir -p "$venv" && touch "$venv/big-file"\n'
    )
    (stand_in / "make").chmod(0o755)
    name = f"{connection.settings_dict['NAME']}_ci_check"
    env = {**os.environ, "PATH": f"{stand_in}:{os.environ['PATH']}", "CI_DATABASE_NAME": name, "CI_REDIS_DB": "3"}
    env.pop("CI_DATABASE_URL", None)
    env.pop("CI_REDIS_URL", None)
    try:
        done = subprocess.run([str(ROOT / ".ci/run")], cwd=ROOT, env=env, capture_output=True, text=True, timeout=120)
        assert done.returncode == 0, done.stdout + done.stderr
        args, database_url, broker_url = record.read_text().splitlines()
        assert database_url.endswith(f"/{name}") and broker_url == "redis://127.0.0.1:6379/3"
        venv = Path(args.split("VENV=", 1)[1])
        assert not venv.exists() and not venv.parent.exists()  # the temporary virtualenv is gone
    finally:
        admin = psycopg.connect(dbname="postgres", user=connection.settings_dict["USER"], autocommit=True,
                                host=connection.settings_dict["HOST"] or None, port=connection.settings_dict["PORT"] or None)
        with admin.cursor() as cursor:
            cursor.execute(f'DROP DATABASE IF EXISTS "{name}"')
        admin.close()


def test_ci_run_never_sets_a_password():
    lines = (ROOT / ".ci/run").read_text().splitlines()
    script = "\n".join(line for line in lines if not line.lstrip().startswith("#")).upper()  # commands only
    assert "ALTER USER" not in script and "ALTER ROLE" not in script and "PASSWORD" not in script
