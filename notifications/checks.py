"""`manage.py check` catches a mistyped outbox setting before a worker trips over it."""

from django.conf import settings
from django.core.checks import Error, Warning, register
from django.utils.module_loading import import_string

from . import timing
from .channels import SMS_ALIASES

CHANNELS = ("email", "sms")


@register()
def outbox_settings(app_configs, **kwargs):
    problems = []
    for name in ("NOTIFICATION_REMINDER_OFFSETS", "NOTIFICATION_INTAKE_NUDGES"):
        try:
            offsets = timing.parse_offsets(getattr(settings, name))
        except ValueError as exc:
            problems.append(Error(f"{name}: {exc}", id="notifications.E001"))
            continue
        for offset in offsets:
            if offset.channel not in CHANNELS:
                problems.append(Error(f"{name}: unknown channel {offset.channel!r}; use email or sms.",
                                      id="notifications.E002"))
    try:
        timing.parse_quiet_hours(settings.NOTIFICATION_QUIET_HOURS)
    except ValueError as exc:
        problems.append(Error(f"NOTIFICATION_QUIET_HOURS: {exc}", id="notifications.E003"))
    try:
        import_string(SMS_ALIASES.get(settings.SMS_BACKEND, settings.SMS_BACKEND))
    except ImportError as exc:
        problems.append(Error(f"SMS_BACKEND: {exc}", id="notifications.E004"))
    twilio = SMS_ALIASES.get(settings.SMS_BACKEND, settings.SMS_BACKEND) == SMS_ALIASES["twilio"]
    if twilio and not (settings.TWILIO_ACCOUNT_SID and settings.TWILIO_AUTH_TOKEN and settings.TWILIO_FROM):
        problems.append(Warning("SMS_BACKEND is Twilio but TWILIO_ACCOUNT_SID, TWILIO_AUTH_TOKEN or TWILIO_FROM "
                                "is not set: every text message will fail.", id="notifications.W001"))
    return problems
