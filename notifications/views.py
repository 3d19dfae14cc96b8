"""The front desk's view of the outbox, and the pages behind the links in patients' messages."""

from django.contrib import messages
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils.http import url_has_allowed_host_and_scheme
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from clinic.audit import request_ip
from clinic.permissions import staff_permission_required
from patients.models import Patient
from scheduling import formatting
from scheduling import services as scheduling_services
from scheduling.models import Appointment

from . import links, selectors, services
from .models import Notification

Status = Notification.Status
FILTERS = [("", "All"), (Status.FAILED, "Failed"), (Status.QUEUED, "Queued"), (Status.SENT, "Sent")]


def history_context(request, *, appointment=None, patient=None):
    """A visit's or a patient's messages for notifications/_history.html (the chart and the visit panel too)."""
    scope = f"appointment:{appointment.pk}" if appointment else f"patient:{patient.mrn}"
    return {
        "history": selectors.message_history(appointment=appointment, patient=patient),
        "history_scope": scope,
        "history_next": request.get_full_path(),
        "can_resend": request.user.has_perm("notifications.change_notification"),
    }


@require_GET
@staff_permission_required("notifications.view_notification")
def message_list(request):
    status = request.GET.get("status", "")
    if status not in dict(FILTERS):
        status = ""
    context = {
        "filters": FILTERS,
        "status": status,
        "rows": selectors.recent_messages(status=status),
        "notification_failures_today": selectors.failures_today(),
        "can_resend": request.user.has_perm("notifications.change_notification"),
        "history_next": request.get_full_path(),
        "freed": selectors.patient_cancellations()
        if request.user.has_perm("scheduling.view_waitlistentry") else None,
    }
    return render(request, "notifications/messages.html", context)


@require_GET
@staff_permission_required("notifications.view_notification", "scheduling.view_appointment")
def appointment_history(request, pk):
    appointment = get_object_or_404(Appointment.objects.select_related("patient", "visit_type"), pk=pk)
    context = history_context(request, appointment=appointment)
    if request.htmx:
        return render(request, "notifications/_history.html", context)
    return render(request, "notifications/history_page.html", {**context, "appointment": appointment,
                                                                "patient": appointment.patient})


@require_GET
@staff_permission_required("notifications.view_notification", "patients.view_patient")
def patient_history(request, mrn):
    patient = get_object_or_404(Patient, mrn=mrn)
    context = history_context(request, patient=patient)
    if request.htmx:
        return render(request, "notifications/_history.html", context)
    return render(request, "notifications/history_page.html", {**context, "patient": patient})


@require_POST
@staff_permission_required("notifications.view_notification", "notifications.change_notification")
def resend(request, pk):
    notification = get_object_or_404(Notification, pk=pk)
    if services.notification_resend(notification=notification, actor=request.user, ip=request_ip(request)):
        messages.success(request, f"{notification.label} queued to be sent again.")
    else:
        messages.warning(request, "That message is no longer failed; nothing was resent.")
    if request.htmx:
        kind, _, key = request.POST.get("scope", "").partition(":")
        if kind == "appointment" and notification.appointment_id and str(notification.appointment_id) == key:
            return render(request, "notifications/_history.html",
                          history_context(request, appointment=notification.appointment))
        return render(request, "notifications/_history.html", history_context(request, patient=notification.patient))
    target = request.POST.get("next", "")
    if not url_has_allowed_host_and_scheme(target, allowed_hosts={request.get_host()},
                                           require_https=request.is_secure()):
        target = reverse("notifications:list")
    return redirect(target)


# Patients, from a signed link ----------------------------------------------------------------------------------


def _link_page(request, template, appointment, status=200, **extra):
    context = {"appointment": appointment, **extra}
    if appointment is not None:
        context["v"] = formatting.appointment_summary(appointment)
    return render(request, template, context, status=status)


def _problem(request, problem):
    if problem == "expired":  # the page does not show the visit: the link no longer opens it
        return _link_page(request, "notifications/patient/result.html", None, status=410,
                          title="This link has expired",
                          text="Links in our messages work until the visit begins. Please call the clinic.")
    return _link_page(request, "notifications/patient/result.html", None, status=404,
                      title="This link does not work",
                      text="It may be incomplete; try copying the whole link from the message, or call the clinic.")


@require_http_methods(["GET", "POST"])
def patient_confirm(request, token):
    appointment, problem = links.appointment_for_token(token)
    if problem:
        return _problem(request, problem)
    if appointment.status == Appointment.Status.CONFIRMED:
        return _link_page(request, "notifications/patient/result.html", appointment,
                          title="Your visit is confirmed", text="Thank you: we look forward to seeing you.")
    if appointment.status != Appointment.Status.BOOKED:
        return _link_page(request, "notifications/patient/result.html", appointment,
                          title=f"This visit is {appointment.get_status_display().lower()}",
                          text="It cannot be confirmed any more. Please call the clinic if this is unexpected.")
    if request.method == "POST":
        scheduling_services.appointment_set_status(appointment=appointment, status=Appointment.Status.CONFIRMED)
        return _link_page(request, "notifications/patient/result.html", appointment,
                          title="Your visit is confirmed", text="Thank you: we look forward to seeing you.")
    return _link_page(request, "notifications/patient/confirm.html", appointment,
                      reschedule_url=links.reschedule_path(appointment), cancel_url=links.cancel_path(appointment))


@require_http_methods(["GET", "POST"])
def patient_cancel(request, token):
    """The cancel link of messages sent before it led to the manage page: the patient cancels there, with the same
    question and the same cut-off as from the manage link (one form, one wording, one service)."""
    appointment, problem = links.appointment_for_token(token)
    if problem:
        return _problem(request, problem)
    return redirect(links.cancel_path(appointment))
