
app_name = "scheduling"
urlpatterns: list = [
    # The front-desk calendar and appointment actions (/schedule/...), and clinicians' iCal feeds.
]
