"""The Django admin is an operator's tool: only superusers reach it.

Consultants are staff, but they reach team data only through the app, where `access.py` scopes it to the
organisations they are assigned to; an admin permission would bypass that.
"""

from django.contrib import admin
from django.contrib.auth.views import redirect_to_login
from django.core.exceptions import PermissionDenied
from django.http import HttpRequest
from django.shortcuts import redirect
from django.urls import reverse


class OperatorAdminSite(admin.AdminSite):
    site_header = "MLOps Maturity: operators"

    def has_permission(self, request: HttpRequest) -> bool:
        return request.user.is_active and request.user.is_superuser

    def login(self, request, extra_context=None):
        # Signing in goes through the app's own page, with its throttling and second factor, never the admin's.
        if not request.user.is_authenticated:
            return redirect_to_login(reverse("admin:index"))
        if self.has_permission(request):
            return redirect("admin:index")
        raise PermissionDenied("The admin is for the installation's operators.")
