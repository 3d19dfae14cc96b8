"""The demo's patients with a history, so a visitor can judge the clinical pages: each had a first visit some
weeks ago with a submitted intake (two with red flags) and a signed exam, then follow-ups whose signed exams
record pain and disability falling (one getting worse) and a red-flag re-screen, and has a visit coming up. Written through the same
services as the pages (intake steps validated and submitted, exams saved and signed), so every score, band
and alert is what the app would compute. The project package holds it because it uses every app."""

import datetime
import random
from datetime import UTC, timedelta
from pathlib import Path
from zoneinfo import ZoneInfo

from django.conf import settings
from django.db.models import Count, Exists, OuterRef
from django.utils import timezone

from exams import demo as exam_demo
from exams import services as exam_services
from exams.forms import SECTION_FORMS
from exams.models import RedFlagScreen
from intake import questionnaire, signatures
from intake import services as intake_services
from intake.instruments import ODI_KEYS
from intake.models import INTAKE_STEPS, IntakeForm, OutcomeScore, RedFlagAlert
from intake.questionnaire import RED_FLAG_QUESTIONS
from scheduling.models import Appointment, Modality, Room, VisitType

# working diagnoses with their sides, the painful side, where it is felt ({region: [kinds]}), NPRS at each visit
# (first = intake), red flags ticked on the intake. (The red flags show the product decisions: no improvement after a
# month alerts with age 50 or over, the first patient's, and not alone, the third's; pain not eased by rest alone is
# context.)
STORIES = [
    ((("piriformis_syndrome", "right"), ("hamstring_tendinopathy", "right")), "right",
     {"back_buttock_right": ["pain"], "back_back_thigh_right": ["pain", "tingling"]}, [7, 6, 5, 4, 3, 2],
     ["no_improvement_1_month"]),
    ((("deep_gluteal_syndrome", "left"),), "left",
     {"back_buttock_left": ["pain"], "back_back_thigh_left": ["tingling"]}, [8, 7, 6, 5, 4, 3], []),
    ((("si_joint_dysfunction", "right"), ("gluteal_tendinopathy", "right")), "right",
     {"back_si_area_right": ["pain"], "front_groin_right": ["pain"]}, [6, 6, 5, 3, 3, 2],
     ["no_improvement_1_month"]),
    ((("sciatica", "left"),), "left",
     {"back_buttock_left": ["pain"], "back_calf_left": ["tingling", "numbness"], "front_foot_left": ["numbness"]},
     [8, 8, 7, 7, 6, 5], ["saddle_numbness"]),
    ((("lumbar_disc", "both"), ("stenosis_with_claudication", "")), "both",
     {"back_lower_back_left": ["pain"], "back_lower_back_right": ["pain"]}, [5, 6, 7, 7, 8, 8], []),
    ((("trauma", "left"), ("coccydynia", "")), "left", {"back_buttock_left": ["pain"]}, [9, 7, 5, 4, 2, 1],
     ["pain_not_eased_by_rest"]),
]
# What the first exam of a story records in the special tests (the suggestions then show their rules).
STORY_TESTS = {
    "piriformis_syndrome": {"active_piriformis_right": "positive", "bent_knee_stretch_right": "positive",
                            "tender_ischial_tuberosity_right": "positive", "slr_right": "negative"},
    "si_joint_dysfunction": {"centralisation": "negative", "distraction": "positive", "thigh_thrust_right": "positive",
                             "compression": "negative", "sacral_thrust": "negative", "gaenslen_left": "negative",
                             "gaenslen_right": "positive", "single_leg_stance_right": "positive"},
    "sciatica": {"slr_left": "positive", "crossed_slr_left": "negative", "slump_left": "positive"},
}
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


# A signature drawn in the consent step's box (a canvas's PNG): the first story patient signs by drawing.
DRAWN_SIGNATURE = Path(__file__).with_name("demo_files") / "signature.png"


def _submit_intake(appointment, answers, *, drawn=False):
    intake = intake_services.intake_start(appointment=appointment)
    if drawn:
        answers["consent"].update(signature_method=questionnaire.DRAWN,
                                  signature_drawing=signatures.data_url(DRAWN_SIGNATURE.read_bytes()))
    for step in INTAKE_STEPS:
        form = questionnaire.step_form(
            step, patient=appointment.patient, data=questionnaire.STEP_FORMS[step].to_data(answers[step]))
        if not form.is_valid():
            raise ValueError(f"demo intake step {step}: {form.errors.as_text()}")
        intake = intake_services.intake_save_step(intake=intake, step=step, answers=form.to_answers(),
                                                  signature=getattr(form, "drawn_png", None))
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
        raise ValueError(f"demo exam section {section}: {dict(form.errors)}")
    findings = form.to_findings()
    return exam_services.exam_save_section(exam=exam, section=section, data=findings, actor=actor,
                                           revision=exam.revision_of(section))


def _assessment(diagnoses, note):
    """The assessment section as the page posts it: one row per working diagnosis (the first is primary)."""
    data = {"dx-TOTAL_FORMS": str(len(diagnoses)), "dx-INITIAL_FORMS": "0", "assessment_notes": note}
    for n, (key, side) in enumerate(diagnoses):
        data.update({f"dx-{n}-diagnosis": key, f"dx-{n}-side": side, f"dx-{n}-primary": "on" if n == 0 else ""})
        if key == "trauma":
            data[f"dx-{n}-note"] = "Fall on the stairs onto the left buttock (synthetic)"
    return data


# The graded neuro screen of the sciatica story's first exam: an L5 picture on the left, one level, one side (no
# alert); every other root normal. Form field names: exams.forms.NeuroForm.
_L5_LEFT = {
    **{f"m__{m}__{side}": 5 for m in ("hip_flexion", "knee_extension", "ankle_dorsiflexion", "great_toe_extension",
                                      "ankle_plantarflexion") for side in ("left", "right")},
    **{f"r__{r}__{side}": 2 for r in ("patellar", "medial_hamstring", "achilles") for side in ("left", "right")},
    **{f"d__{d}__{side}": "normal" for d in ("L2", "L3", "L4", "L5", "S1", "S2") for side in ("left", "right")},
    "m__great_toe_extension__left": 4, "m__ankle_dorsiflexion__left": 4, "r__medial_hamstring__left": 1,
    "d__L5__left": "reduced", "q__heel_walk__left": "difficult", "saddle_sensation": "normal",
    **{f"u__{u}__{side}": "absent" for u in ("babinski", "clonus") for side in ("left", "right")},
    "notes": "Synthetic demo findings.",
}


def _signed_exam(appointment, clinician, diagnoses, pain, visit=0, tests=None):
    first = visit == 0
    exam, _ = exam_services.exam_start(appointment=appointment, clinician=clinician, actor=clinician.user)
    for section, data in exam_demo.findings(visit).items():  # walking and running gait, hip rotation prone
        exam = _save(exam, section, data, clinician.user)
    if tests:
        exam = _save(exam, "special_tests", tests, clinician.user)
    odi = min(5, max(0, pain // 2))
    exam = _save(exam, "scores", {"nprs": pain, **{f"odi_{key}": odi for key in ODI_KEYS}},
                 clinician.user)
    if first and diagnoses[0][0] == "sciatica":
        exam = _save(exam, "neuro", _L5_LEFT, clinician.user)
    elif not first:  # red flags are re-screened at every follow-up: nothing new (exams.red_flag_screen)
        screen = exam_services.red_flag_screen_record(patient=appointment.patient, appointment=appointment, exam=exam,
                                                      answers={}, none_apply=True, actor=clinician.user)
        RedFlagScreen.objects.filter(pk=screen.pk).update(screened_at=appointment.start_at + timedelta(minutes=5))
    exam = _save(exam, "assessment", _assessment(diagnoses, "Synthetic demo note."), clinician.user)
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
        diagnoses, side, body_map, pains, flags = story
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
                _submit_intake(appointment, _answers(patient, side, body_map, pain, flags), drawn=n == 0)
            tests = STORY_TESTS.get(diagnoses[0][0]) if visit == 0 else None
            _signed_exam(appointment, clinician, diagnoses, pain, visit, tests)
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
