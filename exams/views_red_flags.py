"""The red-flag re-screen of a follow-up (exams.red_flag_screen): its own page from a visit, and the form the exam
page shows. Clinicians and admins with the patient in their care; the front desk sees only the alert it raises."""

from django.contrib import messages
from django.core.exceptions import PermissionDenied
from django.http import Http404
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.http import url_has_allowed_host_and_scheme
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods

from clinic.audit import record_view, request_ip
from clinic.permissions import staff_permission_required
from patients import care
from scheduling import selectors as scheduling_selectors
from scheduling.models import Appointment

from . import selectors, services
from .models import Exam
from .red_flag_screen import RedFlagScreenForm


def screen_context(*, appointment, patient, form=None, screens=None, next_url=""):
    """What templates/exams/_red_flag_screen.html needs: the form, where it posts, the latest screens."""
    return {
        "form": form or RedFlagScreenForm(),
        "action": reverse("exam:red-flag-screen", args=[appointment.pk]) if appointment else "",
        "next_url": next_url,
        "screens": screens if screens is not None else selectors.red_flag_screens(patient.pk),
    }


def _safe_next(request):
    back = request.POST.get("next", "")
    ok = url_has_allowed_host_and_scheme(back, allowed_hosts={request.get_host()}, require_https=request.is_secure())
    return back if back and ok else ""


@require_http_methods(["GET", "POST"])
@staff_permission_required("intake.view_clinical", "exams.view_redflagscreen")
def red_flag_screen(request, appointment_id):
    """Re-screen the red flags at a visit: each item new or worsening yes/no, or none of these; the page lists the
    patient's earlier screens with their date, clinician and result."""
    try:
        appointment = scheduling_selectors.visit_for_exam(
            appointment_id, annotations=care.access_annotations(request.user, patient_field="patient_id")
        )
    except Appointment.DoesNotExist:
        raise Http404("No such visit.") from None
    patient = appointment.patient
    care.require(request.user, patient, annotated=appointment)
    may_screen = request.user.has_perm("exams.add_redflagscreen")
    form = RedFlagScreenForm(request.POST if request.method == "POST" else None)
    if request.method == "POST":
        if not may_screen:
            raise PermissionDenied
        back = _safe_next(request)
        if form.is_valid():
            exam = Exam.objects.filter(appointment=appointment).first()
            screen = services.red_flag_screen_record(
                patient=patient, appointment=appointment, exam=exam, answers=form.answers(),
                none_apply=form.cleaned_data["none_apply"], notes=form.cleaned_data["notes"], actor=request.user,
                ip=request_ip(request),
            )
            if screen.alert_id:
                messages.error(request, _("Re-screen saved. It raised an %(urgency)s red-flag alert: it is on the "
                                          "chart and the clinician is emailed.") % {"urgency": screen.urgency})
            else:
                messages.success(request, _("Re-screen saved: no red flag alert."))
            return redirect(back or reverse("exam:red-flag-screen", args=[appointment.pk]))
        messages.error(request, _("Not saved: check the marked items."))
    else:
        record_view(instance=patient, actor=request.user, ip=request_ip(request),
                    details={"shown": "red-flag re-screens"})
    context = {
        "appointment": appointment, "patient": patient, "may_screen": may_screen,
        "screen": screen_context(appointment=appointment, patient=patient, form=form,
                                 next_url=request.POST.get("next", "") if request.method == "POST" else ""),
    }
    return render(request, "exams/red_flag_screen.html", context, status=400 if form.errors else 200)
