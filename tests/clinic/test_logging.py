"""What the app logs while patients and staff use it holds no password, signed link or patient detail."""

import logging

from tests.factories import PASSWORD
from tests.intake.intake_fixtures import valid_answers


def test_logs_hold_no_passwords_signed_links_or_patient_details(client, caplog, front_desk, maya, token, intake,
                                                                deliver_now, django_capture_on_commit_callbacks):
    caplog.set_level(logging.DEBUG)
    client.post("/accounts/login/", {"username": front_desk.email, "password": "Not-the-password-42"})
    client.post("/accounts/login/", {"username": front_desk.email, "password": PASSWORD})
    client.get(f"/patients/{maya.mrn}/")
    client.post("/accounts/logout/")
    for step, answers in valid_answers().items():
        client.put(f"/api/v1/intake/{token}/steps/{step}/", answers, content_type="application/json")
    with django_capture_on_commit_callbacks(execute=True):
        client.post(f"/api/v1/intake/{token}/submit/")
    assert client.post(f"/api/v1/intake/{token}/submit/").status_code == 409  # logged as a warning, with its path
    forged = token[:-4] + "AAAA"
    assert client.get(f"/intake/{forged}/").status_code in (404, 410)
    assert client.get(f"/intake/{token}/goals/").status_code in (200, 302, 409)

    logged = caplog.text + "\n".join(str(r.__dict__) for r in caplog.records)
    assert "Conflict" in caplog.text or "409" in logged  # the request logs were captured...
    for secret in (PASSWORD, "Not-the-password-42", token, forged, maya.email, maya.mobile_phone, "Okafor",
                   maya.date_of_birth.isoformat()):
        assert secret not in logged, f"{secret!r} was logged"  # ...without what they must not show


def test_a_patient_link_inside_a_sign_in_redirect_is_redacted_too():
    from clinic.log_filters import redact

    line = '"GET /accounts/two-factor/?next=%2Fbook%2Fmanage%2FMQ%3A1xWQ5U%3AiYthWESkunHZSP8L%2F HTTP/1.1" 200'
    assert redact(line) == '"GET /accounts/two-factor/?next=%2Fbook%2Fmanage%2F[redacted]%2F HTTP/1.1" 200'


def test_only_the_tokens_of_patient_feed_and_reset_links_are_redacted(appointment, intake, front_desk):
    from urllib.parse import quote

    from django.contrib.auth.tokens import default_token_generator
    from django.utils.encoding import force_bytes
    from django.utils.http import urlsafe_base64_encode

    from clinic.log_filters import redact
    from intake import links as intake_links
    from notifications import links as message_links
    from scheduling import links as booking_links

    intake_token, manage_token = intake_links.token_for(intake), booking_links.manage_token(appointment)
    action_token, feed_token = message_links.action_token(appointment), appointment.clinician.calendar_token
    uid, reset_token = urlsafe_base64_encode(force_bytes(front_desk.pk)), default_token_generator.make_token(front_desk)
    secret_paths = {
        f"/intake/{intake_token}/goals/": "/intake/[redacted]/goals/",
        f"/api/v1/intake/{intake_token}/steps/history/": "/api/v1/intake/[redacted]/steps/history/",
        f"/book/manage/{manage_token}/visit.ics": "/book/manage/[redacted]/visit.ics",
        f"/book/confirmed/{manage_token}/": "/book/confirmed/[redacted]/",
        f"/messages/a/{action_token}/confirm": "/messages/a/[redacted]/confirm",
        f"/schedule/feeds/{feed_token}.ics": "/schedule/feeds/[redacted].ics",
        f"/accounts/reset/{uid}/{reset_token}/": f"/accounts/reset/{uid}/[redacted]/",
    }
    for path, logged in secret_paths.items():
        assert redact(f'"GET {path} HTTP/1.1" 200') == f'"GET {logged} HTTP/1.1" 200'
        assert redact(f"/accounts/login/?next={quote(path, safe='')}") == f"/accounts/login/?next={quote(logged, safe='[]')}"

    readable = [  # staff pages and other routes keep every segment
        "/intake/forms/1/summary/", f"/intake/patients/{appointment.patient.mrn}/send/", "/intake/alerts/7/",
        f"/api/v1/patients/{appointment.patient.mrn}/intake/", "/book/manage/", "/schedule/feeds/",
        "/accounts/reset/MQ/set-password/", "/accounts/reset/done/", "/schedule/clinicians/3/feed/",
        "/api/v1/appointments/?start=2026-03-02T09:00:00-05:00&end=2026-03-09T00:00:00-05:00",
        "/accounts/login/?next=%2Fintake%2Fforms%2F1%2Fsummary%2F",
    ]
    for path in readable:
        assert redact(f'"GET {path} HTTP/1.1" 200') == f'"GET {path} HTTP/1.1" 200'
