"""Pages of the intake form: the patient's steps (reached by a signed link, no account) and the
staff actions on the chart (send the link, fill in at the clinic, printable summary, acknowledge a red flag)."""

from dataclasses import asdict
from functools import wraps

from django.contrib import messages
from django.core import signing
from django.http import Http404, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils.http import url_has_allowed_host_and_scheme
from django.utils.translation import gettext
from django.views.decorators.cache import never_cache
from django.views.decorators.debug import sensitive_post_parameters
from django.views.decorators.http import require_GET, require_POST

from clinic import kiosk
from clinic.audit import record_view, request_ip
from clinic.permissions import staff_permission_required
from patients import care
from patients.models import Patient

from . import links, questionnaire, reported, selectors, services, signatures
from .models import INTAKE_STEPS, IntakeForm, RedFlagAlert

STEP_TITLES = {step: form.title for step, form in questionnaire.STEP_FORMS.items()}


def patient_page(view):
    """A page behind a patient's link: never cached, its address (the token) never sent to another site,
    and health data kept out of error reports."""

    @wraps(view)
    def wrapped(request, *args, **kwargs):
        response = view(request, *args, **kwargs)
        # same-origin, not no-referrer: browsers send "Origin: null" on POSTs under no-referrer, failing CSRF.
        response["Referrer-Policy"] = "same-origin"
        response["X-Robots-Tag"] = "noindex"
        return response

    return sensitive_post_parameters()(never_cache(wrapped))


def by_link(view):
    """The view gets the form behind the link: 404 for a tampered or unknown token, the "expired" page (410)
    once the link has ended (the visit's day is over, the visit was cancelled, or the token is very old)."""

    @wraps(view)
    def wrapped(request, token, **kwargs):
        try:
            pk = links.intake_id_from(token)
        except signing.SignatureExpired:
            return _expired(request, None)
        intake = selectors.intake_for_link(pk) if pk is not None else None
        if intake is None:
            raise Http404("This link is not valid.")
        if links.is_expired(intake):
            return _expired(request, intake)
        return view(request, intake, token=token, **kwargs)

    return wrapped


def _expired(request, intake):
    location = intake.appointment.location if intake is not None and intake.appointment_id else None
    return render(request, "intake/form/expired.html", {"intake": intake, "location": location}, status=410)


@patient_page
@by_link
def resume(request, intake, token):
    """Open the link: continue at the first step not saved yet."""
    if intake.is_submitted:
        return redirect("intake:done", token=token)
    return redirect("intake:step", token=token, step=intake.current_step)


def _review(intake, token):
    """The answers of every step before the signature, each with its link back to edit it (and come back)."""
    sections = questionnaire.answers_by_step(
        intake.answers, patient=intake.patient, visit=intake.appointment, steps=INTAKE_STEPS[:-1]
    )
    for section in sections:
        section["edit_url"] = f"{links.intake_path(intake, section['step'], token=token)}?{REVIEW}=1"
    return sections


REVIEW = "review"  # a step opened from the review: saving it goes back to the review


def _render_step(request, intake, token, step, form, *, status=200, submit_errors=None, from_draft=False):
    index = INTAKE_STEPS.index(step)
    just_saved = request.GET.get("saved")
    is_last = step == INTAKE_STEPS[-1]
    from_review = not is_last and (request.GET.get(REVIEW) or request.POST.get(REVIEW)) == "1"
    context = {
        "intake": intake,
        "patient": intake.patient,
        "token": token,
        "step": step,
        "form": form,
        "number": index + 1,
        "total": len(INTAKE_STEPS),
        "percent": round(100 * (index + 1) / len(INTAKE_STEPS)),
        "prev_url": links.intake_path(intake, INTAKE_STEPS[index - 1], token=token) if index else "",
        "is_last": is_last,
        "review": _review(intake, token) if is_last else None,
        "from_review": from_review,
        "just_saved": just_saved if just_saved in INTAKE_STEPS else "",
        "submit_errors": submit_errors,
        "from_draft": from_draft,
        "location": intake.appointment.location if intake.appointment_id else None,
    }
    return render(request, "intake/form/step.html", context, status=status)


def _with_drawing(intake, values):
    """The consent step's values with the signature drawn earlier, for the drawing box to show it again."""
    if not values or values.get("signature_method") != questionnaire.DRAWN:
        return values
    png = selectors.drawn_signature_png(intake_id=intake.pk)
    return {**values, "signature_drawing": signatures.data_url(png)} if png else values


@patient_page
@by_link
def step(request, intake, token, step):
    """One step: show it with the saved answers, or validate and save it and move on."""
    if intake.is_submitted:
        return redirect("intake:done", token=token)
    if step not in INTAKE_STEPS:
        raise Http404("No such step.")
    if INTAKE_STEPS.index(step) > INTAKE_STEPS.index(intake.current_step):
        return redirect("intake:step", token=token, step=intake.current_step)

    patient = intake.patient
    if request.method != "POST":
        # What was entered last time on a step not complete yet comes back (as entered, not checked again: the
        # patient's device may hold newer typing, intake.js); else the saved answers.
        draft, answers_ = intake.step_drafts.get(step), intake.answers.get(step)
        if step == "consent":
            draft, answers_ = (_with_drawing(intake, values) for values in (draft, answers_))
        form = questionnaire.step_form(step, patient=patient, visit=intake.appointment, draft=draft,
                                       answers=answers_)
        return _render_step(request, intake, token, step, form, from_draft=draft is not None)

    form = questionnaire.step_form(step, patient=patient, visit=intake.appointment, data=request.POST)
    ip = request_ip(request)
    if not form.is_valid():
        try:
            intake = services.intake_save_draft(intake=intake, step=step, data=form.draft_data(), ip=ip)
        except services.AlreadySubmitted:
            return redirect("intake:done", token=token)
        return _render_step(request, intake, token, step, form, status=400)
    try:
        intake = services.intake_save_step(intake=intake, step=step, answers=form.to_answers(),
                                           signature=getattr(form, "drawn_png", None), ip=ip)
        if step != INTAKE_STEPS[-1]:
            following = INTAKE_STEPS[INTAKE_STEPS.index(step) + 1]
            if request.POST.get(REVIEW) == "1" and intake.current_step == INTAKE_STEPS[-1]:
                following = INTAKE_STEPS[-1]  # edited from the review: back to it
            return redirect(f"{links.intake_path(intake, following, token=token)}?saved={step}")
        services.intake_submit(intake=intake, ip=ip)
    except services.AlreadySubmitted:
        return redirect("intake:done", token=token)
    except services.IntakeIncomplete as exc:
        problems = [
            {"step": key, "title": STEP_TITLES[key], "url": links.intake_path(intake, key, token=token),
             "messages": [m for messages_ in exc.errors[key].values() for m in messages_]}
            for key in INTAKE_STEPS if key in exc.errors
        ]
        return _render_step(request, intake, token, step, form, status=400, submit_errors=problems)
    return redirect(f"{reverse('intake:done', kwargs={'token': token})}?saved={step}")


def _masked(email):
    """m•••@example.com: enough for the patient to recognise their address, not to learn someone else's."""
    name, _at, domain = email.partition("@")
    return f"{name[:1]}•••@{domain}" if domain else ""


@patient_page
@by_link
def done(request, intake, token):
    """The thank-you page, with urgent advice if a red flag was reported, and the ways to keep a copy."""
    if not intake.is_submitted:
        return redirect("intake:resume", token=token)
    alerts = list(intake.alerts.all())
    return render(request, "intake/form/done.html", {
        "intake": intake,
        "patient": intake.patient,
        "token": token,
        "emergency": any(a.urgency == RedFlagAlert.Urgency.EMERGENCY for a in alerts),
        "urgent": bool(alerts),
        "location": intake.appointment.location if intake.appointment_id else None,
        "email_on_file": _masked(intake.patient.email),
        "copy_days": links.COPY_MAX_AGE.days,
    })


@require_POST
@patient_page
@by_link
def email_copy(request, intake, token):
    """Email me a copy: a signed, expiring link to the answers goes to the address on the patient's record."""
    try:
        email = services.intake_copy_send(intake=intake, base_url=request.build_absolute_uri("/"),
                                          ip=request_ip(request))
    except services.IntakeError as exc:
        messages.error(request, exc.message)
    else:
        messages.success(request, gettext("We are emailing a link to your answers to %(email)s.")
                         % {"email": _masked(email)})
    return redirect("intake:done", token=token)


def _drawn(intake) -> bool:
    """Whether the patient signed by drawing (the image itself is fetched by the page, from its own view)."""
    return (intake.answers.get("consent") or {}).get("signature_method") == questionnaire.DRAWN


def _body_map(intake):
    """The body map drawn as the exam draws it, for the summary and the patient's copy."""
    return reported.body_map_drawing((intake.answers.get("complaint") or {}).get("body_map"))


def _render_copy(request, intake, *, signature_url):
    return render(request, "intake/form/answers.html", {
        "signature_url": signature_url if _drawn(intake) else "",
        "intake": intake,
        "patient": intake.patient,
        "sections": questionnaire.answers_by_step(intake.answers, patient=intake.patient, visit=intake.appointment),
        "body_map": _body_map(intake),
        "location": intake.appointment.location if intake.appointment_id else None,
    })


@require_GET
@patient_page
@by_link
def answers(request, intake, token):
    """The printable copy of what the patient sent, from their own link, until the link ends.

    Not on a clinic device: the next person holding it would see the answers (they can have the copy emailed).
    """
    if not intake.is_submitted:
        return redirect("intake:resume", token=token)
    if intake.filled_in_clinic:
        raise Http404("Not shown on a clinic device.")
    return _render_copy(request, intake, signature_url=reverse("intake:answers-signature", args=[token]))


def _signature_image(intake):
    """The drawn signature as an image for a page that already checked who asks; 404 when it was typed."""
    png = selectors.drawn_signature_png(intake_id=intake.pk) if intake.is_submitted else None
    if png is None:
        raise Http404("No drawn signature.")
    response = HttpResponse(png, content_type="image/png")
    response["Content-Disposition"] = 'inline; filename="signature.png"'
    response["Cache-Control"] = "private, no-store"
    return response


@require_GET
@patient_page
@by_link
def answers_signature(request, intake, token):
    """The signature the patient drew, for their printable copy (the same link and limits as the copy)."""
    if intake.filled_in_clinic:
        raise Http404("Not shown on a clinic device.")
    return _signature_image(intake)


def _copy_intake(token):
    """The submitted form behind an emailed copy link; SignatureExpired once the link has ended."""
    pk = links.intake_id_from_copy(token)
    intake = selectors.intake_for_link(pk) if pk is not None else None
    if intake is None or not intake.is_submitted:
        raise Http404("This link is not valid.")
    return intake


@require_GET
@patient_page
def copy_signature(request, token):
    """The drawn signature for the copy behind the emailed link, for as long as that link works."""
    try:
        intake = _copy_intake(token)
    except signing.SignatureExpired:
        raise Http404("This link has expired.") from None
    return _signature_image(intake)


@require_GET
@patient_page
def copy(request, token):
    """The copy behind the emailed link: the submitted answers, for links.COPY_MAX_AGE after it was sent."""
    try:
        intake = _copy_intake(token)
    except signing.SignatureExpired:
        return render(request, "intake/form/expired.html", {"copy_link": True,
                                                            "copy_days": links.COPY_MAX_AGE.days}, status=410)
    return _render_copy(request, intake, signature_url=reverse("intake:copy-signature", args=[token]))


# --- Staff ------------------------------------------------------------------------------------------


@require_POST
@staff_permission_required("intake.add_intakeform")
def send_link(request, mrn):
    """Email the patient the link for their next visit that needs an intake form."""
    patient = get_object_or_404(Patient, mrn=mrn)
    try:
        services.intake_send(
            patient=patient, base_url=request.build_absolute_uri("/"), actor=request.user, ip=request_ip(request)
        )
    except services.IntakeError as exc:
        messages.error(request, exc.message)
    else:
        messages.success(request, f"Intake link emailed to {patient.email}.")
    return redirect(patient)


@require_POST
@staff_permission_required("intake.add_intakeform")
def fill_in_clinic(request, mrn):
    """Open the form on this device for the patient to fill in, locking every staff page until the staff member
    unlocks it with their password (clinic.kiosk): no new sign-in and code for each hand-off."""
    patient = get_object_or_404(Patient, mrn=mrn)
    appointment = selectors.next_appointment_needing_intake(patient=patient)
    if appointment is None:
        messages.error(request, "No visit of this patient today or later needs an intake form.")
        return redirect(patient)
    try:
        intake = services.intake_hand_over(appointment=appointment, actor=request.user, ip=request_ip(request))
    except services.IntakeError as exc:
        messages.error(request, exc.message)
        return redirect(patient)
    # The patient holds the device from here on: only this one form (its pages and its API) answers.
    token = links.token_for(intake)
    kiosk.hand_over(request, open_paths=links.form_paths(intake, token=token), return_to=patient.get_absolute_url(),
                    record=intake)
    return redirect(links.intake_path(intake, token=token))


@require_GET
@staff_permission_required("intake.view_clinical")
def summary(request, pk):
    """The printable summary of one intake form: scores, red flags and every answer."""
    try:
        intake = selectors.intake_summary(pk=pk, viewer=request.user)
    except IntakeForm.DoesNotExist:
        raise Http404("No such intake form.") from None
    care.require(request.user, intake.patient, annotated=intake)
    record_view(instance=intake, actor=request.user, ip=request_ip(request))
    sections = questionnaire.answers_by_step(intake.answers, patient=intake.patient, visit=intake.appointment)
    scores = list(intake.scores.all())
    return render(request, "intake/form/summary.html", {
        "intake": intake, "patient": intake.patient, "sections": sections, "scores": scores,
        "any_demo": any(score.demo_wording for score in scores),
        "alerts": list(intake.alerts.all()),
        # With no alert, the flags the answers hold are still listed, each with the rule that withheld it.
        "context_flags": [asdict(f) for f in selectors.intake_red_flags(intake)],
        "body_map": _body_map(intake),
        "signature_url": reverse("intake:signature", args=[intake.pk]) if _drawn(intake) else "",
    })


@require_GET
@staff_permission_required("intake.view_clinical")
def signature(request, pk):
    """The signature the patient drew on a submitted form, for its summary: the summary's permission and care
    checks, and a row in the audit trail."""
    try:
        intake = selectors.intake_for_staff(pk=pk, viewer=request.user)
    except IntakeForm.DoesNotExist:
        raise Http404("No such intake form.") from None
    care.require(request.user, intake.patient, annotated=intake)
    response = _signature_image(intake)
    record_view(instance=intake, actor=request.user, ip=request_ip(request), details={"part": "drawn signature"})
    return response


@require_POST
@staff_permission_required("intake.change_redflagalert")
def acknowledge(request, pk):
    """A clinician marks a red-flag alert as seen and acted on."""
    alert = get_object_or_404(RedFlagAlert.objects.select_related("patient"), pk=pk)
    care.require(request.user, alert.patient)
    services.red_flag_acknowledge(alert=alert, actor=request.user, ip=request_ip(request))
    messages.success(request, "Red flag acknowledged.")
    back = request.POST.get("next", "")
    if back and url_has_allowed_host_and_scheme(back, allowed_hosts={request.get_host()}, require_https=request.is_secure()):
        return redirect(back)  # the exam it was acknowledged from
    return redirect(alert.patient)
