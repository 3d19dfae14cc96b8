"""What an online booking looks up before it books: the visit types, clinicians and locations open to online
booking, and the cancellation policy in force. Every booking reads them and they change a few times a year, so each
web process keeps them in memory under a version counter (issue 14: the booking's statement budget). They hold no
patient data.

The counter moves twice for every change: at once (so the same transaction, and a test, reads the change) and
again after the commit (so a copy taken by another process while the change was still uncommitted is dropped).
It lives in the shared cache (clinic.version_counter). The bumps come from
model signals, because these rows are edited in the staff admin as well as through services; a queryset
`update()` sends no signal, so nothing may change these tables that way (tests/scheduling/test_online_offer.py).
"""

import copy
import threading
from dataclasses import dataclass

from django.db import transaction
from django.db.models.signals import m2m_changed, post_delete, post_save

from clinic.version_counter import VersionCounter

VERSION = VersionCounter("stride:online-offer-version")


@dataclass(frozen=True)
class _Offer:
    version: int
    visit_types: dict
    clinicians: dict
    locations: dict
    policy: object


_held: dict[str, _Offer] = {}
_lock = threading.Lock()


def changed():
    VERSION.bump()
    transaction.on_commit(VERSION.bump)


def _load(version) -> _Offer:
    from clinic import texts
    from clinic.models import ClinicText

    from . import selectors
    from .models import Clinician, Location

    return _Offer(
        version=version,
        visit_types={v.pk: v for v in selectors.online_visit_types()},
        clinicians={c.pk: c for c in Clinician.objects.filter(is_active=True).select_related("user")},
        locations={loc.pk: loc for loc in Location.objects.filter(is_active=True)},
        policy=texts.current(ClinicText.Kind.CANCELLATION_POLICY),
    )


def _offer() -> _Offer:
    version = VERSION.current()
    held = _held.get("offer")
    if held is None or held.version != version:
        with _lock:
            held = _held.get("offer")
            if held is None or held.version != version:
                held = _held["offer"] = _load(version)
    return held


def _copy(instance):
    # A copy per caller: a booking may set attributes or cache relations on the row it was given.
    return copy.copy(instance) if instance is not None else None


def visit_type(pk):
    """The visit type open to online booking with this id, or None."""
    return _copy(_offer().visit_types.get(pk))


def clinician(pk):
    """The active clinician with this id (with their user), or None."""
    return _copy(_offer().clinicians.get(pk))


def location(pk):
    """The active location with this id, or None."""
    return _copy(_offer().locations.get(pk))


def cancellation_policy():
    """The cancellation policy in force, or None."""
    return _copy(_offer().policy)


def _on_change(sender, **kwargs):
    changed()


def _on_user_saved(sender, instance, update_fields=None, **kwargs):
    from .models import Clinician

    if update_fields and set(update_fields) <= {"last_login", "password"}:
        return  # every sign-in saves the user; the offer shows clinicians' names, not sign-ins
    if Clinician.objects.filter(user_id=instance.pk).exists():
        changed()


def connect():
    """Called once from SchedulingConfig.ready."""
    from django.contrib.auth import get_user_model

    from clinic.models import ClinicText

    from .models import Clinician, Location, VisitType

    for model in (VisitType, Clinician, Location, ClinicText):
        uid = f"online_offer.{model._meta.label_lower}"
        post_save.connect(_on_change, sender=model, dispatch_uid=f"{uid}.save")
        post_delete.connect(_on_change, sender=model, dispatch_uid=f"{uid}.delete")
    for through in (Clinician.locations.through, Clinician.visit_types.through):
        m2m_changed.connect(_on_change, sender=through, dispatch_uid=f"online_offer.{through._meta.label_lower}")
    post_save.connect(_on_user_saved, sender=get_user_model(), dispatch_uid="online_offer.user.save")
