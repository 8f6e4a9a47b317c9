from django.contrib import admin
from django.contrib.auth import views as auth_views
from django.urls import include, path

from config.views import healthz, session_status

handler500 = "config.views.server_error"

urlpatterns = [
    path("", include("assessments.urls")),
    path("", include("workshops.urls")),
    path("playbook/", include("playbook.urls")),
    path("accounts/login/", auth_views.LoginView.as_view(redirect_authenticated_user=True), name="login"),
    path("accounts/logout/", auth_views.LogoutView.as_view(), name="logout"),
    path("admin/", admin.site.urls),
    path("healthz", healthz, name="healthz"),
    path("session/", session_status, name="session"),
]
