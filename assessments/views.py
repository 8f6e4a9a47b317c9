from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.db.models import Prefetch
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils.text import slugify
from django.views.decorators.http import require_POST

from assessments import access, services
from assessments.access import Capability
from assessments.forms import NewAssessmentForm, PracticeAnswerForm
from assessments.models import Assessment
from assessments.report import render_report_pdf
from assessments.results import build_results, load_answers, load_practices


@login_required
def home(request: HttpRequest) -> HttpResponse:
    teams = access.visible_teams(request.user).prefetch_related(
        Prefetch("assessments", queryset=Assessment.objects.order_by("-created_at"))
    )
    return render(request, "assessments/home.html", {"teams": teams})


@login_required
def team_detail(request: HttpRequest, team_id: int) -> HttpResponse:
    team, team_access = access.get_team(request.user, team_id)
    form = NewAssessmentForm(request.POST or None)
    if request.method == "POST":
        team, team_access = access.get_team(request.user, team_id, Capability.MANAGE)
        if form.is_valid():
            assessment = services.create_assessment(team=team, user=request.user, title=form.cleaned_data["title"])
            messages.success(request, f"Started “{assessment.title}”.")
            return redirect(assessment)
    assessments = team.assessments.select_related("playbook").order_by("-created_at")
    return render(
        request,
        "assessments/team_detail.html",
        {"team": team, "access": team_access, "assessments": assessments, "form": form},
    )


@login_required
def overview(request: HttpRequest, pk: int) -> HttpResponse:
    assessment, team_access = access.get_assessment(request.user, pk)
    results = build_results(assessment)
    return render(
        request,
        "assessments/assessment_overview.html",
        {"assessment": assessment, "access": team_access, "results": results},
    )


@login_required
def questionnaire(request: HttpRequest, pk: int, challenge_slug: str) -> HttpResponse:
    assessment, team_access = access.get_assessment(request.user, pk)
    challenges = list(assessment.playbook.challenges.only("slug", "title", "order"))
    challenge = next((c for c in challenges if c.slug == challenge_slug), None)
    if challenge is None:
        raise Http404("No such challenge in this playbook version")
    practices = load_practices(assessment.playbook, challenge)
    answers = load_answers(assessment)
    level_names = assessment.playbook.level_names
    editable = team_access.can_answer and not assessment.is_submitted

    if request.method == "POST":
        access.get_assessment(request.user, pk, Capability.ANSWER)
        forms = [
            PracticeAnswerForm(request.POST, practice=p, level_names=level_names, prefix=p.slug) for p in practices
        ]
        if assessment.is_submitted:
            messages.error(request, "This assessment is submitted; a team lead can reopen it to change answers.")
        elif all(form.is_valid() for form in forms):
            services.save_answers(
                assessment=assessment, user=request.user, answers=[form.to_answer_input() for form in forms]
            )
            messages.success(request, f"Saved your answers to {challenge.title}.")
            position = challenges.index(challenge)
            if "next" in request.POST and position + 1 < len(challenges):
                return redirect("assessments:questionnaire", pk=pk, challenge_slug=challenges[position + 1].slug)
            if "next" in request.POST:
                return redirect(assessment)
            return redirect("assessments:questionnaire", pk=pk, challenge_slug=challenge.slug)
        else:
            messages.error(request, "Some answers need attention; nothing on this page was saved yet.")
    else:
        forms = [
            PracticeAnswerForm(
                practice=p,
                level_names=level_names,
                prefix=p.slug,
                initial=PracticeAnswerForm.initial_from(answers.get(p.pk)),
            )
            for p in practices
        ]
    return render(
        request,
        "assessments/questionnaire.html",
        {
            "assessment": assessment,
            "access": team_access,
            "challenge": challenge,
            "challenges": challenges,
            "forms": forms,
            "editable": editable,
            "answered": sum(1 for p in practices if p.pk in answers),
        },
    )


@login_required
@require_POST
def submit(request: HttpRequest, pk: int) -> HttpResponse:
    assessment, _ = access.get_assessment(request.user, pk, Capability.MANAGE)
    results = build_results(assessment)
    missing = [c.challenge.title for c in results.challenges if not c.score.has_enough_answers]
    try:
        services.submit_assessment(assessment=assessment, user=request.user, challenges_without_level=missing)
    except services.IncompleteAssessment as error:
        messages.error(request, f"Not submitted: answer more practices in {', '.join(error.challenges)}.")
        return redirect(assessment)
    messages.success(request, "Submitted. The answers are now locked and the report reflects them.")
    return redirect("assessments:results", pk=pk)


@login_required
@require_POST
def reopen(request: HttpRequest, pk: int) -> HttpResponse:
    assessment, _ = access.get_assessment(request.user, pk, Capability.MANAGE)
    services.reopen_assessment(assessment=assessment)
    messages.success(request, "Reopened: answers can be changed again.")
    return redirect(assessment)


@login_required
def results(request: HttpRequest, pk: int) -> HttpResponse:
    assessment, team_access = access.get_assessment(request.user, pk)
    return render(
        request,
        "assessments/results.html",
        {"assessment": assessment, "access": team_access, "results": build_results(assessment)},
    )


@login_required
def report_pdf(request: HttpRequest, pk: int) -> HttpResponse:
    assessment, _ = access.get_assessment(request.user, pk)
    pdf = render_report_pdf(build_results(assessment))
    filename = f"mlops-maturity-{slugify(assessment.team.name)}-{assessment.updated_at:%Y-%m-%d}.pdf"
    response = HttpResponse(pdf, content_type="application/pdf")
    response["Content-Disposition"] = f'attachment; filename="{filename}"'
    response["Cache-Control"] = "no-store"
    return response
