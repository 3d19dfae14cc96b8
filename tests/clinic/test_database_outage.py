"""PostgreSQL unreachable: a clean 503 page with no traceback, and back to normal without a restart."""

import pytest
from django.db import connection
from django.test import Client

from tests.factories import sign_in

pytestmark = [pytest.mark.postgres, pytest.mark.django_db(transaction=True)]


def _dead_port():
    import socket

    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]  # nothing listens once the socket is closed


def test_pages_say_the_records_are_unavailable_then_recover_on_their_own(front_desk, patient):
    client = Client(raise_request_exception=False)
    sign_in(client, front_desk)
    assert client.get(f"/patients/{patient.mrn}/").status_code == 200
    real_port = connection.settings_dict["PORT"]
    connection.close()
    connection.settings_dict["PORT"] = _dead_port()  # as if PostgreSQL had stopped
    try:
        page = client.get(f"/patients/{patient.mrn}/")
        api = client.get("/api/v1/appointments/", {"start": "2026-01-05", "end": "2026-01-06"})
    finally:
        connection.close()
        connection.settings_dict["PORT"] = real_port
    assert page.status_code == 503 and page["Retry-After"] == "30"
    body = page.content.decode()
    assert "records are unavailable" in body and "Traceback" not in body and "OperationalError" not in body
    assert api.status_code == 503 and "database" in api.json()["detail"]
    assert client.get(f"/patients/{patient.mrn}/").status_code == 200  # reconnected, no restart
