"""Lists take only the filters they name: no client-chosen ordering, field filters or page sizes."""

from datetime import timedelta

from tests.factories import PatientFactory
from tests.scheduling.test_api import _fill


def test_the_appointments_api_ignores_ordering_field_filters_and_page_size(
    desk_client, dr_rivera, dr_chen, follow_up, location, monday  # noqa: F811
):
    _fill(dr_rivera, follow_up, location, monday, 10)
    _fill(dr_chen, follow_up, location, monday, 10)
    base = {"start": monday, "end": monday + timedelta(days=13)}
    plain = desk_client.get("/api/v1/appointments/", base).json()
    probing = desk_client.get("/api/v1/appointments/", {
        **base, "ordering": "-patient__date_of_birth", "patient__last_name": "x", "page_size": 100000,
        "limit": 100000, "status": "cancelled",
    }).json()
    assert probing["results"] == plain["results"] and probing["count"] == plain["count"]  # same rows, order, page
    assert plain["count"] == 80 and len(plain["results"]) == 50  # the fixed page size, whatever is asked
    assert [r["start"] for r in plain["results"]] == sorted(r["start"] for r in plain["results"])


def test_the_patient_list_ignores_ordering_and_page_size(desk_client):
    for i in range(30):
        PatientFactory(last_name=f"Zed{i:02d}")
    plain = desk_client.get("/patients/", {"q": "zed"})
    probing = desk_client.get("/patients/", {"q": "zed", "ordering": "-date_of_birth", "page_size": 500,
                                             "per_page": 500})
    names = [p.last_name for p in plain.context["page"].object_list]
    assert [p.last_name for p in probing.context["page"].object_list] == names
    assert len(names) < 30 and names == sorted(names)
