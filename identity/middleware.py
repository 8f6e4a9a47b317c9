from allauth.account.authentication import get_authentication_records
from allauth.mfa.utils import is_mfa_enabled
from django.contrib import messages
from django.http import HttpRequest, HttpResponse, JsonResponse
from django.shortcuts import redirect

# What a staff member may reach before adding a second factor: the pages to add it, and signing out.
OPEN_PATHS = ("/account", "/static/", "/healthz", "/session/", "/playbook/", "/.well-known/")


def signed_in_with_company_provider(request: HttpRequest) -> bool:
    """The company's provider did the authenticating, and answers for its own second factor."""
    return any(record.get("method") == "socialaccount" for record in get_authentication_records(request, request.user))


class SecondFactorForStaffMiddleware:
    """Staff (consultants and operators) reach no team's data and no admin page until their local account has a
    second factor. A session signed in through the company's provider is left to that provider's policy."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        user = request.user
        if (
            user.is_authenticated
            and (user.is_staff or user.is_superuser)
            and not request.path.startswith(OPEN_PATHS)
            and not signed_in_with_company_provider(request)
            and not is_mfa_enabled(user)
        ):
            if request.path.startswith("/api/"):
                return JsonResponse(
                    {"error": {"code": "second_factor_required", "message": "Add a second factor first."}},
                    status=403,
                )
            messages.warning(request, "Staff accounts need a second factor before they see any team's data.")
            return redirect("mfa_activate_totp")
        return self.get_response(request)
