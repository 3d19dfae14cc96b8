"""The signed-in user with their roles and permissions, kept in the cache between requests.

Every staff page starts by reading its user with their roles and permissions (clinic.backends, one query
with a row per permission), which change rarely. RoleBackend.get_user keeps them in the cache under two
version tokens: the user's own, and one for every role. The writes that change what is kept bump a token:
the user's row (any save or delete, and `User.objects.end_sessions`, the one bare update of it), the user's
groups and permissions, and any group, permission or group's permissions (the signals below). A new token
makes a new key, so a change shows on the very next request. Each token is bumped when the change is made
and again after it commits: a request that read the old rows in between stored them under the first new
token, never the second. Tokens are random, so an evicted one comes back as a new one, never an old one.

Kept: the user's fields without the password hash (it loads on first use, as a deferred field; the session
check uses the kept session hash), role names and permission codenames. No patient data. The cache must be
shared by every web process (CACHE_URL; the deploy check says so).
"""

import copy
import secrets

from django.conf import settings
from django.contrib.auth import get_user_model
from django.contrib.auth.models import Group, Permission
from django.core.cache import cache
from django.core.checks import Tags, register
from django.core.checks import Warning as CheckWarning
from django.db import transaction
from django.db.models.signals import m2m_changed, post_delete, post_save

TIMEOUT = 10 * 60
ROLES = "stride.signed-in.roles"


def _user_token_key(user_id):
    return f"stride.signed-in.user.{user_id}"


def _bump(key):
    cache.set(key, secrets.token_hex(8), None)
    transaction.on_commit(lambda: cache.set(key, secrets.token_hex(8), None))


def user_changed(user_id):
    _bump(_user_token_key(user_id))


def roles_changed():
    _bump(ROLES)


def _token(found, key):
    if found.get(key) is None:
        cache.add(key, secrets.token_hex(8), None)
        return cache.get(key)
    return found[key]


def user(user_id, *, load):
    """The user `user_id` from the cache, else `load(user_id)` (None: no such user), kept for next time."""
    keys = (_user_token_key(user_id), ROLES)
    found = cache.get_many(keys)
    key = f"stride.signed-in.{user_id}.{_token(found, keys[0])}.{_token(found, keys[1])}"
    kept = cache.get(key)
    if kept is not None:
        return kept
    loaded = load(user_id)
    if loaded is not None:
        cache.set(key, _without_password(loaded), TIMEOUT)
    return loaded


def _without_password(user):
    kept = copy.copy(user)
    kept.__dict__["session_auth_hash"] = user.get_session_auth_hash()
    del kept.__dict__["password"]  # deferred: read from the database if a page needs it (a password change)
    return kept


def _user_saved(sender, instance, **kwargs):
    user_changed(instance.pk)


def _membership_changed(sender, instance, action, reverse, pk_set, **kwargs):
    if not action.startswith("post_"):
        return
    if reverse or not isinstance(instance, get_user_model()):  # from the group's or permission's side
        roles_changed()
    else:
        user_changed(instance.pk)


def _roles_saved(sender, **kwargs):
    roles_changed()


def connect():
    User = get_user_model()
    for signal in (post_save, post_delete):
        signal.connect(_user_saved, sender=User, dispatch_uid=f"signed-in-user-{signal}")
        for model in (Group, Permission):
            signal.connect(_roles_saved, sender=model, dispatch_uid=f"signed-in-roles-{model.__name__}-{signal}")
    for through in (User.groups.through, User.user_permissions.through, Group.permissions.through):
        m2m_changed.connect(_membership_changed, sender=through, dispatch_uid=f"signed-in-{through.__name__}")


@register(Tags.caches, deploy=True)
def shared_cache(app_configs, **kwargs):
    """Sessions and signed-in users are kept in the cache: each web process must see every change."""
    if "locmem" in settings.CACHES["default"]["BACKEND"].lower():
        return [CheckWarning(
            "CACHE_URL is the process-local memory cache, but sessions and signed-in users are kept in it: with "
            "more than one web process a sign-out or a role change reaches only one. Set CACHE_URL to Redis.",
            id="clinic.W001")]
    return []
