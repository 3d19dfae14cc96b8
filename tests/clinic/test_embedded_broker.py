"""The embedded broker (`make run` without Redis) keeps every file it writes under the ignored var/."""

import json
import os
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]

# Run from an empty folder: a folder kombu takes relative to the working directory would appear there.
SCRIPT = """
import json, os, django
django.setup()
from django.conf import settings
from kombu import Exchange, Queue
from clinic.celery import app

with app.connection_for_write() as conn:
    queue = Queue("stride-layout-check", Exchange("stride-layout-check"), routing_key="check")
    with conn.Producer() as producer:
        producer.publish({"ok": 1}, exchange=queue.exchange, routing_key="check", declare=[queue])
    message = queue(conn.default_channel).get(no_ack=True)
print(json.dumps({"options": settings.CELERY_BROKER_TRANSPORT_OPTIONS, "var": str(settings.VAR_DIR),
                  "got": message.payload if message else None, "left": os.listdir(".")}))
"""


def test_the_embedded_broker_writes_its_queue_and_exchange_table_under_var_only(tmp_path):
    env = {k: v for k, v in os.environ.items() if k != "DJANGO_SETTINGS_MODULE"}
    env.update(CELERY_BROKER_URL="filesystem://", DEBUG="1", DJANGO_SETTINGS_MODULE="clinic.settings",
               PYTHONPATH=str(ROOT))
    done = subprocess.run([sys.executable, "-c", SCRIPT], cwd=tmp_path, env=env, capture_output=True,
                          text=True, timeout=120)
    assert done.returncode == 0, done.stderr
    report = json.loads(done.stdout.strip().splitlines()[-1])
    assert report["got"] == {"ok": 1}  # the broker works
    assert report["left"] == []  # and wrote nothing where it was started
    var = Path(report["var"])
    folders = {k: Path(v) for k, v in report["options"].items() if k.endswith("folder") or "folder_" in k}
    assert set(folders) == {"data_folder_in", "data_folder_out", "control_folder", "processed_folder"}
    assert all(var in folder.parents for folder in folders.values()), folders
    assert (folders["control_folder"] / "stride-layout-check.exchange").exists()
    assert not (ROOT / "control").exists()
