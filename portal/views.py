"""The patient's home after sign-in: their upcoming visits and open intake forms, nobody else's.

Until the full portal lands this is one page at the site root; staff reaching the root go on to clinic's home.
"""

from django.contrib.auth.decorators import login_required
from django.core.exceptions import ObjectDoesNotExist
from django.shortcuts import render

from clinic import roles
from clinic import views as clinic_views
from intake import links as intake_links
from intake import selectors as intake_selectors
from scheduling import formatting, links
from scheduling import selectors as scheduling_selectors


def _is_patient(user):
    return roles.PATIENT in user.role_names and not user.is_staff


def _visit(appointment):
    return {**formatting.appointment_summary(appointment), "manage_url": links.manage_path(appointment)}


def _intake(form):
    appointment = form.appointment
    return {
        "url": intake_links.intake_path(form),
        "started": form.status == form.Status.IN_PROGRESS,
        "visit": formatting.appointment_summary(appointment) if appointment is not None else None,
    }


@login_required
def home(request):
    user = request.user
    if not _is_patient(user):
        return clinic_views.home(request)
    try:
        patient = user.patient  # only the signed-in patient's own record: the page reads nothing else
    except ObjectDoesNotExist:
        patient = None
    visits = scheduling_selectors.patient_upcoming_visits(patient=patient) if patient else []
    intakes = intake_selectors.patient_open_intakes(patient=patient) if patient else []
    return render(request, "portal/home.html", {
        "visits": [_visit(a) for a in visits],
        "intakes": [_intake(f) for f in intakes],
        "has_record": patient is not None,
    })
