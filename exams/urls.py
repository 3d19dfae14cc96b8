from django.urls import path

from . import views

app_name = "exam"
urlpatterns = [
    # The clinician's exam (/exams/...): opened from a visit, saved section by section, signed, addenda.
    path("appointment/<int:appointment_id>/", views.open_for_appointment, name="open"),
    path("<int:pk>/", views.exam_detail, name="detail"),
    path("<int:pk>/sections/<slug:section>/", views.section_save, name="section"),
    path("<int:pk>/report/", views.exam_report, name="report"),
    path("<int:pk>/sign/", views.exam_sign, name="sign"),
    path("<int:pk>/addenda/", views.addendum_add, name="addendum"),
    path("<int:pk>/attachments/", views.attachment_upload, name="attachment"),
    path("<int:pk>/plan/book/", views.book_plan, name="book-plan"),
]
