from django.urls import path

from . import views_instruments, views_intake

app_name = "intake"
urlpatterns = [
    # Staff, from the chart.
    path("patients/<str:mrn>/send/", views_intake.send_link, name="send"),
    path("patients/<str:mrn>/fill-in-clinic/", views_intake.fill_in_clinic, name="fill-in-clinic"),
    path("forms/<int:pk>/summary/", views_intake.summary, name="summary"),
    path("forms/<int:pk>/signature/", views_intake.signature, name="signature"),
    path("alerts/<int:pk>/acknowledge/", views_intake.acknowledge, name="acknowledge"),
    # Clinicians and admins: the questionnaires the intake asks, and loading the clinic's licensed files.
    path("instruments/", views_instruments.instruments, name="instruments"),
    # The patient, by the emailed copy's link (before the form's routes: "copy" is not a form's token).
    path("copy/<str:token>/", views_intake.copy, name="copy"),
    path("copy/<str:token>/signature/", views_intake.copy_signature, name="copy-signature"),
    # The patient, by the signed link.
    path("<str:token>/", views_intake.resume, name="resume"),
    path("<str:token>/done/", views_intake.done, name="done"),
    path("<str:token>/done/email-copy/", views_intake.email_copy, name="email-copy"),
    path("<str:token>/done/answers/", views_intake.answers, name="answers"),
    path("<str:token>/done/answers/signature/", views_intake.answers_signature, name="answers-signature"),
    path("<str:token>/<slug:step>/", views_intake.step, name="step"),
]
