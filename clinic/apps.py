from django.apps import AppConfig
from django.db.models.signals import post_migrate

from . import roles


class ClinicConfig(AppConfig):
    name = "clinic"
    verbose_name = "Clinic"
    role_permissions = {
        roles.ADMIN: [
            "clinic.view_user", "clinic.add_user", "clinic.change_user",
            "auth.view_group", "auth.add_group", "auth.change_group",
            "clinic.view_auditevent", "clinic.view_workerheartbeat",
        ],
    }

    def ready(self):
        from . import checks, signed_in, two_factor  # noqa: F401  (checks registers the deploy checks; two_factor
        # connects: a removed device ends sessions)

        signed_in.connect()

        post_migrate.connect(roles.sync_app_roles, dispatch_uid="stride-sync-roles")
