from django.contrib import admin
from django.urls import include, path
from drf_spectacular.views import SpectacularAPIView

from exams import views as exam_views
from portal import views as portal_views

from . import views

admin.site.site_header = "Stride staff admin"
admin.site.site_title = "Stride admin"
admin.site.index_title = "Users, roles and clinic settings"

urlpatterns = [
    path("", portal_views.home, name="home"),  # patients: their visits; staff: clinic's home
    path("my-day/", exam_views.my_day, name="my-day"),  # a clinician's home: today's patients, drafts
    path("healthz", views.healthz, name="healthz"),
    path("robots.txt", views.robots_txt, name="robots"),
    path("policies/<slug:kind>/", views.clinic_text, name="clinic-text"),
    path("policies/<slug:kind>/v<int:version>/", views.clinic_text, name="clinic-text-version"),
    path("accounts/login/", views.SignInView.as_view(), name="login"),
    path("accounts/two-factor/", views.second_step, name="two-factor"),
    path("accounts/unlock/", views.kiosk_unlock, name="kiosk-unlock"),
    path("accounts/reset/<uidb64>/<token>/", views.PasswordResetConfirmView.as_view(), name="password_reset_confirm"),
    path("accounts/", include("django.contrib.auth.urls")),
    path("patients/", include("patients.urls")),
    path("schedule/", include("scheduling.urls_staff")),
    path("book/", include("scheduling.urls_public")),
    path("intake/", include("intake.urls")),
    path("exams/", include("exams.urls")),
    path("api/v1/", include("scheduling.urls_api")),
    path("messages/", include("notifications.urls")),
    path("api/v1/", include("intake.urls_api")),
    path("api/v1/", include("exams.urls_api")),
    path("admin/", admin.site.urls),
    path("api/schema/", SpectacularAPIView.as_view(), name="api-schema"),
]

handler400 = "clinic.views.bad_request"
handler403 = "clinic.views.permission_denied"
handler404 = "clinic.views.not_found"
handler500 = "clinic.views.server_error"
