"""iCalendar (RFC 5545) text for appointments: one event for a patient, a feed for a clinician."""

from datetime import UTC

from django.conf import settings


def _escape(text):
    return str(text).replace("\\", "\\\\").replace(";", "\\;").replace(",", "\\,").replace("\n", "\\n")


def _fold(line):
    # Lines longer than 75 octets are folded with CRLF + space (RFC 5545 3.1).
    out, raw = [], line.encode()
    while len(raw) > 75:
        cut = 75
        while (raw[cut] & 0xC0) == 0x80:  # do not split a UTF-8 character
            cut -= 1
        out.append(raw[:cut].decode())
        raw = b" " + raw[cut:]
    out.append(raw.decode())
    return "\r\n".join(out)


def _stamp(dt):
    return dt.astimezone(UTC).strftime("%Y%m%dT%H%M%SZ")


def event_lines(*, uid, start, end, summary, description="", location="", status="CONFIRMED", stamp=None):
    lines = [
        "BEGIN:VEVENT",
        f"UID:{uid}",
        f"DTSTAMP:{_stamp(stamp or start)}",
        f"DTSTART:{_stamp(start)}",
        f"DTEND:{_stamp(end)}",
        f"SUMMARY:{_escape(summary)}",
        f"STATUS:{status}",
    ]
    if description:
        lines.append(f"DESCRIPTION:{_escape(description)}")
    if location:
        lines.append(f"LOCATION:{_escape(location)}")
    lines.append("END:VEVENT")
    return lines


def calendar(events, *, name=None, method=None):
    """A VCALENDAR document from lists of event lines."""
    lines = ["BEGIN:VCALENDAR", "VERSION:2.0", "PRODID:-//Stride//Clinic scheduling//EN", "CALSCALE:GREGORIAN"]
    if method:
        lines.append(f"METHOD:{method}")
    if name:
        lines.append(f"X-WR-CALNAME:{_escape(name)}")
    for event in events:
        lines.extend(event)
    lines.append("END:VCALENDAR")
    return "\r\n".join(_fold(line) for line in lines) + "\r\n"


def appointment_event(appointment, *, for_patient=True):
    """The event for one appointment; the patient's copy carries the address or the video link."""
    status = "CANCELLED" if appointment.status == appointment.Status.CANCELLED else "CONFIRMED"
    if appointment.status == appointment.Status.REQUESTED:
        status = "TENTATIVE"
    if for_patient:
        summary = f"{appointment.visit_type} with {appointment.clinician.display_name}"
        where = appointment.video_url if appointment.is_telehealth else appointment.location.address
        description = f"{settings.CLINIC_NAME}. " + (
            f"Join the video visit: {appointment.video_url}" if appointment.is_telehealth
            else appointment.location.arrival_notes
        )
    else:
        initials = f"{appointment.patient.first_name[:1]}{appointment.patient.last_name[:1]}".upper()
        summary = f"{initials} · {appointment.visit_type}"
        where = "Telehealth" if appointment.is_telehealth else appointment.location.name
        description = ""
    return event_lines(
        uid=f"appointment-{appointment.pk}@stride", start=appointment.start_at, end=appointment.end_at,
        summary=summary, description=description, location=where, status=status, stamp=appointment.updated_at,
    )
