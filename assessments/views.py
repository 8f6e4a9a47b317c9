"""Pages of one assessment: overview, questionnaire (with autosave), results, report, exports."""

import json
from urllib.parse import urlencode

from django.conf import settings
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.template.defaultfilters import pluralize
from django.urls import reverse
from django.utils import timezone
from django.utils.text import slugify
from django.views.decorators.http import require_http_methods, require_POST

from assessments import access, evidence, exports, questionnaire_page, services, shared_answers, sharing, tracking
from assessments.access import Capability
from assessments.forms import ReportLinesForm, ShareLinkForm, TargetsForm
from assessments.models import (
    SHOW_EVERYTHING,
    AnswerChange,
    Assessment,
    Disclosure,
    RenderedReport,
    ReportStatus,
)
from assessments.questionnaire_page import QuestionnairePage, answer_forms, render_cards, with_evidence
from assessments.report_queue import poll_report, request_report
from assessments.results import (
    build_results,
    load_answers,
    scoped_practices,
)
from assessments.results_page import results_content
from assessments.shared_answer_forms import InheritForm
from audit.models import EventKind
from audit.services import note_download
from config.site import absolute_url
from integrations import tracker_files
from playbook.models import Practice
from playbook.published import load_practices


def _practice_or_404(assessment: Assessment, challenge_slug: str, practice_slug: str) -> Practice:
    for practice in scoped_practices(assessment):
        if (practice.challenge.slug, practice.slug) == (challenge_slug, practice_slug):
            return practice
    raise Http404("No such practice in this playbook version")


@login_required
def overview(request: HttpRequest, pk: int) -> HttpResponse:
    assessment, team_access = access.get_assessment(request.user, pk)
    share_links = []
    if team_access.can_manage:
        share_links = [
            (link, absolute_url(reverse("assessments:shared_results", args=[sharing.share_token(link)])))
            for link in assessment.share_links.all()
        ]
    return render(
        request,
        "assessments/assessment_overview.html",
        {
            "assessment": assessment,
            "access": team_access,
            "results": build_results(assessment),
            "share_links": share_links,
            "share_form": ShareLinkForm(),
            "workshops": assessment.workshops.all() if team_access.can_manage else [],
            "submissions": assessment.submissions.all(),
            "shared": shared_answers.inheritance_panel(assessment),
            "inherit_form": InheritForm(assessment=assessment) if team_access.can_manage else None,
        },
    )


@login_required
def questionnaire(request: HttpRequest, pk: int, challenge_slug: str) -> HttpResponse:
    assessment, team_access = access.get_assessment(request.user, pk, Capability.NOTES)
    progress, stamps, file_ids = questionnaire_page.load_stamps(assessment, challenge_slug)
    challenges = [item.challenge for item in progress]
    challenge = next((c for c in challenges if c.slug == challenge_slug), None)
    if challenge is None:
        raise Http404("No such challenge in this playbook version")
    practices = load_practices(assessment.playbook, challenge)
    editable = team_access.can_answer and not assessment.is_submitted

    if request.method == "POST":
        access.require(request.user, team_access, Capability.ANSWER, f"assessment {pk}")
        answers = load_answers(assessment, [p.pk for p in practices])
        forms = answer_forms(assessment, practices, request.POST, answers)
        answering = [form for form in forms if form.is_bound]
        if assessment.is_submitted:
            messages.error(request, "This assessment is submitted; a team lead can reopen it to change answers.")
        elif all(form.is_valid() for form in answering):
            result = services.save_answers(
                assessment=assessment,
                user=request.user,
                answers=[form.to_answer_input() for form in answering if form.has_changed()],
            )
            if not result.conflicts:
                messages.success(request, f"Saved your answers to {challenge.title}.")
                later = challenges[challenges.index(challenge) + 1 :]
                if "next" in request.POST:
                    return redirect("assessments:questionnaire", pk, later[0].slug) if later else redirect(assessment)
                return redirect("assessments:questionnaire", pk, challenge.slug)
            forms = [form.after_save(*result.outcome_for(form.practice)) if form.is_bound else form for form in forms]
            messages.warning(
                request,
                "Someone else changed an answer you also changed. Your other answers are saved; "
                "choose which version to keep where marked.",
            )
    page = QuestionnairePage(assessment, challenge, progress, practices, stamps, file_ids, editable)
    content = (
        questionnaire_page.posted_content(request, page, forms)
        if request.method == "POST"
        else questionnaire_page.unbound_content(request, page)
    )
    return render(
        request,
        "assessments/questionnaire.html",
        {"assessment": assessment, "challenge": challenge, "content": content},
    )


@login_required
@require_POST
def save_practice(request: HttpRequest, pk: int, challenge_slug: str, practice_slug: str) -> HttpResponse:
    """Autosave of one practice card (htmx). Without JavaScript the page's own form is used instead."""
    assessment, team_access = access.get_assessment(request.user, pk, Capability.ANSWER)
    practice = _practice_or_404(assessment, challenge_slug, practice_slug)
    if not request.htmx:
        return redirect(assessment.get_absolute_url())
    [form] = answer_forms(assessment, [practice], request.POST)
    saved = None
    keep_theirs = request.POST.get("resolve") == "theirs"  # after a clash, the person chose the other answer
    try:
        if keep_theirs or form.is_valid():
            changed = not keep_theirs and form.has_changed()
            saved = services.save_practice(
                assessment=assessment,
                user=request.user,
                practice=practice,
                answer=form.to_answer_input() if changed else None,
            )
    except services.AssessmentLocked:
        form.save_error = "Not saved: this assessment has been submitted. A team lead can reopen it."
    else:
        if saved is not None and saved.outcome == services.SaveOutcome.INHERITED:
            form = form.after_save(saved.answer, conflict=False)
            form.just_saved, form.save_error = False, "Not saved: this answer is inherited from a shared set."
        elif keep_theirs:
            form = form.keeping_theirs(saved.answer)
        elif saved is not None:
            form = form.after_save(saved.answer, conflict=saved.outcome == services.SaveOutcome.CONFLICT)
    # Refused or invalid, the stored answer was not read: files_by_practice finds out whose files the card lists.
    files = (
        evidence.files_of_answer(assessment, practice, saved.answer)
        if saved is not None
        else evidence.files_by_practice(assessment, [practice.pk]).get(practice.pk, [])
    )
    with_evidence([form], {practice.pk: files})
    # Errors are shown inside the card, so the fragment is always swapped in (status 200).
    [card] = render_cards(assessment, practice.challenge, [form], editable=True)
    context = {"card": card, "challenge": practice.challenge, "saved": saved}
    return render(request, "assessments/questionnaire.html#autosaved-card", context)


@login_required
@require_POST
def submit(request: HttpRequest, pk: int) -> HttpResponse:
    assessment, _ = access.get_assessment(request.user, pk, Capability.MANAGE)
    try:
        services.submit_assessment(assessment=assessment, user=request.user)
    except services.IncompleteAssessment as error:
        needed = [f"answer more practices in {', '.join(error.challenges)}"] if error.challenges else []
        if error.to_review:
            needed.append(f"review the {error.to_review} answer{pluralize(error.to_review)} marked “needs review”")
        messages.error(request, f"Not submitted: {' and '.join(needed)}.")
        return redirect(assessment)
    messages.success(request, "Submitted. The answers are now locked and the report reflects them.")
    return redirect("assessments:results", pk=pk)


@login_required
@require_http_methods(["GET", "POST"])
def reopen(request: HttpRequest, pk: int) -> HttpResponse:
    """Reopening suspends the share links stakeholders hold, so the overview links to this confirmation first."""
    assessment, team_access = access.get_assessment(request.user, pk, Capability.MANAGE)
    if not assessment.is_submitted:
        return redirect(assessment)
    if request.method == "POST":
        services.reopen_assessment(assessment=assessment, user=request.user)
        messages.success(request, "Reopened: answers can be changed again.")
        return redirect(assessment)
    live_links = [link for link in assessment.share_links.all() if link.is_active]
    context = {"assessment": assessment, "access": team_access, "live_links": live_links}
    return render(request, "assessments/assessment_reopen.html", context)


@login_required
def delete(request: HttpRequest, pk: int) -> HttpResponse:
    assessment, _ = access.get_assessment(request.user, pk, Capability.MANAGE)
    if request.method == "POST":
        until = services.delete_assessment(assessment=assessment, user=request.user)
        messages.success(
            request,
            f"Deleted “{assessment.title}”. A lead can restore it from the team page until {until:%-d %B %Y}.",
        )
        return redirect(assessment.team)
    context = {"assessment": assessment, "restore_days": settings.ASSESSMENT_RESTORE_DAYS}
    return render(request, "assessments/assessment_delete.html", context)


@login_required
@require_POST
def restore(request: HttpRequest, pk: int) -> HttpResponse:
    assessment = access.get_deleted_assessment(request.user, pk)
    try:
        services.restore_assessment(assessment=assessment, user=request.user)
    except services.RestoreWindowOver:
        messages.error(
            request, f"“{assessment.title}” was deleted too long ago to restore; it is waiting to be purged."
        )
        return redirect(assessment.team)
    messages.success(request, f"Restored “{assessment.title}”.")
    return redirect(assessment)


@login_required
def results(request: HttpRequest, pk: int) -> HttpResponse:
    assessment, team_access = access.get_assessment(request.user, pk)
    assessment_results, targets_form = None, None
    if request.method == "POST":
        access.require(request.user, team_access, Capability.MANAGE, f"assessment {pk}")
        assessment_results = build_results(assessment)
        targets_form = TargetsForm(
            request.POST, challenges=assessment_results.challenges, level_names=assessment.playbook.level_names
        )
        if targets_form.is_valid():
            services.set_targets(assessment=assessment, targets=targets_form.cleaned_data)
            messages.success(request, "Targets saved; the plan now follows them.")
            return redirect("assessments:results", pk=pk)
    content = results_content(request, assessment, team_access, results=assessment_results, targets_form=targets_form)
    return render(request, "assessments/results.html", {"assessment": assessment, "content": content})


@login_required
@require_POST
def track_action(request: HttpRequest, pk: int, practice_slug: str) -> HttpResponse:
    assessment, _ = access.get_assessment(request.user, pk, Capability.MANAGE)
    item = build_results(assessment).plan_item(practice_slug)
    if item is None:
        raise Http404("That practice is not in the plan")
    tracking.track_action(assessment=assessment, item=item, user=request.user)
    messages.success(request, f"Now tracking “{item.practice_title}” on the team's action list.")
    # Back to the same plan item: a lead usually tracks several in a row.
    return redirect(f"{reverse('assessments:results', args=[pk])}#plan-{item.practice_slug}")


@login_required
def audit(request: HttpRequest, pk: int) -> HttpResponse:
    assessment, team_access = access.get_assessment(request.user, pk, Capability.MANAGE)
    changes = AnswerChange.objects.filter(assessment=assessment).select_related("practice", "changed_by")[:500]
    return render(
        request,
        "assessments/assessment_audit.html",
        {"assessment": assessment, "access": team_access, "changes": changes},
    )


REPORT_HEADER = "X-Report-Id"  # sent by the waiting page's polls (hx-headers): the report they wait for


def requested_report(
    request: HttpRequest, assessment: Assessment, disclosure: Disclosure, lines: dict[str, str] | None = None
) -> RenderedReport:
    """The report a waiting page polls for (named by its REPORT_HEADER), read from its row; otherwise, or if a newer
    revision has replaced it, the report of the assessment as it is now, which builds the results and HTML."""
    polled = request.headers.get(REPORT_HEADER, "")
    # Not a bigint's width: a row id it cannot be, and the database would refuse to compare it.
    report = poll_report(assessment, int(polled), disclosure) if polled.isdecimal() and len(polled) < 19 else None
    return report or request_report(build_results(assessment), disclosure, **(lines or {}))


def report_response(
    request: HttpRequest, assessment: Assessment, report: RenderedReport, lines: dict[str, str] | None = None
) -> HttpResponse:
    """The PDF when it is ready; otherwise a page that shows the render's progress and fetches it when done.
    `lines` are the cover's "prepared by/for" lines (ReportLinesForm), kept in the page's links while it polls.
    The polls name the report they wait for, so that they read its row instead of building the report again."""
    lines = lines or {}
    report_url = f"{request.path}?{urlencode(lines)}" if lines else request.path
    if report.status == ReportStatus.READY and request.htmx and "download" in request.GET:
        # A plain navigation: the attachment downloads and the waiting page stays.
        response = HttpResponse(status=204)
        response["HX-Redirect"] = report_url
        return response
    if report.status == ReportStatus.READY and not request.htmx:
        return _attachment(bytes(report.pdf), "application/pdf", assessment, "pdf")
    # While waiting the fragment polls; once ready it replaces itself with one that starts the download once.
    template = "assessments/report_waiting.html#report-progress" if request.htmx else "assessments/report_waiting.html"
    status = 200 if report.status == ReportStatus.READY else 202
    context = {
        "assessment": assessment,
        "report": report,
        "report_url": report_url,
        "report_header": json.dumps({REPORT_HEADER: str(report.pk)}),
        "download_url": f"{report_url}{'&' if lines else '?'}download=1",
        "worker_missing": report.is_unclaimed_too_long(timezone.now()),
    }
    return render(request, template, context, status=status)


@login_required
def report_pdf(request: HttpRequest, pk: int) -> HttpResponse:
    assessment, team_access = access.get_assessment(request.user, pk)
    disclosure = SHOW_EVERYTHING if team_access.sees_notes else Disclosure(notes=False, files=False)
    lines_form = ReportLinesForm(request.GET)
    if not lines_form.is_valid():
        context = {"assessment": assessment, "lines_form": lines_form}
        return render(request, "assessments/report_lines.html", context, status=400)
    lines = lines_form.lines()
    report = requested_report(request, assessment, disclosure, lines)
    response = report_response(request, assessment, report, lines)
    if is_download(response):
        note_download(EventKind.REPORT_DOWNLOADED, f"the PDF report of “{assessment.title}”", request.user, assessment)
    return response


def is_download(response: HttpResponse) -> bool:
    return response.has_header("Content-Disposition")


def _attachment(content: str | bytes, content_type: str, assessment: Assessment, extension: str) -> HttpResponse:
    response = HttpResponse(content, content_type=content_type)
    # Team and assessment both named, so a team's downloads of one day do not overwrite each other.
    name = f"{slugify(assessment.team.name)}-{slugify(assessment.title)}"
    filename = f"mlops-maturity-{name}-{assessment.report_date:%Y-%m-%d}.{extension}"
    response["Content-Disposition"] = f'attachment; filename="{filename}"'
    return response


@login_required
def export_json(request: HttpRequest, pk: int) -> HttpResponse:
    assessment, _ = access.get_assessment(request.user, pk, Capability.NOTES)
    files = evidence.files_by_practice(assessment)
    data = exports.export_json(build_results(assessment), site_url=settings.SITE_URL, files=files)
    note_download(EventKind.EXPORT_DOWNLOADED, f"the JSON export of “{assessment.title}”", request.user, assessment)
    return _attachment(json.dumps(data, indent=2, ensure_ascii=False), "application/json", assessment, "json")


@login_required
def export_csv(request: HttpRequest, pk: int) -> HttpResponse:
    assessment, _ = access.get_assessment(request.user, pk, Capability.NOTES)
    text = exports.export_csv(build_results(assessment), site_url=settings.SITE_URL)
    note_download(EventKind.EXPORT_DOWNLOADED, f"the CSV export of “{assessment.title}”", request.user, assessment)
    return _attachment(text.encode("utf-8"), "text/csv; charset=utf-8", assessment, "csv")


# The plan as files each tracker imports: (builder, content type, extension, what it is called in the event log).
PLAN_FILES = {
    "jira": (tracker_files.jira_csv, "text/csv; charset=utf-8", "jira.csv", "Jira CSV"),
    "azure-devops": (tracker_files.azure_devops_csv, "text/csv; charset=utf-8", "azure-devops.csv", "Azure DevOps CSV"),
    "github": (tracker_files.github_markdown, "text/markdown; charset=utf-8", "github.md", "GitHub Markdown"),
}


@login_required
def plan_file(request: HttpRequest, pk: int, tracker: str) -> HttpResponse:
    if tracker not in PLAN_FILES:
        raise Http404("No such plan format")
    assessment, _ = access.get_assessment(request.user, pk)
    build, content_type, extension, name = PLAN_FILES[tracker]
    text = build(tracker_files.plan_items(build_results(assessment), site_url=settings.SITE_URL))
    note_download(EventKind.EXPORT_DOWNLOADED, f"the plan of “{assessment.title}” as {name}", request.user, assessment)
    return _attachment(text.encode("utf-8"), content_type, assessment, f"plan.{extension}")
