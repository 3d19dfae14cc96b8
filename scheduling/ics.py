"""iCalendar (RFC 5545) text for appointments: one event for a patient, a feed for a clinician.

The icalendar library escapes, folds and ends every line with CRLF; text typed into a form (arrival
notes from a textarea arrive with CRLF or a bare CR) must never reach a calendar app as a raw line break.
"""

from datetime import UTC

import icalendar
from django.conf import settings
from django.utils.translation import gettext as _

from . import links


def event(*, uid, start, end, summary, description="", location="", status="CONFIRMED", stamp=None):
    item = icalendar.Event()
    item.add("uid", uid)
    item.add("dtstamp", (stamp or start).astimezone(UTC))
    item.add("dtstart", start.astimezone(UTC))
    item.add("dtend", end.astimezone(UTC))
    item.add("summary", summary)
    item.add("status", status)
    if description:
        item.add("description", description)
    if location:
        item.add("location", location)
    return item


def calendar(events, *, name=None, method=None):
    """A VCALENDAR document (text with CRLF line ends) from icalendar events."""
    document = icalendar.Calendar()
    document.add("version", "2.0")
    document.add("prodid", "-//Stride//Clinic scheduling//EN")
    document.add("calscale", "GREGORIAN")
    if method:
        document.add("method", method)
    if name:
        # An X- property has no known type: say it is text, or it goes out unescaped.
        document.add("x-wr-calname", icalendar.vText(name))
    for item in events:
        document.add_component(item)
    return document.to_ical().decode()


def appointment_event(appointment, *, for_patient=True):
    """The event for one appointment; the patient's copy carries the address or the video link."""
    status = "CANCELLED" if appointment.status == appointment.Status.CANCELLED else "CONFIRMED"
    if appointment.status == appointment.Status.REQUESTED:
        status = "TENTATIVE"
    if for_patient:
        summary = f"{appointment.visit_type} with {appointment.clinician.display_name}"
        # A calendar entry is read days early: it leads to the visit's video page, which opens the room on time.
        video_page = links.video_url(appointment) if appointment.is_telehealth else ""
        where = video_page if appointment.is_telehealth else appointment.location.address
        description = f"{settings.CLINIC_NAME}. " + (
            _("Join the video visit (it opens 15 minutes before): %(url)s") % {"url": video_page}
            if appointment.is_telehealth else appointment.arrival_notes
        )
    else:
        initials = f"{appointment.patient.first_name[:1]}{appointment.patient.last_name[:1]}".upper()
        summary = f"{initials} · {appointment.visit_type}"
        where = "Telehealth" if appointment.is_telehealth else appointment.location.name
        description = ""
    return event(
        uid=f"appointment-{appointment.pk}@stride", start=appointment.start_at, end=appointment.end_at,
        summary=summary, description=description, location=where, status=status, stamp=appointment.updated_at,
    )
