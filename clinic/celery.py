import os

from celery import Celery
from celery.signals import task_postrun, task_prerun

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "clinic.settings")

app = Celery("clinic")
app.config_from_object("django.conf:settings", namespace="CELERY")
app.autodiscover_tasks()

# Celery's Django fixup closes the database connection before and after every task unless this is set:
# a new PostgreSQL connection per message cost more than the message itself (about 2,000 a minute per
# worker instead of over 4,000). Connections are instead kept as in a web request: for CONN_MAX_AGE, and
# dropped when they stop working (after a database restart), by the handlers below.
app.conf["CELERY_DB_REUSE_MAX"] = 1_000_000


@task_prerun.connect
@task_postrun.connect
def _recycle_database_connections(task=None, **kwargs):
    if task is not None and getattr(task.request, "is_eager", False):
        return  # run in the caller's process and transaction (tests): leave its connection alone
    from django.db import close_old_connections

    close_old_connections()
