import socket

from celery import shared_task
from django.utils import timezone

from .models import WorkerHeartbeat


@shared_task(ignore_result=True)
def record_heartbeat():
    """Note that a worker is alive; beat runs this every minute and /healthz reports it."""
    WorkerHeartbeat.objects.update_or_create(
        pk=1, defaults={"seen_at": timezone.now(), "hostname": socket.gethostname()}
    )


@shared_task(ignore_result=True)
def purge_idempotency_keys():
    from .idempotency import purge_expired

    return purge_expired()
