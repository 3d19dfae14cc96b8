"""HTML cached under a fingerprint of the rows it is drawn from (PostgreSQL only).

The key of a cached page part holds an md5, computed by PostgreSQL, of every row the part is drawn from, as
text. A change to any of those rows, by whatever path (a service, the staff admin, a bare SQL update),
changes the key: nothing is invalidated by hand, no signal can be missed, and no part outlives its rows.
When the part is drawn, the fingerprint and the drawing read one REPEATABLE READ snapshot, so the HTML stored
under a key is drawn from exactly the rows that key stands for. Users: scheduling.calendar_cache (the
calendar grid) and patients.chart_cache (the chart).
"""

import hashlib
from contextlib import contextmanager
from pathlib import Path

import psycopg
from django.core.cache import cache
from django.db import connection, transaction
from django.utils.safestring import mark_safe

TIMEOUT = 15 * 60


def enabled():
    return connection.vendor == "postgresql"


def code_version(*paths):
    """A hash of the files that draw a part: after a deploy, HTML drawn by the old code is never served."""
    return hashlib.md5(b"".join(Path(p).read_bytes() for p in paths), usedforsecurity=False).hexdigest()[:12]


def md5_of_rows(sql):
    """SQL for the md5 of a subquery's rows as text, in the subquery's order (should PostgreSQL ever feed
    them in another order, the key differs and the part is drawn again: never a wrong part)."""
    return f"(SELECT md5(coalesce(string_agg(t::text, '|'), '')) FROM ({sql}) t)"


def fingerprint(sources):
    """One query: the md5s of each (sql, params) source's rows."""
    parts, params = [], []
    for sql, source_params in sources:
        parts.append(md5_of_rows(sql))
        params.extend(source_params)
    with connection.cursor() as cursor:
        cursor.execute("SELECT " + " || ".join(parts), params)
        return cursor.fetchone()[0]


@contextmanager
def snapshot():
    """One snapshot for a fingerprint and the drawing (inside a caller's transaction, that one).

    psycopg opens the transaction with BEGIN ISOLATION LEVEL REPEATABLE READ: no statement of its own.
    """
    if connection.in_atomic_block:
        yield
        return
    connection.ensure_connection()
    raw = connection.connection
    previous = raw.isolation_level
    raw.isolation_level = psycopg.IsolationLevel.REPEATABLE_READ
    try:
        with transaction.atomic():
            yield
    finally:
        if not raw.closed:
            raw.isolation_level = previous


def key_for(prefix, *parts):
    return f"{prefix}:" + hashlib.md5("|".join(map(str, parts)).encode(), usedforsecurity=False).hexdigest()


def get(key):
    html = cache.get(key)
    return None if html is None else mark_safe(html)  # noqa: S308  (drawn by our templates, which escape)


def put(key, html):
    cache.set(key, str(html), TIMEOUT)
    return mark_safe(html)  # noqa: S308
