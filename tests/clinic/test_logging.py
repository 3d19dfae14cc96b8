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
