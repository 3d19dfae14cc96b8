"""How a message leaves: email through Django's email framework, text messages through an SMS backend.

Backends raise TransientError (try again later) or PermanentError (retrying will not help: the address
is invalid, the provider refused it). Anything else is treated as transient by the caller.
"""

import base64
import json
import logging
import smtplib
import sys
import time
import urllib.error
import urllib.parse
import urllib.request
from dataclasses import dataclass

from django.conf import settings
from django.core.mail import get_connection
from django.core.mail.backends.base import BaseEmailBackend
from django.db import connection
from django.utils import timezone
from django.utils.module_loading import import_string

log = logging.getLogger(__name__)

IDEMPOTENCY_HEADER = "X-Stride-Notification"


class DeliveryError(Exception):
    transient = True


class TransientError(DeliveryError):
    """The provider or network failed for now; a later try may succeed."""


class PermanentError(DeliveryError):
    """The message cannot be delivered as addressed; mark it failed with this reason."""

    transient = False


@dataclass
class SmsMessage:
    to: str
    body: str
    idempotency_key: str


# Memory backends (development, tests) -------------------------------------------------------------------


def capture(*, channel, to, subject, body, key, attachments=()):
    """Keep a message in CapturedMessage instead of sending it; returns the provider id.

    NOTIFICATION_MEMORY_SEND_DELAY makes the "provider call" slow (to kill a worker in the middle of it);
    NOTIFICATION_MEMORY_FAIL = "transient" or "permanent" makes it fail.
    """
    from .models import CapturedMessage

    delay = float(getattr(settings, "NOTIFICATION_MEMORY_SEND_DELAY", 0) or 0)
    if delay:
        time.sleep(delay)
    failure = getattr(settings, "NOTIFICATION_MEMORY_FAIL", "")
    if failure == "transient":
        raise TransientError("Memory backend: simulated temporary outage")
    if failure == "permanent":
        raise PermanentError(f"Memory backend: simulated rejection of {to}")
    # One upsert, like a provider that honours idempotency keys: a repeat is counted, not delivered again.
    table = CapturedMessage._meta.db_table
    with connection.cursor() as cursor:
        cursor.execute(
            f'INSERT INTO {table} (channel, "to", subject, body, idempotency_key, attachments, deliveries, created_at) '
            f"VALUES (%s, %s, %s, %s, %s, %s, 1, %s) ON CONFLICT (idempotency_key) "
            f"DO UPDATE SET deliveries = {table}.deliveries + 1 RETURNING id",
            [channel, to, subject[:200], body, key, json.dumps(list(attachments)), timezone.now()],
        )
        return CapturedMessage(pk=cursor.fetchone()[0]).provider_id


class MemoryEmailBackend(BaseEmailBackend):
    """A Django email backend that keeps each message in CapturedMessage (visible across processes)."""

    def send_messages(self, email_messages):
        for message in email_messages:
            capture(
                channel="email", to=", ".join(message.to), subject=message.subject, body=message.body,
                key=message.extra_headers.get(IDEMPOTENCY_HEADER) or message.extra_headers.get("Message-ID", ""),
                attachments=[a[0] for a in message.attachments if isinstance(a, tuple)],
            )
        return len(email_messages)


class BaseSmsBackend:
    def send(self, message: SmsMessage) -> str:
        """Send one text message; return the provider's message id."""
        raise NotImplementedError


class ConsoleSmsBackend(BaseSmsBackend):
    """Print text messages to stdout (development)."""

    def __init__(self, stream=None):
        self.stream = stream or sys.stdout

    def send(self, message):
        self.stream.write(f"SMS to {message.to}\n{message.body}\n{'-' * 40}\n")
        self.stream.flush()
        return f"console-{message.idempotency_key}"


class MemorySmsBackend(BaseSmsBackend):
    """Keep text messages in CapturedMessage (tests, and development without a provider)."""

    def send(self, message):
        return capture(channel="sms", to=message.to, subject="", body=message.body, key=message.idempotency_key)


class TwilioSmsBackend(BaseSmsBackend):
    """Twilio's Programmable Messaging REST API over plain HTTPS (no SDK).

    Configured by TWILIO_ACCOUNT_SID, TWILIO_AUTH_TOKEN and TWILIO_FROM (a number in E.164 or a
    messaging service SID starting MG); TWILIO_API_BASE only changes for tests.
    """

    TIMEOUT = 15

    def __init__(self, *, account_sid=None, auth_token=None, sender=None, api_base=None):
        self.account_sid = account_sid or settings.TWILIO_ACCOUNT_SID
        self.auth_token = auth_token or settings.TWILIO_AUTH_TOKEN
        self.sender = sender or settings.TWILIO_FROM
        self.api_base = (api_base or settings.TWILIO_API_BASE).rstrip("/")

    def build_request(self, message: SmsMessage) -> urllib.request.Request:
        if not (self.account_sid and self.auth_token and self.sender):
            raise PermanentError("Twilio is not configured: set TWILIO_ACCOUNT_SID, TWILIO_AUTH_TOKEN and TWILIO_FROM.")
        fields = {"To": message.to, "Body": message.body}
        fields["MessagingServiceSid" if self.sender.startswith("MG") else "From"] = self.sender
        credentials = base64.b64encode(f"{self.account_sid}:{self.auth_token}".encode()).decode()
        return urllib.request.Request(
            f"{self.api_base}/2010-04-01/Accounts/{urllib.parse.quote(self.account_sid)}/Messages.json",
            data=urllib.parse.urlencode(fields).encode(),
            method="POST",
            headers={
                "Authorization": f"Basic {credentials}",
                "Content-Type": "application/x-www-form-urlencoded",
                "Accept": "application/json",
                "User-Agent": "stride-notifications/1",
            },
        )

    def send(self, message):
        request = self.build_request(message)
        try:
            with urllib.request.urlopen(request, timeout=self.TIMEOUT) as response:
                body = json.loads(response.read() or b"{}")
        except urllib.error.HTTPError as exc:
            raise self._error(exc.code, exc.read()) from None
        except (urllib.error.URLError, TimeoutError, ConnectionError) as exc:
            raise TransientError(f"Twilio unreachable: {getattr(exc, 'reason', exc)}") from None
        except ValueError as exc:
            raise TransientError(f"Twilio sent an unreadable answer: {exc}") from None
        sid = body.get("sid")
        if not sid:
            raise TransientError("Twilio accepted the request without a message sid")
        return sid

    def _error(self, status, raw):
        try:
            detail = json.loads(raw or b"{}")
        except ValueError:
            detail = {}
        code, text = detail.get("code"), detail.get("message") or raw[:200].decode(errors="replace")
        message = f"Twilio {status}" + (f" (error {code})" if code else "") + f": {text}"
        if status == 429 or status >= 500:
            return TransientError(message)
        # 400: e.g. 21211 invalid number, 21610 the patient replied STOP; 401/403: wrong credentials.
        # Retrying will not help: a person fixes the number or the settings and resends.
        return PermanentError(message)


SMS_ALIASES = {
    "console": "notifications.channels.ConsoleSmsBackend",
    "memory": "notifications.channels.MemorySmsBackend",
    "twilio": "notifications.channels.TwilioSmsBackend",
}
EMAIL_ALIASES = {"memory": "notifications.channels.MemoryEmailBackend"}


def sms_backend() -> BaseSmsBackend:
    path = settings.SMS_BACKEND
    return import_string(SMS_ALIASES.get(path, path))()


def email_connection():
    """The email connection for notifications: NOTIFICATION_EMAIL_BACKEND if set, else Django's EMAIL_BACKEND.

    A timeout keeps a hung SMTP server from outliving the sending lease.
    """
    path = getattr(settings, "NOTIFICATION_EMAIL_BACKEND", "") or None
    return get_connection(EMAIL_ALIASES.get(path, path), timeout=getattr(settings, "EMAIL_TIMEOUT", None) or 30)


def send_email(message) -> None:
    """Send one EmailMessage; raise TransientError or PermanentError with a readable reason."""
    try:
        message.connection = email_connection()
        message.send()
    except DeliveryError:
        raise
    except smtplib.SMTPRecipientsRefused as exc:
        codes = [code for code, _ in exc.recipients.values()]
        reason = "; ".join(f"{addr}: {code} {text.decode(errors='replace') if isinstance(text, bytes) else text}"
                           for addr, (code, text) in exc.recipients.items())
        cls = TransientError if all(400 <= c < 500 for c in codes) else PermanentError
        raise cls(f"Recipient refused: {reason}") from None
    except smtplib.SMTPResponseException as exc:
        text = exc.smtp_error.decode(errors="replace") if isinstance(exc.smtp_error, bytes) else str(exc.smtp_error)
        cls = TransientError if exc.smtp_code < 500 else PermanentError
        raise cls(f"SMTP {exc.smtp_code}: {text}") from None
    except (smtplib.SMTPException, OSError) as exc:  # disconnects, refused connections, timeouts, DNS
        raise TransientError(f"SMTP unavailable: {exc.__class__.__name__}: {exc}") from None
