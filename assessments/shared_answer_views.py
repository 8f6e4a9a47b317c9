"""Shared answer sets: their pages, and inheriting them into an assessment (rules in assessments.shared_answers)."""

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.db.models import Count
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.template.defaultfilters import pluralize
from django.urls import reverse
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from assessments import access, evidence, shared_answers
from assessments.access import Capability
from assessments.answer_inputs import AssessmentLocked
from assessments.evidence_views import NOT_SAVED, attachment_response, card_url
from assessments.forms import PracticeAnswerForm, StoredAnswerCard
from assessments.models import EvidenceFile, Organisation, SharedAnswerSet, Status
from assessments.questionnaire_page import with_evidence
from assessments.shared_answer_forms import DifferForm, InheritForm, SharedAnswerSetForm
from assessments.views import _practice_or_404
from audit.models import EventKind
from audit.services import record
from playbook.published import load_practices

LOCKED = "This assessment is submitted; a team lead can reopen it to change its answers."


def _organisation_or_404(slug: str) -> Organisation:
    # Whether it exists is not told apart from whether the user may see it: shared_set_access answers 404 for both.
    organisation = Organisation.objects.filter(slug=slug).first()
    if organisation is None:
        raise Http404("Not found")
    return organisation


@login_required
@require_http_methods(["GET", "POST"])
def answer_sets(request: HttpRequest, slug: str) -> HttpResponse:
    organisation = _organisation_or_404(slug)
    set_access = access.shared_set_access(request.user, organisation)
    form = SharedAnswerSetForm(organisation=organisation, initial={"maintainer": request.user})
    if request.method == "POST":
        access.require(request.user, set_access.role, Capability.MANAGE, f"shared sets of {slug}")
        form = SharedAnswerSetForm(request.POST, organisation=organisation)
        if form.is_valid():
            answer_set = shared_answers.create_answer_set(
                organisation=organisation, user=request.user, **form.cleaned_data
            )
            messages.success(
                request, f"Created “{answer_set.name}”. Answer the practices it owns, challenge by challenge."
            )
            return redirect(answer_set)
    sets = organisation.shared_answer_sets.select_related("playbook", "maintainer").annotate(
        answer_count=Count("answers")
    )
    context = {"organisation": organisation, "sets": sets, "form": form, "set_access": set_access}
    return render(request, "assessments/shared_answer_sets.html", context)


@login_required
@require_http_methods(["GET", "POST"])
def answer_set(request: HttpRequest, pk: int) -> HttpResponse:
    answer_set, set_access = access.get_answer_set(request.user, pk, maintain=request.method == "POST")
    form = SharedAnswerSetForm(
        organisation=answer_set.organisation,
        answer_set=answer_set,
        initial={"name": answer_set.name, "description": answer_set.description, "maintainer": answer_set.maintainer},
    )
    if request.method == "POST":
        form = SharedAnswerSetForm(request.POST, organisation=answer_set.organisation, answer_set=answer_set)
        if form.is_valid():
            shared_answers.update_answer_set(answer_set=answer_set, **form.cleaned_data)
            messages.success(request, "Saved the set's name, description and maintainer.")
            return redirect(answer_set)
    answered = set(answer_set.answers.values_list("practice_id", flat=True))
    challenges = [
        (challenge, practices, sum(p.pk in answered for p in practices))
        for challenge, practices in _practices_by_challenge(answer_set)
    ]
    inheriting = answer_set.inheritances.filter(assessment__deleted_at__isnull=True)
    context = {
        "answer_set": answer_set,
        "set_access": set_access,
        "form": form,
        "challenges": challenges,
        "open_count": inheriting.filter(assessment__status=Status.DRAFT).count(),
        "submitted_count": inheriting.filter(assessment__status=Status.SUBMITTED).count(),
    }
    return render(request, "assessments/shared_answer_set.html", context)


def _practices_by_challenge(answer_set: SharedAnswerSet):
    grouped: dict = {}
    for practice in load_practices(answer_set.playbook):
        grouped.setdefault(practice.challenge, []).append(practice)
    return grouped.items()


@login_required
@require_http_methods(["GET", "POST"])
def answer_set_challenge(request: HttpRequest, pk: int, challenge_slug: str) -> HttpResponse:
    """The set's answers to one challenge's practices, in the questionnaire's cards (saved with the page's button)."""
    answer_set, set_access = access.get_answer_set(request.user, pk, maintain=request.method == "POST")
    challenge = next((c for c, _ in _practices_by_challenge(answer_set) if c.slug == challenge_slug), None)
    if challenge is None:
        raise Http404("No such challenge in this playbook version")
    practices = load_practices(answer_set.playbook, challenge)
    stored = {shared.practice_id: shared for shared in answer_set.answers.select_related("option")}
    level_names = answer_set.playbook.level_names
    forms = [StoredAnswerCard(stored.get(p.pk), practice=p, level_names=level_names) for p in practices]
    if request.method == "POST":
        forms = [
            PracticeAnswerForm(
                request.POST,
                practice=p,
                level_names=level_names,
                prefix=p.slug,
                initial=PracticeAnswerForm.initial_from(stored.get(p.pk)),
            )
            for p in practices
        ]
        if all(form.is_valid() for form in forms):
            result = shared_answers.save_shared_answers(
                answer_set=answer_set,
                user=request.user,
                answers=[form.to_answer_input() for form in forms if form.has_changed()],
            )
            if not result.conflicts:
                reached = result.assessments_updated
                messages.success(
                    request,
                    f"Saved the shared answers to {challenge.title}."
                    + (f" {reached} open assessment{pluralize(reached)} took on the change." if reached else ""),
                )
                return redirect("assessments:shared_answer_set_challenge", pk, challenge_slug)
            clashed = {shared.practice_id: shared for shared in result.conflicts}
            forms = [form.against(clashed[form.practice.pk]) if form.practice.pk in clashed else form for form in forms]
            messages.warning(
                request,
                "Someone else changed a shared answer you also changed; choose which version to keep where marked.",
            )
    with_evidence(forms, evidence.files_by_owner(answer_set.evidence_files.filter(practice__in=practices)))
    context = {
        "answer_set": answer_set,
        "set_access": set_access,
        "challenge": challenge,
        "practices": practices,
        "forms": forms,
        "invalid_forms": [form for form in forms if form.errors],
        "editable": set_access.may_maintain,
    }
    return render(request, "assessments/shared_answer_set_challenge.html", context)


@login_required
@require_http_methods(["GET", "POST"])
def delete_answer_set(request: HttpRequest, pk: int) -> HttpResponse:
    answer_set, _ = access.get_answer_set(request.user, pk, maintain=True)
    if request.method == "POST":
        organisation = answer_set.organisation
        reached = shared_answers.delete_answer_set(answer_set=answer_set, user=request.user)
        messages.success(
            request,
            f"Deleted “{answer_set.name}”."
            + (f" {reached} open assessment{pluralize(reached)} keep its answers as their own." if reached else ""),
        )
        return redirect("assessments:shared_answer_sets", organisation.slug)
    open_count = answer_set.inheritances.filter(assessment__status=Status.DRAFT).count()
    return render(
        request,
        "assessments/shared_answer_set_delete.html",
        {"answer_set": answer_set, "open_count": open_count, "file_count": answer_set.evidence_files.count()},
    )


@login_required
@require_POST
def inherit(request: HttpRequest, pk: int) -> HttpResponse:
    assessment, _ = access.get_assessment(request.user, pk, Capability.MANAGE)
    form = InheritForm(request.POST, assessment=assessment)
    if not form.is_valid():
        messages.error(request, "Not inherited: choose one of the organisation's shared answer sets listed.")
        return redirect(assessment)
    answer_set = form.cleaned_data["answer_set"]
    try:
        outcome = shared_answers.inherit_answer_set(assessment=assessment, answer_set=answer_set, user=request.user)
    except AssessmentLocked:
        messages.error(request, LOCKED)
        return redirect(assessment)
    said = [
        f"Inherited “{answer_set.name}”: {outcome.inherited} answer{pluralize(outcome.inherited)} now "
        f"come{pluralize(outcome.inherited, 's,')} from it."
    ]
    if outcome.kept_own:
        said.append(
            f"The team's own answer{pluralize(len(outcome.kept_own))} to {', '.join(outcome.kept_own)} "
            f"{pluralize(len(outcome.kept_own), 'stays,stay')}."
        )
    if earlier := outcome.given_by_earlier:
        said.append(f"{', '.join(earlier)} still come{pluralize(len(earlier), 's,')} from a set inherited earlier.")
    messages.success(request, " ".join(said))
    return redirect(assessment)


@login_required
@require_POST
def stop_inheriting(request: HttpRequest, pk: int, set_id: int) -> HttpResponse:
    assessment, _ = access.get_assessment(request.user, pk, Capability.MANAGE)
    answer_set = assessment.shared_answer_sets.filter(pk=set_id).first()
    if answer_set is None:
        raise Http404("This assessment does not inherit that set")
    try:
        shared_answers.stop_inheriting(assessment=assessment, answer_set=answer_set, user=request.user)
    except AssessmentLocked:
        messages.error(request, LOCKED)
    else:
        messages.success(
            request, f"No longer inheriting “{answer_set.name}”; the answers it gave are now the team's own."
        )
    return redirect(assessment)


@login_required
@require_http_methods(["GET", "POST"])
def differ_from_shared(request: HttpRequest, pk: int, challenge_slug: str, practice_slug: str) -> HttpResponse:
    """The card's "The team differs" posts here; a reason that is missing or too long comes back on this page with
    what was typed (GET shows the same form without JavaScript's help)."""
    assessment, team_access = access.get_assessment(request.user, pk, Capability.ANSWER)
    practice = _practice_or_404(assessment, challenge_slug, practice_slug)
    form = DifferForm(request.POST or None)
    if form.is_valid():
        try:
            shared_answers.differ_from_shared(
                assessment=assessment, user=request.user, practice=practice, reason=form.cleaned_data["reason"]
            )
        except AssessmentLocked:
            messages.error(request, LOCKED)
        except shared_answers.NotInherited:
            messages.error(request, f"{practice.title} is no longer inherited; its card shows the answer as it stands.")
        else:
            messages.success(request, f"{practice.title} is now the team's own answer: change it on its card.")
        return redirect(card_url(assessment, challenge_slug, practice_slug))
    context = {"assessment": assessment, "access": team_access, "practice": practice, "form": form}
    return render(request, "assessments/shared_answer_differ.html", context)


@login_required
@require_POST
def use_shared_answer(request: HttpRequest, pk: int, challenge_slug: str, practice_slug: str) -> HttpResponse:
    assessment, _ = access.get_assessment(request.user, pk, Capability.ANSWER)
    practice = _practice_or_404(assessment, challenge_slug, practice_slug)
    try:
        answer = shared_answers.use_shared_answer(assessment=assessment, user=request.user, practice=practice)
    except AssessmentLocked:
        messages.error(request, LOCKED)
    except shared_answers.NotInherited:
        messages.error(request, f"{practice.title} has no shared answer to go back to.")
    else:
        messages.success(request, f"{practice.title} is inherited from “{answer.shared_source}” again.")
    return redirect(card_url(assessment, challenge_slug, practice_slug))


@login_required
@require_POST
def dismiss_shared_notices(request: HttpRequest, pk: int) -> HttpResponse:
    assessment, _ = access.get_assessment(request.user, pk, Capability.ANSWER)
    shared_answers.dismiss_notices(assessment=assessment)
    return redirect(assessment)


def _set_card_url(answer_set: SharedAnswerSet, challenge_slug: str, practice_slug: str) -> str:
    page = reverse("assessments:shared_answer_set_challenge", args=[answer_set.pk, challenge_slug])
    return f"{page}#practice-{practice_slug}"


@login_required
@require_POST
def upload_shared_evidence(request: HttpRequest, pk: int, challenge_slug: str, practice_slug: str) -> HttpResponse:
    answer_set, _ = access.get_answer_set(request.user, pk, maintain=True)
    practice = next(
        (
            p
            for p in load_practices(answer_set.playbook)
            if (p.challenge.slug, p.slug) == (challenge_slug, practice_slug)
        ),
        None,
    )
    if practice is None:
        raise Http404("No such practice in this playbook version")
    card = _set_card_url(answer_set, challenge_slug, practice_slug)
    if (chosen := request.FILES.get("file")) is None:
        messages.error(request, "Choose a file to attach first.")
        return redirect(card)
    try:
        attached = evidence.attach_shared_evidence(
            answer_set=answer_set, practice=practice, user=request.user, upload=chosen
        )
    except evidence.EvidenceRefused as refused:
        messages.error(request, f"“{refused.name}” was not attached: {refused.reason}.")
    except evidence.StorageUnavailable:
        messages.error(request, NOT_SAVED)
    else:
        messages.success(request, f"Attached “{attached.name}” to the shared answer to {practice.title}.")
    return redirect(card)


def _set_file_or_404(answer_set: SharedAnswerSet, file_id: int) -> EvidenceFile:
    found = answer_set.evidence_files.filter(pk=file_id).select_related("practice__challenge").first()
    if found is None:
        raise Http404("No such evidence file")
    return found


@login_required
@require_GET
def download_shared_evidence(request: HttpRequest, pk: int, file_id: int) -> HttpResponse:
    answer_set, _ = access.get_answer_set(request.user, pk)
    evidence_file = _set_file_or_404(answer_set, file_id)
    response = attachment_response(evidence_file)
    record(
        EventKind.EXPORT_DOWNLOADED,
        f"{request.user.get_username()} downloaded the evidence file “{evidence_file.name}” of the shared answers "
        f"“{answer_set.name}”",
        actor=request.user,
        organisation_id=answer_set.organisation_id,
    )
    return response


@login_required
@require_POST
def delete_shared_evidence(request: HttpRequest, pk: int, file_id: int) -> HttpResponse:
    answer_set, _ = access.get_answer_set(request.user, pk, maintain=True)
    evidence_file = _set_file_or_404(answer_set, file_id)
    try:
        evidence.delete_shared_evidence(evidence=evidence_file, user=request.user)
    except evidence.StorageUnavailable:
        messages.error(request, "The file was not removed: storage unavailable. Try again later.")
    else:
        messages.success(request, f"Removed “{evidence_file.name}”.")
    practice = evidence_file.practice
    return redirect(_set_card_url(answer_set, practice.challenge.slug, practice.slug))
