"""The staff admin's instruments: load a definition file (every problem shown with its line), see each version
loaded with its wording, put one in force or take it out of the intake. Versions are never edited or deleted:
every response names the version it was answered on."""

from django.contrib import admin
from django.core.exceptions import PermissionDenied
from django.shortcuts import redirect
from django.template.response import TemplateResponse
from django.urls import reverse
from django.utils.html import format_html_join
from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _

from clinic.audit import request_ip

from . import selectors, services
from .checks import odi_notice
from .forms_instruments import InstrumentFileForm
from .models import Instrument


@admin.register(Instrument)
class InstrumentAdmin(admin.ModelAdmin):
    list_display = ["title", "code", "version", "wording", "active", "loaded_by", "loaded_at"]
    list_filter = ["code", "active", "demo_wording"]
    list_select_related = ["loaded_by"]
    fields = ["title", "code", "version", "wording", "copyright_notice", "active", "scoring", "questions",
              "source_name", "loaded_by", "loaded_at"]
    readonly_fields = ["title", "code", "version", "wording", "copyright_notice", "scoring", "questions",
                       "source_name", "loaded_by", "loaded_at"]
    change_list_template = "admin/intake/instrument/change_list.html"

    def has_delete_permission(self, request, obj=None):
        return False  # responses name the version they were answered on

    @admin.display(description=_("Wording"), ordering="demo_wording")
    def wording(self, obj):
        return gettext("Demo wording (never scored as this instrument)") if obj.demo_wording else gettext("Licensed")

    @admin.display(description=_("Scoring"))
    def scoring(self, obj):
        rule = obj.parsed.rule
        direction = gettext("higher is better") if rule.higher_is_better else gettext("lower is better")
        return gettext("%(rule)s rule, %(low)s-%(high)s, %(direction)s; meaningful change at least %(t)s (%(source)s)") % {
            "rule": rule.name, "low": f"{rule.low:g}", "high": f"{rule.high:g}", "direction": direction,
            "t": f"{rule.threshold:g}", "source": rule.threshold_source}

    @admin.display(description=_("Questions as patients see them"))
    def questions(self, obj):
        return format_html_join("", "<p><strong>{}</strong><br>{}</p>", (
            (item.text, " · ".join(f"{o.value} = {o.text}" for o in item.options)) for item in obj.parsed.items))

    def changelist_view(self, request, extra_context=None):
        extra_context = {**(extra_context or {}), "odi_notice": odi_notice(selectors.active_instruments())}
        return super().changelist_view(request, extra_context)

    def add_view(self, request, form_url="", extra_context=None):
        """Load an instrument file: the service validates and versions it; problems come back beside the field."""
        if not self.has_add_permission(request):
            raise PermissionDenied
        form = InstrumentFileForm(request.POST or None, request.FILES or None)
        if request.method == "POST" and (row := form.load(actor=request.user, ip=request_ip(request))):
            self.message_user(request, form.loaded_message(row))
            return redirect(reverse("admin:intake_instrument_changelist"))
        context = {
            **self.admin_site.each_context(request), "title": gettext("Load an instrument file"), "form": form,
            "opts": self.model._meta, "has_view_permission": self.has_view_permission(request),
        }
        return TemplateResponse(request, "admin/intake/instrument/load.html", context,
                                status=400 if form.is_bound and form.errors else 200)

    def save_model(self, request, obj, form, change):
        """Only whether it is asked can change; putting one version in force takes the code's other out."""
        services.instrument_set_active(instrument=obj, active=obj.active, actor=request.user, ip=request_ip(request))
