from django.apps import AppConfig

from clinic import roles


class NotificationsConfig(AppConfig):
    name = "notifications"
    verbose_name = "Messages to patients"
    # The front desk follows and resends messages; clinicians see them; patients never see this app.
    role_permissions = {
        roles.ADMIN: ["notifications.view_notification", "notifications.change_notification",
                      "notifications.view_capturedmessage"],
        roles.FRONT_DESK: ["notifications.view_notification", "notifications.change_notification"],
        roles.CLINICIAN: ["notifications.view_notification"],
    }

    def ready(self):
        from . import chart_sections, checks, receivers  # noqa: F401  (they register themselves)

        receivers.connect()
