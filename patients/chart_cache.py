"""The chart's body as HTML, cached under a fingerprint of every row it is drawn from (clinic.render_cache).

The chart reads ten tables through a dozen queries and draws lists, tables and plots; a clinician opens the
same chart several times a visit while it rarely changes. The fingerprint rides on the query that loads the
patient (and the viewer's clinical access): the patient's own row and every row of theirs the chart can
show (visits, each marked upcoming or past at this instant, intake forms, scores, red-flag alerts, exams and
their addenda, documents, consents, messages), with the visit types, locations and clinicians, and the
names of the staff those rows name. The key also holds what the viewer adds: their permissions, their
clinical access and its end, today (ages, today's visits) and the page's address. The CSRF token is left
out of the cached HTML and put in for each request. Tables are looked up by name: patients imports none
of the apps it shows.
"""

import functools
from pathlib import Path

from django.apps import apps
from django.conf import settings
from django.db.models.expressions import RawSQL
from django.middleware.csrf import get_token
from django.template.loader import render_to_string
from django.utils import timezone
from django.utils.safestring import mark_safe

from clinic import render_cache

from . import care, selectors
from .models import Patient

TEMPLATE = "patients/_chart_body.html"
_CODE = Path(settings.BASE_DIR)
CODE_VERSION = render_cache.code_version(
    *(_CODE / name for name in (
        "patients/chart_cache.py", "patients/selectors.py", "patients/models.py", "patients/care.py",
        "patients/views.py", "patients/forms.py", "patients/phone.py", "clinic/models.py",
        "clinic/templatetags/stride_forms.py", "intake/models.py", "intake/selectors.py", "exams/models.py",
        "exams/forms.py", "exams/catalogue.py", "exams/rules.py", "exams/selectors.py", "intake/charts.py",
        "intake/instruments.py", "intake/scoring.py", "intake/templatetags/intake_tags.py",
        "exams/templatetags/exam_tags.py", "notifications/models.py", "notifications/selectors.py",
        "notifications/templatetags/notifications.py", "scheduling/models.py")),
    *(_CODE / "templates" / name for name in (
        TEMPLATE, "intake/_chart_red_flags.html", "intake/_chart_intake.html", "exams/_chart_exams.html",
        "intake/_chart_progress.html", "scheduling/staff/_patient_appointments.html", "patients/_emergency_access.html",
        "notifications/_history.html", "notifications/_status.html")),
)
# Stands for the CSRF token in cached HTML: the token is the viewer's own.
CSRF_PLACEHOLDER = "CHARTCSRFPLACEHOLDER0000000000000000000000000000000000000000000000"
PATIENT = '"patients_patient"."id"'  # the outer query's patient


def _table(app, model):
    return apps.get_model(app, model)._meta.db_table


@functools.cache
def _fingerprint_sql():
    """SQL for the md5 of every row the chart can show, for the outer query's patient (its parameter: now).
    Built once: the tables are looked up when the apps are ready."""
    appointment, notification = _table("scheduling", "Appointment"), _table("notifications", "Notification")
    exam, document = _table("exams", "Exam"), Patient._meta.get_field("documents").related_model._meta.db_table
    own = [(f"SELECT * FROM {_table(app, model)} x WHERE x.patient_id = {PATIENT} ORDER BY x.id")
           for app, model in (("intake", "IntakeForm"), ("intake", "OutcomeScore"), ("intake", "RedFlagAlert"),
                              ("exams", "Exam"), ("patients", "PatientDocument"), ("patients", "Consent"),
                              ("notifications", "Notification"))]
    sources = [
        f"SELECT * FROM {Patient._meta.db_table} x WHERE x.id = {PATIENT}",
        f"SELECT x.*, x.end_at >= %s AS upcoming FROM {appointment} x WHERE x.patient_id = {PATIENT} ORDER BY x.id",
        *own,
        f"SELECT a.* FROM {_table('exams', 'ExamAddendum')} a JOIN {exam} e ON e.id = a.exam_id "
        f"WHERE e.patient_id = {PATIENT} ORDER BY a.id",
        *(f"SELECT * FROM {_table('scheduling', model)} ORDER BY id" for model in ("VisitType", "Location", "Clinician")),
        f"SELECT u.id, u.first_name, u.last_name, u.email FROM {_table('clinic', 'User')} u WHERE "
        f"u.id IN (SELECT user_id FROM {_table('scheduling', 'Clinician')}) "
        f"OR u.id IN (SELECT uploaded_by_id FROM {document} WHERE patient_id = {PATIENT}) "
        f"OR u.id IN (SELECT signed_by_id FROM {exam} WHERE patient_id = {PATIENT}) "
        f"OR u.id IN (SELECT recipient_user_id FROM {notification} WHERE patient_id = {PATIENT}) ORDER BY u.id",
    ]
    return "(" + " || ".join(render_cache.md5_of_rows(sql) for sql in sources) + ")"


def chart_body(request, mrn, *, context):
    """The patient (for the page around the body) and the chart's body: from the cache when none of its rows
    changed, else drawn with `context(patient)` once the chart is loaded. Raises Patient.DoesNotExist."""
    viewer = request.user
    if not render_cache.enabled():
        patient = selectors.patient_chart(mrn, viewer=viewer)
        return patient, render_to_string(TEMPLATE, context(patient), request)
    with render_cache.snapshot():
        fingerprint = RawSQL(_fingerprint_sql(), [timezone.now()])
        patient = selectors.chart_patient(mrn, viewer=viewer, chart_fingerprint=fingerprint)
        access = care.access_from(patient, viewer)
        key = render_cache.key_for(
            "chart", CODE_VERSION, patient.chart_fingerprint, sorted(viewer.get_all_permissions()),
            access.allowed, access.emergency_until, timezone.localdate(), request.get_full_path(),
            settings.EMERGENCY_ACCESS_MINUTES, settings.TIME_ZONE, settings.PHONE_DEFAULT_REGION,
        )
        html = render_cache.get(key)
        if html is None:
            drawn = {**context(selectors.fill_chart(patient)), "csrf_token": CSRF_PLACEHOLDER}
            html = render_cache.put(key, render_to_string(TEMPLATE, drawn, request))
    return patient, mark_safe(html.replace(CSRF_PLACEHOLDER, get_token(request)))  # noqa: S308  (ours, a token)
