"""Pages of the clinician's exam: open from a visit, record section by section (autosaved), sign, addenda,
attachments and booking the plan's visits. Clinicians and admins only; the front desk never reads them."""

from dataclasses import asdict
from datetime import timedelta

from django.conf import settings
from django.contrib import messages
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import Http404, JsonResponse
from django.shortcuts import redirect, render
from django.template.loader import render_to_string
from django.urls import reverse
from django.utils import timezone
from django.utils.dateparse import parse_datetime
from django.utils.translation import gettext as _
from django.views.decorators.debug import sensitive_post_parameters
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from clinic import roles
from clinic.audit import record_view, request_ip
from clinic.permissions import staff_permission_required
from intake import reported, scoring
from intake import selectors as intake_selectors
from intake.instruments import NPRS, is_demo_version
from intake.rules import RED_FLAG_ITEMS
from patients import care
from scheduling import selectors as scheduling_selectors
from scheduling import services as scheduling_services
from scheduling.models import Appointment, Modality

from . import diagnoses, measures, report, rules, selectors, services
from .catalogue import TEST_GROUPS, US_REFERENCE, US_STRUCTURES
from .forms import (
    MUSCLES,
    SECTION_FORMS,
    SIDES,
    AddendumForm,
    AttachmentForm,
    BookSeriesForm,
    default_weekdays,
    legacy_neuro_rows,
    section_form,
    test_field_names,
)
from .models import Exam
from .views_red_flags import screen_context

VIEW = ("intake.view_clinical", "exams.view_exam")
WRITE = ("intake.view_clinical", "exams.change_exam")
FLAGGED_SECTIONS = ("gait", "mobility")


def _is_admin(user):
    return user.is_superuser or roles.ADMIN in user.role_names


def may_edit(user, exam):
    """A draft is edited by its clinician (or an admin); a signed exam by no one."""
    return (not exam.is_signed and user.has_perm("exams.change_exam")
            and (exam.clinician.user_id == user.pk or _is_admin(user)))


def may_sign(user, exam):
    return not exam.is_signed and user.has_perm("exams.change_exam") and exam.clinician.user_id == user.pk


def may_add_addendum(user, exam):
    return exam.is_signed and user.has_perm("exams.add_examaddendum")


def may_book(user, exam):
    return user.has_perm("exams.change_exam") and (exam.clinician.user_id == user.pk or _is_admin(user))


def _wants_json(request):
    return request.headers.get("X-Requested-With") == "fetch" or "application/json" in request.headers.get("Accept", "")


def _exam(pk, user):
    try:
        exam = selectors.exam_for_page(pk, viewer=user)
    except Exam.DoesNotExist:
        raise Http404("No exam with that number.") from None
    care.require(user, exam.patient, annotated=exam)
    return exam


def _detail_url(exam, anchor=""):
    return reverse("exam:detail", args=[exam.pk]) + (f"#{anchor}" if anchor else "")


def _local_time(moment):
    local = timezone.localtime(moment)
    return local.strftime("%I:%M %p").lstrip("0")


# --- Page context ------------------------------------------------------------------------------------------


def _suggestions_html(exam, request=None):
    return render_to_string(
        "exams/_suggestions.html", {"suggestions": selectors.shown_suggestions(exam), "exam": exam}, request
    )


def _scores_summary(exam):
    """Today's NPRS and ODI as scored (the same rules that store them as outcome scores)."""
    scores = exam.findings.get("scores") or {}
    odi = {key: value for key, value in (scores.get("odi") or {}).items()}
    summary = {"nprs": scores.get("nprs"), "odi": None, "psfs": None}
    if summary["nprs"] is not None:
        summary["nprs_band"] = scoring.nprs_band(summary["nprs"])
    if any(v is not None for v in odi.values()):
        summary["odi"] = scoring.odi_score(odi)
        # Demo wording is never presented (or banded) as an ODI score.
        summary["odi_demo"] = is_demo_version("odi", scores.get("odi_version") or "", scores.get("odi_demo_wording"))
    ratings = [row["rating"] for row in scores.get("psfs") or [] if row.get("rating") is not None]
    if ratings:
        summary["psfs"] = scoring.psfs_score(ratings[:5])
    return summary


def _reported(exam):
    """What the patient reported (their submitted intake) and the open red flags, for the top of the exam: two
    queries, however much they reported."""
    from_intake = (exam.findings.get("history") or {}).get("from_intake") or {}
    intake = intake_selectors.intake_for_exam(
        patient_id=exam.patient_id, appointment_id=exam.appointment_id, intake_id=from_intake.get("intake_id"),
    )
    # Every flag the intake's answers hold, context ones too, with the rule that raised or withheld the alert.
    intake_flags = [asdict(f) for f in intake_selectors.intake_red_flags(intake, age=selectors.visit_age(exam))] if (
        intake is not None) else []
    return {"reported": reported.reported(intake), "intake_red_flags": intake_flags,
            "red_flags": {"alerts": intake_selectors.open_red_flag_alerts(exam.patient_id)}}


def _neuro_red_flags(exam):
    """The red flags the neuro findings show now (exams.rules.neuro_red_flags) and the alert they raised."""
    alert = exam.red_flag_alert if exam.red_flag_alert_id else None
    alerted = {flag.get("item") for flag in (alert.flags if alert else [])}
    flags = [{"label": RED_FLAG_ITEMS[item][1], "evidence": evidence, "alerted": item in alerted,
              "emergency": RED_FLAG_ITEMS[item][0] == "cauda_equina"}
             for item, evidence in rules.neuro_red_flags(exam.findings.get("neuro")).items()]
    return {"flags": flags, "alert": alert}


def _fragments(exam, request):
    return {
        "suggestions": _suggestions_html(exam, request),
        "scores-summary": render_to_string("exams/_scores_summary.html", {"scores": _scores_summary(exam)}),
        "neuro-red-flags": render_to_string("exams/_neuro_red_flags.html", {"neuro_red_flags": _neuro_red_flags(exam)}),
    }


def _rows(form, names):
    return [form[name] for name in names]


def _dx_entry(form):
    """The table entry a diagnosis row shows beside its code (from what was typed, or what was stored)."""
    key = form["diagnosis"].value() or ""
    return diagnoses.DIAGNOSES.get(key)


def _dx_code_html(entry, code):
    return render_to_string("exams/_dx_code.html", {"entry": entry, "code": code}).strip()


def _dx_fragments(saved, rows):
    """Each diagnosis row's code line after a save (a cleared row's is emptied)."""
    by_position = {d.position: d for d in saved}
    return {f"dx-code-{i}": _dx_code_html(by_position[i].entry, by_position[i].icd10_code) if i in by_position else ""
            for i in range(rows)}


def _page_context(request, exam, *, bound=None, addendum_form=None, attachment_form=None, screen_form=None):
    user = request.user
    editable = may_edit(user, exam)
    forms = {section: section_form(section, exam) for section in SECTION_FORMS}
    forms.update(bound or {})
    flags = {section: selectors.section_flags(exam, section) for section in FLAGGED_SECTIONS}
    special = forms["special_tests"]
    neuro = forms["neuro"]
    strength = forms["strength"]
    attachments = list(exam.attachments.all())
    by_id = {a.pk: a for a in attachments}
    us_rows = []
    for row in exam.findings.get("ultrasound") or []:
        us_rows.append({**row, "images": [by_id[i] for i in row.get("image_ids", []) if i in by_id],
                        "reference": US_REFERENCE.get(row.get("structure"), "")})
    from_intake = (exam.findings.get("history") or {}).get("from_intake") or {}
    scores_from_intake = (exam.findings.get("scores") or {}).get("from_intake") or {}
    # The re-screen form sits on the draft its clinician edits; a signed exam lists the screens and links the page.
    screening = exam.appointment_id is not None and user.has_perm("exams.view_redflagscreen")
    may_screen = editable and user.has_perm("exams.add_redflagscreen")
    return {
        **_reported(exam),
        "may_screen": may_screen,
        "screen": screen_context(appointment=exam.appointment, patient=exam.patient, form=screen_form,
                                 next_url=_detail_url(exam, "red-flag-screen")) if screening else None,
        "scores_from_intake": scores_from_intake,
        "scores_intake_submitted": (parse_datetime(scores_from_intake["submitted_at"])
                                    if scores_from_intake.get("submitted_at") else None),
        "exam": exam,
        "toc": [("reported", _("What the patient reported"))]
        + ([("red-flag-screen", _("Red-flag re-screen"))] if screening else [])
        + [(section, form.title) for section, form in SECTION_FORMS.items()]
        + [("sign-off", _("Sign-off")), ("addenda", _("Addenda"))],
        "intake_submitted": parse_datetime(from_intake["submitted_at"]) if from_intake.get("submitted_at") else None,
        "scores": _scores_summary(exam),
        "patient": exam.patient,
        "appointment": exam.appointment,
        "editable": editable,
        "can_sign": may_sign(user, exam),
        "signing_early": not exam.is_signed and exam.signing_is_early(),
        "can_add_addendum": may_add_addendum(user, exam),
        "can_book": may_book(user, exam),
        "age": selectors.visit_age(exam),
        "visit_start": selectors.visit_start(exam),
        "forms": forms,
        "flags": flags,
        "gait_tables": measures.gait_tables(exam, forms["gait"], flags["gait"]),
        "gait_sex": measures.gait_sex(exam, forms["gait"]),
        "mobility_rows": measures.mobility_rows(exam, forms["mobility"], flags["mobility"]),
        "strength_rows": [
            (label, strength[f"{m}_left"], strength[f"{m}_right"]) for m, label in MUSCLES.items()
        ],
        "neuro_grids": {key: neuro.grid(key) for key in ("myotomes", "reflexes", "dermatomes", "quick_screens", "umn")},
        "neuro_legacy": legacy_neuro_rows(exam.findings.get("neuro")),
        "neuro_red_flags": _neuro_red_flags(exam),
        "test_groups": [
            (title, [(info, _rows(special, test_field_names(info))) for info in infos]) for title, infos in TEST_GROUPS
        ],
        "us_rows": us_rows,
        "us_structures": dict(US_STRUCTURES),
        "us_reference": US_REFERENCE,
        "gait_attachments": [a for a in attachments if a.document.kind == "gait"],
        "us_attachments": [a for a in attachments if a.document.kind == "ultrasound"],
        "suggestions": selectors.shown_suggestions(exam),
        "dx_rows": [(row, _dx_entry(row)) for row in forms["assessment"].formset],
        "dx_free_keys": " ".join(d.key for d in diagnoses.TABLE if d.free_code),
        "dx_source": diagnoses.CODE_SOURCE,
        "nprs": NPRS,
        "addenda": list(exam.addenda.all()),
        "addendum_form": addendum_form or AddendumForm(),
        "attachment_form": attachment_form or AttachmentForm(exam=exam),
        "sides": SIDES,
    }


# --- Open from the visit ---------------------------------------------------------------------------------------


@require_http_methods(["GET", "POST"])
@staff_permission_required(*VIEW)
def open_for_appointment(request, appointment_id):
    """Open the visit's exam; if there is none yet, offer to start it (the visit's clinician or an admin)."""
    try:
        appointment = scheduling_selectors.visit_for_exam(
            appointment_id, annotations=care.access_annotations(request.user, patient_field="patient_id")
        )
    except Appointment.DoesNotExist:
        raise Http404("No such visit.") from None
    care.require(request.user, appointment.patient, annotated=appointment)
    existing = Exam.objects.filter(appointment=appointment).values_list("pk", flat=True).first()
    if existing:
        return redirect("exam:detail", existing)
    user = request.user
    may_start = user.has_perm("exams.add_exam") and (appointment.clinician.user_id == user.pk or _is_admin(user))
    error = ""
    if request.method == "POST":
        if not may_start:
            raise PermissionDenied
        try:
            exam, _created = services.exam_start(appointment=appointment, clinician=appointment.clinician, actor=user)
        except ValidationError as exc:
            error = " ".join(exc.messages)
        else:
            return redirect("exam:detail", exam.pk)
    intake = intake_selectors.submitted_intake_for(appointment=appointment)
    context = {
        "appointment": appointment, "patient": appointment.patient, "may_start": may_start, "error": error,
        "intake": intake, "prefill": services.prefill_history(intake) if intake else {},
        "closed": appointment.status in Appointment.CLOSED,
    }
    return render(request, "exams/start.html", context, status=400 if error else 200)


# --- The exam page and its sections -----------------------------------------------------------------------------


@require_GET
@staff_permission_required(*VIEW)
def exam_detail(request, pk):
    exam = _exam(pk, request.user)
    record_view(instance=exam, actor=request.user, ip=request_ip(request))
    return render(request, "exams/exam.html", _page_context(request, exam))


@require_GET
@staff_permission_required(*VIEW)
def exam_report(request, pk):
    """The exam's printable report for a referrer or the patient: letterhead, only what was tested, the body map
    drawn, the signature block, and the norms' sources listed at the end (exams.report)."""
    exam = _exam(pk, request.user)
    record_view(instance=exam, actor=request.user, ip=request_ip(request), details={"shown": "report"})
    appointment = exam.appointment
    location = appointment.location if appointment and appointment.location_id else None
    if location is None:
        location = scheduling_selectors.clinician_home_location(exam.clinician_id)
    context = {
        **_reported(exam), "exam": exam, "patient": exam.patient, "appointment": appointment, "location": location,
        "clinician": exam.clinician, "clinic_name": settings.CLINIC_NAME, "visit_start": selectors.visit_start(exam),
        "age": selectors.visit_age(exam), "report": report.exam_report(exam), "addenda": list(exam.addenda.all()),
    }
    return render(request, "exams/report.html", context)


def _locked(request, exam):
    if _wants_json(request):
        return JsonResponse({"saved": False, "locked": True, "message": services.LOCKED_MESSAGE}, status=409)
    return render(request, "exams/locked.html", {"exam": exam, "message": services.LOCKED_MESSAGE}, status=409)


@sensitive_post_parameters()
@require_POST
@staff_permission_required(*WRITE)
def section_save(request, pk, section):
    """Save one section of a draft: JSON for the page's autosave, a redirect for a plain form post."""
    if section not in SECTION_FORMS:
        raise Http404("No such exam section.")
    exam = _exam(pk, request.user)
    if exam.is_signed:
        return _locked(request, exam)
    if not may_edit(request.user, exam):
        raise PermissionDenied
    form = section_form(section, exam, request.POST)
    revision = request.POST.get("revision", "").strip()
    # Without the revision it started from, a save could replace a colleague's newer one unseen.
    revision_ok = revision.isascii() and revision.isdigit() and len(revision) < 10
    if not form.is_valid() or not revision_ok:
        message = "Not saved: check the marked fields." if revision_ok else services.REVISION_MISSING
        if _wants_json(request):
            errors = {**form.errors, **({} if revision_ok else {"revision": [services.REVISION_MISSING]})}
            return JsonResponse({"saved": False, "message": message, "errors": errors}, status=400)
        messages.error(request, message)
        return render(request, "exams/exam.html", _page_context(request, exam, bound={section: form}), status=400)
    data = form.to_findings()
    try:
        exam = services.exam_save_section(exam=exam, section=section, data=data, actor=request.user,
                                          revision=int(revision))
    except services.ExamLocked:
        return _locked(request, exam)
    except services.ExamConflict as exc:
        if _wants_json(request):
            return JsonResponse({"saved": False, "conflict": True, "message": exc.message}, status=409)
        messages.error(request, exc.message)
        return render(request, "exams/exam.html", _page_context(request, exam, bound={section: form}), status=409)
    except ValidationError as exc:  # the service's own checks (the form runs the same ones first)
        message = " ".join(exc.messages)
        if _wants_json(request):
            return JsonResponse({"saved": False, "message": message, "errors": {"__all__": exc.messages}}, status=400)
        messages.error(request, message)
        return render(request, "exams/exam.html", _page_context(request, exam, bound={section: form}), status=400)
    if not _wants_json(request):
        messages.success(request, f"{SECTION_FORMS[section].title} saved.")
        return redirect(_detail_url(exam, section))
    payload = {"saved": True, "saved_at": _local_time(exam.updated_at), "section": section,
               "revision": exam.revision_of(section)}
    if section in FLAGGED_SECTIONS:
        payload["flags"] = measures.flag_payload(exam, section)
    payload["fragments"] = _fragments(exam, request)
    payload["values"] = getattr(form, "assigned", {})
    if section == "assessment":
        payload["values"] = form.values_after_save(exam.saved_diagnoses)
        payload["fragments"].update(_dx_fragments(exam.saved_diagnoses, len(form.formset.forms)))
    return JsonResponse(payload)


@require_POST
@staff_permission_required(*WRITE)
def exam_sign(request, pk):
    exam = _exam(pk, request.user)
    if exam.is_signed:
        return _locked(request, exam)
    reason = request.POST.get("early_sign_reason", "")
    try:
        services.exam_sign(exam=exam, actor=request.user, early_reason=reason)
    except services.ExamLocked:
        return _locked(request, exam)
    except ValidationError as exc:
        if hasattr(exc, "error_dict") and "early_sign_reason" in exc.error_dict:
            # Next to the field, with what was typed kept.
            context = _page_context(request, exam)
            context.update(early_sign_error=" ".join(exc.message_dict["early_sign_reason"]), early_sign_reason=reason)
            return render(request, "exams/exam.html", context, status=400)
        messages.error(request, " ".join(exc.messages))
        return redirect(_detail_url(exam, "sign-off"))
    messages.success(request, "Exam signed and locked. Add an addendum for any later correction.")
    return redirect(_detail_url(exam))


@require_POST
@staff_permission_required("intake.view_clinical", "exams.add_examaddendum")
def addendum_add(request, pk):
    exam = _exam(pk, request.user)
    form = AddendumForm(request.POST)
    if form.is_valid():
        try:
            services.exam_add_addendum(exam=exam, author=request.user, text=form.cleaned_data["text"])
        except ValidationError as exc:
            form.add_error("text", exc)
        else:
            messages.success(request, "Addendum added.")
            return redirect(_detail_url(exam, "addenda"))
    return render(request, "exams/exam.html", _page_context(request, exam, addendum_form=form), status=400)


@require_POST
@staff_permission_required(*WRITE, "patients.add_patientdocument")
def attachment_upload(request, pk):
    exam = _exam(pk, request.user)
    if exam.is_signed:
        return _locked(request, exam)
    if not may_edit(request.user, exam):
        raise PermissionDenied
    form = AttachmentForm(request.POST, request.FILES, exam=exam)
    if form.is_valid():
        data = form.cleaned_data
        try:
            services.exam_attach(
                exam=exam, actor=request.user, ip=request_ip(request), kind=data["kind"], file=data["file"],
                caption=data["caption"], finding_id=data["finding"],
            )
        except services.ExamLocked:
            return _locked(request, exam)
        except ValidationError as exc:
            form.add_error("file", exc)
        else:
            messages.success(request, "File attached.")
            return redirect(_detail_url(exam, "ultrasound" if data["kind"] == "ultrasound" else "gait"))
    return render(request, "exams/exam.html", _page_context(request, exam, attachment_form=form), status=400)


# --- Book the plan's visits -------------------------------------------------------------------------------------


def _series_initial(exam):
    plan = exam.findings.get("plan") or {}
    visit = timezone.localtime(selectors.visit_start(exam))
    first = visit + timedelta(days=7)
    while first <= timezone.now():
        first += timedelta(days=7)
    follow_up = scheduling_selectors.follow_up_visit_type()
    return {
        "visit_type": follow_up,
        "first_start": first.strftime("%Y-%m-%dT%H:%M"),
        "weekdays": default_weekdays(first.weekday(), plan.get("frequency_per_week")),
        "weeks": plan.get("weeks") or 6,
    }


@require_http_methods(["GET", "POST"])
@staff_permission_required(*WRITE)
def book_plan(request, pk):
    """Preview, then book, the plan's visits with the exam's clinician (conflicting times are skipped)."""
    exam = _exam(pk, request.user)
    if not may_book(request.user, exam):
        raise PermissionDenied
    form = BookSeriesForm(request.POST or None, initial=_series_initial(exam))
    preview, booked, conflicts = None, None, None
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        starts = scheduling_services.series_occurrences(
            first_start=data["first_start"], weekdays=data["weekdays"], weeks=data["weeks"]
        )
        if request.POST.get("action") == "book":
            try:
                results = services.exam_book_plan_series(
                    exam=exam, actor=request.user, visit_type=data["visit_type"], first_start=data["first_start"],
                    weekdays=data["weekdays"], weeks=data["weeks"],
                )
            except ValidationError as exc:
                form.add_error(None, exc)
            else:
                booked = [r for r in results if r.appointment]
                conflicts = [r for r in results if not r.appointment]
                messages.success(request, f"{len(booked)} visit{'s' if len(booked) != 1 else ''} booked.")
        else:
            appointment = exam.appointment
            modality = appointment.modality if appointment else Modality.IN_OFFICE
            preview = scheduling_services.series_preview(
                clinician=exam.clinician, visit_type=data["visit_type"], modality=modality,
                location=appointment.location if appointment else None, starts=starts,
            )
    context = {"exam": exam, "patient": exam.patient, "form": form, "preview": preview, "booked": booked,
               "conflicts": conflicts, "plan": exam.findings.get("plan") or {}}
    return render(request, "exams/book_plan.html", context, status=400 if form.errors else 200)


# --- The clinician's day -------------------------------------------------------------------------------------


@require_GET
@staff_permission_required("exams.view_exam")
def my_day(request):
    """A clinician's home: today's patients in time order with intake progress, open red flags and the visit's
    exam, then every exam of theirs still unsigned, then the way to the calendar."""
    clinician = scheduling_selectors.clinician_of(request.user)
    today = timezone.localdate()
    day = selectors.my_day(clinician, today) if clinician else None
    return render(request, "exams/my_day.html", {
        "clinician": clinician, "day": day, "today": today,
        "calendar_url": reverse("scheduling:calendar") + f"?date={today.isoformat()}",
        "week_url": (reverse("scheduling:calendar") + f"?date={today.isoformat()}&view=week&clinician={clinician.pk}"
                     if clinician else ""),
    })
