from django.urls import path

from . import api

app_name = "api"
urlpatterns = [
    # /api/v1/... : availability, public bookings, staff appointment endpoints.
    path("availability/", api.AvailabilityApi.as_view(), name="availability"),
    path("bookings/", api.BookingCreateApi.as_view(), name="bookings"),
    path("appointments/", api.AppointmentListCreateApi.as_view(), name="appointments"),
    path("appointments/<int:pk>/", api.AppointmentDetailApi.as_view(), name="appointment"),
    path("appointments/<int:pk>/move/", api.AppointmentMoveApi.as_view(), name="appointment-move"),
    path("appointments/<int:pk>/cancel/", api.AppointmentCancelApi.as_view(), name="appointment-cancel"),
]
