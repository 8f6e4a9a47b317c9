from allauth.mfa.utils import is_mfa_enabled
from django.contrib.auth.decorators import login_required
from django.http import HttpRequest, HttpResponse
from django.shortcuts import render

from audit.queries import sign_ins_of
from identity.middleware import signed_in_with_company_provider


@login_required
def account(request: HttpRequest) -> HttpResponse:
    """The signed-in person's own account: how they signed in, their password and their second factor."""
    return render(
        request,
        "identity/account.html",
        {
            "has_second_factor": is_mfa_enabled(request.user),
            "via_company": signed_in_with_company_provider(request),
            "has_password": request.user.has_usable_password(),
            "sign_ins": sign_ins_of(request.user)[:10],
        },
    )
