import pytest
from celery.contrib.testing.worker import start_worker

from clinic.celery import app
from clinic.models import WorkerHeartbeat
from clinic.tasks import record_heartbeat


@pytest.mark.redis
@pytest.mark.django_db(transaction=True)
def test_a_real_worker_on_the_broker_runs_the_heartbeat_task(client):
    with start_worker(app, pool="solo", perform_ping_check=False, shutdown_timeout=10):
        record_heartbeat.delay()
        for _ in range(100):
            if WorkerHeartbeat.objects.filter(pk=1).exists():
                break
            import time

            time.sleep(0.1)
    assert WorkerHeartbeat.objects.filter(pk=1).exists()
    assert client.get("/healthz").json()["worker_last_seen"] is not None
