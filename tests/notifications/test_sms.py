"""Every text message the app sends fits in two SMS segments, with one link (the visit's page) and "Reply STOP"."""

import re
from datetime import timedelta

import pytest
from django.utils import timezone

from notifications import content, sms
from notifications.models import Notification
from scheduling import links as booking_links
from scheduling import services as scheduling_services
from scheduling.models import Appointment, ClinicSettings, Modality
from tests.factories import PatientFactory
from tests.fixtures.clinic import local

Kind = Notification.Kind


# The segment counter, on known examples ------------------------------------------------------------------------


@pytest.mark.parametrize(("text", "expected"), [
    ("", 0),
    ("a" * 160, 1),  # GSM-7: 160 in one segment
    ("a" * 161, 2),  # then 153 per segment
    ("a" * 306, 2),
    ("a" * 307, 3),
    ("é" * 158 + "ñÜ", 1),  # é, ñ, Ü are in GSM-7's basic table
    ("€" * 80, 1),  # € is an escape and a character: 160 septets
    ("€" * 81, 2),
    ("a" * 152 + "€" + "a" * 152, 3),  # 306 septets, but an escape pair is never split: the € starts segment two
    ("€" * 153, 3),  # 306 septets, but 76 pairs fit a 153-septet segment: 3 segments
    ("á" * 70, 1),  # á is not GSM-7: UCS-2, 70 in one segment
    ("á" * 71, 2),  # then 67 per segment
    ("á" * 134, 2),
    ("á" * 135, 3),
    ("Don’t", 1),  # a curly apostrophe makes it UCS-2
    ("😀" * 35, 1),  # an emoji is two UTF-16 units
    ("😀" * 36, 2),
    ("a" * 66 + "😀" + "a" * 66, 3),  # 134 units, but a surrogate pair is never split
])
def test_segment_counts_follow_gsm_7_and_ucs_2(text, expected):
    assert sms.segments(text) == expected


def test_to_gsm_keeps_what_gsm_7_has_and_plainly_spells_the_rest():
    assert sms.to_gsm("José’s “clínica” – Straße, Ñandú…") == "José's \"clinica\" - Straße, Ñandu..."
    assert sms.is_gsm(sms.to_gsm("José’s “clínica” – Straße, Ñandú…"))
    assert sms.to_gsm("東京 😀") == "東京 😀"  # no GSM-7 spelling: left as it is


def test_fit_shortens_the_long_names_until_the_text_fits_two_segments():
    text = sms.fit(lambda clinic, visit: f"{clinic}: your {visit} is booked. Reply STOP to opt out",
                   clinic="C" * 200, visit="V" * 200)
    assert sms.segments(text) <= 2 and text.endswith("Reply STOP to opt out")
    assert ("C" * 37 + "...: your " + "V" * 37 + "...") in text  # the first cut that fits: 40 characters each


# Every kind of text, with long realistic names -------------------------------------------------------------

LONG_CLINIC = "Greater Boston Sports Physical Therapy & Chiropractic Rehabilitation Center at Longwood"
LONG_VISIT = "Initial evaluation with 3D gait analysis, diagnostic ultrasound and return-to-run plan (90 min)"
NON_GSM_CLINIC = "Clínica de Fisioterapia Deportiva Ñandú – São Paulo “Centro” 東京分院"


@pytest.fixture
def long_names(settings, visit_types, location):
    settings.CLINIC_NAME = LONG_CLINIC
    settings.SITE_URL = "https://booking.greaterbostonsportsrehab-longwood.example.com"
    visit_type = visit_types["Initial evaluation"]
    visit_type.name = LONG_VISIT
    visit_type.save()
    location.phone = "+16175550100"
    location.save()
    return visit_type


def _every_text(dr_rivera, location, visit_type, monday):
    """One notification of every kind and state a patient can be texted about, composed as it would be sent."""
    patient = PatientFactory(first_name="Maximiliana-Josefina", last_name="Vanderbilt-Oyelaran-Nakamura",
                             mobile_phone="+16175550187", reminder_sms_consent=True, preferred_channel="sms")

    def visit(hour, **extra):
        return scheduling_services.appointment_book(
            patient=patient, clinician=dr_rivera, visit_type=visit_type, start=local(monday, hour),
            location=location if extra.get("modality", Modality.IN_OFFICE) == Modality.IN_OFFICE else None,
            **{"modality": Modality.IN_OFFICE, **extra})

    booked, video = visit(9), visit(11, modality=Modality.TELEHEALTH)
    requested = visit(13, source=Appointment.Source.ONLINE)
    Appointment.objects.filter(pk=requested.pk).update(status=Appointment.Status.REQUESTED)
    requested.refresh_from_db()
    declined = visit(15)
    Appointment.objects.filter(pk=declined.pk).update(status=Appointment.Status.CANCELLED,
                                                       cancellation_reason="Request declined: Dr Rivera is away")
    cancelled = visit(16)
    Appointment.objects.filter(pk=cancelled.pk).update(status=Appointment.Status.CANCELLED)
    series = scheduling_services.series_book(
        patient=patient, clinician=dr_rivera, visit_type=visit_type, modality=Modality.IN_OFFICE, location=location,
        starts=[local(monday + timedelta(days=7 * n), 9) for n in range(1, 4)], actor=None)
    kinds = [
        (booked, Kind.BOOKING_CONFIRMATION, {}), (video, Kind.BOOKING_CONFIRMATION, {}),
        (requested, Kind.BOOKING_CONFIRMATION, {}), (series[0].appointment, Kind.BOOKING_CONFIRMATION,
                                                     {"series": series[0].appointment.series_id}),
        (booked, Kind.REQUEST_ACCEPTED, {}), (declined, Kind.REQUEST_DECLINED, {}), (booked, Kind.MOVED, {}),
        (booked, Kind.REMINDER, {}), (video, Kind.REMINDER, {}), (cancelled, Kind.CANCELLATION, {}),
        (booked, Kind.INTAKE_INVITATION, {"link": f"https://booking.example.com/intake/{'x' * 60}/"}),
        (booked, Kind.INTAKE_NUDGE, {"link": f"https://booking.example.com/intake/{'x' * 60}/"}),
    ]
    texts = []
    for appointment, kind, payload in kinds:
        appointment.refresh_from_db()
        row = Notification(patient=patient, appointment=appointment, kind=kind, channel=Notification.Channel.SMS,
                           payload=payload, due_at=timezone.now())
        texts.append((kind, appointment, content.compose(row).sms))
    return texts


@pytest.mark.django_db
@pytest.mark.parametrize("clinic", [LONG_CLINIC, NON_GSM_CLINIC])
def test_every_text_fits_two_segments_with_one_link_and_reply_stop(
    settings, long_names, dr_rivera, location, monday, clinic
):
    settings.CLINIC_NAME = clinic
    texts = _every_text(dr_rivera, location, long_names, monday)
    # every kind a patient gets by text (the copy of an intake form goes by email only: it links to the answers)
    assert {kind for kind, _, _ in texts} == set(Kind.values) - {Kind.RED_FLAG, Kind.INTAKE_COPY}
    for kind, appointment, text in texts:
        assert sms.segments(text) <= 2, (kind, len(text), text)
        assert sms.is_gsm(text) or len(text) <= 134, (kind, text)
        assert text.endswith("Reply STOP to opt out"), (kind, text)
        assert len(re.findall(r"https?://", text)) == 1, (kind, text)  # one short link
        assert appointment.video_token not in text or not appointment.video_token
    by_kind = {(kind, a.pk): text for kind, a, text in texts}
    booked_text = next(text for (kind, _), text in by_kind.items() if kind == Kind.REMINDER)
    # The one link is the visit's page, where the patient confirms, changes, cancels (or joins the video).
    link = re.search(r"https?://\S+", booked_text).group()
    assert booking_links.appointment_id_from_token(link.split("/book/manage/")[1].rstrip("/")) is not None
    assert "Confirm, change or cancel: " in booked_text


@pytest.mark.django_db
def test_a_staff_red_flag_text_fits_too(settings, long_names, patient):
    settings.CLINIC_NAME = LONG_CLINIC
    from intake.models import RedFlagAlert  # noqa: F401  (the payload is what the outbox stores for an alert)

    row = Notification(patient=patient, kind=Kind.RED_FLAG, channel=Notification.Channel.EMAIL, due_at=timezone.now(),
                       payload={"urgency": "urgent", "raised_at": timezone.now().isoformat()})
    row.created_at = timezone.now()
    text = content.compose(row).sms
    assert sms.segments(text) <= 2 and patient.mrn in text


@pytest.mark.django_db
def test_a_text_inside_the_change_cutoff_says_to_call(settings, long_names, dr_rivera, location, monday):
    ClinicSettings.objects.filter(pk=1).update(patient_change_cutoff_hours=24 * 14)
    from django.core.cache import cache

    cache.clear()
    texts = _every_text(dr_rivera, location, long_names, monday)
    reminder = next(text for kind, a, text in texts if kind == Kind.REMINDER and not a.is_telehealth)
    assert "Confirm or see details: " in reminder and "To change it, call (617) 555-0100." in reminder
    assert sms.segments(reminder) <= 2


@pytest.mark.django_db
def test_the_visits_page_confirms_with_one_tap(client, dr_rivera, follow_up, location, monday):
    visit = scheduling_services.appointment_book(patient=PatientFactory(), clinician=dr_rivera, visit_type=follow_up,
                                                 start=local(monday, 10), modality="in_office", location=location)
    page = client.get(booking_links.manage_path(visit)).content.decode()
    assert "Yes, I&#x27;ll be there" in page or "Yes, I'll be there" in page
    assert "Change time" in page and "Cancel visit" in page  # confirm, reschedule and cancel on one page
    done = client.post(booking_links.manage_path(visit) + "confirm/", follow=True)
    visit.refresh_from_db()
    assert visit.status == Appointment.Status.CONFIRMED
    assert "your visit is confirmed" in done.content.decode()
    assert client.get(booking_links.manage_path(visit) + "confirm/").status_code == 405  # a link scanner confirms nothing
