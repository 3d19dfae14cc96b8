from django.contrib import admin

from clinic.admin import RecordOnlyAdmin

from .models import Consent, EmergencyAccess, Patient, PatientDocument


class DocumentInline(admin.TabularInline):
    model = PatientDocument
    extra = 0
    fields = ["kind", "title", "file", "size_bytes", "uploaded_by", "uploaded_at"]
    readonly_fields = ["size_bytes", "uploaded_by", "uploaded_at"]


class ConsentInline(admin.TabularInline):
    model = Consent
    extra = 0
    readonly_fields = ["signed_at", "ip_address", "recorded_by"]


@admin.register(Patient)
class PatientAdmin(admin.ModelAdmin):
    list_display = ["mrn", "last_name", "first_name", "date_of_birth", "mobile_phone", "email", "status", "created_at"]
    list_filter = ["status", "sex", "preferred_channel", "reminder_sms_consent", "insurance_carrier"]
    search_fields = ["mrn", "last_name", "first_name", "preferred_name", "email", "mobile_phone"]
    readonly_fields = ["mrn", "created_at", "updated_at"]
    date_hierarchy = "created_at"
    raw_id_fields = ["user"]
    inlines = [DocumentInline, ConsentInline]
    actions = ["archive"]

    def has_delete_permission(self, request, obj=None):
        # Records are archived, not deleted; only a superuser may purge one.
        return request.user.is_superuser

    @admin.action(description="Archive selected patients", permissions=["change"])
    def archive(self, request, queryset):
        for patient in queryset:
            patient.status = Patient.Status.ARCHIVED
            patient.save(update_fields=["status", "updated_at"])


@admin.register(PatientDocument)
class PatientDocumentAdmin(admin.ModelAdmin):
    list_display = ["title", "kind", "patient", "size_bytes", "uploaded_by", "uploaded_at"]
    list_filter = ["kind", ("uploaded_at", admin.DateFieldListFilter)]
    search_fields = ["title", "patient__mrn", "patient__last_name"]
    list_select_related = ["patient", "uploaded_by"]
    raw_id_fields = ["patient"]


@admin.register(Consent)
class ConsentAdmin(admin.ModelAdmin):
    list_display = ["patient", "kind", "signed_name", "signed_at", "recorded_by"]
    list_filter = ["kind", ("signed_at", admin.DateFieldListFilter)]
    search_fields = ["signed_name", "patient__mrn", "patient__last_name"]
    list_select_related = ["patient", "recorded_by"]
    raw_id_fields = ["patient"]


@admin.register(EmergencyAccess)
class EmergencyAccessAdmin(RecordOnlyAdmin):
    """What an admin reviews after the notice email."""

    list_display = ["opened_at", "user", "patient", "expires_at", "reason"]
    list_select_related = ["user", "patient"]
    search_fields = ["patient__mrn", "user__email", "reason"]
    date_hierarchy = "opened_at"
