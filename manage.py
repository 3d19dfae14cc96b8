#!/usr/bin/env python
import os
import sys

# Commands that neither serve requests nor sign anything may run without production secrets, so a
# bare `manage.py makemigrations --check` works on any checkout; everything else still needs them.
OFFLINE_COMMANDS = {"makemigrations", "showmigrations", "sqlmigrate", "help"}


def main(argv):
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "clinic.settings")
    if len(argv) > 1 and argv[1] in OFFLINE_COMMANDS:
        os.environ.setdefault("SECRET_KEY", "offline-command-only-key-never-used-to-sign-anything")
        os.environ.setdefault("SITE_URL", "http://offline.invalid")
    from django.core.exceptions import ImproperlyConfigured
    from django.core.management import execute_from_command_line

    try:
        import django.conf

        django.conf.settings.INSTALLED_APPS  # noqa: B018  (load the settings here: a missing value is one line)
    except ImproperlyConfigured as exc:
        sys.exit(f"Stride cannot start: {exc}. (For development, run with DEBUG=1.)")
    execute_from_command_line(argv)


if __name__ == "__main__":
    main(sys.argv)
