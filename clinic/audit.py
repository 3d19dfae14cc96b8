"""The audit trail of patient data.

Models register with `track(Model, patient=...)`; every create, change and delete of them then
writes an AuditEvent through model signals, so edits from pages, services, the API and the staff
admin are all recorded the same way. The actor comes from the current request (set by
AuditActorMiddleware) or from `acting_as` in tasks and commands. Reads of a chart are recorded
explicitly with `record_view`.
"""

import contextvars
import datetime
import decimal
import hashlib
import ipaddress
from contextlib import contextmanager

from django.conf import settings
from django.db.models.signals import post_delete, post_save, pre_save

from .models import AuditEvent

_actor = contextvars.ContextVar("audit_actor", default=(None, None))
_tracked = {}


def request_ip(request) -> str | None:
    """The client's IP address: REMOTE_ADDR, or the entry NUM_PROXIES from the right of X-Forwarded-For; None when
    that is not an IP address (an empty REMOTE_ADDR behind a Unix socket, a hop a proxy did not write).

    The audit trail, the booking throttle and the sign-in pause (AXES_CLIENT_IP_CALLABLE) all read it here, so
    behind a load balancer none of them sees only the balancer's address."""
    proxies = getattr(settings, "NUM_PROXIES", 0)
    forwarded = request.META.get("HTTP_X_FORWARDED_FOR", "")
    address = request.META.get("REMOTE_ADDR", "")
    if proxies and forwarded:
        hops = [hop.strip() for hop in forwarded.split(",") if hop.strip()]
        if hops:
            address = hops[-min(proxies, len(hops))]
    try:
        return str(ipaddress.ip_address(address))
    except ValueError:
        return None


class AuditActorMiddleware:
    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        user = getattr(request, "user", None)
        token = _actor.set((user if user is not None and user.is_authenticated else None, request_ip(request)))
        try:
            return self.get_response(request)
        finally:
            _actor.reset(token)


@contextmanager
def acting_as(user, ip=None):
    token = _actor.set((user, ip))
    try:
        yield
    finally:
        _actor.reset(token)


def _plain(value):
    if isinstance(value, (datetime.date, datetime.datetime, datetime.time, decimal.Decimal)):
        return str(value)
    if hasattr(value, "name") and hasattr(value, "storage"):  # a FieldFile
        return value.name or ""
    return value


def _snapshot(instance):
    options = _tracked[type(instance)]
    snapshot = {}
    for field in instance._meta.concrete_fields:
        if field.attname in options["ignore"]:
            continue
        value = _plain(getattr(instance, field.attname))
        # Clinical free text stays in its own table; the trail records that it changed, not what it says.
        snapshot[field.attname] = f"<{len(str(value))} chars, sha256 {hashlib.sha256(str(value).encode()).hexdigest()[:12]}>" if (
            field.attname in options["redact"] and value not in ("", None, {}, [])
        ) else value
    return snapshot


def _write(action, instance, changes, actor=None, ip=None):
    if actor is None and ip is None:
        actor, ip = _actor.get()
    patient_of = _tracked[type(instance)]["patient"]
    AuditEvent.objects.create(
        actor=actor,
        actor_label=actor.email if actor else "",
        ip_address=ip,
        action=action,
        object_type=instance._meta.label,
        object_id=str(instance.pk),
        object_label=str(instance)[:200],
        patient_id=patient_of(instance),
        changes=changes,
    )


def _before_save(sender, instance, raw=False, **kwargs):
    if raw or instance.pk is None:
        instance._audit_before = None
        return
    old = sender._default_manager.filter(pk=instance.pk).first()
    instance._audit_before = _snapshot(old) if old else None


def _after_save(sender, instance, created, raw=False, **kwargs):
    if raw:
        return
    after = _snapshot(instance)
    before = getattr(instance, "_audit_before", None)
    if created or before is None:
        _write(AuditEvent.Action.CREATE, instance, {k: [None, v] for k, v in after.items() if v not in ("", None)})
        return
    diff = {k: [before.get(k), v] for k, v in after.items() if before.get(k) != v}
    if diff:
        _write(AuditEvent.Action.CHANGE, instance, diff)


def _after_delete(sender, instance, **kwargs):
    _write(AuditEvent.Action.DELETE, instance, {})


def track(model, *, patient, ignore=("updated_at",), redact=()):
    """Audit every write of `model`; `patient(instance)` gives the patient id the row belongs to.

    Fields in `redact` are recorded as changed without their content.
    """
    _tracked[model] = {"patient": patient, "ignore": set(ignore), "redact": set(redact)}
    uid = f"audit-{model._meta.label}"
    pre_save.connect(_before_save, sender=model, dispatch_uid=uid + "-pre")
    post_save.connect(_after_save, sender=model, dispatch_uid=uid + "-post")
    post_delete.connect(_after_delete, sender=model, dispatch_uid=uid + "-del")


def tracked_models():
    """Every model whose writes the trail records."""
    return list(_tracked)


def record_view(*, instance, actor, ip=None, details=None):
    """Record that `actor` opened `instance` (a chart, a document); `details`: what the page showed of it
    (the chart: the names of the sections drawn, so a read of the clinical ones can be told apart)."""
    _write(AuditEvent.Action.VIEW, instance, details or {}, actor=actor, ip=ip)


def record_event(*, action, instance, actor, ip=None, details=None):
    """Record something `actor` did with `instance` that is neither a write nor a read (a device handed over)."""
    _write(action, instance, details or {}, actor=actor, ip=ip)



def events_for_patient(patient_id, *, with_roles=True):
    """Every event of one patient's record, oldest first; `with_roles`: each event's `actor_role`, the actor's
    role today (one query for all of them, not one per row)."""
    events = AuditEvent.objects.filter(patient_id=patient_id).order_by("at", "id")
    if not with_roles:
        return events
    events = list(events.select_related("actor").prefetch_related("actor__groups"))
    for event in events:
        event.actor_role = ", ".join(g.name for g in event.actor.groups.all()) if event.actor else ""
    return events
