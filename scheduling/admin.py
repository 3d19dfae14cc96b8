"""The staff admin's half of scheduling: what an admin sets up so the calendar and online booking work.

Locations with their rooms, visit types, clinicians with their hours and time off, closures, and the one
clinic settings page. Visits themselves are booked, moved and cancelled on the calendar, through the
services that check overlaps and send messages, so the admin only looks them up.
"""

from zoneinfo import available_timezones

from django import forms
from django.contrib import admin
from django.db.models import Exists, OuterRef
from django.shortcuts import redirect
from django.urls import reverse
from django.utils.html import format_html
from django.utils.translation import gettext_lazy as _

from clinic.admin import RecordOnlyAdmin

from .models import (
    Appointment,
    AppointmentSeries,
    CancellationReason,
    Clinician,
    ClinicSettings,
    Closure,
    Equipment,
    Location,
    Room,
    TimeOff,
    VisitType,
    WaitlistEntry,
    WorkingHours,
)

_ZONES = sorted(available_timezones())


class LocationForm(forms.ModelForm):
    time_zone = forms.ChoiceField(choices=[(z, z) for z in _ZONES], label=_("Time zone"))

    class Meta:
        model = Location
        fields = ["name", "address_line1", "address_line2", "city", "state", "postal_code", "time_zone", "phone",
                  "arrival_notes", "color", "is_active"]


class RoomInline(admin.TabularInline):
    model = Room
    extra = 1
    fields = ["name", "equipment", "is_active"]


@admin.register(Equipment)
class EquipmentAdmin(admin.ModelAdmin):
    list_display = ["name", "room_names"]
    search_fields = ["name"]

    def get_queryset(self, request):
        return super().get_queryset(request).prefetch_related("rooms__location")

    @admin.display(description=_("Rooms"))
    def room_names(self, obj):
        return ", ".join(str(room) for room in obj.rooms.all())


@admin.register(Location)
class LocationAdmin(admin.ModelAdmin):
    form = LocationForm
    list_display = ["name", "city", "time_zone", "phone", "calendar_color", "is_active"]
    list_filter = ["is_active"]
    search_fields = ["name", "city", "postal_code"]
    inlines = [RoomInline]

    @admin.display(description=_("Colour on the calendar"))
    def calendar_color(self, obj):
        from .selectors import active_locations

        shown = next((place.color for place in active_locations() if place.pk == obj.pk), "")
        if not shown:
            return _("(inactive)")
        label = obj.color or _("%(color)s, chosen for it") % {"color": shown}
        return format_html('<span style="display:inline-block;width:.8rem;height:.8rem;border-radius:.2rem;'
                           'background:{};vertical-align:-.1rem"></span> {}', shown, label)


@admin.register(Room)
class RoomAdmin(admin.ModelAdmin):
    list_display = ["name", "location", "equipment_names", "is_active"]
    list_filter = ["location", "equipment", "is_active"]
    filter_horizontal = ["equipment"]
    search_fields = ["name", "location__name"]
    list_select_related = ["location"]

    def get_queryset(self, request):
        return super().get_queryset(request).prefetch_related("equipment")

    @admin.display(description=_("Equipment"))
    def equipment_names(self, obj):
        return ", ".join(e.name for e in obj.equipment.all())


@admin.register(VisitType)
class VisitTypeAdmin(admin.ModelAdmin):
    list_display = ["name", "modality", "duration_minutes", "bookable_online", "needs_intake", "price", "is_active",
                    "sort_order"]
    list_filter = ["modality", "bookable_online", "needs_intake", "is_active"]
    search_fields = ["name", "description"]
    list_editable = ["sort_order"]
    filter_horizontal = ["equipment_needed"]


class WorkingHoursInline(admin.TabularInline):
    model = WorkingHours
    extra = 1
    fields = ["weekday", "start_time", "end_time", "location", "effective_from", "effective_until"]


class TimeOffInline(admin.TabularInline):
    model = TimeOff
    extra = 0
    fields = ["start_at", "end_at", "reason"]


class HasHoursFilter(admin.SimpleListFilter):
    title = _("working hours")
    parameter_name = "hours"

    def lookups(self, request, model_admin):
        return [("no", _("None set: not bookable")), ("yes", _("Set"))]

    def queryset(self, request, queryset):
        if self.value() in ("yes", "no"):
            return queryset.filter(has_hours=self.value() == "yes")
        return queryset


@admin.register(Clinician)
class ClinicianAdmin(admin.ModelAdmin):
    list_display = ["name", "credentials", "npi", "location_names", "hours", "is_active", "sort_order"]
    list_filter = [HasHoursFilter, "is_active", "locations"]
    search_fields = ["user__first_name", "user__last_name", "user__email", "credentials", "npi"]
    autocomplete_fields = ["user"]
    filter_horizontal = ["visit_types", "locations"]
    fields = ["user", "credentials", "npi", "bio", "visit_types", "locations", "is_active", "sort_order"]
    inlines = [WorkingHoursInline, TimeOffInline]

    def get_queryset(self, request):
        hours = WorkingHours.objects.filter(clinician=OuterRef("pk"))
        return (super().get_queryset(request).select_related("user").prefetch_related("locations")
                .annotate(has_hours=Exists(hours)))

    @admin.display(description=_("Clinician"), ordering="user__last_name")
    def name(self, obj):
        return obj.display_name

    @admin.display(description=_("Locations"))
    def location_names(self, obj):
        return ", ".join(location.name for location in obj.locations.all())

    @admin.display(description=_("Hours"), ordering="has_hours")
    def hours(self, obj):
        return _("Set") if obj.has_hours else _("None: not on the calendar or online")

    def save_related(self, request, form, formsets, change):
        super().save_related(request, form, formsets, change)
        # Hours at a location the clinician is not linked to would never offer a slot there: link it.
        clinician = form.instance
        worked = set(clinician.working_hours.values_list("location_id", flat=True))
        missing = worked - set(clinician.locations.values_list("pk", flat=True))
        if missing:
            clinician.locations.add(*missing)
            self.message_user(request, _("Added the locations of their working hours to %(name)s's locations.")
                              % {"name": clinician.display_name})


@admin.register(WorkingHours)
class WorkingHoursAdmin(admin.ModelAdmin):
    list_display = ["clinician", "weekday", "start_time", "end_time", "location", "effective_from", "effective_until"]
    list_filter = ["weekday", "location", "clinician"]
    list_select_related = ["clinician__user", "location"]
    search_fields = ["clinician__user__first_name", "clinician__user__last_name"]


@admin.register(TimeOff)
class TimeOffAdmin(admin.ModelAdmin):
    list_display = ["clinician", "start_at", "end_at", "reason"]
    list_filter = ["clinician"]
    list_select_related = ["clinician__user"]
    date_hierarchy = "start_at"
    search_fields = ["reason", "clinician__user__last_name"]


@admin.register(Closure)
class ClosureAdmin(admin.ModelAdmin):
    list_display = ["date", "name", "location_or_all"]
    list_filter = ["location"]
    list_select_related = ["location"]
    date_hierarchy = "date"
    search_fields = ["name"]

    @admin.display(description=_("Location"), ordering="location__name")
    def location_or_all(self, obj):
        return obj.location or _("Every location")


class ClinicSettingsForm(forms.ModelForm):
    telehealth_base_url = forms.URLField(assume_scheme="https", label=_("Video visit base address"),
                                         help_text=_("Each telehealth visit gets its own room under this address."))

    class Meta:
        model = ClinicSettings
        fields = ["auto_confirm_online_bookings", "min_notice_hours", "booking_horizon_days",
                  "patient_change_cutoff_hours", "slot_grid_minutes", "telehealth_base_url"]


@admin.register(ClinicSettings)
class ClinicSettingsAdmin(admin.ModelAdmin):
    """One row: the list goes straight to it; it can be changed, never added twice or deleted."""

    form = ClinicSettingsForm
    fieldsets = [
        (_("Online booking"), {"fields": ["auto_confirm_online_bookings", "min_notice_hours", "booking_horizon_days",
                                          "patient_change_cutoff_hours"]}),
        (_("Calendar"), {"fields": ["slot_grid_minutes"]}),
        (_("Telehealth"), {"fields": ["telehealth_base_url"]}),
    ]

    def changelist_view(self, request, extra_context=None):
        settings_row = ClinicSettings.load()
        return redirect(reverse("admin:scheduling_clinicsettings_change", args=[settings_row.pk]))

    def has_add_permission(self, request):
        return False

    def has_delete_permission(self, request, obj=None):
        return False


@admin.register(CancellationReason)
class CancellationReasonAdmin(admin.ModelAdmin):
    """The reasons the front desk picks from when cancelling (plus "Other", always offered). Retire one with
    Active rather than deleting it: cancelled visits keep its words either way."""

    list_display = ["name", "is_active", "sort_order"]
    list_editable = ["is_active", "sort_order"]
    list_filter = ["is_active"]
    search_fields = ["name"]


# Visits are looked up here and changed on the calendar, where the services check overlaps and notify.
@admin.register(Appointment)
class AppointmentAdmin(RecordOnlyAdmin):
    list_display = ["start_at", "patient", "clinician", "visit_type", "modality", "location", "room", "status",
                    "source"]
    list_filter = ["status", "modality", "source", "visit_type", "location", "clinician", "cancelled_because"]
    list_select_related = ["patient", "clinician__user", "visit_type", "location", "room"]
    search_fields = ["=patient__mrn", "patient__last_name"]
    date_hierarchy = "start_at"
    show_full_result_count = False
    readonly_fields = ["cancellation_policy", "cancellation_policy_accepted_at"]  # what an online patient accepted


@admin.register(AppointmentSeries)
class AppointmentSeriesAdmin(RecordOnlyAdmin):
    list_display = ["description", "created_by", "created_at"]
    list_select_related = ["created_by"]


@admin.register(WaitlistEntry)
class WaitlistEntryAdmin(RecordOnlyAdmin):
    list_display = ["patient", "visit_type", "earliest_date", "latest_date", "status"]
    list_filter = ["status", "visit_type"]
    list_select_related = ["patient", "visit_type"]
    search_fields = ["=patient__mrn", "patient__last_name"]
