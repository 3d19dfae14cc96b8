"""Every write to the outbox: plan messages when the schedule changes, sweep due rows, deliver one, resend.

The sending protocol (after pretix and healthchecks):
1. A message is a Notification row, unique per appointment, kind, channel and occasion, planned in the
   same transaction as the change to the schedule that calls for it.
2. The sweep (beat, every minute) locks due `queued` rows with SKIP LOCKED, marks them `sending` and
   commits, then queues `deliver(pk)`; two sweeps never take the same row.
3. `deliver` claims the row with a conditional update that must change exactly one row (status
   `sending` and no attempt started within the lease), commits, calls the provider, then records `sent`,
   `failed` (a permanent error, or too many attempts) or `queued` again with an exponential backoff.
4. A row left in `sending` by a worker that died is handed out again by the sweep once its lease ends.
5. Rows due together are handed out in the order they were planned, and a message that must follow another
   (GOES_AFTER: the intake invitation after the visit's confirmation on the same channel) is held while that
   one is pending and released the moment it is sent or has failed for good, whichever worker takes which first.
"""

import logging
from collections import defaultdict
from datetime import UTC, timedelta

import phonenumbers
from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.validators import validate_email
from django.db import connection, transaction
from django.db.models import F, Q
from django.utils import timezone

from clinic.models import AuditEvent
from intake import services as intake_services
from scheduling.models import Appointment

from . import channels, content, timing
from .models import Notification

log = logging.getLogger(__name__)

Kind, Channel, Status = Notification.Kind, Notification.Channel, Notification.Status
Visit = Appointment.Status
REMINDABLE = (Visit.BOOKED, Visit.CONFIRMED)
PATIENT_NOTICES = (Kind.BOOKING_CONFIRMATION, Kind.REQUEST_ACCEPTED, Kind.MOVED, Kind.INTAKE_INVITATION)
STALE = "The visit moved; the message was planned again for the new time."
# Messages that never reach the patient before others about the same visit on the same channel: an intake form's
# link before the news that the visit is booked would be a form for a visit they do not know of. Such a message
# waits (HELD) while one it follows is queued or being sent, and goes once that one is sent or will never be.
GOES_AFTER = {Kind.INTAKE_INVITATION: (Kind.BOOKING_CONFIRMATION, Kind.REQUEST_ACCEPTED)}
HELD = "Held until the booking confirmation is sent."


# Configuration ---------------------------------------------------------------------------------------------


def reminder_offsets():
    return timing.parse_offsets(settings.NOTIFICATION_REMINDER_OFFSETS)


def intake_nudge_offsets():
    return timing.parse_offsets(settings.NOTIFICATION_INTAKE_NUDGES)


def quiet_hours():
    return timing.parse_quiet_hours(settings.NOTIFICATION_QUIET_HOURS)


def _lease():
    return timedelta(seconds=settings.NOTIFICATION_SENDING_LEASE_SECONDS)


# Who gets what ------------------------------------------------------------------------------------------------


def notice_channels(patient):
    """Channels for news about a booking: email if they have an address; a text as well when they agreed to
    texts and prefer them (or have no email)."""
    found = [Channel.EMAIL] if patient.email else []
    if patient.mobile_phone and patient.reminder_sms_consent and (
        patient.preferred_channel == patient.Channel.SMS or not patient.email
    ):
        found.append(Channel.SMS)
    return found


def reminder_consent(patient, channel):
    return patient.reminder_email_consent if channel == Channel.EMAIL else patient.reminder_sms_consent


def _has_address(patient, channel):
    return bool(patient.email if channel == Channel.EMAIL else patient.mobile_phone)


# Planning -----------------------------------------------------------------------------------------------------
# The messages_plan/replan functions are called by the receivers of scheduling.signals, inside the
# scheduling service's transaction: the rows commit (or roll back) with the change to the visit.


def _row(appointment, kind, channel, due_at, *, occasion="", payload=None):
    return Notification(
        patient_id=appointment.patient_id, appointment=appointment, kind=kind, channel=channel, occasion=occasion,
        due_at=due_at, visit_start_at=appointment.start_at, payload=payload or {},
    )


def _notices(appointment, kind, now, *, occasion="", payload=None):
    """Rows for an immediate message to the patient about this visit (none for a visit already begun)."""
    if appointment.start_at <= now:
        return []
    return [
        _row(appointment, kind, channel, now, occasion=occasion, payload=payload)
        for channel in notice_channels(appointment.patient)
    ]


def _stamp(instant):
    return instant.astimezone(UTC).strftime("%Y%m%dT%H%MZ")


def _wanted_timed(appointment, existing, now):
    """{(kind, channel, label): (due_at, payload)} for the reminders and intake nudges this visit should have."""
    wanted = {}
    tz = appointment.local_tz
    quiet = quiet_hours()
    patient = appointment.patient

    def want(kind, channel, label, delta, payload=None):
        if not (reminder_consent(patient, channel) and _has_address(patient, channel)):
            return
        due = timing.due_before(appointment.start_at, delta, tz)
        if channel == Channel.SMS:
            due = timing.outside_quiet_hours(due, visit_start=appointment.start_at, tz=tz, quiet=quiet)
        if due > now:
            wanted[(kind, channel, label)] = (due, payload or {})

    if appointment.status in REMINDABLE:
        for offset in reminder_offsets():
            want(Kind.REMINDER, offset.channel, offset.label, offset.delta)
    invitations = [n for n in existing if n.kind == Kind.INTAKE_INVITATION and n.status != Status.CANCELLED]
    if invitations and appointment.status in Appointment.MOVABLE and appointment.intake_completed_at is None:
        for invitation in invitations:
            for offset in intake_nudge_offsets():
                want(Kind.INTAKE_NUDGE, invitation.channel, offset.label, offset.delta, invitation.payload)
    return wanted


def _cancel_note(appointment, kind, channel):
    if appointment.status not in Appointment.MOVABLE or (kind == Kind.REMINDER and appointment.status not in REMINDABLE):
        return f"Not needed: the visit is {appointment.get_status_display().lower()}."
    if kind == Kind.INTAKE_NUDGE and appointment.intake_completed_at:
        return "Not needed: the intake form is finished."
    if not reminder_consent(appointment.patient, channel):
        return f"The patient opted out of {'email' if channel == Channel.EMAIL else 'text'} reminders."
    if not _has_address(appointment.patient, channel):
        return "No email address on file." if channel == Channel.EMAIL else "No mobile number on file."
    return "Too close to the visit for this reminder."


def _sync_timed(appointment, now, existing=None):
    """Bring the visit's reminders and intake nudges in line with its time and status.

    Pending rows move with the visit (same row, new due time) or are cancelled; a message already sent
    for an earlier time of the visit stays in the history and the new time gets a row of its own.
    Returns rows to create.
    """
    if existing is None:
        existing = list(
            Notification.objects.filter(
                appointment=appointment, kind__in=[Kind.REMINDER, Kind.INTAKE_NUDGE, Kind.INTAKE_INVITATION]
            )
        ) if appointment.pk else []
    wanted = _wanted_timed(appointment, existing, now)
    groups = defaultdict(list)
    for n in existing:
        if n.kind in Notification.TIMED:
            groups[(n.kind, n.channel, n.occasion.split("@", 1)[0])].append(n)
    changed, created = [], []

    def cancel(n, note):
        if n.status == Status.QUEUED:
            n.status, n.note = Status.CANCELLED, note
            changed.append(n)

    for key, rows in groups.items():
        if key not in wanted:
            for n in rows:
                cancel(n, _cancel_note(appointment, key[0], key[1]))
    for (kind, channel, label), (due, payload) in wanted.items():
        rows = groups.get((kind, channel, label), [])
        if any(n.visit_start_at == appointment.start_at and n.status not in (Status.QUEUED, Status.CANCELLED)
               for n in rows):
            for n in rows:
                cancel(n, "Already sent for this time.")
            continue
        pending = next((n for n in rows if n.status in (Status.QUEUED, Status.CANCELLED)), None)
        for n in rows:
            if n is not pending:
                cancel(n, "Replaced by the message for the visit's new time.")
        if pending is not None:
            pending.status, pending.due_at, pending.visit_start_at, pending.note = Status.QUEUED, due, appointment.start_at, ""
            pending.payload = payload or pending.payload
            changed.append(pending)
        else:
            occasion = f"{label}@{_stamp(appointment.start_at)}" if rows else label
            created.append(_row(appointment, kind, channel, due, occasion=occasion, payload=payload))
    if changed:
        for n in changed:
            n.updated_at = now
        Notification.objects.bulk_update(changed, ["status", "due_at", "visit_start_at", "note", "payload", "updated_at"])
    return created


def _save(rows):
    if rows:
        Notification.objects.bulk_create(rows, ignore_conflicts=True)


def _dispatch_soon(**filters):
    """After commit, hand this visit's due messages to a worker now rather than at the next sweep."""
    transaction.on_commit(lambda: dispatch_due(**filters), robust=True)


def _intake_invitation(appointment, now):
    """The intake invitation, with the form's link, for a booked visit whose type needs intake (nudges follow)."""
    if (
        appointment.status not in REMINDABLE or appointment.intake_completed_at is not None
        or appointment.start_at <= now or not appointment.visit_type.needs_intake
    ):
        return []
    channels = notice_channels(appointment.patient)
    # One intake per episode: a form the patient submitted lately, or one still open for another of their
    # visits, serves this visit too, and no second invitation goes out.
    intake = intake_services.intake_for_invitation(appointment=appointment, create=bool(channels))
    if intake is None or not channels:
        return []
    link = intake_services.intake_link(intake, base_url=settings.SITE_URL)
    return _notices(appointment, Kind.INTAKE_INVITATION, now, payload={"link": link})


def messages_plan_for_booking(*, appointment, now=None):
    """Plan the booking confirmation, the intake invitation if the visit needs one, and the visit's reminders
    and intake nudges (a series gets one confirmation)."""
    now = now or timezone.now()
    rows = []
    series = appointment.series_id
    if not series or not Notification.objects.filter(
        appointment__series_id=series, kind=Kind.BOOKING_CONFIRMATION
    ).exists():
        rows += _notices(appointment, Kind.BOOKING_CONFIRMATION, now, payload={"series": series} if series else None)
    rows += _intake_invitation(appointment, now)
    # A new visit has no messages but these: its nudges follow the invitation planned here, and everything is
    # written in one statement.
    _save(rows + _sync_timed(appointment, now, existing=rows))
    _dispatch_soon(appointment_id=appointment.pk)


def messages_replan_after_move(*, appointment, previous_start=None, now=None):
    """Tell the patient the new time and move the pending reminders with the visit."""
    now = now or timezone.now()
    rows = []
    if appointment.status in Appointment.MOVABLE and appointment.start_at != previous_start:
        rows += _notices(appointment, Kind.MOVED, now, occasion=_stamp(appointment.start_at))
    rows += _sync_timed(appointment, now)
    _save(rows)
    _dispatch_soon(appointment_id=appointment.pk)


def messages_replan_after_status_change(*, appointment, previous_status, now=None, notify_patient=True):
    """Cancelled: cancel what is pending and send the notice (unless staff chose not to tell the patient);
    accepted: say so; otherwise re-plan reminders."""
    now = now or timezone.now()
    rows = []
    if appointment.status == Visit.CANCELLED:
        declined = previous_status == Visit.REQUESTED and appointment.cancellation_reason.startswith(
            content.DECLINED_PREFIX
        )
        Notification.objects.filter(appointment=appointment, status=Status.QUEUED).update(
            status=Status.CANCELLED, note="Not needed: the visit is cancelled.", updated_at=now
        )
        if notify_patient:
            rows += _notices(appointment, Kind.REQUEST_DECLINED if declined else Kind.CANCELLATION, now)
    else:
        if previous_status == Visit.REQUESTED and appointment.status == Visit.BOOKED:
            rows += _notices(appointment, Kind.REQUEST_ACCEPTED, now) + _intake_invitation(appointment, now)
            _save(rows)
            rows = []
        rows += _sync_timed(appointment, now)
    _save(rows)
    _dispatch_soon(appointment_id=appointment.pk)


def messages_replan_for_patient(*, patient, now=None):
    """Bring the reminders of the patient's coming visits in line with their reminder channels and consents
    (after the intake form recorded them): a channel they turned off is cancelled, one they agreed to is planned."""
    now = now or timezone.now()
    visits = Appointment.objects.filter(patient=patient, status__in=Appointment.MOVABLE, start_at__gt=now).select_related(
        "location"
    )
    rows = []
    for appointment in visits:
        appointment.patient = patient  # the record as just saved, not a second copy
        rows += _sync_timed(appointment, now)
    _save(rows)
    _dispatch_soon(patient_id=patient.pk)


@transaction.atomic
def notify_intake_invitation(appointment, link, *, now=None, occasion=""):
    """Invite the patient to fill in the intake form at `link`; nudges follow at 72 h and 24 h while unfinished.

    A distinct `occasion` makes a new message (the front desk asked to send the link again).
    """
    now = now or timezone.now()
    _save(_notices(appointment, Kind.INTAKE_INVITATION, now, occasion=occasion, payload={"link": link}))
    _save(_sync_timed(appointment, now))
    _dispatch_soon(appointment_id=appointment.pk)
    return list(Notification.objects.filter(appointment=appointment, kind=Kind.INTAKE_INVITATION))


@transaction.atomic
def notify_intake_copy(intake, link, *, number, now=None):
    """Email the patient the link to a copy of their submitted intake form (the `number`th they asked for)."""
    now = now or timezone.now()
    row = Notification(
        patient_id=intake.patient_id, appointment_id=intake.appointment_id, kind=Kind.INTAKE_COPY,
        channel=Channel.EMAIL, occasion=f"copy:{intake.pk}:{number}", due_at=now,
        payload={"link": link, "submitted_at": intake.submitted_at.isoformat()},
    )
    _save([row])
    _dispatch_soon(patient_id=intake.patient_id, kind=Kind.INTAKE_COPY)


def _clinician_user_for(alert, now):
    if alert.appointment_id:
        return alert.appointment.clinician.user
    visits = Appointment.objects.filter(patient_id=alert.patient_id).exclude(status=Visit.CANCELLED)
    visit = (
        visits.filter(start_at__gte=now).order_by("start_at").select_related("clinician__user").first()
        or visits.order_by("-start_at").select_related("clinician__user").first()
    )
    return visit.clinician.user if visit else None


@transaction.atomic
def notify_red_flag(alert, *, now=None):
    """Email the clinician (of the alert's visit, else the patient's next or last visit) that a red flag was raised.

    Once per alert; without any clinician the message is marked failed for the front desk to see.
    """
    now = now or timezone.now()
    row = Notification(
        patient_id=alert.patient_id, appointment_id=alert.appointment_id, kind=Kind.RED_FLAG, channel=Channel.EMAIL,
        occasion=f"alert:{alert.pk}", recipient_user=_clinician_user_for(alert, now), due_at=now,
        payload={"urgency": alert.urgency, "raised_at": alert.raised_at.isoformat(), "alert": alert.pk,
                 "source": alert.source},
    )
    _save([row])
    _dispatch_soon(patient_id=alert.patient_id, kind=Kind.RED_FLAG)
    return Notification.objects.get(
        Q(appointment_id=alert.appointment_id) if alert.appointment_id else Q(appointment__isnull=True),
        patient_id=alert.patient_id, kind=Kind.RED_FLAG, channel=Channel.EMAIL, occasion=f"alert:{alert.pk}",
    )


# Sweeping and dispatching ------------------------------------------------------------------------------------


def _enqueue(pk):
    from .tasks import deliver

    deliver.apply_async((pk,), queue=settings.NOTIFICATION_QUEUE or None)


def _claim(rows, now, batch) -> list[int]:
    """Mark a batch of `rows` `sending` and return their ids in the order of `rows`, skipping rows another
    process holds. On PostgreSQL one statement (an UPDATE of a SELECT ... FOR UPDATE SKIP LOCKED, RETURNING the
    ids) instead of a transaction of four: it runs after every booking (issue 14's statement budget)."""
    if connection.vendor != "postgresql":
        with transaction.atomic():
            ids = list(rows.select_for_update(skip_locked=True).values_list("pk", flat=True)[:batch])
            if ids:
                Notification.objects.filter(pk__in=ids).update(status=Status.SENDING, claimed_at=now, updated_at=now)
        return ids
    if any(str(f).startswith("-") for f in rows.query.order_by):  # every hand-out asks oldest first
        raise ValueError("claims are handed out in ascending order")
    ordering = ["id" if f == "pk" else f for f in rows.query.order_by]
    chosen, params = rows.values("pk")[:batch].query.get_compiler(using=rows.db).as_sql()
    table = connection.ops.quote_name(Notification._meta.db_table)
    returned = ", ".join(connection.ops.quote_name(Notification._meta.get_field(f).column) for f in ordering)
    with connection.cursor() as cursor:
        cursor.execute(
            f"UPDATE {table} SET status = %s, claimed_at = %s, updated_at = %s "
            f"WHERE id IN ({chosen} FOR UPDATE OF {table} SKIP LOCKED) RETURNING id{', ' if returned else ''}{returned}",
            [Status.SENDING, now, now, *params],
        )
        claimed = cursor.fetchall()
    return [row[0] for row in sorted(claimed, key=lambda row: row[1:])]


def _claim_and_enqueue(rows, now, *, batch, max_batches):
    """Claim a batch (skipping rows another process holds), then queue a task per row in the batch's order; repeat."""
    total = 0
    for _ in range(max_batches):
        ids = _claim(rows, now, batch)
        for position, pk in enumerate(ids):
            try:
                _enqueue(pk)
            except Exception:  # the broker is down: give the rest back now rather than after the lease
                Notification.objects.filter(pk__in=ids[position:], status=Status.SENDING, claimed_at=now).update(
                    status=Status.QUEUED, claimed_at=None, updated_at=now
                )
                raise
        total += len(ids)
        if len(ids) < batch:
            break
    return total


def notifications_sweep(*, now=None, batch=None, max_batches=200):
    """Hand due messages to workers, and messages whose worker died (lease over) once more."""
    now = now or timezone.now()
    batch = batch or settings.NOTIFICATION_SWEEP_BATCH
    stale = now - _lease()
    stuck = Notification.objects.filter(status=Status.SENDING, claimed_at__lt=stale).filter(
        Q(attempt_started_at__isnull=True) | Q(attempt_started_at__lt=stale)
    )
    recovered = _claim_and_enqueue(stuck.order_by("claimed_at", "id"), now, batch=batch, max_batches=max_batches)
    if recovered:
        log.warning("Sweep handed out %d message(s) again after their worker stopped", recovered)
    # Oldest first, and among messages due at once in the order they were planned (a confirmation before its visit's
    # intake invitation): a worker then takes them in that order (GOES_AFTER holds the rest).
    due = Notification.objects.filter(status=Status.QUEUED, due_at__lte=now).order_by("due_at", "id")
    queued = _claim_and_enqueue(due, now, batch=batch, max_batches=max_batches)
    return {"queued": queued, "recovered": recovered}


def dispatch_due(*, now=None, **filters):
    """Queue the due messages matching `filters` now (after a booking, a resend) instead of at the next sweep."""
    now = now or timezone.now()
    due = Notification.objects.filter(status=Status.QUEUED, due_at__lte=now, **filters).order_by("due_at", "id")
    return _claim_and_enqueue(due, now, batch=100, max_batches=1)


# Delivering -----------------------------------------------------------------------------------------------------


def _address(n):
    if n.is_for_staff:
        email = n.recipient_user.email if n.recipient_user else ""
        if not email:
            raise channels.PermanentError("No clinician to alert: the patient has no visit with a clinician.")
        return email
    if n.channel == Channel.EMAIL:
        email = (n.patient.email or "").strip()
        if not email:
            raise channels.PermanentError("No email address on file.")
        try:
            validate_email(email)
        except ValidationError:
            raise channels.PermanentError(f"Invalid email address: {email}") from None
        return email
    number = (n.patient.mobile_phone or "").strip()
    if not number:
        raise channels.PermanentError("No mobile number on file.")
    try:
        valid = phonenumbers.is_valid_number(phonenumbers.parse(number, settings.PHONE_DEFAULT_REGION))
    except phonenumbers.NumberParseException:
        valid = False
    if not valid:
        raise channels.PermanentError(f"Invalid mobile number: {number}")
    return number


def _skip_reason(n, now):
    """Why this message should not go out any more, or ""."""
    a = n.appointment
    if n.is_for_staff or a is None:
        return ""
    if n.kind in Notification.TIMED:
        allowed = REMINDABLE if n.kind == Kind.REMINDER else Appointment.MOVABLE
        if a.status not in allowed:
            return f"Not needed: the visit is {a.get_status_display().lower()}."
        if a.start_at <= now:
            return "Too late: the visit has begun."
        if n.visit_start_at and n.visit_start_at != a.start_at:
            return STALE
        if not reminder_consent(n.patient, n.channel):
            return f"The patient opted out of {'email' if n.channel == Channel.EMAIL else 'text'} reminders."
        if n.kind == Kind.INTAKE_NUDGE and a.intake_completed_at:
            return "Not needed: the intake form is finished."
    elif n.kind in PATIENT_NOTICES and a.status == Visit.CANCELLED:
        return "Not needed: the visit is cancelled."
    if n.channel == Channel.SMS and not n.patient.reminder_sms_consent:
        return "The patient has not agreed to text messages."
    return ""


def _pending_before(n):
    """Due times of the messages `n` must follow (GOES_AFTER) that are still queued or being sent, their rows locked
    until the caller's transaction ends: their worker records a result only after a hold is committed, so its
    release (_release_held) finds the held row."""
    first = GOES_AFTER[n.kind]
    if n.appointment_id is None:
        return []
    return list(
        Notification.objects.select_for_update()
        .filter(appointment_id=n.appointment_id, channel=n.channel, kind__in=first,
                status__in=(Status.QUEUED, Status.SENDING))
        .values_list("due_at", flat=True)
    )


def _release_held(n, now):
    """`n` was sent, failed for good or was cancelled: what was held behind it for the visit and channel goes now."""
    followers = [kind for kind, first in GOES_AFTER.items() if n.kind in first]
    if not followers or n.appointment_id is None:
        return
    held = {"appointment_id": n.appointment_id, "channel": n.channel, "kind__in": followers}
    if Notification.objects.filter(**held, status=Status.QUEUED, note=HELD).update(due_at=now, updated_at=now):
        try:
            dispatch_due(now=now, **held)
        except Exception:  # the broker is down: the sweep hands them out within a minute
            log.warning("Notification %s: could not hand out the messages held behind it", n.pk, exc_info=True)


def notification_deliver(*, notification_id, now=None):
    """Send one claimed message; returns what happened: sent, failed, retry, cancelled, deferred, held or skipped."""
    now = now or timezone.now()
    claimed = (
        Notification.objects.filter(pk=notification_id, status=Status.SENDING)
        .filter(Q(attempt_started_at__isnull=True) | Q(attempt_started_at__lt=now - _lease()))
        .update(attempt_started_at=now, attempts=F("attempts") + 1, updated_at=now)
    )
    if claimed != 1:
        return "skipped"  # sent, cancelled, or another worker is on it
    # Two small queries: one nine-table join costs PostgreSQL more to plan (~8 ms) than to run.
    n = Notification.objects.select_related("patient", "recipient_user").get(pk=notification_id)
    if n.appointment_id:
        n.appointment = Appointment.objects.select_related(
            "visit_type", "clinician__user", "location", "cancellation_policy"
        ).get(pk=n.appointment_id)
        n.appointment.patient = n.patient  # the same person: rows are planned with the visit's patient

    def finish(status, **fields):
        if status == Status.QUEUED:
            fields["attempt_started_at"] = None  # tried again later by whichever worker the sweep picks
        done = Notification.objects.filter(pk=n.pk, status=Status.SENDING, attempt_started_at=now).update(
            status=status, updated_at=timezone.now(), **fields
        )
        if not done:
            log.warning("Notification %s: the lease ran out before the result (%s) was recorded", n.pk, status)
        elif status in (Status.SENT, Status.FAILED, Status.CANCELLED):
            _release_held(n, now)

    max_attempts = settings.NOTIFICATION_MAX_ATTEMPTS
    if n.attempts > max_attempts:
        finish(Status.FAILED, last_error=f"{n.last_error} (gave up after {max_attempts} attempts)".strip())
        return "failed"
    skip = _skip_reason(n, now)
    if skip == STALE:
        with transaction.atomic():
            finish(Status.QUEUED, attempts=F("attempts") - 1, note=STALE)
            _save(_sync_timed(n.appointment, now))
        return "cancelled"
    if skip:
        finish(Status.CANCELLED, note=skip)
        return "cancelled"
    if n.kind in GOES_AFTER:
        with transaction.atomic():
            pending = _pending_before(n)
            if pending:  # released when that one is done; else tried again a lease after it was due
                finish(Status.QUEUED, due_at=max([now, *pending]) + _lease(), attempts=F("attempts") - 1, note=HELD)
                return "held"
    if n.channel == Channel.SMS and not n.is_for_staff:
        tz, quiet = n.appointment.local_tz, quiet_hours()
        later = timing.outside_quiet_hours(now, visit_start=n.appointment.start_at, tz=tz, quiet=quiet)
        if later != now:
            finish(Status.QUEUED, due_at=later, attempts=F("attempts") - 1, note="Held until quiet hours end.")
            return "deferred"

    to = subject = ""
    try:
        composed = content.compose(n)
        subject = composed.subject[:200]
        to = _address(n)
        if n.channel == Channel.EMAIL:
            message = content.email_message(n, composed, to)
            channels.send_email(message)
            provider_id = message.extra_headers["Message-ID"]
        else:
            provider_id = channels.sms_backend().send(
                channels.SmsMessage(to=to, body=composed.sms, idempotency_key=str(n.idempotency_key))
            )
    except channels.PermanentError as exc:
        finish(Status.FAILED, last_error=str(exc)[:2000], to_address=to, subject=subject)
        return "failed"
    except Exception as exc:  # transient, or a bug: retried with backoff, then given up
        if not isinstance(exc, channels.TransientError):
            log.exception("Notification %s: unexpected error while sending", n.pk)
        error = (str(exc) or exc.__class__.__name__)[:2000]
        if n.attempts >= max_attempts:
            finish(Status.FAILED, last_error=f"{error} (gave up after {n.attempts} attempts)", to_address=to,
                   subject=subject)
            return "failed"
        delay = timing.retry_delay(n.attempts, settings.NOTIFICATION_RETRY_BACKOFF_SECONDS)
        finish(Status.QUEUED, due_at=now + delay, last_error=error, to_address=to, subject=subject,
               note=f"Will try again after attempt {n.attempts} of {max_attempts}.")
        return "retry"
    finish(Status.SENT, sent_at=timezone.now(), provider_message_id=str(provider_id)[:200], to_address=to,
           subject=subject, last_error="", note="")
    return "sent"


# The front desk -----------------------------------------------------------------------------------------------


def notification_resend(*, notification, actor, ip=None, now=None):
    """Queue a failed message again (same row, attempts from zero); False if it is no longer failed."""
    now = now or timezone.now()
    with transaction.atomic():
        done = Notification.objects.filter(pk=notification.pk, status=Status.FAILED).update(
            status=Status.QUEUED, due_at=now, attempts=0, claimed_at=None, attempt_started_at=None,
            note=f"Resent by {actor.email}."[:200], updated_at=now,
        )
        if done:
            AuditEvent.objects.create(
                actor=actor, actor_label=actor.email, ip_address=ip, action=AuditEvent.Action.CHANGE,
                object_type=Notification._meta.label, object_id=str(notification.pk),
                object_label=notification.label[:200], patient_id=notification.patient_id,
                changes={"status": [Status.FAILED, Status.QUEUED], "resent": True},
            )
            _dispatch_soon(pk=notification.pk)
    return bool(done)
