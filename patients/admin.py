from django import forms
from django.contrib import admin
from django.core.exceptions import PermissionDenied
from django.shortcuts import get_object_or_404
from django.template.response import TemplateResponse
from django.urls import path, reverse
from django.utils import timezone
from django.utils.html import format_html
from django.utils.translation import gettext_lazy as _

from clinic.admin import RecordOnlyAdmin
from clinic.admin_audit import csv_response, describe, kind_name
from clinic.audit import events_for_patient, request_ip

from . import selectors, services
from .models import Consent, ContactChange, EmergencyAccess, Patient, PatientDocument


class DocumentInline(admin.TabularInline):
    model = PatientDocument
    extra = 0
    fields = ["kind", "title", "file", "size_bytes", "uploaded_by", "uploaded_at"]
    readonly_fields = ["size_bytes", "uploaded_by", "uploaded_at"]


class ConsentInline(admin.TabularInline):
    model = Consent
    extra = 0
    readonly_fields = ["signed_at", "ip_address", "recorded_by"]


class PatientAdminForm(forms.ModelForm):
    """The admin's patient form checks what the front desk's does: the model's rules, and on a new record the
    possible duplicates, which an admin must confirm are a different person."""

    confirm_not_duplicate = forms.BooleanField(
        required=False, label=_("I checked: this is a different person from the matching records listed"))

    class Meta:
        model = Patient
        fields = "__all__"  # noqa: DJ007 (PatientAdmin decides which fields its page shows)

    def _post_clean(self):
        super()._post_clean()
        if self.instance.pk is not None or self.errors or self.cleaned_data.get("confirm_not_duplicate"):
            return
        duplicates = selectors.possible_duplicates(
            first_name=self.instance.first_name, last_name=self.instance.last_name,
            date_of_birth=self.instance.date_of_birth, email=self.instance.email,
            mobile_phone=self.instance.mobile_phone)
        if duplicates:
            listed = "; ".join(f"{p.mrn} {p.full_name}, {p.date_of_birth:%Y-%m-%d}" for p in duplicates)
            self.add_error("confirm_not_duplicate", _(
                "This may be a patient already on file (%(listed)s). Open that record instead, or tick the box "
                "to confirm this is a different person.") % {"listed": listed})


@admin.register(Patient)
class PatientAdmin(admin.ModelAdmin):
    form = PatientAdminForm
    list_display = ["mrn", "last_name", "first_name", "date_of_birth", "mobile_phone", "email", "status", "created_at"]
    list_filter = ["status", "sex", "preferred_channel", "reminder_sms_consent", "insurance_carrier"]
    search_fields = ["mrn", "last_name", "first_name", "preferred_name", "email", "mobile_phone"]
    readonly_fields = ["mrn", "created_at", "updated_at", "disclosures_link"]
    date_hierarchy = "created_at"
    raw_id_fields = ["user"]
    inlines = [DocumentInline, ConsentInline]
    actions = ["archive"]

    @admin.display(description=_("Accounting of disclosures"))
    def disclosures_link(self, obj):
        if obj.pk is None:
            return "-"
        return format_html('<a href="{}">{}</a>', reverse("admin:patients_patient_disclosures", args=[obj.pk]),
                           _("Who saw or received this record, and when"))

    def get_urls(self):
        view = self.admin_site.admin_view
        return [
            path("<int:pk>/disclosures/", view(self.disclosures), name="patients_patient_disclosures"),
            path("<int:pk>/disclosures.csv", view(self.disclosures_csv), name="patients_patient_disclosures_csv"),
            *super().get_urls(),
        ]

    def disclosures(self, request, pk):
        """Every read and write of one patient's record, oldest first: what a patient asking "who has seen my
        record?" is owed, and what a privacy officer reviews."""
        if not self.has_view_permission(request):
            raise PermissionDenied
        patient = get_object_or_404(Patient, pk=pk)
        events = events_for_patient(patient.pk)
        rows = [{"at": e.at, "who": e.actor_label or _("system"), "role": e.actor_role, "kind": kind_name(e.object_type),
                 "what": describe(e), "action": e.get_action_display(), "ip": e.ip_address} for e in events]
        return TemplateResponse(request, "admin/patients/patient/disclosures.html", {
            **self.admin_site.each_context(request), "opts": self.model._meta, "original": patient,
            "title": _("Accounting of disclosures: %(name)s (%(mrn)s)") % {"name": patient.full_name, "mrn": patient.mrn},
            "rows": rows, "people": len({r["who"] for r in rows}),
        })

    def disclosures_csv(self, request, pk):
        if not self.has_view_permission(request):
            raise PermissionDenied
        patient = get_object_or_404(Patient, pk=pk)
        return csv_response(events_for_patient(patient.pk, with_roles=False),
                            f"disclosures-{patient.mrn}-{timezone.localdate():%Y-%m-%d}.csv")

    def has_delete_permission(self, request, obj=None):
        # Records are archived, not deleted; only a superuser may purge one.
        return request.user.is_superuser

    def get_fields(self, request, obj=None):
        fields = super().get_fields(request, obj)
        return fields if obj is None else [f for f in fields if f != "confirm_not_duplicate"]

    def save_model(self, request, obj, form, change):
        """Through the same services as the front desk's pages (validation, the audit trail's actor and address)."""
        if change:
            services.patient_update(patient=obj, actor=request.user, ip=request_ip(request))
        else:
            services.patient_create(patient=obj, actor=request.user, ip=request_ip(request))

    @admin.action(description=_("Archive selected patients"), permissions=["change"])
    def archive(self, request, queryset):
        for patient in queryset:
            services.patient_set_status(patient=patient, status=Patient.Status.ARCHIVED, actor=request.user,
                                        ip=request_ip(request))


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


@admin.register(ContactChange)
class ContactChangeAdmin(RecordOnlyAdmin):
    """Contact details typed online and what the front desk decided; decided on the chart or a visit's panel (one
    click, through the service), never edited here."""

    list_display = ["patient", "field", "value", "status", "source", "requested_at", "decided_by", "decided_at"]
    list_filter = ["status", "field"]
    search_fields = ["patient__mrn", "patient__last_name", "value"]
    list_select_related = ["patient", "decided_by"]
    date_hierarchy = "requested_at"
