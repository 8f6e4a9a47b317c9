"""The company provider's login and callback routes; allauth mounts them under /accounts/."""

from django.urls import path

from identity import views

urlpatterns = [
    path("sso/<str:provider_id>/login/", views.company_login, name="company_login"),
    path("sso/<str:provider_id>/login/callback/", views.company_callback, name="company_callback"),
]
