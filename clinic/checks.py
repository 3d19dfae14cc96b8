"""Deployment checks (`manage.py check --deploy`) for what Django's own checklist cannot know about Stride,
and the runtime warning for a proxy nobody told the app about."""

import logging
from urllib.parse import urlsplit

from django.conf import settings
from django.core.checks import Error, Tags, Warning, register

logger = logging.getLogger("clinic.checks")
LOCAL_HOSTS = {"localhost", "127.0.0.1", "::1", "0.0.0.0", "testserver"}


@register(Tags.security, deploy=True)
def site_url_check(app_configs=None, **kwargs):
    """Every link a patient gets (intake, manage, confirm, cancel) is built on SITE_URL."""
    url = urlsplit(settings.SITE_URL)
    if url.scheme not in ("http", "https") or not url.hostname or url.hostname in LOCAL_HOSTS:
        return [Error(
            f"SITE_URL is {settings.SITE_URL!r}: links in patients' email and SMS would not reach the clinic.",
            hint="Set SITE_URL to the public address, e.g. https://stride.example.com.", id="stride.E001",
        )]
    if settings.HTTPS and url.scheme != "https":
        return [Warning("SITE_URL is not https while HTTPS is on: patients' links would start on plain HTTP.",
                        hint="Set SITE_URL to the https:// address.", id="stride.W001")]
    return []


@register(Tags.security, deploy=True)
def proxy_count_check(app_configs=None, **kwargs):
    """Behind a proxy every client shares its address unless NUM_PROXIES says how many to look past."""
    if settings.NUM_PROXIES_SET:
        return []
    return [Warning(
        "NUM_PROXIES is not set: behind a reverse proxy every client would share the proxy's address, so ten "
        "wrong passwords from anyone would pause sign-in for everyone (and the booking throttle likewise).",
        hint="Set NUM_PROXIES to the number of proxies that add to X-Forwarded-For (1 for one nginx or load "
             "balancer), or to 0 when clients connect to the app directly.", id="stride.W002",
    )]


class ProxyCountMiddleware:
    """Warns (once per process) when requests carry X-Forwarded-For and nobody set NUM_PROXIES."""

    def __init__(self, get_response):
        self.get_response = get_response
        self.warned = settings.NUM_PROXIES_SET

    def __call__(self, request):
        if not self.warned and "HTTP_X_FORWARDED_FOR" in request.META:
            self.warned = True
            logger.warning("Requests arrive with X-Forwarded-For but NUM_PROXIES is not set: every client is "
                           "counted as the proxy's address %s (sign-in lockouts, throttles). Set NUM_PROXIES.",
                           request.META.get("REMOTE_ADDR") or "?")
        return self.get_response(request)


@register(Tags.caches, deploy=True)
def cache_database_check(app_configs=None, **kwargs):
    """The Redis cache empties its database after an outage (clinic.cache): never the broker's queues."""
    cache = settings.CACHES["default"]
    if cache["BACKEND"] != "clinic.cache.ResilientRedisCache" or not settings.CELERY_BROKER_URL.startswith("redis"):
        return []
    cache_url, broker_url = urlsplit(str(cache["LOCATION"])), urlsplit(settings.CELERY_BROKER_URL)

    def where(url):
        return (url.hostname, url.port or 6379, url.path.strip("/") or "0")

    if where(cache_url) == where(broker_url):
        return [Error("CACHE_URL and CELERY_BROKER_URL name the same Redis database: emptying the cache after an "
                      "outage would drop queued tasks.", hint="Give the cache its own number, e.g. /1.",
                      id="stride.E002")]
    return []
