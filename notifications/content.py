"""What each message says: subject, email text and HTML, the text message and the calendar file.

Rendered when the message is sent, so a visit moved after the message was planned shows its new time.
Staff alerts name the patient and link to the chart; they never carry clinical details.
"""

from dataclasses import dataclass, field
from datetime import datetime

from django.conf import settings
from django.core.mail import EmailMultiAlternatives
from django.template.loader import render_to_string
from django.urls import reverse
from django.utils import dateformat, timezone
from django.utils.translation import gettext, gettext_noop
from django.utils.translation import gettext as _

from clinic import texts
from clinic.models import ClinicText
from intake import links as intake_links
from scheduling import formatting, ics
from scheduling import links as booking_links
from scheduling import services as scheduling_services
from scheduling.models import Appointment, ClinicSettings

from . import links, sms
from .channels import IDEMPOTENCY_HEADER
from .models import Notification

Kind = Notification.Kind
Status = Appointment.Status
DECLINED_PREFIX = "Request declined:"


@dataclass
class Composed:
    subject: str
    greeting: str
    lines: list = field(default_factory=list)
    facts: list = field(default_factory=list)
    actions: list = field(default_factory=list)
    sms: str = ""
    ics: str = ""
    ics_method: str = ""


def _when(v):
    return f"{v['day']} at {v['time']} {v['zone']}"


def _facts(v):
    facts = [("When", f"{_when(v)} ({v['duration']} minutes)"), ("With", v["clinician"])]
    if v["is_telehealth"]:
        # The visit's video page, never the room itself: a message is read days early, the room opens 15 minutes
        # before the start (the page holds its link then).
        facts.append((_("Video visit"), f"{settings.SITE_URL}{v['video_path']}"))
        facts.append((_("Opens"), _("%(time)s %(zone)s, 15 minutes before the visit") % {
            "time": v["video_opens"], "zone": v["zone"]}))
    else:
        facts.append(("Where", f"{v['location_name']}, {v['address']}"))
        if v["arrival_notes"]:
            facts.append(("On arrival", v["arrival_notes"]))
    if v["phone"]:
        facts.append(("Questions", f"call {v['phone']}"))
    return facts


def _policy_facts(appointment):
    """The cancellation policy's link: the version the patient accepted when booking online, else the one in force
    (the front desk does not ask); none while the clinic has no policy."""
    policy = appointment.cancellation_policy if appointment.cancellation_policy_id else texts.current(
        ClinicText.Kind.CANCELLATION_POLICY)
    return [(_("Cancellation policy"), f"{settings.SITE_URL}{policy.get_absolute_url()}")] if policy else []


def _actions(appointment):
    """Confirm, and reschedule and cancel while the patient may still change the visit online (then they call)."""
    if appointment.status not in Appointment.MOVABLE:
        return []
    urls = links.action_urls(appointment)
    actions = [] if appointment.status == Status.REQUESTED else [(_("Confirm"), urls["confirm"])]
    if scheduling_services.inside_change_cutoff(appointment):
        return actions
    return actions + [(_("Reschedule"), urls["reschedule"]), (_("Cancel"), urls["cancel"])]


def _how_to_change(appointment):
    """The line that says how this visit is changed: online until the cut-off, by phone inside it (the same words as
    the confirmation and manage pages)."""
    if appointment.status not in Appointment.MOVABLE:
        return []
    refusal = scheduling_services.patient_change_refusal(appointment)
    if refusal:
        return [refusal]
    return [_("You can change or cancel online until %(hours)s hours before the visit.") % {
        "hours": ClinicSettings.load().patient_change_cutoff_hours}]


def _calendar(appointments, method):
    return ics.calendar([ics.appointment_event(a) for a in appointments], method=method)


STOP = gettext_noop("Reply STOP to opt out")


def _short_when(appointment):
    """"Mon, Dec 14 at 10:00 AM EST": a text's time, without the year."""
    tz = appointment.local_tz
    return _("%(day)s at %(time)s %(zone)s") % {
        "day": formatting.short_day_label(appointment.start_at.astimezone(tz).date()),
        "time": formatting.time_label(appointment.start_at, tz), "zone": formatting.zone_label(appointment.start_at, tz)}


def _text(headline, *, appointment, link="", label="", tail="", stop=True):
    """One text message within two segments: "<clinic>: <headline> <label>: <one link> <tail> Reply STOP to opt out".

    `headline` is a translated string with %(visit)s for the kind of visit; the clinic's and the visit's names are
    the parts cut shorter (notifications.sms.fit) when long names would need a third segment."""
    def render(clinic, visit):
        parts = [f"{clinic}: " if clinic else "", headline % {"visit": visit or _("visit")}]
        if link:
            parts.append(f" {label}: {link}" if label else f" {link}")
        if tail:
            parts.append(f" {tail}")
        if stop:
            parts.append(f" {_(STOP)}")
        return "".join(parts)

    visit = appointment.visit_type.name if appointment is not None else ""
    return sms.fit(render, clinic=settings.CLINIC_NAME, visit=visit)


def _visit_text(headline, appointment):
    """A text about a coming visit: its one link is the visit's page (confirm, change, cancel, join the video);
    inside the change cut-off it says to call instead."""
    manage = booking_links.manage_url(appointment)
    if appointment.status in Appointment.MOVABLE and scheduling_services.inside_change_cutoff(appointment):
        phone = scheduling_services.clinic_phone(appointment)
        label = _("Details") if appointment.status == Status.REQUESTED else _("Confirm or see details")
        tail = _("To change it, call %(phone)s.") % {"phone": phone} if phone else _("To change it, call us.")
        return _text(headline, appointment=appointment, link=manage, label=label, tail=tail)
    label = _("See or cancel") if appointment.status == Status.REQUESTED else _("Confirm, change or cancel")
    return _text(headline, appointment=appointment, link=manage, label=label)


def _book_again_text(headline, appointment):
    phone = scheduling_services.clinic_phone(appointment)
    tail = _("or call %(phone)s.") % {"phone": phone} if phone else ""
    return _text(headline, appointment=appointment, link=f"{settings.SITE_URL}{reverse('booking:start')}",
                 label=_("Book again"), tail=tail)


def _series(appointment):
    return list(
        Appointment.objects.filter(series_id=appointment.series_id, status__in=Appointment.MOVABLE)
        .select_related("patient", "visit_type", "clinician__user", "location")
        .order_by("start_at")
    )


def compose(notification: Notification) -> Composed:
    if notification.kind == Kind.RED_FLAG:
        return _red_flag(notification)
    if notification.kind == Kind.INTAKE_COPY:
        return _intake_copy(notification)
    appointment = notification.appointment
    patient = notification.patient
    v = formatting.appointment_summary(appointment)
    greeting = f"Hello {patient.preferred_name or patient.first_name},"
    visit = f"{v['visit_type']} with {v['clinician']}"
    actions = _actions(appointment)
    kind = notification.kind
    out = Composed(subject="", greeting=greeting, facts=_facts(v), actions=actions)

    if kind == Kind.BOOKING_CONFIRMATION:
        series = _series(appointment) if notification.payload.get("series") else []
        if len(series) > 1:
            out.subject = f"Booked: {len(series)} visits ({v['visit_type']}) from {v['day']}"
            out.lines = [f"Your {len(series)} visits with {v['clinician']} are booked:"] + [
                f"- {_when(formatting.appointment_summary(a))}" for a in series
            ] + _how_to_change(appointment)
            out.facts = [f for f in out.facts if f[0] != "When"] + _policy_facts(appointment)
            out.sms = _visit_text(_("%(count)s visits booked, the first %(when)s.") % {
                "count": len(series), "when": _short_when(appointment)}, appointment)
            out.ics, out.ics_method = _calendar(series, "REQUEST"), "REQUEST"
            return out
        if appointment.status == Status.REQUESTED:
            out.subject = f"Request received: {v['visit_type']} on {_when(v)}"
            out.lines = [f"We have your request for {visit} on {_when(v)}. The front desk will confirm it shortly."]
            out.lines += _how_to_change(appointment)
            out.sms = _visit_text(_("we have your request for %(when)s and will confirm it shortly.") % {
                "when": _short_when(appointment)}, appointment)
        else:
            out.subject = f"Booked: {v['visit_type']} on {_when(v)}"
            out.lines = [f"Your visit is booked: {visit} on {_when(v)}."] + _how_to_change(appointment)
            out.sms = _visit_text(_("your %%(visit)s is booked for %(when)s.") % {"when": _short_when(appointment)},
                                  appointment)
        if appointment.belongs_in_patients_calendar:  # a request's file comes with its acceptance
            out.ics, out.ics_method = _calendar([appointment], "REQUEST"), "REQUEST"
        out.facts += _policy_facts(appointment)
    elif kind == Kind.REQUEST_ACCEPTED:
        out.subject = f"Your appointment is booked: {_when(v)}"
        out.lines = [f"We have accepted your request: {visit} on {_when(v)}."] + _how_to_change(appointment)
        out.facts += _policy_facts(appointment)
        out.sms = _visit_text(_("your request is accepted: %%(visit)s on %(when)s.") % {
            "when": _short_when(appointment)}, appointment)
        out.ics, out.ics_method = _calendar([appointment], "REQUEST"), "REQUEST"
    elif kind == Kind.REQUEST_DECLINED:
        reason = appointment.cancellation_reason.removeprefix(DECLINED_PREFIX).strip()
        call = f" or call us at {v['phone']}" if v["phone"] else ""
        out.subject = f"We could not book your request for {v['day']}"
        out.lines = [f"We are sorry: we could not accept your request for {visit} on {_when(v)}."]
        if reason:
            out.lines.append(f"Reason: {reason}")
        out.lines.append(f"Please choose another time online{call}.")
        out.facts, out.actions = [], []
        out.sms = _book_again_text(_("we could not accept your request for %(when)s.") % {
            "when": _short_when(appointment)}, appointment)
        out.ics, out.ics_method = _calendar([appointment], "CANCEL"), "CANCEL"
    elif kind == Kind.MOVED:
        out.subject = f"Moved: your {v['visit_type']} is now on {_when(v)}"
        out.lines = [f"Your visit has a new time: {visit} on {_when(v)}."] + _how_to_change(appointment)
        out.sms = _visit_text(_("your %%(visit)s has moved to %(when)s.") % {"when": _short_when(appointment)},
                              appointment)
        out.ics, out.ics_method = _calendar([appointment], "REQUEST"), "REQUEST"
    elif kind == Kind.REMINDER:
        out.subject = f"Reminder: {v['visit_type']} on {_when(v)}"
        out.lines = [f"A reminder of your visit: {visit} on {_when(v)}."]
        if v["is_telehealth"]:
            out.lines.append("It is a video visit: open the link a few minutes early from a quiet place.")
        out.lines += _how_to_change(appointment)
        out.sms = _visit_text((_("reminder: your %%(visit)s by video is %(when)s.") if v["is_telehealth"] else
                               _("reminder: your %%(visit)s is %(when)s.")) % {"when": _short_when(appointment)},
                              appointment)
    elif kind in (Kind.INTAKE_INVITATION, Kind.INTAKE_NUDGE):
        link = notification.payload.get("link", "")
        if kind == Kind.INTAKE_INVITATION:
            out.subject = f"Before your visit on {v['day']}: your intake form"
            out.lines = [f"Please fill in your intake form before your visit ({visit} on {_when(v)}). "
                         "It takes about 15 minutes and saves time at the visit."]
            headline = _("please fill in your intake form before your visit on %(when)s:") % {
                "when": _short_when(appointment)}
        else:
            out.subject = f"Reminder: your intake form for {v['day']}"
            out.lines = [f"Your intake form for your visit on {_when(v)} is not finished yet. "
                         "It keeps your answers, so you can continue where you left off."]
            headline = _("your intake form for %(when)s is not finished yet:") % {"when": _short_when(appointment)}
        out.actions = ([("Fill in the intake form", link)] if link else []) + actions
        out.sms = _text(headline, appointment=appointment, link=link)
    elif kind == Kind.CANCELLATION:
        out.subject = f"Cancelled: your {v['visit_type']} on {_when(v)}"
        call = f" or call us at {v['phone']}" if v["phone"] else ""
        out.lines = [f"Your visit is cancelled: {visit} on {_when(v)}.",
                     f"If you would like a new time, book online{call}."]
        out.facts, out.actions = [], []
        out.sms = _book_again_text(_("your visit on %(when)s is cancelled.") % {"when": _short_when(appointment)},
                                   appointment)
        out.ics, out.ics_method = _calendar([appointment], "CANCEL"), "CANCEL"
    else:
        raise ValueError(f"No content for {kind}")
    return out


def _intake_copy(notification):
    """The link to the patient's copy of their intake form. Never the answers: email is not private enough for
    health details, and the link expires."""
    patient = notification.patient
    sent = notification.payload.get("submitted_at") or notification.created_at.isoformat()
    sent_label = dateformat.format(timezone.localtime(datetime.fromisoformat(sent)), "D, M j, Y")
    days = intake_links.COPY_MAX_AGE.days
    return Composed(
        subject=gettext("A copy of your intake form"),
        greeting=gettext("Hello %(name)s,") % {"name": patient.preferred_name or patient.first_name},
        lines=[
            gettext("You asked for a copy of the intake form you sent us on %(day)s. Open the private link below "
                    "to read or print your answers; it works for %(days)s days.") % {"day": sent_label, "days": days},
            gettext("We do not put your answers in the email itself, to keep your health details private. If you "
                    "did not ask for this, you can ignore it."),
        ],
        actions=[(gettext("See your answers"), notification.payload.get("link", ""))],
    )


# Where the alert was raised (intake.models.RedFlagAlert.Source), in the email's words; never the flags themselves.
_RED_FLAG_SOURCES = {"intake": "the intake form", "exam": "the exam", "rescreen": "a red-flag re-screen"}


def _red_flag(notification):
    patient = notification.patient
    source = notification.payload.get("source", "intake")
    user = notification.recipient_user
    urgency = notification.payload.get("urgency", "urgent").capitalize()
    raised = notification.payload.get("raised_at") or notification.created_at.isoformat()
    raised_label = dateformat.format(timezone.localtime(datetime.fromisoformat(raised)), "D, M j, g:i A T")
    chart = f"{settings.SITE_URL}{patient.get_absolute_url()}"
    return Composed(
        subject=f"{urgency} red flag: {patient.full_name} ({patient.mrn})",
        greeting=f"Hello {user.first_name or user.get_full_name() or user.email}," if user else "Hello,",
        lines=[f"A red flag ({urgency.lower()}) was raised from {_RED_FLAG_SOURCES.get(source, source)} of "
               f"{patient.full_name} (record {patient.mrn}) on {raised_label}.",
               "Please review it in Stride and contact the patient as needed."],
        actions=[("Open the chart", chart)],
        # Staff alerts go by email; the text, should a clinic send it, names the record, never the health details.
        sms=sms.fit(lambda clinic, name: f"{clinic}: " * bool(clinic) + _("%(urgency)s red flag for %(name)s (%(mrn)s): "
                    "%(chart)s") % {"urgency": urgency.lower(), "name": name or _("a patient"), "mrn": patient.mrn,
                                    "chart": chart}, clinic=settings.CLINIC_NAME, name=patient.full_name),
    )


def email_message(notification, composed: Composed, to: str) -> EmailMultiAlternatives:
    context = {"m": composed, "CLINIC_NAME": settings.CLINIC_NAME, "for_staff": notification.is_for_staff}
    key = str(notification.idempotency_key)
    message = EmailMultiAlternatives(
        subject=composed.subject,
        body=render_to_string("notifications/email/message.txt", context),
        to=[to],
        headers={IDEMPOTENCY_HEADER: key, "Message-ID": f"<{key}@stride.notifications>"},
    )
    message.attach_alternative(render_to_string("notifications/email/message.html", context), "text/html")
    if composed.ics:
        method = composed.ics_method
        message.attach("visit.ics", composed.ics, f"text/calendar; method={method}")
    return message
