from django import forms
from django.contrib import admin
from django.contrib.auth.admin import UserAdmin as BaseUserAdmin
from django.contrib.auth.forms import AdminUserCreationForm, UserChangeForm
from django.contrib.auth.models import Group
from django.db.models import OuterRef, Subquery
from django.shortcuts import redirect
from django.urls import reverse
from django.utils.html import format_html
from django.utils.translation import gettext_lazy as _

from . import roles, texts, trusted_devices
from .models import ClinicText, TrustedDevice, User, WorkerHeartbeat

ROLE_CHOICES = [
    (roles.FRONT_DESK, _("Front desk: the calendar, bookings, patients' details and messages; no clinical notes")),
    (roles.CLINICIAN, _("Clinician: the calendar, and the charts, intakes and exams of the patients in their care")),
    (roles.ADMIN, _("Admin: this staff admin (users, clinicians, visit types, hours, settings) and the audit log")),
    (roles.PATIENT, _("Patient: only their own visits and forms, online")),
]


# What each role may do is set in code (each app's role_permissions) and applied after every migrate: the
# groups behind the roles are not edited by hand, so they are not in the staff admin.
admin.site.unregister(Group)


class RoleField(forms.ChoiceField):
    """One role per person instead of Django's groups and hundreds of raw permissions: what each role may do is
    set in code (clinic.roles), so an admin cannot hand out half a role by ticking boxes."""

    def __init__(self, **kwargs):
        super().__init__(choices=ROLE_CHOICES, widget=forms.RadioSelect, label=_("Role"), **kwargs)


def role_of(user):
    names = {g.name for g in user.groups.all()} if user.pk else set()
    return next((role for role in roles.ALL_ROLES if role in names), None)


class UserAddForm(AdminUserCreationForm):
    role = RoleField()


class UserEditForm(UserChangeForm):
    role = RoleField()

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["role"].initial = role_of(self.instance)


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
    form = UserEditForm
    add_form = UserAddForm
    fieldsets = (
        (None, {"fields": ("email", "password")}),
        (_("Person"), {"fields": ("first_name", "last_name")}),
        (_("Role and access"), {"fields": ("role", "is_active")}),
        (_("Dates"), {"fields": ("last_login", "date_joined")}),
    )
    add_fieldsets = (
        (None, {"classes": ("wide",), "fields": ("email", "first_name", "last_name", "role", "usable_password",
                                                 "password1", "password2")}),
    )
    readonly_fields = ["last_login", "date_joined"]

    def get_fieldsets(self, request, obj=None):
        fieldsets = super().get_fieldsets(request, obj)
        if obj is not None and request.user.is_superuser:
            # Only a superuser sees (and may grant) the all-powers flag; nobody edits raw permissions here.
            fieldsets = (*fieldsets, (_("Superuser"), {"fields": ("is_superuser",)}))
        return fieldsets

    def get_queryset(self, request):
        return super().get_queryset(request).prefetch_related("groups")

    def save_model(self, request, obj, form, change):
        # The staff admin is for admins: the flag follows the role, so it cannot drift from it.
        obj.is_staff = form.cleaned_data["role"] == roles.ADMIN or obj.is_superuser
        super().save_model(request, obj, form, change)

    def save_related(self, request, form, formsets, change):
        super().save_related(request, form, formsets, change)
        form.instance.groups.set([Group.objects.get_or_create(name=form.cleaned_data["role"])[0]])
        form.instance.__dict__.pop("role_names", None)

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

    @admin.display(description=_("Role"))
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


@admin.register(WorkerHeartbeat)
class WorkerHeartbeatAdmin(admin.ModelAdmin):
    list_display = ["hostname", "seen_at"]

    def has_add_permission(self, request):
        return False


@admin.register(ClinicText)
class ClinicTextAdmin(admin.ModelAdmin):
    """Texts are published, never edited: "Add" with the kind filled in starts from the version in force, and
    saving puts the new wording in force as the next version (the old one stays, as patients agreed to it)."""

    list_display = ["kind", "version", "title", "published_at", "published_by", "in_force", "page"]
    list_filter = ["kind"]
    fields = ["kind", "title", "body", "body_es"]
    list_select_related = ["published_by"]

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False

    def get_changeform_initial_data(self, request):
        initial = super().get_changeform_initial_data(request)
        in_force = texts.current(initial.get("kind", ""))
        if in_force is not None:
            initial.update(title=in_force.title, body=in_force.body, body_es=in_force.body_es)
        return initial

    def save_model(self, request, obj, form, change):
        published = texts.publish(kind=obj.kind, title=obj.title, body=obj.body, body_es=obj.body_es,
                                  actor=request.user)
        obj.pk, obj.version, obj.published_at = published.pk, published.version, published.published_at
        obj._state.adding = False

    def get_queryset(self, request):
        newest = ClinicText.objects.filter(kind=OuterRef("kind")).order_by("-version").values("version")[:1]
        return super().get_queryset(request).annotate(newest=Subquery(newest))

    @admin.display(boolean=True, description=_("In force"))
    def in_force(self, obj):
        return obj.version == obj.newest

    @admin.display(description=_("As patients see it"))
    def page(self, obj):
        add = reverse("admin:clinic_clinictext_add")
        return format_html('<a href="{}">{}</a> · <a href="{}?kind={}">{}</a>', obj.get_absolute_url(), _("Open"),
                           add, obj.kind, _("Publish a new version"))


# The audit trail's admin lives in its own module (it has its own views); imported here so autodiscovery finds it.
from . import admin_audit  # noqa: E402, F401


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
