from django.urls import path

from . import views

app_name = "notifications"
urlpatterns = [
    # The front desk (/messages/...): recent messages, a visit's or patient's history, resend.
    path("", views.message_list, name="list"),
    path("appointments/<int:pk>/", views.appointment_history, name="appointment"),
    path("patients/<str:mrn>/", views.patient_history, name="patient"),
    path("<int:pk>/resend/", views.resend, name="resend"),
    # Patients, from the signed links in their messages.
    path("a/<str:token>/confirm", views.patient_confirm, name="patient-confirm"),
    path("a/<str:token>/cancel", views.patient_cancel, name="patient-cancel"),
]
