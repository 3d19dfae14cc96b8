import os
import sys

from django.core.exceptions import ImproperlyConfigured
from django.core.wsgi import get_wsgi_application

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "clinic.settings")
try:
    application = get_wsgi_application()
except ImproperlyConfigured as exc:  # a missing production value: one line in the server's log, no traceback
    sys.exit(f"Stride cannot start: {exc}.")
