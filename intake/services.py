"""Every write of the patient's intake form: start, save a step, submit, send the link, alerts.

Plain functions with keyword-only arguments, one transaction each; messages (the link, red-flag alerts)
go out through intake.signals, which the notifications outbox turns into rows in the same transaction. `actor` is the signed-in staff user (None for a patient on their link) and
`ip` the address the request came from; both go to the audit trail.
"""

import logging
from decimal import Decimal

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction
from django.utils import timezone
from django.utils.translation import gettext

from clinic.audit import acting_as
from patients import services as patient_services
from patients.models import Consent

from . import instruments, links, questionnaire, rules, scoring, selectors, signals
from .models import INTAKE_STEPS, Instrument, IntakeForm, IntakeSignature, OutcomeScore, RedFlagAlert

log = logging.getLogger(__name__)


class IntakeError(Exception):
    """The action cannot be done; the message says why in words for the person who asked."""

    def __init__(self, message):
        super().__init__(message)
        self.message = message


class AlreadySubmitted(IntakeError):
    def __init__(self):
        super().__init__("This form has already been submitted. Thank you.")


class IntakeIncomplete(IntakeError):
    """Required answers are missing or invalid; `errors` is {step: {field: [messages]}}."""

    def __init__(self, errors):
        super().__init__("Some answers are missing.")
        self.errors = errors


def _lock(intake: IntakeForm) -> IntakeForm:
    """Lock the form's row and refresh the fields the services change, keeping loaded relations."""
    locked = IntakeForm.objects.select_for_update().get(pk=intake.pk)
    for name in ("status", "current_step", "answers", "step_drafts", "filled_in_clinic", "submitted_at",
                 "copies_emailed"):
        setattr(intake, name, getattr(locked, name))
    return intake


@transaction.atomic
def intake_start(*, appointment, filled_in_clinic=False, actor=None, ip=None, episode=None) -> IntakeForm:
    """Return the form the patient fills in for this visit, creating it if there is none yet: the visit's own,
    or the one still open for another visit of the same episode (selectors.EPISODE: one intake per episode)."""
    intake = (episode or selectors.episode_of(appointment=appointment)).serving
    with acting_as(actor, ip):
        if intake is None:
            try:
                with transaction.atomic():
                    intake = IntakeForm.objects.create(
                        patient_id=appointment.patient_id, appointment=appointment, filled_in_clinic=filled_in_clinic
                    )
            except IntegrityError:  # another request created it a moment ago
                intake = IntakeForm.objects.get(appointment=appointment)
        if filled_in_clinic and not intake.filled_in_clinic and not intake.is_submitted:
            intake.filled_in_clinic = True
            intake.save(update_fields=["filled_in_clinic", "updated_at"])
    return intake


def intake_hand_over(*, appointment, actor=None, ip=None) -> IntakeForm:
    """The visit's form, to open on a clinic device for the patient; refused once the patient has saved
    answers: the form would show them to whoever holds the device before handing it over."""
    existing = selectors.episode_of(appointment=appointment).serving
    if existing is not None and (existing.answers or existing.step_drafts):
        raise IntakeError(
            "The patient has already started this form, and their answers are private to them. They can finish it "
            "on their own phone from the emailed link (Send intake link sends it again)."
        )
    return intake_start(appointment=appointment, filled_in_clinic=True, actor=actor, ip=ip)


@transaction.atomic
def intake_for_invitation(*, appointment, create=True) -> IntakeForm | None:
    """The form to invite the patient to for this newly booked visit, created if `create`; None when the visit
    needs no invitation of its own (one intake per episode, selectors.EPISODE).

    A visit that has its own form keeps it. A form submitted in the 30 days before the visit counts as the
    visit's intake: the visit is marked complete with that form's time. A form still to fill in for another
    visit of the episode serves this one too (and completes it when submitted): no second invitation.
    """
    episode = selectors.episode_of(appointment=appointment)
    if episode.own is not None:
        return episode.own
    if episode.submitted is not None:
        appointment.intake_completed_at = episode.submitted.submitted_at
        appointment.save(update_fields=["intake_completed_at", "updated_at"])
        return None
    if episode.pending is not None or not create:
        return None
    return intake_start(appointment=appointment, episode=episode)


def intake_link(intake, *, base_url="") -> str:
    """The patient's link to this form (absolute if `base_url` is given)."""
    return f"{base_url.rstrip('/')}{links.intake_path(intake)}"


def intake_link_for(*, appointment, base_url="", actor=None, ip=None) -> str:
    """The patient's link to the visit's intake form (absolute if `base_url` is given), creating the form."""
    intake = intake_start(appointment=appointment, actor=actor, ip=ip)
    return f"{base_url.rstrip('/')}{links.intake_path(intake)}"


@transaction.atomic
def intake_send(*, patient, base_url, actor=None, ip=None) -> IntakeForm:
    """Create the form for the patient's next visit needing one and send them its link (intake_invited)."""
    if not patient.email:
        raise IntakeError("Add the patient's email address first, or use Fill in clinic.")
    appointment = selectors.next_appointment_needing_intake(patient=patient)
    if appointment is None:
        raise IntakeError("No upcoming visit of this patient needs an intake form.")
    intake = intake_start(appointment=appointment, actor=actor, ip=ip)
    link = f"{(base_url or settings.SITE_URL).rstrip('/')}{links.intake_path(intake)}"
    signals.intake_invited.send(sender=IntakeForm, appointment=appointment, link=link)
    return intake


def _first_unsaved(answers) -> str:
    return next((step for step in INTAKE_STEPS if step not in answers), INTAKE_STEPS[-1])


@transaction.atomic
def intake_save_step(*, intake, step, answers, signature: bytes | None = None, actor=None, ip=None) -> IntakeForm:
    """Save one step's (already validated) answers as a draft; the form resumes at the first unsaved step.

    On the consent step, `signature` is the drawn signature's PNG (ConsentForm.drawn_png), kept with the form
    when the patient chose to draw and removed when they chose to type instead."""
    if step not in INTAKE_STEPS:
        raise ValueError(f"unknown intake step {step!r}")
    _lock(intake)
    if intake.is_submitted:
        raise AlreadySubmitted()
    if step == "consent":
        _keep_signature(intake, drawn=answers.get("signature_method") == questionnaire.DRAWN, png=signature,
                        actor=actor, ip=ip)
    intake.answers = {**intake.answers, step: answers}
    intake.step_drafts = {key: value for key, value in intake.step_drafts.items() if key != step}
    intake.current_step = _first_unsaved(intake.answers)
    intake.status = IntakeForm.Status.IN_PROGRESS
    with acting_as(actor, ip):
        intake.save(update_fields=["answers", "step_drafts", "current_step", "status", "updated_at"])
    return intake


def _keep_signature(intake, *, drawn, png, actor, ip):
    with acting_as(actor, ip):
        if not drawn:
            for old in IntakeSignature.objects.filter(intake=intake):
                old.delete()
            return
        if not png:
            raise ValueError("a drawn signature needs its PNG")
        IntakeSignature.objects.update_or_create(intake=intake, defaults={"png": png, "drawn_at": timezone.now()})


@transaction.atomic
def intake_save_draft(*, intake, step, data, actor=None, ip=None) -> IntakeForm:
    """Keep what the patient entered on a step that did not pass its checks (for example the body map's marks
    when another question is still empty), so it is there when they come back; the step's answers stay as
    they were until it is saved whole."""
    if step not in INTAKE_STEPS:
        raise ValueError(f"unknown intake step {step!r}")
    _lock(intake)
    if intake.is_submitted:
        raise AlreadySubmitted()
    intake.step_drafts = {key: value for key, value in intake.step_drafts.items() if key != step}
    if data:  # nothing entered: nothing to keep
        intake.step_drafts[step] = data
    fields = ["step_drafts", "updated_at"]
    if intake.status == IntakeForm.Status.NOT_STARTED:
        intake.status = IntakeForm.Status.IN_PROGRESS
        fields.append("status")
    with acting_as(actor, ip):
        intake.save(update_fields=fields)
    return intake


def _visit_day(intake, now):
    if intake.appointment_id:
        return timezone.localtime(intake.appointment.start_at, intake.appointment.local_tz).date()
    return timezone.localtime(now).date()


def _loaded_score(row, values, common) -> OutcomeScore:
    """The score of a loaded instrument's answers. Demo wording is scored for the demo's plots but never banded:
    its number is not that instrument's score."""
    instrument = row.parsed
    if instrument.rule.name == "odi":
        result = scoring.odi_score(values)
        value, band = Decimal(str(result.percent)), result.band
        details = {"points": result.points, "sections_answered": result.sections_answered,
                   "low_confidence": result.low_confidence}
    else:
        total = scoring.sum_score(values, {item.key: tuple(o.value for o in item.options) for item in instrument.items})
        value = Decimal(total)
        band = scoring.band_for(total, [(b.up_to, b.label) for b in instrument.rule.bands])
        details = {"items_answered": len(values)}
    return OutcomeScore(instrument=row.code, instrument_version=row.version, definition=row,
                        demo_wording=row.demo_wording, value=value, band="" if row.demo_wording else band,
                        details=details, **common)


def _scores(intake, forms_by_step, answers, versions, now):
    outcomes, complaint = forms_by_step["outcomes"], answers["complaint"]
    activities = outcomes.psfs_answers(answers["outcomes"])
    psfs = scoring.psfs_score([a["rating"] for a in activities])
    common = {"patient_id": intake.patient_id, "appointment_id": intake.appointment_id, "intake": intake,
              "recorded_at": now}
    return [
        *(_loaded_score(row, values, common) for row, values in outcomes.instrument_answers(answers["outcomes"])),
        OutcomeScore(
            instrument="nprs", instrument_version=versions["nprs"], value=Decimal(complaint["pain_now"]),
            band=scoring.nprs_band(complaint["pain_now"]),
            details={"best": complaint["pain_best"], "worst": complaint["pain_worst"]}, **common,
        ),
        OutcomeScore(
            instrument="psfs", instrument_version=versions["psfs"], value=Decimal(str(psfs.mean)), band="",
            details={"activities": activities, "few_activities": psfs.few_activities}, **common,
        ),
    ]


def screen_red_flags(*, answers, age) -> list[rules.RedFlag]:
    """The red flags in a submitted form's answers (the screen, plus osteoporosis from the history)."""
    return rules.red_flags(selectors.red_flag_answers(answers), age=age)


def red_flag_alert_raise(*, patient, flags, source, appointment_id=None, intake=None, now=None) -> RedFlagAlert | None:
    """Raise an alert for `flags` (intake.rules.red_flags) if they call for one: to the chart, the calendar entry
    and the clinician (red_flag_raised: the notifications outbox emails them). Context alone raises none.

    The one place alerts are made, for the intake, the exam and the follow-up re-screen alike; called inside
    the caller's transaction, so the alert and its email commit with what raised it."""
    urgency = rules.alerting(flags)
    if urgency is None:
        return None
    alert = RedFlagAlert.objects.create(
        patient=patient, appointment_id=appointment_id, intake=intake, urgency=urgency, source=source,
        raised_at=now or timezone.now(), flags=[rules.as_stored(f) for f in flags],
    )
    signals.red_flag_raised.send(sender=RedFlagAlert, alert=alert)
    return alert


@transaction.atomic
def intake_submit(*, intake, actor=None, ip=None) -> IntakeForm:
    """Complete the form: check every answer and the signature, store scores, raise red-flag alerts.

    Raises IntakeIncomplete ({step: {field: [messages]}}) or AlreadySubmitted. The patient's record
    takes the contact details they confirmed, and their consents are recorded with the signature.
    """
    _lock(intake)
    if intake.is_submitted:
        raise AlreadySubmitted()
    patient = intake.patient
    forms_by_step, errors = questionnaire.validate_all(intake.answers, patient=patient, visit=intake.appointment,
                                                       drawn_signature=selectors.drawn_signature_png(
                                                           intake_id=intake.pk))
    if errors:
        raise IntakeIncomplete(errors)
    answers = {step: form.to_answers() for step, form in forms_by_step.items()}
    now = timezone.now()
    consent = answers["consent"]

    history = answers["history"]
    contact_fields = forms_by_step["contact"].patient_fields(answers["contact"])
    if history.get("occupation"):
        contact_fields["occupation"] = history["occupation"]
    if history.get("sports"):
        contact_fields["sport_activity"] = history["sports"][:200]
    try:
        patient_services.patient_update(patient=patient, actor=actor, ip=ip, **contact_fields)
    except ValidationError as exc:
        raise IntakeIncomplete({"contact": exc.message_dict}) from None
    kinds = [Consent.Kind.TREATMENT, Consent.Kind.PRIVACY]
    if consent.get("consent_telehealth"):
        kinds.append(Consent.Kind.TELEHEALTH)
    if contact_fields.get("reminder_sms_consent"):
        kinds.append(Consent.Kind.SMS)  # the explicit opt-in, signed with the form
    for kind in kinds:
        patient_services.consent_record(patient=patient, kind=kind, signed_name=consent["signed_name"], actor=actor,
                                        ip=ip)

    versions = {"nprs": instruments.NPRS.version, "psfs": instruments.PSFS.version,
                **{row.code: row.version for row in forms_by_step["outcomes"].loaded}}
    with acting_as(actor, ip):
        intake.answers = answers
        intake.step_drafts = {}  # only what was sent stays
        intake.status = IntakeForm.Status.SUBMITTED
        intake.current_step = INTAKE_STEPS[-1]
        intake.submitted_at = now
        intake.signed_name = consent["signed_name"]
        intake.signed_at = now
        intake.signed_ip = ip
        intake.instrument_versions = versions
        intake.save()
        for score in _scores(intake, forms_by_step, answers, versions, now):
            score.save()

        flags = screen_red_flags(answers=answers, age=patient.age_on(_visit_day(intake, now)))
        red_flag_alert_raise(patient=patient, appointment_id=intake.appointment_id, intake=intake, flags=flags,
                             source=RedFlagAlert.Source.INTAKE, now=now)

        if intake.appointment_id:
            appointment = intake.appointment
            appointment.intake_completed_at = now
            appointment.save(update_fields=["intake_completed_at", "updated_at"])
        # One intake per episode: the patient's other visits of the next 30 days have theirs too.
        for visit in selectors.visits_in_episode_of(intake=intake, now=now):
            visit.intake_completed_at = now
            visit.save(update_fields=["intake_completed_at", "updated_at"])
    # The patient may have chosen other reminder channels: the outbox plans their visits' reminders again.
    signals.intake_submitted.send(sender=IntakeForm, intake=intake)
    return intake


# A copy is asked for from the thank-you page: a few are plenty, and the link must not become a way to fill
# the patient's mailbox.
COPIES_PER_FORM = 3


@transaction.atomic
def intake_copy_send(*, intake, base_url="", ip=None) -> str:
    """Email the patient (at the address on their record) a signed link to a copy of their submitted answers.

    The email carries the link, never the answers: email is not a private channel for health details, and a
    link expires (links.COPY_MAX_AGE). Returns the address it goes to; raises IntakeError when it cannot go.
    """
    _lock(intake)
    if not intake.is_submitted:
        raise IntakeError(gettext("Submit the form first; then we can email you a copy."))
    email = intake.patient.email
    if not email:
        raise IntakeError(gettext("We have no email address for you. Print your answers instead, or ask us for a "
                                  "copy at your visit."))
    sent = intake.copies_emailed
    if sent >= COPIES_PER_FORM:
        raise IntakeError(gettext("We have already emailed you %(count)s copies. Please look for them in your inbox, "
                                  "or print your answers instead.") % {"count": sent})
    IntakeForm.objects.filter(pk=intake.pk).update(copies_emailed=sent + 1)
    intake.copies_emailed = sent + 1
    link = f"{(base_url or settings.SITE_URL).rstrip('/')}{links.copy_path(intake)}"
    log.info("Intake %s: copy %s emailed (from %s)", intake.pk, sent + 1, ip or "unknown address")
    signals.intake_copy_requested.send(sender=IntakeForm, intake=intake, link=link, number=sent + 1)
    return email


@transaction.atomic
def red_flag_acknowledge(*, alert, actor, ip=None) -> RedFlagAlert:
    """Record that a clinician has seen and acted on the alert (once; later clicks change nothing)."""
    locked = RedFlagAlert.objects.select_for_update().get(pk=alert.pk)
    if locked.acknowledged_at is None:
        locked.acknowledged_by = actor
        locked.acknowledged_at = timezone.now()
        with acting_as(actor, ip):
            locked.save(update_fields=["acknowledged_by", "acknowledged_at"])
    return locked


def visit_scores_record(*, patient_id, appointment_id, exam_id, scores, recorded_at, actor=None) -> None:
    """Make the outcome scores recorded at a visit's exam (`exam_id`) match `scores`,
    {instrument: (value, instrument version, band, details, demo wording)}: add, change or remove one row per instrument.

    Called by exams inside its own transaction; the rows feed the progress plots beside the intake's."""
    existing = {
        s.instrument: s
        for s in OutcomeScore.objects.filter(patient_id=patient_id, intake__isnull=True, details__exam_id=exam_id)
    }
    with acting_as(actor):
        for instrument, row in existing.items():
            if instrument not in scores:
                row.delete()
        for instrument, (value, version, band, details, demo) in scores.items():
            details = {"exam_id": exam_id, "source": "exam", **details}
            row = existing.get(instrument) or OutcomeScore(patient_id=patient_id, instrument=instrument, intake=None)
            changed = (row.value, row.instrument_version, row.band, row.details, row.recorded_at, row.appointment_id,
                       row.demo_wording) != (value, version, band, details, recorded_at, appointment_id, demo)
            if row.pk is None or changed:
                row.value, row.instrument_version, row.band, row.details = value, version, band, details
                row.demo_wording = demo
                row.recorded_at, row.appointment_id = recorded_at, appointment_id
                row.save()


# --- Instruments loaded from definition files ------------------------------------------------------------------


class InstrumentFileInvalid(IntakeError):
    """The file cannot be loaded; `problems` are intake.instruments.Problem, each with its line."""

    def __init__(self, problems):
        super().__init__(gettext("The instrument file was not loaded: fix the lines below and load it again."))
        self.problems = problems


def _version_taken(row, content):
    text = content.decode("utf-8-sig", "replace") if isinstance(content, bytes) else content
    line = next((n for n, words in enumerate(text.splitlines(), start=1) if words.startswith("version:")), None)
    return InstrumentFileInvalid([instruments.Problem(line, gettext(
        "Version %(version)s of %(code)s is already loaded with different wording or scoring (on %(day)s). Give "
        "this file a new version: answers already given must keep pointing at the wording they were given on."
    ) % {"version": row.version, "code": row.code, "day": f"{timezone.localtime(row.loaded_at):%b %d, %Y}"})])


@transaction.atomic
def instrument_load(*, content: str | bytes, source_name: str = "", actor=None, ip=None) -> Instrument:
    """Read an instrument file and put it in force: the intake asks it from now on, and the code's previous
    version stops being asked (its answers keep their version). Loading the same version again with the same
    content only puts it back in force. Raises InstrumentFileInvalid with every problem and its line."""
    try:
        parsed = instruments.read_definition(content)
    except instruments.DefinitionError as exc:
        raise InstrumentFileInvalid(exc.problems) from None
    definition = instruments.to_stored(parsed)
    existing = Instrument.objects.select_for_update().filter(code=parsed.key, version=parsed.version).first()
    if existing is not None and existing.definition != definition:
        raise _version_taken(existing, content)
    with acting_as(actor, ip):
        for other in Instrument.objects.select_for_update().filter(code=parsed.key, active=True):
            if existing is None or other.pk != existing.pk:
                other.active = False
                other.save(update_fields=["active"])
        if existing is not None:
            if not existing.active:
                existing.active = True
                existing.save(update_fields=["active"])
            return existing
        return Instrument.objects.create(
            code=parsed.key, version=parsed.version, title=parsed.name, copyright_notice=parsed.copyright,
            demo_wording=parsed.demo_wording, definition=definition, source_name=source_name[:200],
            loaded_by=actor if getattr(actor, "pk", None) else None, active=True,
        )


@transaction.atomic
def instrument_set_active(*, instrument: Instrument, active: bool, actor=None, ip=None) -> Instrument:
    """Put a loaded version in force (the code's other version stops being asked) or take it out of the intake."""
    row = Instrument.objects.select_for_update().get(pk=instrument.pk)
    with acting_as(actor, ip):
        if active:
            for other in Instrument.objects.select_for_update().filter(code=row.code, active=True).exclude(pk=row.pk):
                other.active = False
                other.save(update_fields=["active"])
        if row.active != active:
            row.active = active
            row.save(update_fields=["active"])
    return row
