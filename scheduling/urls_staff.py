from django.urls import path

from . import views_staff as views

app_name = "scheduling"
urlpatterns = [
    # The front-desk calendar and appointment actions (/schedule/...), and clinicians' iCal feeds.
    path("", views.calendar, name="calendar"),
    path("appointments/<int:pk>/", views.appointment_detail, name="appointment"),
    path("appointments/<int:pk>/status/", views.appointment_status, name="appointment-status"),
    path("appointments/<int:pk>/move/", views.appointment_move, name="appointment-move"),
    path("appointments/<int:pk>/cancel/", views.appointment_cancel, name="appointment-cancel"),
    path("appointments/<int:pk>/decide/", views.request_decide, name="request-decide"),
    path("book/", views.book, name="book"),
    path("patients/", views.patient_options, name="patient-options"),
    path("series/", views.series, name="series"),
    path("waitlist/", views.waitlist, name="waitlist"),
    path("waitlist/<int:pk>/remove/", views.waitlist_remove, name="waitlist-remove"),
    path("feeds/<str:token>.ics", views.feed, name="feed"),
    path("clinicians/<int:pk>/feed/", views.feed_reset, name="feed-reset"),
]
