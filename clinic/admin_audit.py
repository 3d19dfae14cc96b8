"""The audit trail in the staff admin: in the clinic's words, filtered, and exported to CSV."""

import csv
import json
from functools import cache

from django.apps import apps
from django.contrib import admin
from django.core.exceptions import PermissionDenied
from django.http import StreamingHttpResponse
from django.urls import path
from django.utils import timezone
from django.utils.html import format_html_join
from django.utils.translation import gettext_lazy as _

from . import audit
from .admin import RecordOnlyAdmin
from .models import AuditEvent

# Third-party models whose own names mean nothing to a clinic.
KIND_NAMES = {
    "otp_totp.TOTPDevice": _("Sign-in code device"),
    "axes.AccessAttempt": _("Sign-in lockout"),
}


@cache
def kind_name(object_type: str) -> str:
    """'intake.OutcomeScore' -> 'Outcome score': what a record is, as the clinic calls it."""
    if object_type in KIND_NAMES:
        return str(KIND_NAMES[object_type])
    try:
        name = str(apps.get_model(object_type)._meta.verbose_name)
    except (LookupError, ValueError):
        return object_type
    return name[:1].upper() + name[1:]


@cache
def field_name(object_type: str, attname: str) -> str:
    try:
        model = apps.get_model(object_type)
    except (LookupError, ValueError):
        return attname
    for field in model._meta.concrete_fields:
        if field.attname == attname:
            name = str(field.verbose_name)
            return name[:1].upper() + name[1:]
    return attname


def describe(event: AuditEvent) -> str:
    """One line a privacy officer reads: 'Viewed Patient: Maya Okafor (sections: visits, exams)'."""
    text = f"{event.get_action_display()} {kind_name(event.object_type)}: {event.object_label}"
    sections = event.changes.get("sections") if event.action == AuditEvent.Action.VIEW else None
    if sections:
        text += " (" + _("sections") + ": " + ", ".join(str(s) for s in sections) + ")"
    if event.object_type == "patients.EmergencyAccess" and event.action == AuditEvent.Action.CREATE:
        reason = (event.changes.get("reason") or [None, ""])[1]
        text = _("Emergency access to the record, reason: %(reason)s") % {"reason": reason}
    return text


class RecordKindFilter(admin.SimpleListFilter):
    title = _("record")
    parameter_name = "object_type"

    def lookups(self, request, model_admin):
        # Every kind of record the trail covers, from the registry: no scan of a table of millions of rows.
        return sorted(((m._meta.label, kind_name(m._meta.label)) for m in audit.tracked_models()), key=lambda kv: kv[1])

    def queryset(self, request, queryset):
        return queryset.filter(object_type=self.value()) if self.value() else queryset


CSV_COLUMNS = [_("When"), _("Who"), _("Action"), _("Record"), _("What"), _("Patient id"), _("IP address"),
               _("Changed fields")]


def csv_rows(events):
    class Echo:
        def write(self, value):
            return value

    writer = csv.writer(Echo())
    yield writer.writerow([str(c) for c in CSV_COLUMNS])
    for event in events.iterator(chunk_size=2000):
        yield writer.writerow([
            timezone.localtime(event.at).isoformat(timespec="seconds"), event.actor_label or _("system"),
            event.get_action_display(), kind_name(event.object_type), describe(event), event.patient_id or "",
            event.ip_address or "",
            "" if event.action == AuditEvent.Action.VIEW else json.dumps(
                {field_name(event.object_type, k): v for k, v in event.changes.items()}, default=str),
        ])


def csv_response(events, filename):
    response = StreamingHttpResponse(csv_rows(events), content_type="text/csv; charset=utf-8")
    response["Content-Disposition"] = f'attachment; filename="{filename}"'
    return response


@admin.register(AuditEvent)
class AuditEventAdmin(RecordOnlyAdmin):
    list_display = ["at", "actor_label", "action", "record_kind", "object_label", "patient_id", "ip_address"]
    list_filter = ["action", RecordKindFilter, ("at", admin.DateFieldListFilter)]
    search_fields = ["actor_label", "object_label", "object_id", "=patient_id"]
    date_hierarchy = "at"
    fields = ["at", "actor_label", "ip_address", "action", "record_kind", "object_label", "object_id",
              "patient_id", "what_changed"]
    readonly_fields = fields
    change_list_template = "admin/clinic/auditevent/change_list.html"

    @admin.display(description=_("Record"), ordering="object_type")
    def record_kind(self, obj):
        return kind_name(obj.object_type)

    @admin.display(description=_("What changed or was seen"))
    def what_changed(self, obj):
        if obj.action == AuditEvent.Action.VIEW:
            return describe(obj)
        return format_html_join(
            "\n", "<div><strong>{}</strong>: {} → {}</div>",
            ((field_name(obj.object_type, k), *(v if isinstance(v, list) and len(v) == 2 else [None, v]))
             for k, v in obj.changes.items()),
        ) or "-"

    def get_urls(self):
        return [path("export.csv", self.admin_site.admin_view(self.export_csv), name="clinic_auditevent_export"),
                *super().get_urls()]

    def export_csv(self, request):
        """The changelist's rows as they are filtered and searched, every page of them."""
        if not self.has_view_permission(request):
            raise PermissionDenied
        changelist = self.get_changelist_instance(request)
        events = changelist.get_queryset(request).order_by("at", "id")
        return csv_response(events, f"stride-audit-{timezone.localdate():%Y-%m-%d}.csv")
