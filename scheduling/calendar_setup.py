"""The calendar's setup version: a counter that moves whenever something an open calendar draws, other than its
visits, changes: working hours, time off, closures, rooms, locations, visit types, clinicians and the names on the
blocks. The fingerprint an open calendar polls (selectors.calendar_version) folds it in, so a closure an admin adds
or a patient's corrected name reaches every open calendar within a poll, without a query per poll for each table.

The counter is bumped after the commit (a page drawn meanwhile cannot keep the old version) from model signals,
because these rows are edited in the staff admin as well as through services. It lives in the cache; if the cache
loses it, the next value starts from the clock (clinic.version_counter).
"""

from django.db import transaction
from django.db.models.signals import m2m_changed, post_delete, post_save

from clinic.version_counter import VersionCounter

VERSION = VersionCounter("stride:calendar-setup-version")


def current():
    return VERSION.current()


def changed():
    """Something the calendar draws changed: open calendars redraw after this transaction commits."""
    transaction.on_commit(VERSION.bump)


def _on_change(sender, **kwargs):
    changed()


def _on_user_saved(sender, update_fields=None, **kwargs):
    if update_fields and set(update_fields) <= {"last_login", "password"}:
        return  # every sign-in saves the user; the calendar shows names, not sign-ins
    changed()


def connect():
    """Called once from SchedulingConfig.ready."""
    from django.contrib.auth import get_user_model

    from patients.models import Patient

    from .models import Clinician, Closure, Location, Room, TimeOff, VisitType, WorkingHours

    for model in (WorkingHours, TimeOff, Closure, Room, Location, VisitType, Clinician, Patient):
        uid = f"calendar_setup.{model._meta.label_lower}"
        post_save.connect(_on_change, sender=model, dispatch_uid=f"{uid}.save")
        post_delete.connect(_on_change, sender=model, dispatch_uid=f"{uid}.delete")
    for through in (Clinician.locations.through, Clinician.visit_types.through):
        m2m_changed.connect(_on_change, sender=through, dispatch_uid=f"calendar_setup.{through._meta.label_lower}")
    post_save.connect(_on_user_saved, sender=get_user_model(), dispatch_uid="calendar_setup.user.save")
