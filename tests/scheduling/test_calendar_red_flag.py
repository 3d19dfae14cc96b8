from intake.models import RedFlagAlert
from scheduling import services
from scheduling.models import Modality
from tests.factories import sign_in

from .conftest import local


def test_a_red_flag_from_intake_shows_on_the_calendar_entry_and_its_panel(desk_client, patient, dr_rivera, follow_up, monday):
    appointment = services.appointment_book(
        patient=patient, clinician=dr_rivera, visit_type=follow_up, start=local(monday, 10),
        modality=Modality.IN_OFFICE, location=dr_rivera.locations.first(),
    )
    calm = desk_client.get("/schedule/", {"date": monday.isoformat()}).content.decode()
    assert "Red flag" not in calm

    RedFlagAlert.objects.create(patient=patient, appointment=appointment, urgency="emergency",
                                flags=[{"category": "cauda_equina", "item": "saddle_numbness"}])
    day = desk_client.get("/schedule/", {"date": monday.isoformat()}).content.decode()
    entry = day[day.index(f'id="appt-{appointment.pk}"'):]
    entry = entry[: entry.index("</a>")]
    assert "Red flag" in entry
    panel = desk_client.get(f"/schedule/appointments/{appointment.pk}/").content.decode()
    assert "Red flag from intake" in panel
    assert "saddle" not in panel.lower()  # the front desk sees that there is a flag, not the answer


def test_clinicians_get_an_open_exam_link_in_the_panel_and_the_front_desk_does_not(
    client, desk_client, patient, dr_rivera, follow_up, monday
):
    appointment = services.appointment_book(
        patient=patient, clinician=dr_rivera, visit_type=follow_up, start=local(monday, 11),
        modality=Modality.IN_OFFICE, location=dr_rivera.locations.first(),
    )
    assert "Open exam" not in desk_client.get(f"/schedule/appointments/{appointment.pk}/").content.decode()
    sign_in(client, dr_rivera.user)
    panel = client.get(f"/schedule/appointments/{appointment.pk}/").content.decode()
    assert f'href="/exams/appointment/{appointment.pk}/"' in panel
