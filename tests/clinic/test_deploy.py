"""Production settings pass Django's deployment checklist, warnings included: HSTS, HTTPS redirect, secure
cookies, nosniff, frame denial, referrer policy, a strong secret key."""

import os
import secrets
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]


def test_production_settings_pass_check_deploy_with_warnings_as_failures():
    env = {k: v for k, v in os.environ.items() if k not in ("DEBUG", "HTTPS", "DJANGO_SETTINGS_MODULE", "DJANGO_ALLOW_ASYNC_UNSAFE")}
    env.update(DEBUG="false", HTTPS="true", SECRET_KEY=secrets.token_urlsafe(50), ALLOWED_HOSTS="clinic.example.org",
               CACHE_URL="rediscache://127.0.0.1:6379/6")
    done = subprocess.run(
        [sys.executable, "manage.py", "check", "--deploy", "--fail-level", "WARNING"],
        cwd=ROOT, env=env, capture_output=True, text=True, timeout=120,
    )
    assert done.returncode == 0, done.stdout + done.stderr
    assert "no issues" in done.stdout
    # Without a shared cache a sign-out would reach one web process only (clinic.signed_in, clinic.sessions).
    env.pop("CACHE_URL")
    done = subprocess.run(
        [sys.executable, "manage.py", "check", "--deploy", "--fail-level", "WARNING"],
        cwd=ROOT, env=env, capture_output=True, text=True, timeout=120,
    )
    assert done.returncode != 0 and "clinic.W001" in done.stdout + done.stderr



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
