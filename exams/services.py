"""Writes of the clinician's exam: start (prefilled from the intake), save a section, sign, addendum,
attach a file, book the plan's series. One transaction each; the audit trail records every write."""

from dataclasses import asdict, replace
from datetime import datetime, timedelta
from decimal import Decimal

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import IntegrityError, transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from clinic.audit import acting_as
from intake import reported, scoring, vocabulary
from intake import rules as intake_rules
from intake import selectors as intake_selectors
from intake import services as intake_services
from intake.instruments import NPRS, ODI_KEYS, PSFS, is_demo_version
from intake.models import RedFlagAlert
from patients import services as patient_services
from patients.models import PatientDocument
from scheduling import services as scheduling_services
from scheduling.models import Appointment, Modality

from . import diagnoses, rules
from . import selectors as exam_selectors
from .forms import SECTION_FORMS
from .models import Exam, ExamAddendum, ExamAttachment, RedFlagScreen, WorkingDiagnosis

LOCKED_MESSAGE = "This exam is signed and can no longer be changed. Add an addendum to correct or add to it."


class ExamLocked(Exception):
    """The exam is signed: it is never edited in place."""

    def __init__(self, message=LOCKED_MESSAGE):
        super().__init__(message)
        self.message = message


REVISION_MISSING = (
    "Not saved: the form did not say which version of this section you started from, so saving could replace "
    "a colleague's newer work. Your changes are still in the form: copy what you need, then reload the page."
)


class ExamConflict(Exception):
    """Someone saved this section after the editor opened it: saving would silently overwrite their work."""

    def __init__(self, *, section, by, at):
        title = SECTION_FORMS[section].title
        when = f" at {timezone.localtime(datetime.fromisoformat(at)):%-I:%M %p}" if at else ""
        self.message = (
            f"Not saved: {by or 'someone'} saved {title}{when} after you opened this exam. Your changes are "
            "still in the form: copy what you need, then reload the page to see their version."
        )
        super().__init__(self.message)


# --- Start, prefilled from the intake ------------------------------------------------------------------

# Where the intake form (intake/questionnaire.py) keeps the answers the exam starts from.
_ONSET_KEYS = ("onset_how", "onset_mechanism")
_SIDE_KEYS = ("side",)
_PAIN_KEYS = ("pain_now", "pain_best", "pain_worst")


def _answer(answers, keys, step=None):
    """The first of `keys` answered in the intake (in `step`, or in any step), or None."""
    steps = [answers.get(step) or {}] if step else [v for v in answers.values() if isinstance(v, dict)]
    for found in steps:
        for key in keys:
            if found.get(key) not in (None, "", [], {}):
                return found[key]
    return None


def prefill_history(intake):
    """The history section as the patient's intake answers it: onset, side, fracture risks, pain scores."""
    if intake is None:
        return {}
    answers = intake.answers or {}
    onset = _answer(answers, _ONSET_KEYS, "complaint")
    side = _answer(answers, _SIDE_KEYS, "complaint")
    details = [str(v) for v in (_answer(answers, ("onset_sport",), "complaint"),
                                _answer(answers, ("onset_details",), "complaint")) if v]
    conditions = _answer(answers, ("health_conditions",), "history") or []
    history = {
        "onset_mechanism": vocabulary.onset_code(onset),
        "onset_date": _answer(answers, ("onset_date",), "complaint"),
        "onset_notes": "; ".join(details)[:500],
        "side": vocabulary.side_code(side),
        "long_term_steroids": _answer(answers, ("long_term_steroids",), "red_flags") is True,
        "osteoporosis": "osteoporosis" in conditions,
    }
    scores = {s.instrument: float(s.value) for s in intake.scores.all()}
    pain = {key: value for key in _PAIN_KEYS if (value := _answer(answers, (key,), "complaint")) is not None}
    history["from_intake"] = {
        "intake_id": intake.pk,
        "submitted_at": intake.submitted_at.isoformat() if intake.submitted_at else None,
        "onset": onset if isinstance(onset, str) else None,
        "side": side if isinstance(side, str) else None,
        "pain": pain,
        "scores": scores,
    }
    return history


# An intake answered for another visit still gives today's scores when it is this recent (a visit moved, or
# booked twice in a week); older ones are history: the clinician measures again.
SCORES_FRESH_FOR = timedelta(days=14)


def prefill_scores(intake, appointment) -> dict:
    """The scores section as the patient's intake answered it (NPRS, each ODI section, PSFS), marked as from the
    intake; {} when there is no intake of this visit or a recent one."""
    if intake is None or intake.submitted_at is None:
        return {}
    if intake.appointment_id != appointment.pk and intake.submitted_at < appointment.start_at - SCORES_FRESH_FOR:
        return {}
    answered = reported.outcome_answers(intake)
    return {
        "nprs": answered["nprs"], "nprs_version": NPRS.version,
        "odi": answered["odi"], "odi_version": answered["odi_version"], "odi_demo_wording": answered["odi_demo_wording"],
        "psfs": answered["psfs"], "psfs_version": PSFS.version,
        "from_intake": answered,
    }


@transaction.atomic
def exam_start(*, appointment, clinician, actor=None) -> tuple[Exam, bool]:
    """Open the exam of a visit, creating it prefilled from the intake; returns (exam, created)."""
    existing = Exam.objects.filter(appointment=appointment).first()
    if existing:
        return existing, False
    if appointment.status in Appointment.CLOSED:
        raise ValidationError(f"This visit is {appointment.get_status_display().lower()}; no exam can be started.")
    previous = (
        Exam.objects.filter(patient_id=appointment.patient_id, signed_at__isnull=False)
        .order_by("-signed_at").only("pk").first()
    )
    intake = intake_selectors.submitted_intake_for(appointment=appointment)
    findings = {"history": prefill_history(intake)}
    if scores := prefill_scores(intake, appointment):
        findings["scores"] = scores
    exam = Exam(patient_id=appointment.patient_id, appointment=appointment, clinician=clinician, findings=findings)
    try:
        with transaction.atomic(), acting_as(actor):
            exam.save()
            # A follow-up starts from the last signed exam's working diagnoses, to confirm or change.
            for row in previous.diagnoses.all() if previous else ():
                WorkingDiagnosis(exam=exam, diagnosis=row.diagnosis, side=row.side, icd10_code=row.icd10_code,
                                 primary=row.primary, note=row.note, position=row.position).save()
    except IntegrityError:  # opened twice at once: the other request created it
        return Exam.objects.get(appointment=appointment), False
    return exam, True


# --- Save, sign, addenda ---------------------------------------------------------------------------------


def _locked_row(exam) -> Exam:
    row = Exam.objects.select_for_update(of=("self",)).select_related("patient", "appointment").get(pk=exam.pk)
    if row.is_signed:
        raise ExamLocked()
    return row


def _as_intake(scores, instrument) -> bool:
    """Whether the exam kept the patient's intake answers for `instrument` unchanged: the intake's stored score
    is then this visit's, and a second copy would draw a false repeat point on the plots."""
    from_intake = scores.get("from_intake") or {}
    if not from_intake:
        return False
    if instrument == "odi":
        odi = {key: value for key, value in (scores.get("odi") or {}).items() if value is not None}
        return odi == {key: value for key, value in (from_intake.get("odi") or {}).items() if value is not None}
    return scores.get(instrument) == from_intake.get(instrument)


def _sync_scores(exam, actor=None):
    """Store today's NPRS, ODI and PSFS as outcome scores of this exam (one per instrument), for the plots;
    not the ones kept as the patient's intake gave them (the intake's scores stand for those)."""
    scores = exam.findings.get("scores") or {}
    wanted = {}
    if scores.get("nprs") is not None and not _as_intake(scores, "nprs"):
        wanted["nprs"] = (Decimal(scores["nprs"]), NPRS.version, scoring.nprs_band(scores["nprs"]), {}, False)
    odi = {key: (scores.get("odi") or {}).get(key) for key in ODI_KEYS}
    if any(v is not None for v in odi.values()) and not _as_intake(scores, "odi"):
        result = scoring.odi_score(odi)
        details = {"sections": odi, "points": result.points, "sections_answered": result.sections_answered,
                   "low_confidence": result.low_confidence}
        # Demo wording is scored for the demo's plots but never banded: it is not an ODI score.
        demo = is_demo_version("odi", scores.get("odi_version") or "", scores.get("odi_demo_wording"))
        wanted["odi"] = (Decimal(str(result.percent)), scores.get("odi_version") or "", "" if demo else result.band,
                         details, demo)
    psfs = [row for row in scores.get("psfs") or [] if row.get("rating") is not None]
    if psfs and not _as_intake(scores, "psfs"):
        result = scoring.psfs_score([row["rating"] for row in psfs])
        wanted["psfs"] = (Decimal(str(result.mean)), PSFS.version, "",
                          {"activities": psfs, "few_activities": result.few_activities}, False)
    intake_services.visit_scores_record(
        patient_id=exam.patient_id, appointment_id=exam.appointment_id, exam_id=exam.pk, scores=wanted,
        recorded_at=exam.appointment.start_at if exam.appointment_id else exam.created_at, actor=actor,
    )


@transaction.atomic
def exam_save_section(*, exam, section, data, actor, revision: int) -> Exam:
    """Store one section of a draft exam; raise ExamLocked once it is signed.

    `revision` is the section's revision the editor started from (the page sends it; 0 before the first
    save): if the section was saved since, by a colleague or in another window, ExamConflict is raised
    instead of overwriting. It is required: a save that does not say is refused, never taken as the latest.
    """
    if section not in SECTION_FORMS:
        raise ValueError(f"unknown exam section '{section}'")
    if isinstance(revision, bool) or not isinstance(revision, int) or revision < 0:
        raise ValidationError({"revision": REVISION_MISSING})
    row = _locked_row(exam)
    if revision != row.revision_of(section):
        last = row.section_revisions.get(section, {})  # empty only if the page sent a revision never saved
        raise ExamConflict(section=section, by=last.get("by"), at=last.get("at"))
    row.section_revisions = {**row.section_revisions, section: {
        "revision": row.revision_of(section) + 1, "by": actor.get_full_name() or actor.email,
        "at": timezone.now().isoformat(),
    }}
    if section == "assessment":
        row.assessment_notes = data["assessment_notes"]
        fields = ["assessment_notes", "section_revisions", "updated_at"]
    else:
        row.findings = {**row.findings, section: data}
        fields = ["findings", "section_revisions", "updated_at"]
    with acting_as(actor):
        row.save(update_fields=fields)
        if section == "assessment":
            row.saved_diagnoses = _set_diagnoses(row, data["diagnoses"])
    if section == "scores":
        _sync_scores(row, actor)
    if section == "neuro":
        _raise_neuro_red_flags(row, actor)
    return row


def _diagnosis_errors(rows) -> list[str]:
    """What is wrong with a list of working diagnoses, in words (the form shows the same beside each field)."""
    problems = []
    for row in rows:
        for message in diagnoses.check(row["diagnosis"], row.get("side", ""), row.get("icd10_code", ""),
                                       row.get("note", "")).values():
            problems.append(message)
    if sum(bool(row.get("primary")) for row in rows) > 1:
        problems.append(_("Mark one diagnosis as the primary one."))
    return problems


def _set_diagnoses(exam, rows) -> list[WorkingDiagnosis]:
    """Make the exam's working diagnoses these rows (matched by id; the others removed), each coded from the table
    by its diagnosis and side; the first is primary when none is marked. Returns the rows saved, in order."""
    if problems := _diagnosis_errors(rows):
        raise ValidationError({"diagnoses": problems})
    rows = [dict(row) for row in rows]
    if rows and not any(row.get("primary") for row in rows):
        rows[0]["primary"] = True
    existing = {d.pk: d for d in exam.diagnoses.all()}
    kept = {row.get("id") for row in rows} & set(existing)
    for pk, old in existing.items():
        if pk not in kept:
            old.delete()
    saved = []
    for row in sorted(rows, key=lambda r: bool(r.get("primary"))):  # the old primary steps down first
        found = existing.get(row.get("id")) if row.get("id") in kept else None
        values = {"diagnosis": row["diagnosis"], "side": row.get("side", ""), "primary": bool(row.get("primary")),
                  "icd10_code": diagnoses.code_for(row["diagnosis"], row.get("side", ""), row.get("icd10_code", "")),
                  "note": row.get("note", ""), "position": row.get("position", len(saved))}
        target = found or WorkingDiagnosis(exam=exam)
        if found is None or any(getattr(found, k) != v for k, v in values.items()):
            for key, value in values.items():
                setattr(target, key, value)
            target.save()
        saved.append(target)
    return sorted(saved, key=lambda d: d.position)


def _raise_neuro_red_flags(exam, actor):
    """Alert what the neuro findings show (exams.rules.neuro_red_flags: saddle or anal tone, major weakness, a
    deficit at more than one level or on both sides), by the intake's rules, to the chart, calendar and clinician.
    Once per item: an autosave repeating the findings raises nothing new; a further item raises a new alert."""
    evidence = rules.neuro_red_flags(exam.findings.get("neuro"))
    flags = [f if f.note else replace(f, note="; ".join(evidence[f.item]))
             for f in intake_rules.red_flags(dict.fromkeys(evidence, True))]
    alerted = {flag.get("item") for flag in (exam.red_flag_alert.flags if exam.red_flag_alert_id else [])}
    if not {f.item for f in flags} - alerted:
        return
    alert = intake_services.red_flag_alert_raise(
        patient=exam.patient, appointment_id=exam.appointment_id, flags=flags, source=RedFlagAlert.Source.EXAM,
    )
    if alert is not None:
        exam.red_flag_alert = alert
        with acting_as(actor):
            exam.save(update_fields=["red_flag_alert", "updated_at"])


EARLY_REASON_MIN = 10


def early_sign_message(appointment):
    start = timezone.localtime(appointment.start_at)
    return _(
        "This visit starts at %(time)s on %(day)s. To sign the exam before then, say why (at least %(n)s characters): "
        "it is kept with the signed exam."
    ) % {"time": start.strftime("%I:%M %p").lstrip("0"), "day": f"{start:%a, %b} {start.day}", "n": EARLY_REASON_MIN}


@transaction.atomic
def exam_sign(*, exam, actor, early_reason: str = "") -> Exam:
    """Sign the exam: it is locked from then on. Only the exam's own clinician signs.

    Before the visit's start a typed reason is required (`early_reason`, stored and audited with the exam): a
    signed exam of a visit that has not happened says something that may not be true yet."""
    row = _locked_row(exam)
    if row.clinician.user_id != actor.pk:
        raise PermissionDenied("Only the clinician who wrote this exam can sign it.")
    early_reason = " ".join((early_reason or "").split())
    if row.signing_is_early():
        if len(early_reason) < EARLY_REASON_MIN:
            raise ValidationError({"early_sign_reason": early_sign_message(row.appointment)})
        row.early_sign_reason = early_reason[:1000]
    listed = [{"diagnosis": d.diagnosis, "side": d.side, "icd10_code": d.icd10_code, "note": d.note,
               "primary": d.primary} for d in row.diagnoses.all()]
    if not listed:
        raise ValidationError(_("Choose a working diagnosis in the assessment before signing."))
    if problems := _diagnosis_errors(listed):
        raise ValidationError(_("Complete the working diagnoses in the assessment before signing: %(what)s")
                              % {"what": " ".join(problems)})
    _sync_scores(row, actor)
    # What the rules suggested at signing stays with the signed record, even if the rules change later.
    row.findings = {
        **row.findings,
        "suggestions_at_signing": [asdict(s) for s in exam_selectors.exam_suggestions(row)],
    }
    row.signed_at, row.signed_by = timezone.now(), actor
    with acting_as(actor):
        row.save(update_fields=["findings", "signed_at", "signed_by", "early_sign_reason", "updated_at"])
    return row


@transaction.atomic
def exam_add_addendum(*, exam, author, text) -> ExamAddendum:
    """Add a correction or addition to a signed exam, with its author and time."""
    if not Exam.objects.filter(pk=exam.pk, signed_at__isnull=False).exists():
        raise ValidationError("This exam is still a draft: edit it directly. Addenda are for signed exams.")
    text = (text or "").strip()
    if not text:
        raise ValidationError("Write the correction or addition first.")
    addendum = ExamAddendum(exam_id=exam.pk, author=author, text=text)
    with acting_as(author):
        addendum.save()
    return addendum


# --- Attachments and the plan's visits ----------------------------------------------------------------------


@transaction.atomic
def exam_attach(*, exam, actor, kind, file, caption="", finding_id="", ip=None) -> ExamAttachment:
    """Attach a gait video/report or an ultrasound still (stored as a patient document) to a draft exam."""
    row = _locked_row(exam)
    title = caption or PatientDocument.Kind(kind).label
    document = patient_services.document_attach(
        patient=row.patient, kind=kind, title=title[:200], file=file, actor=actor, ip=ip, clinical=True
    )
    with acting_as(actor, ip):
        attachment = ExamAttachment.objects.create(exam=row, document=document, caption=caption[:200])
        if finding_id:
            rows = [dict(r) for r in row.findings.get("ultrasound") or []]
            for finding in rows:
                if finding.get("id") == finding_id:
                    finding["image_ids"] = [*finding.get("image_ids", []), attachment.pk]
            row.findings = {**row.findings, "ultrasound": rows}
            row.save(update_fields=["findings", "updated_at"])
    return attachment


def exam_book_plan_series(*, exam, actor, visit_type, first_start, weekdays, weeks):
    """Book the plan's visits with the exam's clinician; returns scheduling Occurrences (booked or conflicting)."""
    appointment = exam.appointment
    modality = appointment.modality if appointment else Modality.IN_OFFICE
    if not visit_type.offers(modality):
        modality = visit_type.modalities[0]
    location = None
    if modality == Modality.IN_OFFICE:
        location = appointment.location if appointment and appointment.location_id else exam.clinician.locations.first()
        if location is None:
            raise ValidationError("No clinic location to book in-office visits at.")
    starts = scheduling_services.series_occurrences(first_start=first_start, weekdays=weekdays, weeks=weeks)
    if not starts:
        raise ValidationError("Those weekdays and weeks give no visits.")
    visit_day = timezone.localtime(appointment.start_at if appointment else exam.created_at)
    return scheduling_services.series_book(
        patient=exam.patient, clinician=exam.clinician, visit_type=visit_type, modality=modality, location=location,
        starts=starts, actor=actor, reason=f"Treatment plan from the exam of {visit_day:%b} {visit_day.day}, {visit_day.year}",
    )


# --- The red-flag re-screen of a follow-up (exams.red_flag_screen) ------------------------------------------------


def _fracture_risks(patient, exam):
    """Osteoporosis and long-term steroids, as the exam's history or the patient's latest intake has them."""
    reported = intake_selectors.fracture_risks(patient.pk)
    history = (exam.findings.get("history") or {}) if exam else {}
    return {key: bool(history.get(key)) or reported[key] for key in ("osteoporosis", "long_term_steroids")}


@transaction.atomic
def red_flag_screen_record(*, patient, answers, none_apply=False, notes="", appointment=None, exam=None, actor,
                           ip=None) -> RedFlagScreen:
    """Record a re-screen (answers: {item: new or worsening}, exams.red_flag_screen.SCREEN_ITEMS) with who and when;
    list its flags by the intake's rules, with the patient's age on the visit's day and their fracture risks,
    and raise the same alert the intake would (intake.services.red_flag_alert_raise): emailed to the clinician."""
    from .red_flag_screen import SCREEN_ITEMS

    unknown = set(answers) - set(SCREEN_ITEMS)
    if unknown:
        raise ValidationError(f"Unknown red-flag items: {', '.join(sorted(unknown))}.")
    now = timezone.now()
    day = timezone.localtime(appointment.start_at if appointment else now).date()
    screened = {item: answers.get(item) is True for item in SCREEN_ITEMS}
    flags = intake_rules.red_flags({**screened, **_fracture_risks(patient, exam)}, age=patient.age_on(day))
    with acting_as(actor, ip):
        alert = intake_services.red_flag_alert_raise(
            patient=patient, appointment_id=appointment.pk if appointment else None, flags=flags,
            source=RedFlagAlert.Source.RESCREEN, now=now,
        )
        return RedFlagScreen.objects.create(
            patient=patient, appointment=appointment, exam=exam, answers=screened, none_apply=bool(none_apply),
            notes=(notes or "").strip()[:2000], flags=[intake_rules.as_stored(f) for f in flags],
            urgency=alert.urgency if alert else "", alert=alert, screened_by=actor, screened_at=now,
        )
