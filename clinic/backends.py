"""Sign-in by email with the four roles, loading a user's roles and permissions in one query.

Django's ModelBackend reads the signed-in user, their user permissions, group permissions and (for
our role checks) group names in four queries on every request; one query with the same result keeps
each page's fixed overhead small.
"""

from django.contrib.auth import get_user_model
from django.contrib.auth.backends import ModelBackend
from django.contrib.auth.models import Group, Permission
from django.contrib.contenttypes.models import ContentType
from django.core.exceptions import ValidationError
from django.db import connection

from . import signed_in


def _access_sql(user_model):
    groups = user_model._meta.get_field("groups").remote_field.through._meta.db_table
    user_perms = user_model._meta.get_field("user_permissions").remote_field.through._meta.db_table
    group_perms = Group._meta.get_field("permissions").remote_field.through._meta.db_table
    perm, ct, group = Permission._meta.db_table, ContentType._meta.db_table, Group._meta.db_table
    return f"""
        SELECT 'group' AS access_source, g.name AS access_group, ct.app_label AS access_app,
               p.codename AS access_codename
          FROM {groups} ug JOIN {group} g ON g.id = ug.group_id
          LEFT JOIN {group_perms} gp ON gp.group_id = g.id
          LEFT JOIN {perm} p ON p.id = gp.permission_id
          LEFT JOIN {ct} ct ON ct.id = p.content_type_id
         WHERE ug.user_id = %s
        UNION ALL
        SELECT 'user', NULL, ct.app_label, p.codename
          FROM {user_perms} up JOIN {perm} p ON p.id = up.permission_id
          JOIN {ct} ct ON ct.id = p.content_type_id
         WHERE up.user_id = %s
    """


def _fill(user, rows):
    """Set role names and ModelBackend's permission caches from (source, group, app_label, codename) rows."""
    roles = {name for source, name, _, _ in rows if source == "group"}
    group_perms = {f"{app}.{code}" for source, _, app, code in rows if source == "group" and code}
    user_perms = {f"{app}.{code}" for source, _, app, code in rows if source == "user"}
    if user.is_superuser:
        everything = {f"{app}.{code}" for app, code in Permission.objects.values_list("content_type__app_label", "codename")}
        group_perms = user_perms = everything
    user.__dict__["role_names"] = roles
    user._group_perm_cache, user._user_perm_cache = group_perms, user_perms
    return roles


def load_access(user):
    """Fill the user's role names and permission caches in one query."""
    with connection.cursor() as cursor:
        cursor.execute(_access_sql(type(user)), [user.pk, user.pk])
        return _fill(user, cursor.fetchall())


class RoleBackend(ModelBackend):
    def get_user(self, user_id):
        """The signed-in user of a request with their roles and permissions: from the cache (clinic.signed_in),
        else in one query."""
        User = get_user_model()
        try:
            user_id = User._meta.pk.to_python(user_id)
        except ValidationError:
            return None
        user = signed_in.user(user_id, load=self._load_user)
        return user if user is not None and self.user_can_authenticate(user) else None

    def _load_user(self, user_id):
        """The user with their roles and permissions, in one query instead of two.

        The query returns a row per permission; the user is built once from the first row's columns (a model
        instance per row cost more than the query on every staff page).
        """
        User = get_user_model()
        fields = User._meta.concrete_fields
        columns = ", ".join(f"u.{connection.ops.quote_name(f.column)}" for f in fields)
        sql = (
            f"SELECT {columns}, a.access_source, a.access_group, a.access_app, a.access_codename "
            f"FROM {User._meta.db_table} u LEFT JOIN ({_access_sql(User)}) a ON 1 = 1 WHERE u.id = %s"
        )
        with connection.cursor() as cursor:
            cursor.execute(sql, [user_id, user_id, user_id])
            rows = cursor.fetchall()
        if not rows:
            return None
        n = len(fields)
        values = list(rows[0][:n])
        for i, field in enumerate(fields):  # as the ORM does (SQLite returns text dates and integer booleans)
            column = field.get_col(User._meta.db_table)
            for convert in connection.ops.get_db_converters(column) + column.get_db_converters(connection):
                values[i] = convert(values[i], column, connection)
        user = User.from_db(connection.alias, [f.attname for f in fields], values)
        _fill(user, [row[n:] for row in rows if row[n]])
        return user

    def _get_permissions(self, user_obj, obj, from_name):
        if not user_obj.is_active or user_obj.is_anonymous or obj is not None:
            return set()
        cache = f"_{from_name}_perm_cache"
        if not hasattr(user_obj, cache):
            load_access(user_obj)
        return getattr(user_obj, cache)
