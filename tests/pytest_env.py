"""Loaded before Django (see pyproject addopts): test-only defaults for the environment."""

import os

os.environ.setdefault("SECRET_KEY", "test-only-secret-key-not-for-production-4b1d")
os.environ.setdefault("HTTPS", "false")
os.environ.setdefault("SITE_URL", "http://testserver")
os.environ.setdefault("ALLOWED_HOSTS", "localhost,127.0.0.1,testserver")
# Playwright's sync API runs an event loop in the test thread; the ORM calls are still synchronous.
os.environ.setdefault("DJANGO_ALLOW_ASYNC_UNSAFE", "true")
