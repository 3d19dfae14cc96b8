from django.urls import path

from . import views, views_red_flags

app_name = "exam"
urlpatterns = [
    # The clinician's exam (/exams/...): opened from a visit, saved section by section, signed, addenda.
    path("appointment/<int:appointment_id>/", views.open_for_appointment, name="open"),
    # The red-flag re-screen of a visit (also shown on its exam).
    path("appointment/<int:appointment_id>/red-flags/", views_red_flags.red_flag_screen, name="red-flag-screen"),
    path("<int:pk>/", views.exam_detail, name="detail"),
    path("<int:pk>/sections/<slug:section>/", views.section_save, name="section"),
    path("<int:pk>/report/", views.exam_report, name="report"),
    path("<int:pk>/sign/", views.exam_sign, name="sign"),
    path("<int:pk>/addenda/", views.addendum_add, name="addendum"),
    path("<int:pk>/attachments/", views.attachment_upload, name="attachment"),
    path("<int:pk>/plan/book/", views.book_plan, name="book-plan"),
]
