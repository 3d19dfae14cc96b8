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
            "clinic.view_auditevent", "clinic.view_workerheartbeat", "clinic.view_clinictext", "clinic.add_clinictext",
            # What the sign-in page tells staff to ask an admin for: a lost phone's authenticator removed (the
            # next sign-in sets up a new one) and a paused account unlocked. Both audited (ready, below).
            "otp_totp.view_totpdevice", "otp_totp.delete_totpdevice",
            "axes.view_accessattempt", "axes.delete_accessattempt",
            # Computers remembered for the code step, listed per user and revoked (audited).
            "clinic.view_trusteddevice", "clinic.change_trusteddevice",
        ],
    }

    def ready(self):
        from . import checks, signed_in, two_factor  # noqa: F401  (checks registers the deploy checks; two_factor
        # connects: a removed device ends sessions)

        signed_in.connect()
        self._audit_sign_in_records()

        post_migrate.connect(roles.sync_app_roles, dispatch_uid="stride-sync-roles")

    @staticmethod
    def _audit_sign_in_records():
        from axes.models import AccessAttempt
        from django_otp.plugins.otp_totp.models import TOTPDevice

        from . import audit
        from .models import TrustedDevice

        # Who reset whose authenticator, who unlocked which account: rows about staff, no patient's.
        # A sign-in's own bookkeeping (counters, last code used) is not an admin's act: not recorded.
        audit.track(TOTPDevice, patient=lambda device: None, redact=("key",), ignore=(
            "throttling_failure_timestamp", "throttling_failure_count", "last_used_at", "drift", "last_t"))
        audit.track(AccessAttempt, patient=lambda attempt: None, ignore=(
            "attempt_time", "get_data", "post_data", "failures_since_start", "http_accept", "path_info"))
        # Who was remembered where, and who revoked it; the secret's hash is never copied into the trail.
        audit.track(TrustedDevice, patient=lambda device: None, redact=("secret_hash",), ignore=("last_used_at",))
