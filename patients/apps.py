from django.apps import AppConfig


class PatientsConfig(AppConfig):
    name = "patients"
    verbose_name = "Patients"

    def ready(self):
        from clinic import audit

        from .models import Consent, Patient, PatientDocument

        audit.track(Patient, patient=lambda p: p.pk)
        audit.track(PatientDocument, patient=lambda d: d.patient_id)
        audit.track(Consent, patient=lambda c: c.patient_id)
