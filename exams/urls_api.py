from django.urls import path

from . import api

app_name = "exam_api"
urlpatterns = [
    # /api/v1/...: a patient's exams and outcome score series, for clinicians and admins.
    path("patients/<str:mrn>/exams/", api.patient_exams, name="patient-exams"),
    path("patients/<str:mrn>/scores/", api.patient_scores, name="patient-scores"),
]
