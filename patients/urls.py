from django.urls import path

from . import views

app_name = "patients"
urlpatterns = [
    path("", views.patient_list, name="list"),
    path("new/", views.patient_create, name="create"),
    path("<str:mrn>/", views.patient_chart, name="chart"),
    path("<str:mrn>/edit/", views.patient_edit, name="edit"),
    path("<str:mrn>/archive/", views.patient_archive, name="archive"),
    path("<str:mrn>/documents/", views.document_upload, name="document-upload"),
    path("<str:mrn>/documents/<int:pk>/", views.document_download, name="document"),
    path("<str:mrn>/consents/", views.consent_add, name="consent-add"),
    path("<str:mrn>/emergency-access/", views.emergency_access, name="emergency-access"),
    path("<str:mrn>/contact-changes/<int:pk>/", views.contact_change_decide, name="contact-change"),
]
