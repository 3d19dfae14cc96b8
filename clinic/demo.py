"""The demo's patients with a history, so a visitor can judge the clinical pages: each had a first visit some
weeks ago with a submitted intake (two with red flags) and a signed exam, then follow-ups whose signed exams
record pain and disability falling (one getting worse), and has a visit coming up. Written through the same
services as the pages (intake steps validated and submitted, exams saved and signed), so every score, band
and alert is what the app would compute. The project package holds it because it uses every app."""

import datetime
import random
from datetime import UTC, timedelta
from zoneinfo import ZoneInfo

from django.conf import settings
from django.db.models import Count, Exists, OuterRef
from django.utils import timezone

from exams import services as exam_services
from exams.forms import SECTION_FORMS
from intake import questionnaire
from intake import services as intake_services
from intake.instruments import ODI_KEYS
from intake.models import INTAKE_STEPS, IntakeForm, OutcomeScore, RedFlagAlert
from intake.questionnaire import RED_FLAG_QUESTIONS
from scheduling.models import Appointment, Modality, Room, VisitType

# diagnosis, side, where it hurts, NPRS at each visit (first = intake), red flags ticked on the intake
STORIES = [
    ("piriformis_syndrome", "right", {"back_buttock_right": "pain"}, [7, 6, 5, 4, 3, 2], []),
    ("deep_gluteal_syndrome", "left", {"back_buttock_left": "pain", "back_back_thigh_left": "tingling"},
     [8, 7, 6, 5, 4, 3], []),
    ("si_joint_dysfunction", "right", {"back_si_area_right": "pain"}, [6, 6, 5, 3, 3, 2], []),
    ("sciatica", "left", {"back_buttock_left": "pain", "back_calf_left": "numbness"}, [8, 8, 7, 7, 6, 5],
     ["saddle_numbness"]),
    ("lumbar_disc", "both", {"back_lower_back_left": "pain", "back_lower_back_right": "pain"}, [5, 6, 7, 7, 8, 8], []),
    ("trauma", "left", {"back_buttock_left": "pain"}, [9, 7, 5, 4, 2, 1], ["pain_not_eased_by_rest"]),
]
FOLLOW_UP_DAYS = [-42, -35, -28, -21, -14, -7]  # first visit, then weekly
VISIT_HOUR = 13  # early afternoon: the bulk schedule (seeded after) keeps clear of these times


def _weekday(day):
    while day.weekday() > 4:
        day += timedelta(days=1)
    return day


def _answers(patient, side, body_map, pain, flags):
    onset = timezone.localdate() - timedelta(days=70)
    return {
        "contact": {
            "email": patient.email, "mobile_phone": patient.mobile_phone, "address_line1": patient.address_line1,
            "address_line2": "", "city": patient.city, "state": patient.state, "postal_code": patient.postal_code,
            "emergency_contact_name": patient.emergency_contact_name,
            "emergency_contact_relationship": patient.emergency_contact_relationship,
            "emergency_contact_phone": patient.emergency_contact_phone, "has_insurance": True,
            "insurance_carrier": patient.insurance_carrier or "Aetna",
            "insurance_member_id": patient.insurance_member_id or "M100200300", "insurance_group_number": "",
            "reminder_channel": "both" if patient.reminder_sms_consent else "email",
            "sms_opt_in": patient.reminder_sms_consent,
        },
        "history": {
            "health_conditions": [], "other_conditions": "", "had_surgery": False, "takes_medication": False,
            "medications": "", "has_allergies": False, "prior_imaging": False, "prior_treatment": False,
            "activity_level": "very_active", "sports": patient.sport_activity or "Running",
            "occupation": patient.occupation or "Office work", "sitting_hours": 8,
        },
        "complaint": {
            "onset_date": onset.isoformat(), "onset_how": "sport", "onset_sport": patient.sport_activity or "Running",
            "side": side, "body_map": body_map, "symptoms": ["difficulty_sitting"], "leg_side": "",
            "leg_extent": "", "worse_with": ["sitting"], "sitting_minutes": 20, "eases": ["moving"],
            "pain_now": pain, "pain_best": max(pain - 3, 0), "pain_worst": min(pain + 2, 10),
        },
        "red_flags": {"none_apply": not flags, **{key: key in flags for key in RED_FLAG_QUESTIONS}, "notes": ""},
        "outcomes": {
            # The demo's instruments (intake.demo): ODI and LEFS on placeholder wording, marked demo wording.
            **{f"odi_{key}": min(5, max(0, pain // 2)) for key in ODI_KEYS},
            **{f"lefs_activity_{n}": max(0, min(4, 4 - pain // 3 + n % 2)) for n in range(1, 21)},
            "psfs_activity_1": "Running", "psfs_rating_1": max(0, 10 - pain),
            "psfs_activity_2": "Sitting through a workday", "psfs_rating_2": max(0, 9 - pain),
            "psfs_activity_3": "Climbing stairs", "psfs_rating_3": max(0, 11 - pain),
        },
        "goals": {"goals": "Run again without buttock pain", "target": "A 10 km race in the spring", "concerns": ""},
        "consent": {"consent_treatment": True, "privacy_ack": True, "answers_true": True,
                    "signed_name": patient.full_name},
    }


def _submit_intake(appointment, answers):
    intake = intake_services.intake_start(appointment=appointment)
    for step in INTAKE_STEPS:
        form = questionnaire.step_form(
            step, patient=appointment.patient, data=questionnaire.STEP_FORMS[step].to_data(answers[step]))
        if not form.is_valid():
            raise ValueError(f"demo intake step {step}: {form.errors.as_text()}")
        intake = intake_services.intake_save_step(intake=intake, step=step, answers=form.to_answers())
    intake = intake_services.intake_submit(intake=intake)
    # Filled in the evening before the first visit, weeks ago: the chart and the plots read it as then.
    when = appointment.start_at - timedelta(hours=16)
    IntakeForm.objects.filter(pk=intake.pk).update(submitted_at=when, signed_at=when, created_at=when)
    OutcomeScore.objects.filter(intake=intake).update(recorded_at=when)
    RedFlagAlert.objects.filter(intake=intake).update(raised_at=when)
    return intake


def _save(exam, section, data, actor):
    form = SECTION_FORMS[section](data, exam=exam)
    if not form.is_valid():
        raise ValueError(f"demo exam section {section}: {form.errors.as_text()}")
    findings = form.to_findings()
    return exam_services.exam_save_section(exam=exam, section=section, data=findings, actor=actor,
                                           revision=exam.revision_of(section))


def _signed_exam(appointment, clinician, diagnosis, pain):
    exam, _ = exam_services.exam_start(appointment=appointment, clinician=clinician, actor=clinician.user)
    odi = min(5, max(0, pain // 2))
    exam = _save(exam, "scores", {"nprs": pain, **{f"odi_{key}": odi for key in ODI_KEYS}},
                 clinician.user)
    exam = _save(exam, "assessment", {"working_diagnosis": diagnosis, "icd10_code": "",
                                      "assessment_notes": "Synthetic demo note."}, clinician.user)
    return exam_services.exam_sign(exam=exam, actor=clinician.user)


def _place(where, day, start, end):
    """The clinician's location that weekday and its plainest room free then (the gait lab stays free for
    gait analyses)."""
    location = where[day.weekday()]
    busy = Appointment.objects.filter(room=OuterRef("pk"), start_at__lt=end, end_at__gt=start,
                                      status__in=Appointment.OCCUPYING)
    room = (Room.objects.filter(location=location, is_active=True).annotate(kit=Count("equipment"))
            .exclude(Exists(busy)).order_by("kit", "pk").first())
    return location, room


def seed_patient_stories(*, patients, clinicians, front_desk, seed=11):
    """The story patients' visits, intakes and exams; skipped when the first of them already has a visit."""
    if not patients or not clinicians or Appointment.objects.filter(patient=patients[0]).exists():
        return 0
    rng = random.Random(seed)
    tz = ZoneInfo(settings.TIME_ZONE)
    evaluation = VisitType.objects.get(name="Initial evaluation")
    follow_up = VisitType.objects.get(name="Follow-up")
    today = timezone.localdate()
    for n, (patient, story) in enumerate(zip(patients, STORIES, strict=False)):
        diagnosis, side, body_map, pains, flags = story
        clinician = clinicians[n % len(clinicians)]
        where = {h.weekday: h.location for h in clinician.working_hours.select_related("location")}
        for visit, (offset, pain) in enumerate(zip(FOLLOW_UP_DAYS, pains, strict=True)):
            day = _weekday(today + timedelta(days=offset))
            visit_type = evaluation if visit == 0 else follow_up
            start = datetime.datetime.combine(day, datetime.time(VISIT_HOUR + n % 3), tzinfo=tz).astimezone(UTC)
            location, room = _place(where, day, start, start + timedelta(minutes=visit_type.duration_minutes))
            appointment = Appointment.objects.create(
                patient=patient, clinician=clinician, visit_type=visit_type, modality=Modality.IN_OFFICE,
                location=location, room=room, start_at=start,
                end_at=start + timedelta(minutes=visit_type.duration_minutes),
                status=Appointment.Status.CHECKED_IN, source=Appointment.Source.FRONT_DESK,
                reason="Buttock pain" if visit == 0 else "Follow-up", vouched_by=front_desk,
            )
            if visit == 0:
                _submit_intake(appointment, _answers(patient, side, body_map, pain, flags))
            _signed_exam(appointment, clinician, diagnosis, pain)
            appointment.status = Appointment.Status.COMPLETED
            appointment.save(update_fields=["status"])
        upcoming = _weekday(today + timedelta(days=1 + rng.randrange(0, 5)))
        start = datetime.datetime.combine(upcoming, datetime.time(VISIT_HOUR + n % 3), tzinfo=tz).astimezone(UTC)
        location, room = _place(where, upcoming, start, start + timedelta(minutes=follow_up.duration_minutes))
        Appointment.objects.create(
            patient=patient, clinician=clinician, visit_type=follow_up, modality=Modality.IN_OFFICE,
            location=location, room=room, start_at=start, end_at=start + timedelta(minutes=follow_up.duration_minutes),
            status=Appointment.Status.BOOKED, source=Appointment.Source.FRONT_DESK, reason="Follow-up",
            vouched_by=front_desk,
        )
    return len(STORIES)
