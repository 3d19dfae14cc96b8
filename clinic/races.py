"""Lost races on PostgreSQL: a deadlock or a serialisation failure is two writers colliding, not an outage.

psycopg reports both as OperationalError, the class an unreachable database raises too; the SQLSTATE tells them apart.
"""

from django.db import connection

LOST_RACE = {"40P01", "40001"}  # deadlock_detected, serialization_failure


def is_lost_race(exc) -> bool:
    """Whether `exc` (a Django database error, or the driver's own) is a deadlock or a serialisation failure."""
    while exc is not None:
        if getattr(exc, "pgcode", None) in LOST_RACE or getattr(exc, "sqlstate", None) in LOST_RACE:
            return True
        exc = exc.__cause__
    return False


def lock_for_transaction(namespace: int, key: int) -> None:
    """Hold a PostgreSQL advisory lock on (namespace, key) until the transaction ends (nothing on SQLite, whose
    writers are serialised anyway). Writers that take their locks in one fixed order queue instead of deadlocking."""
    if connection.vendor == "postgresql":
        with connection.cursor() as cursor:
            cursor.execute("SELECT pg_advisory_xact_lock(%s, %s)", [namespace, key])


def lock_all_for_transaction(*locks: tuple[int, int]) -> None:
    """Several advisory locks in one round trip, taken in the order given (PostgreSQL evaluates a select list from
    left to right), so writers that list them in one fixed order still queue instead of deadlocking."""
    if connection.vendor == "postgresql" and locks:
        with connection.cursor() as cursor:
            cursor.execute("SELECT " + ", ".join(["pg_advisory_xact_lock(%s, %s)"] * len(locks)),
                           [part for lock in locks for part in lock])
