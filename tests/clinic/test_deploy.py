"""Production settings pass Django's deployment checklist, warnings included: HSTS, HTTPS redirect, secure
cookies, nosniff, frame denial, referrer policy, a strong secret key."""

import logging
import os
import secrets
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]


PRODUCTION = {"DEBUG": "false", "HTTPS": "true", "ALLOWED_HOSTS": "clinic.example.org",
              "SITE_URL": "https://clinic.example.org", "NUM_PROXIES": "1",
              "CACHE_URL": "rediscache://127.0.0.1:6379/6"}


def manage(*args, drop=(), **values):
    """manage.py in a fresh process with the production variables (less `drop`, plus `values`)."""
    env = {k: v for k, v in os.environ.items()
           if k not in ("DEBUG", "HTTPS", "DJANGO_SETTINGS_MODULE", "DJANGO_ALLOW_ASYNC_UNSAFE", "SITE_URL")}
    env.update(PRODUCTION, SECRET_KEY=secrets.token_urlsafe(50), **values)
    for name in drop:
        env.pop(name, None)
    return subprocess.run([sys.executable, "manage.py", *args], cwd=ROOT, env=env, capture_output=True, text=True,
                          timeout=120)


def test_production_settings_pass_check_deploy_with_warnings_as_failures():
    done = manage("check", "--deploy", "--fail-level", "WARNING")
    assert done.returncode == 0, done.stdout + done.stderr
    assert "no issues" in done.stdout
    # Without a shared cache a sign-out would reach one web process only (clinic.signed_in, clinic.sessions).
    done = manage("check", "--deploy", "--fail-level", "WARNING", drop=["CACHE_URL"])
    assert done.returncode != 0 and "clinic.W001" in done.stdout + done.stderr


@pytest.mark.parametrize("missing", ["SITE_URL", "SECRET_KEY"])
def test_without_debug_a_missing_value_refuses_to_start_in_one_line(missing):
    done = manage("check", drop=[missing])
    assert done.returncode != 0
    assert "Traceback" not in done.stderr and len(done.stderr.strip().splitlines()) == 1
    assert f"{missing} is not set (required when DEBUG is off)" in done.stderr
    assert manage("check", drop=[missing], DEBUG="1").returncode == 0  # development has its defaults


def test_check_deploy_refuses_a_site_url_patients_cannot_reach():
    done = manage("check", "--deploy", SITE_URL="http://localhost:8000")
    assert done.returncode != 0 and "stride.E001" in done.stderr + done.stdout


def test_check_deploy_warns_when_no_proxy_count_is_set():
    done = manage("check", "--deploy", "--fail-level", "WARNING", drop=["NUM_PROXIES"])
    assert done.returncode != 0 and "stride.W002" in done.stderr + done.stdout
    assert manage("check", "--deploy", "--fail-level", "WARNING", NUM_PROXIES="0").returncode == 0  # said: direct


def test_requests_through_an_unannounced_proxy_are_logged_once(settings, caplog, db):
    from django.test import Client

    settings.NUM_PROXIES_SET = False
    caplog.set_level(logging.WARNING, logger="clinic.checks")
    client = Client()
    client.get("/robots.txt")
    assert "NUM_PROXIES is not set" not in caplog.text  # no proxy header, nothing to say
    client.get("/robots.txt", HTTP_X_FORWARDED_FOR="203.0.113.9")
    client.get("/robots.txt", HTTP_X_FORWARDED_FOR="203.0.113.10")
    assert caplog.text.count("NUM_PROXIES is not set") == 1

    settings.NUM_PROXIES_SET = True
    caplog.clear()
    Client().get("/robots.txt", HTTP_X_FORWARDED_FOR="203.0.113.9")
    assert "NUM_PROXIES" not in caplog.text


def test_healthz_answers_over_plain_http_while_every_other_page_redirects(settings, client, db):
    settings.SECURE_SSL_REDIRECT = True
    health = client.get("/healthz")
    assert health.status_code in (200, 503) and "database" in health.json()
    assert client.get("/book/").status_code == 301 and client.get("/accounts/login/").status_code == 301
    assert client.get("/book/", secure=True).status_code == 200


def test_healthz_answers_a_probe_by_address_that_allowed_hosts_does_not_name(settings, client, db):
    settings.ALLOWED_HOSTS, settings.SECURE_SSL_REDIRECT = ["stride.example.com"], True
    probe = client.get("/healthz", HTTP_HOST="10.0.3.7:8000")  # how a balancer or Docker reaches one process
    assert probe.status_code in (200, 503) and probe.json()["database"] == "ok"
    assert client.get("/book/", HTTP_HOST="10.0.3.7:8000", secure=True).status_code == 400


def test_pages_forbid_inline_script_through_the_content_security_policy(desk_client):
    policy = desk_client.get("/schedule/")["Content-Security-Policy"]
    directives = dict(d.strip().split(" ", 1) for d in policy.split(";"))
    assert directives["script-src"] == "'self'"  # no 'unsafe-inline', no 'unsafe-eval'
    assert directives["frame-ancestors"] == "'none'" and directives["object-src"] == "'none'"
    assert directives["style-src"] == "'self' 'unsafe-inline'" and directives["img-src"] == "'self' data:"
    assert directives["default-src"] == directives["connect-src"] == directives["form-action"] == "'self'"
    # An API answer and a public page carry it too; a refused request as well.
    for response in (desk_client.get("/api/v1/appointments/"), desk_client.get("/book/"),
                     desk_client.get("/schedule/feeds/not-a-token.ics")):
        assert response["Content-Security-Policy"] == policy


def test_no_template_or_script_relies_on_inline_script_the_policy_would_block():
    import re

    offenders = []
    for path in (ROOT / "templates").rglob("*.html"):
        text = path.read_text()
        if re.search(r"<script(?![^>]*\bsrc=)(?![^>]*type=\"application/json\")[^>]*>", text):
            offenders.append(f"{path.relative_to(ROOT)}: inline <script>")
        if re.search(r"\son[a-z]+\s*=\s*[\"']", text) or "javascript:" in text:
            offenders.append(f"{path.relative_to(ROOT)}: inline event handler")
    assert not offenders, offenders


def test_check_deploy_refuses_a_cache_on_the_brokers_redis_database():
    done = manage("check", "--deploy", CACHE_URL="rediscache://127.0.0.1:6379/0",
                  CELERY_BROKER_URL="redis://127.0.0.1:6379/0")
    assert done.returncode != 0 and "stride.E002" in done.stderr + done.stdout
    assert manage("check", "--deploy", "--fail-level", "WARNING", CACHE_URL="rediscache://127.0.0.1:6379/1",
                  CELERY_BROKER_URL="redis://127.0.0.1:6379/0").returncode == 0
