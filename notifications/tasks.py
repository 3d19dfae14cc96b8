"""Celery tasks: thin wrappers that load by id and call a service. Safe to run twice."""

from celery import shared_task
from django.db import InterfaceError, OperationalError

from . import services


@shared_task(name="notifications.sweep", ignore_result=True)
def sweep():
    """Beat runs this every minute: hand due messages to workers."""
    return services.notifications_sweep()


@shared_task(
    name="notifications.deliver", ignore_result=True, acks_late=True,
    # Provider errors are retried through the outbox (the row goes back to queued with a backoff);
    # Celery retries only when the database itself is unreachable.
    autoretry_for=(OperationalError, InterfaceError), retry_backoff=5, retry_backoff_max=300, max_retries=8,
)
def deliver(notification_id):
    """Send one message the sweep has claimed."""
    return services.notification_deliver(notification_id=notification_id)
