#!/usr/bin/env python
import os
import sys

# Commands that neither serve requests nor sign anything may run without production secrets, so a
# bare `manage.py makemigrations --check` works on any checkout; everything else still needs SECRET_KEY.
OFFLINE_COMMANDS = {"makemigrations", "showmigrations", "sqlmigrate", "help"}

if __name__ == "__main__":
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "clinic.settings")
    if len(sys.argv) > 1 and sys.argv[1] in OFFLINE_COMMANDS:
        os.environ.setdefault("SECRET_KEY", "offline-command-only-key-never-used-to-sign-anything")
    from django.core.management import execute_from_command_line

    execute_from_command_line(sys.argv)
