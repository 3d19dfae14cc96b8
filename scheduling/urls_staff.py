from django.urls import path

from .views import appointments, booking, calendar, feeds, requests, series, waitlist

app_name = "scheduling"
urlpatterns = [
    # The front-desk calendar and appointment actions (/schedule/...), and clinicians' iCal feeds.
    path("", calendar.calendar, name="calendar"),
    path("version/", calendar.calendar_version, name="calendar-version"),
    path("appointments/<int:pk>/", appointments.appointment_detail, name="appointment"),
    path("appointments/<int:pk>/status/", appointments.appointment_status, name="appointment-status"),
    path("appointments/<int:pk>/move/", appointments.appointment_move, name="appointment-move"),
    path("appointments/<int:pk>/cancel/", appointments.appointment_cancel, name="appointment-cancel"),
    path("appointments/<int:pk>/decide/", requests.request_decide, name="request-decide"),
    path("book/", booking.book, name="book"),
    path("patients/", booking.patient_options, name="patient-options"),
    path("series/", series.series, name="series"),
    path("waitlist/", waitlist.waitlist, name="waitlist"),
    path("waitlist/<int:pk>/remove/", waitlist.waitlist_remove, name="waitlist-remove"),
    path("feeds/<str:token>.ics", feeds.feed, name="feed"),
    path("clinicians/<int:pk>/feed/", feeds.feed_reset, name="feed-reset"),
]
