from django.apps import AppConfig

from clinic import roles

_ALL = [
    f"patients.{action}_{model}"
    for model in ("patient", "patientdocument", "consent", "contactchange")
    for action in ("view", "add", "change", "delete")
]


class PatientsConfig(AppConfig):
    name = "patients"
    verbose_name = "Patients"
    role_permissions = {
        roles.ADMIN: [*_ALL, "patients.archive_patient", "patients.view_emergencyaccess"],
        roles.FRONT_DESK: [
            "patients.view_patient", "patients.add_patient", "patients.change_patient",
            "patients.archive_patient", "patients.view_patientdocument", "patients.add_patientdocument",
            "patients.view_consent", "patients.add_consent",
            "patients.view_contactchange", "patients.change_contactchange",
        ],
        roles.CLINICIAN: [
            "patients.view_patient", "patients.view_patientdocument", "patients.add_patientdocument",
            "patients.view_consent",
        ],
    }

    def ready(self):
        from clinic import audit

        from . import chart_sections  # noqa: F401  (registers the record's own chart sections)
        from .models import Consent, ContactChange, EmergencyAccess, Patient, PatientDocument

        audit.track(Patient, patient=lambda p: p.pk)
        audit.track(PatientDocument, patient=lambda d: d.patient_id)
        audit.track(Consent, patient=lambda c: c.patient_id)
        audit.track(EmergencyAccess, patient=lambda e: e.patient_id)
        audit.track(ContactChange, patient=lambda c: c.patient_id)
