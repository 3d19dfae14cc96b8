import logging
import os
import re
from pathlib import Path

import pytest

from tests.conftest import REQUIRE_SERVICES

CHROMIUM = os.environ.get("CHROMIUM_PATH", "/usr/bin/chromium")
SCREENSHOTS = Path(__file__).resolve().parents[2] / "test-artifacts" / "screenshots"


def pytest_collection_modifyitems(items):
    for item in items:
        if "e2e" in item.nodeid.split("/"):
            item.add_marker(pytest.mark.browser)


# A patient link or reset link whose signed part reached a log line unredacted (clinic.log_filters).
UNREDACTED_LINK = re.compile(r"/(?:intake|book/manage|messages/a|schedule/feeds|accounts/reset|api/v1/intake)/"
                             r"(?!\[redacted\])[^/\s?\"']{16,}")


@pytest.fixture(scope="session", autouse=True)
def _live_server_logs_every_request():
    """Log each request as runserver and gunicorn do (the test server is quiet by default), so the check
    below reads the same request lines production writes."""
    from django.core.servers.basehttp import WSGIRequestHandler
    from django.test.testcases import QuietWSGIRequestHandler

    quiet = QuietWSGIRequestHandler.log_message
    QuietWSGIRequestHandler.log_message = WSGIRequestHandler.log_message
    yield
    QuietWSGIRequestHandler.log_message = quiet


@pytest.fixture(autouse=True)
def _nothing_secret_in_the_logs(caplog):
    """Every journey (server and worker side run in this process) leaves no password or signed link in the logs."""
    from tests.factories import PASSWORD

    caplog.set_level(logging.INFO)
    server_log = logging.getLogger("django.server")  # request lines: Django's default stops them propagating
    server_log.addHandler(caplog.handler)
    yield
    server_log.removeHandler(caplog.handler)
    # This runs at teardown: caplog.records would hold only the teardown's; read every phase's.
    records = [r for phase in ("setup", "call") for r in caplog.get_records(phase)] + caplog.records
    assert records, "no log records captured: the check would see nothing"
    logged = "\n".join(f"{r.getMessage()} {r.__dict__}" for r in records)
    assert PASSWORD not in logged, "a password was logged"
    assert not UNREDACTED_LINK.search(logged), UNREDACTED_LINK.search(logged).group(0)


@pytest.fixture(scope="session")
def browser():
    if not Path(CHROMIUM).exists():
        message = f"needs Chromium at {CHROMIUM} (apt-get install chromium)"
        if REQUIRE_SERVICES:
            pytest.fail(message, pytrace=False)
        pytest.skip(message)
    from playwright.sync_api import sync_playwright

    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(
            executable_path=CHROMIUM,
            args=["--no-sandbox", "--disable-gpu", "--disable-background-networking", "--disable-quic"],
        )
        yield browser
        browser.close()


@pytest.fixture
def page(browser, request):
    context = browser.new_context(viewport={"width": 1366, "height": 900})
    page = context.new_page()
    page.set_default_timeout(10_000)
    blocked = []  # what the Content-Security-Policy refused: a page relying on inline script is broken
    page.on("console", lambda message: blocked.append(message.text)
            if "Content Security Policy" in message.text else None)
    yield page
    SCREENSHOTS.mkdir(parents=True, exist_ok=True)
    name = re.sub(r"[^\w.-]+", "_", request.node.name)
    page.screenshot(path=str(SCREENSHOTS / f"{name}.png"), full_page=True)
    context.close()
    assert not blocked, blocked


@pytest.fixture
def sign_in(page, live_server):
    from clinic import two_factor
    from clinic.models import User
    from tests.factories import PASSWORD, next_sign_in_code, staff_device

    def sign_in_as(user):
        staff = two_factor.needs_second_factor(User.objects.get(pk=user.pk))
        device = staff_device(user) if staff else None
        page.goto(f"{live_server.url}/accounts/login/")
        page.get_by_label("Email").fill(user.email)
        page.get_by_label("Password").fill(PASSWORD)
        page.get_by_role("button", name="Sign in").click()
        page.wait_for_load_state()
        if staff:  # the second step: the code from the authenticator app
            page.get_by_label("6-digit code").fill(next_sign_in_code(device))
            page.get_by_role("button", name="Continue").click()
            page.wait_for_load_state()

    return sign_in_as
