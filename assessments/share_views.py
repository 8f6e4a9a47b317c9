"""Read-only share links for stakeholders without an account, and their management by leads."""

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.views.decorators.http import require_POST

from assessments import access, sharing
from assessments.access import Capability
from assessments.evidence import evidence_rows
from assessments.forms import ShareLinkForm
from assessments.models import Assessment, ShareLink
from assessments.organisations import organisation_brand
from assessments.results import build_results
from assessments.views import is_download, report_response, requested_report
from config.site import absolute_url


def _link_rows(request: HttpRequest, assessment: Assessment) -> list[tuple[ShareLink, str]]:
    return [
        (link, absolute_url(reverse("assessments:shared_results", args=[sharing.share_token(link)])))
        for link in assessment.share_links.all()
    ]


@login_required
def create(request: HttpRequest, pk: int) -> HttpResponse:
    """The share page; the overview's share form posts here too, and comes back here when the input needs fixing."""
    assessment, team_access = access.get_assessment(request.user, pk, Capability.MANAGE)
    form = ShareLinkForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            sharing.create_share_link(assessment=assessment, user=request.user, **form.cleaned_data)
        except sharing.NotSubmitted:
            messages.error(request, "Only a submitted assessment can be shared.")
            return redirect(assessment)
        messages.success(request, f"Share link for {form.cleaned_data['label']} created; copy it from the list.")
        return redirect(assessment)
    return render(
        request,
        "assessments/assessment_share.html",
        {
            "assessment": assessment,
            "access": team_access,
            "share_links": _link_rows(request, assessment),
            "share_form": form,
        },
    )


@login_required
@require_POST
def revoke(request: HttpRequest, pk: int, link_id: int) -> HttpResponse:
    assessment, _ = access.get_assessment(request.user, pk, Capability.MANAGE)
    link = ShareLink.objects.filter(assessment=assessment, pk=link_id).first()
    if link is None:
        raise Http404("No such share link")
    sharing.revoke_share_link(link=link, by=request.user)
    messages.success(request, f"The link for {link.label} no longer works.")
    return redirect(assessment)


def shared_results(request: HttpRequest, token: str) -> HttpResponse:
    try:
        link, assessment = access.get_shared_assessment(token)
    except access.SharedResultsBeingRevised as revising:
        return _being_revised(request, revising.assessment)
    sharing.note_share_link_used(link=link, what="results page")
    context = {
        "assessment": assessment,
        "results": build_results(assessment),
        "token": token,
        "link": link,
        "brand": organisation_brand(assessment.team.organisation),
    }
    context["evidence_rows"] = evidence_rows(context["results"]) if link.shows_files else []
    return render(request, "assessments/shared_results.html", context | {"hide_notes": not link.shows_notes})


def shared_report(request: HttpRequest, token: str) -> HttpResponse:
    try:
        link, assessment = access.get_shared_assessment(token)
    except access.SharedResultsBeingRevised as revising:
        return _being_revised(request, revising.assessment)
    response = report_response(request, assessment, requested_report(request, assessment, link.disclosure))
    if is_download(response):
        sharing.note_share_link_used(link=link, what="PDF report")
    return response


def _being_revised(request: HttpRequest, assessment: Assessment) -> HttpResponse:
    """Said instead of 'not found': the stakeholder's link is fine, the team is updating what it shows."""
    return render(request, "assessments/shared_revising.html", {"assessment": assessment})
