"""Moving an assessment between installations: downloading its document, and a team's import page."""

import json

from django.conf import settings
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils import timezone
from django.views.decorators.http import require_http_methods

from assessments import access, portable, transfer, views
from assessments.access import Capability
from assessments.forms import ImportAssessmentForm
from audit.models import EventKind
from audit.services import note_download


@login_required
def export_document(request: HttpRequest, pk: int) -> HttpResponse:
    # NOTES, like the JSON and CSV exports: team viewers already see every answer, note, target and action, and
    # who gave them, on the team's pages; organisation viewers only where their organisation shares notes.
    assessment, _ = access.get_assessment(request.user, pk, Capability.NOTES)
    document = transfer.export_document(assessment, site_url=settings.SITE_URL, now=timezone.now())
    what = f"“{assessment.title}” as a file for another installation"
    note_download(EventKind.EXPORT_DOWNLOADED, what, request.user, assessment)
    text = json.dumps(document, indent=2, ensure_ascii=False)
    return views._attachment(text.encode("utf-8"), "application/json", assessment, "assessment.json")


@login_required
@require_http_methods(["GET", "POST"])
def import_assessment(request: HttpRequest, team_id: int) -> HttpResponse:
    team, team_access = access.get_team(request.user, team_id, Capability.MANAGE)
    form = ImportAssessmentForm(request.POST, request.FILES) if request.method == "POST" else ImportAssessmentForm()
    problems: list[str] = []
    if form.is_bound and form.is_valid():
        upload = form.cleaned_data["document"]
        try:
            raw = upload.read(portable.MAX_DOCUMENT_BYTES + 1)
            plan = portable.read_document(raw, transfer.loaded_versions(), title=form.cleaned_data["title"])
        except portable.DocumentRefused as refused:
            problems = portable.problem_summary(refused.problems)
        else:
            assessment = transfer.import_assessment(team=team, user=request.user, plan=plan, filename=upload.name)
            messages.success(
                request,
                f"Imported “{assessment.title}” as a new draft on playbook {plan.playbook_version}. "
                "Give its actions owners here: people are not carried over between installations.",
            )
            return redirect(assessment)
    context = {"team": team, "access": team_access, "form": form, "problems": problems, "chosen": form.is_bound}
    return render(request, "assessments/assessment_import.html", context)
