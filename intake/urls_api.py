from django.urls import path

from . import api_intake

app_name = "intake_api"
urlpatterns = [
    path("intake/<str:token>/steps/<slug:step>/", api_intake.save_step, name="save-step"),
    path("intake/<str:token>/submit/", api_intake.submit, name="submit"),
    path("patients/<str:mrn>/intake/", api_intake.patient_intake, name="patient-intake"),
]
