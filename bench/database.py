"""The benchmark's own PostgreSQL database; imports nothing from Django until it is configured."""


def prepare_database(url):
    """Point Django at `url` (creating the database if missing), set bench-only defaults, migrate."""
    import os

    import psycopg

    os.environ["DATABASE_URL"] = url
    os.environ.setdefault("SECRET_KEY", "bench-only-secret-key-0123456789abcdefghijklmnop")
    os.environ.setdefault("HTTPS", "false")
    os.environ.setdefault("SITE_URL", "http://127.0.0.1:8000")  # required without DEBUG; no email leaves a bench
    os.environ.setdefault("ALLOWED_HOSTS", "127.0.0.1,localhost,testserver")
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "clinic.settings")
    name = url.rsplit("/", 1)[1]
    admin = psycopg.connect(url.rsplit("/", 1)[0] + "/postgres")
    admin.autocommit = True
    with admin.cursor() as cursor:
        cursor.execute("SELECT 1 FROM pg_database WHERE datname = %s", [name])
        if not cursor.fetchone():
            cursor.execute(f'CREATE DATABASE "{name}"')
    admin.close()
    import django

    django.setup()
    from django.core.management import call_command

    call_command("migrate", verbosity=0)
    return url
