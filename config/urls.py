from django.contrib import admin
from django.urls import include, path

from config.views import healthz, security_txt, session_status

handler404 = "config.views.page_not_found"
handler500 = "config.views.server_error"

urlpatterns = [
    path("", include("assessments.urls")),
    path("", include("workshops.urls")),
    path("playbook/", include("playbook.urls")),
    path("accounts/", include("allauth.urls")),
    path("", include("identity.page_urls")),
    path("", include("audit.urls")),
    path("", include("api.page_urls")),
    path("", include("webhooks.urls")),
    path("", include("integrations.urls")),
    path("api/v1/", include("api.urls")),
    path("admin/", admin.site.urls),
    path("healthz", healthz, name="healthz"),
    path(".well-known/security.txt", security_txt, name="security_txt"),
    path("session/", session_status, name="session"),
]
