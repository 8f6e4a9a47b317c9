"""Personal access tokens on the account page: make one (shown once), see when each was last used, revoke."""

from allauth.mfa.utils import is_mfa_enabled
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.views.decorators.http import require_POST

from api import services
from api.forms import NewTokenForm
from api.models import ApiToken
from identity.middleware import signed_in_with_company_provider


def _may_make_tokens(request: HttpRequest) -> bool:
    # A token must not become a way round the second factor staff need before they see any team's data.
    user = request.user
    return not (user.is_staff or user.is_superuser) or is_mfa_enabled(user) or signed_in_with_company_provider(request)


@login_required
def tokens(request: HttpRequest) -> HttpResponse:
    form = NewTokenForm(request.POST or None)
    new_token = None
    allowed = _may_make_tokens(request)
    if request.method == "POST" and allowed and form.is_valid():
        new_token = services.create_token(user=request.user, **form.cleaned_data)
        form = NewTokenForm()
    context = {
        "form": form,
        "new_token": new_token,
        "allowed": allowed,
        "tokens": ApiToken.objects.filter(user=request.user, revoked_at__isnull=True),
    }
    return render(request, "api/tokens.html", context)


@login_required
@require_POST
def revoke(request: HttpRequest, pk: int) -> HttpResponse:
    token = ApiToken.objects.filter(user=request.user, pk=pk).first()
    if token is None:
        raise Http404("No such token")
    services.revoke_token(token=token, by=request.user)
    messages.success(request, f"The token “{token.name}” no longer works.")
    return redirect("tokens:list")
