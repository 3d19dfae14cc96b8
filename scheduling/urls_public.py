from django.urls import path

from . import views_public

app_name = "booking"
urlpatterns = [
    # /book/ (the three choices), /book/?modality=telehealth|in_office|any and the steps that follow.
    path("", views_public.book, name="start"),
    path("details/", views_public.details, name="details"),
    path("confirmed/<str:token>/", views_public.confirmed, name="confirmed"),
    path("manage/<str:token>/", views_public.manage, name="manage"),
    path("manage/<str:token>/visit.ics", views_public.calendar_file, name="ics"),
    path("manage/<str:token>/reschedule/", views_public.reschedule, name="reschedule"),
    path("manage/<str:token>/cancel/", views_public.cancel, name="cancel"),
    path("manage/<str:token>/video/", views_public.video, name="video"),
    path("manage/<str:token>/confirm/", views_public.confirm_visit, name="confirm-visit"),
]
