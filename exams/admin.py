"""The staff admin shows the working diagnoses (record only), for coding review: which diagnoses and codes the clinic
records. The exams themselves stay out, on purpose (as before the move from intake): an exam is read on its page,
which checks the reader's care of the patient and audits the read, and a signed exam is corrected only by an
addendum there. Red-flag re-screens likewise stay out: clinical records, read on the
re-screen page and the exam, with the same checks. The diagnoses are written on the exam page too; here each opened row is audited as a read."""

from django.contrib import admin
from django.utils.translation import gettext_lazy as _

from clinic.admin import RecordOnlyAdmin
from clinic.audit import record_view, request_ip

from .models import WorkingDiagnosis


@admin.register(WorkingDiagnosis)
class WorkingDiagnosisAdmin(RecordOnlyAdmin):
    list_display = ["exam_id", "label", "side", "icd10_code", "primary", "signed"]
    list_filter = ["diagnosis", "side", "primary"]
    search_fields = ["icd10_code"]
    list_select_related = ["exam"]
    fields = ["exam", "diagnosis", "side", "icd10_code", "primary", "note", "position"]

    @admin.display(description=_("Signed"), boolean=True)
    def signed(self, obj):
        return obj.exam.is_signed

    def change_view(self, request, object_id, form_url="", extra_context=None):
        found = self.get_object(request, object_id)
        if found is not None and self.has_view_permission(request, found):
            record_view(instance=found.exam, actor=request.user, ip=request_ip(request),
                        details={"shown": "admin working diagnosis"})
        return super().change_view(request, object_id, form_url, extra_context)
