
app_name = "booking"
urlpatterns: list = [
    # The public booking pages (/book/...) and the patient's manage pages.
]
