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
