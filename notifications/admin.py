from django.contrib import admin

from . import services
from .models import CapturedMessage, Notification


@admin.register(Notification)
class NotificationAdmin(admin.ModelAdmin):
    list_display = ["id", "kind", "channel", "occasion", "patient", "due_at", "status", "attempts", "sent_at"]
    list_filter = ["status", "kind", "channel"]
    search_fields = ["patient__last_name", "patient__mrn", "to_address", "provider_message_id"]
    raw_id_fields = ["patient", "appointment", "recipient_user"]
    date_hierarchy = "due_at"
    actions = ["resend"]

    def get_readonly_fields(self, request, obj=None):
        return [f.name for f in self.model._meta.fields]

    def has_add_permission(self, request):
        return False

    def has_delete_permission(self, request, obj=None):
        return False

    @admin.action(description="Resend the selected failed messages", permissions=["change"])
    def resend(self, request, queryset):
        count = sum(services.notification_resend(notification=n, actor=request.user) for n in queryset)
        self.message_user(request, f"{count} message(s) queued again.")


@admin.register(CapturedMessage)
class CapturedMessageAdmin(admin.ModelAdmin):
    list_display = ["created_at", "channel", "to", "subject"]
    list_filter = ["channel"]
    search_fields = ["to", "subject"]

    def get_readonly_fields(self, request, obj=None):
        return [f.name for f in self.model._meta.fields]

    def has_add_permission(self, request):
        return False
