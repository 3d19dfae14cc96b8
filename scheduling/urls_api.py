
app_name = "api"
urlpatterns: list = [
    # /api/v1/... : availability, public bookings, staff appointment endpoints.
]
