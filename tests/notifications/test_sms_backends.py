"""SMS backends: Twilio's request built right (against a fake server on 127.0.0.1), console and memory."""

import base64
import io
import json
import threading
from http.server import BaseHTTPRequestHandler, HTTPServer
from urllib.parse import parse_qs

import pytest

from notifications import channels
from notifications.models import CapturedMessage


@pytest.fixture
def fake_twilio():
    """A tiny HTTP server standing in for api.twilio.com; answers with the next queued (status, body)."""
    seen, answers = [], []

    class Handler(BaseHTTPRequestHandler):
        def do_POST(self):
            body = self.rfile.read(int(self.headers["Content-Length"]))
            seen.append({"path": self.path, "headers": dict(self.headers), "form": parse_qs(body.decode())})
            status, payload = answers.pop(0) if answers else (201, {"sid": "SM0123456789abcdef0123456789abcdef"})
            raw = json.dumps(payload).encode()
            self.send_response(status)
            self.send_header("Content-Type", "application/json")
            self.send_header("Content-Length", str(len(raw)))
            self.end_headers()
            self.wfile.write(raw)

        def log_message(self, *args):
            pass

    server = HTTPServer(("127.0.0.1", 0), Handler)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    backend = channels.TwilioSmsBackend(account_sid="AC123", auth_token="secret", sender="+16175550100",
                                        api_base=f"http://127.0.0.1:{server.server_port}")
    try:
        yield backend, seen, answers
    finally:
        server.shutdown()
        server.server_close()


MESSAGE = channels.SmsMessage(to="+16175550134", body="Stride: reminder of your visit", idempotency_key="k1")


def test_twilio_posts_the_message_form_with_basic_auth_and_returns_the_sid(fake_twilio):
    backend, seen, _ = fake_twilio
    assert backend.send(MESSAGE) == "SM0123456789abcdef0123456789abcdef"
    [request] = seen
    assert request["path"] == "/2010-04-01/Accounts/AC123/Messages.json"
    assert request["headers"]["Authorization"] == "Basic " + base64.b64encode(b"AC123:secret").decode()
    assert request["headers"]["Content-Type"] == "application/x-www-form-urlencoded"
    assert request["form"] == {"To": ["+16175550134"], "From": ["+16175550100"],
                               "Body": ["Stride: reminder of your visit"]}


def test_twilio_errors_are_permanent_for_a_bad_number_and_transient_for_an_outage(fake_twilio):
    backend, _, answers = fake_twilio
    answers.append((400, {"code": 21211, "message": "The 'To' number +15555 is not a valid phone number."}))
    with pytest.raises(channels.PermanentError, match="Twilio 400 \\(error 21211\\)"):
        backend.send(MESSAGE)
    answers.append((503, {"message": "Service unavailable"}))
    with pytest.raises(channels.TransientError, match="Twilio 503"):
        backend.send(MESSAGE)
    answers.append((429, {"code": 20429, "message": "Too many requests"}))
    with pytest.raises(channels.TransientError):
        backend.send(MESSAGE)


def test_twilio_unreachable_is_transient_and_a_messaging_service_is_used_as_sender():
    closed = channels.TwilioSmsBackend(account_sid="AC1", auth_token="t", sender="MG42", api_base="http://127.0.0.1:9")
    assert parse_qs(closed.build_request(MESSAGE).data.decode())["MessagingServiceSid"] == ["MG42"]
    with pytest.raises(channels.TransientError, match="Twilio unreachable"):
        closed.send(MESSAGE)


def test_twilio_without_settings_fails_permanently(settings):
    settings.TWILIO_ACCOUNT_SID = settings.TWILIO_AUTH_TOKEN = settings.TWILIO_FROM = ""
    with pytest.raises(channels.PermanentError, match="not configured"):
        channels.TwilioSmsBackend().send(MESSAGE)


def test_console_prints_and_memory_keeps_each_message_once(db, settings):
    stream = io.StringIO()
    assert channels.ConsoleSmsBackend(stream=stream).send(MESSAGE) == "console-k1"
    assert "SMS to +16175550134" in stream.getvalue()
    settings.SMS_BACKEND = "memory"
    first = channels.sms_backend().send(MESSAGE)
    assert channels.sms_backend().send(MESSAGE) == first  # the same idempotency key is not delivered twice
    assert CapturedMessage.objects.get().body == MESSAGE.body
