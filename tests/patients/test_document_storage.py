"""Where patient documents are kept: this host's disk by default, shared object storage when configured
(several web hosts must all read what one of them stored)."""

import json
import os
import subprocess
import sys
from pathlib import Path

from django.conf import settings
from django.core.files.storage import FileSystemStorage

from patients.models import PatientDocument

ROOT = Path(__file__).resolve().parents[2]

SCRIPT = """
import json, django
django.setup()
from patients.models import PatientDocument
field_storage = PatientDocument._meta.get_field("file").storage
url = field_storage.url("patients/MRN1/referral.pdf")
storage = getattr(field_storage, "_wrapped", field_storage)  # the default storage is a lazy object
print(json.dumps({"class": f"{type(storage).__module__}.{type(storage).__name__}",
                  "bucket": getattr(storage, "bucket_name", None), "acl": getattr(storage, "default_acl", None),
                  "url": url}))
"""


def _settings_with(**variables):
    env = {k: v for k, v in os.environ.items() if not k.startswith(("AWS_", "DOCUMENTS_"))}
    env.update(DEBUG="1", DJANGO_SETTINGS_MODULE="clinic.settings", **variables)
    return subprocess.run([sys.executable, "-c", SCRIPT], cwd=ROOT, env=env, capture_output=True, text=True,
                          timeout=120)


def test_documents_stay_on_this_hosts_disk_by_default():
    storage = PatientDocument._meta.get_field("file").storage
    assert storage.location == str(Path(settings.MEDIA_ROOT).resolve())  # read first: the storage is lazy
    assert isinstance(storage._wrapped, FileSystemStorage)
    assert settings.DOCUMENTS_STORAGE == "filesystem"


def test_configured_object_storage_holds_the_documents_privately():
    # No network: building the storage and signing a download link happen locally.
    done = _settings_with(DOCUMENTS_STORAGE="s3", AWS_STORAGE_BUCKET_NAME="stride-documents",
                          AWS_S3_ENDPOINT_URL="http://127.0.0.1:9", AWS_S3_REGION_NAME="us-east-1",
                          AWS_ACCESS_KEY_ID="test-key", AWS_SECRET_ACCESS_KEY="test-secret")
    assert done.returncode == 0, done.stderr
    used = json.loads(done.stdout.strip().splitlines()[-1])
    assert used["class"] == "storages.backends.s3.S3Storage"
    assert (used["bucket"], used["acl"]) == ("stride-documents", "private")
    assert used["url"].startswith("http://127.0.0.1:9/stride-documents/documents/patients/MRN1/referral.pdf?")
    assert "Signature=" in used["url"]  # a signed, expiring link, never a public object


def test_a_misnamed_storage_or_a_bucketless_one_refuses_to_start_with_a_clear_message():
    done = _settings_with(DOCUMENTS_STORAGE="nfs")
    assert done.returncode != 0 and "DOCUMENTS_STORAGE must be one of filesystem, s3." in done.stderr
    done = _settings_with(DOCUMENTS_STORAGE="s3")
    assert done.returncode != 0 and "DOCUMENTS_STORAGE=s3 needs AWS_STORAGE_BUCKET_NAME." in done.stderr
    assert _settings_with(DOCUMENTS_STORAGE="filesystem").returncode == 0
