"""Whether the services the app needs answer: the database and the Celery broker."""

from django.conf import settings
from django.db import connections
from kombu import Connection


def database_status(alias="default"):
    try:
        with connections[alias].cursor() as cursor:
            cursor.execute("SELECT 1")
            cursor.fetchone()
    except Exception as exc:  # any failure means "down"; the message says why
        return f"error: {exc.__class__.__name__}"
    return "ok"


def broker_status(url=None):
    url = url or settings.CELERY_BROKER_URL
    try:
        with Connection(
            url, transport_options=settings.CELERY_BROKER_TRANSPORT_OPTIONS, connect_timeout=2
        ) as conn:
            conn.ensure_connection(max_retries=1, timeout=2)
    except Exception as exc:
        return f"error: {exc.__class__.__name__}"
    return "ok"


class HealthCheckMiddleware:
    """Answer `/healthz` before anything reads the Host header: a load balancer or Docker probes a process by
    its own address (`10.0.3.7:8000`), which is not in ALLOWED_HOSTS, and would otherwise get a 400 and take
    a healthy process out of service. First in MIDDLEWARE, so the HTTPS redirect does not touch it either."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        if request.path_info == "/healthz" and request.method == "GET":
            from .views import healthz

            return healthz(request)
        return self.get_response(request)
