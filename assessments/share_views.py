"""Read-only share links for stakeholders without an account, and their management by leads."""

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_POST

from assessments import access, services
from assessments.access import Capability
from assessments.forms import ShareLinkForm
from assessments.models import ShareLink
from assessments.results import build_results
from assessments.views import report_response


@login_required
@require_POST
def create(request: HttpRequest, pk: int) -> HttpResponse:
    assessment, _ = access.get_assessment(request.user, pk, Capability.MANAGE)
    form = ShareLinkForm(request.POST)
    if not form.is_valid():
        messages.error(request, "Not shared: " + " ".join(e for errors in form.errors.values() for e in errors))
    else:
        try:
            services.create_share_link(assessment=assessment, user=request.user, **form.cleaned_data)
            messages.success(request, f"Share link for {form.cleaned_data['label']} created; copy it from the list.")
        except services.NotSubmitted:
            messages.error(request, "Only a submitted assessment can be shared.")
    return redirect(assessment)


@login_required
@require_POST
def revoke(request: HttpRequest, pk: int, link_id: int) -> HttpResponse:
    assessment, _ = access.get_assessment(request.user, pk, Capability.MANAGE)
    link = ShareLink.objects.filter(assessment=assessment, pk=link_id).first()
    if link is None:
        raise Http404("No such share link")
    services.revoke_share_link(link=link)
    messages.success(request, f"The link for {link.label} no longer works.")
    return redirect(assessment)


def _shared_or_404(token: str) -> ShareLink:
    link = services.active_share_link(token)
    if link is None:
        raise Http404("This link has expired, was revoked, or is not valid.")
    return link


@never_cache
def shared_results(request: HttpRequest, token: str) -> HttpResponse:
    link = _shared_or_404(token)
    assessment = access.visible_to_share_link(link)
    return render(
        request,
        "assessments/shared_results.html",
        {"assessment": assessment, "results": build_results(assessment), "token": token},
    )


@never_cache
def shared_report(request: HttpRequest, token: str) -> HttpResponse:
    link = _shared_or_404(token)
    return report_response(request, build_results(access.visible_to_share_link(link)))
