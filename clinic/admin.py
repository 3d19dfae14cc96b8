from django.contrib import admin
from django.contrib.auth.admin import UserAdmin as BaseUserAdmin
from django.shortcuts import redirect
from django.urls import reverse
from django.utils.translation import gettext_lazy as _

from . import roles, trusted_devices
from .models import AuditEvent, TrustedDevice, User, WorkerHeartbeat


class TrustedDeviceInline(admin.TabularInline):
    """The computers where this person skips the sign-in code; tick Revoked to ask for it there again."""

    model = TrustedDevice
    fields = ["label", "created_at", "last_used_at", "expires_at", "revoked", "revoked_at"]
    readonly_fields = ["label", "created_at", "last_used_at", "expires_at", "revoked_at"]
    extra = 0
    can_delete = False
    verbose_name_plural = _("Remembered computers (skip the sign-in code)")

    def has_add_permission(self, request, obj=None):
        return False  # only the person themselves, at the code step


@admin.register(User)
class UserAdmin(BaseUserAdmin):
    ordering = ["email"]
    inlines = [TrustedDeviceInline]
    list_display = ["email", "first_name", "last_name", "roles", "is_active", "last_login"]
    list_filter = ["groups", "is_active", "is_staff"]
    search_fields = ["email", "first_name", "last_name"]
    fieldsets = (
        (None, {"fields": ("email", "password")}),
        (_("Person"), {"fields": ("first_name", "last_name")}),
        (_("Role and access"), {"fields": ("is_active", "groups", "is_staff", "is_superuser", "user_permissions")}),
        (_("Dates"), {"fields": ("last_login", "date_joined")}),
    )
    add_fieldsets = (
        (None, {"classes": ("wide",), "fields": ("email", "first_name", "last_name", "groups", "password1", "password2")}),
    )

    def get_queryset(self, request):
        return super().get_queryset(request).prefetch_related("groups")

    def get_inlines(self, request, obj):
        return self.inlines if obj is not None else []  # a new user has no remembered computer

    def response_add(self, request, obj, post_url_continue=None):
        """A new Clinician-role user goes straight on to their clinician profile: without one (and hours) they
        never appear on the calendar. Named by URL only, so clinic does not import scheduling."""
        if obj.groups.filter(name=roles.CLINICIAN).exists() and "_addanother" not in request.POST:
            self.message_user(request, _("Now add %(email)s's clinician profile: visit types, locations and "
                                         "working hours.") % {"email": obj.email})
            return redirect(f"{reverse('admin:scheduling_clinician_add')}?user={obj.pk}")
        return super().response_add(request, obj, post_url_continue)

    @admin.display(description="Roles")
    def roles(self, obj):
        return ", ".join(g.name for g in obj.groups.all())


class RecordOnlyAdmin(admin.ModelAdmin):
    """A record the staff admin shows and never adds, edits or deletes (the audit trail, emergency accesses)."""

    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False


@admin.register(AuditEvent)
class AuditEventAdmin(RecordOnlyAdmin):
    list_display = ["at", "actor_label", "action", "object_type", "object_label", "ip_address"]
    list_filter = ["action", "object_type", ("at", admin.DateFieldListFilter)]
    search_fields = ["actor_label", "object_label", "object_id", "=patient_id"]
    date_hierarchy = "at"
    list_select_related = False


@admin.register(WorkerHeartbeat)
class WorkerHeartbeatAdmin(admin.ModelAdmin):
    list_display = ["hostname", "seen_at"]

    def has_add_permission(self, request):
        return False


@admin.register(TrustedDevice)
class TrustedDeviceAdmin(admin.ModelAdmin):
    """Every remembered computer, filterable by person; revoking is recorded in the audit log (clinic.apps)."""

    list_display = ["user", "label", "created_at", "last_used_at", "expires_at", "revoked"]
    list_filter = ["revoked", ("expires_at", admin.DateFieldListFilter), ("user", admin.RelatedOnlyFieldListFilter)]
    search_fields = ["user__email", "user__first_name", "user__last_name", "label"]
    list_select_related = ["user"]
    fields = ["user", "label", "created_at", "last_used_at", "expires_at", "revoked", "revoked_at"]
    readonly_fields = ["user", "label", "created_at", "last_used_at", "expires_at", "revoked_at"]
    actions = ["revoke_selected"]

    def has_add_permission(self, request):
        return False

    def has_delete_permission(self, request, obj=None):
        return False  # revoked, not deleted: the record of where someone was remembered stays

    @admin.action(description=_("Revoke: ask for the sign-in code on these computers again"),
                  permissions=["change"])
    def revoke_selected(self, request, queryset):
        for device in queryset:
            trusted_devices.revoke(device)
        self.message_user(request, _("Revoked: those computers ask for the sign-in code again."))
