"""Evidence files of answers: attached and removed from the questionnaire, downloaded through the app only."""

from urllib.parse import quote

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import FileResponse, Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect
from django.urls import reverse
from django.views.decorators.http import require_GET, require_POST

from assessments import access, evidence, sharing
from assessments.access import Capability
from assessments.models import Assessment, EvidenceFile
from assessments.views import _practice_or_404
from audit.models import EventKind
from audit.services import note_download

NOT_SAVED = "The file was not saved: storage unavailable. Your answer and notes are kept; try attaching it again later."


def card_url(assessment: Assessment, challenge_slug: str, practice_slug: str) -> str:
    return f"{reverse('assessments:questionnaire', args=[assessment.pk, challenge_slug])}#practice-{practice_slug}"


def _evidence_or_404(assessment: Assessment, file_id: int, *, own: bool = False) -> EvidenceFile:
    # Scoped to an assessment already fetched through access: another team's file id is simply not found. Files of
    # a shared set the assessment inherits are read here like its own, but only changed on the set's page.
    files = EvidenceFile.objects.filter(assessment=assessment) if own else evidence.files_of(assessment)
    found = files.filter(pk=file_id).select_related("practice__challenge")
    if (evidence_file := found.first()) is None:
        raise Http404("No such evidence file")
    return evidence_file


@login_required
@require_POST
def upload(request: HttpRequest, pk: int, challenge_slug: str, practice_slug: str) -> HttpResponse:
    assessment, _ = access.get_assessment(request.user, pk, Capability.ANSWER)
    practice = _practice_or_404(assessment, challenge_slug, practice_slug)
    chosen = request.FILES.get("file")
    if chosen is None:
        messages.error(request, "Choose a file to attach first.")
        return redirect(card_url(assessment, challenge_slug, practice_slug))
    try:
        attached = evidence.attach_evidence(assessment=assessment, practice=practice, user=request.user, upload=chosen)
    except evidence.EvidenceRefused as refused:
        messages.error(request, f"“{refused.name}” was not attached: {refused.reason}.")
    except evidence.EvidenceLocked:
        messages.error(request, "Not attached: this assessment is submitted. A team lead can reopen it.")
    except evidence.StorageUnavailable:
        messages.error(request, NOT_SAVED)
    else:
        messages.success(request, f"Attached “{attached.name}” to {practice.title}.")
    return redirect(card_url(assessment, challenge_slug, practice_slug))


@login_required
@require_POST
def delete(request: HttpRequest, pk: int, file_id: int) -> HttpResponse:
    assessment, _ = access.get_assessment(request.user, pk, Capability.ANSWER)
    evidence_file = _evidence_or_404(assessment, file_id, own=True)
    try:
        evidence.delete_evidence(evidence=evidence_file, user=request.user)
    except evidence.EvidenceLocked:
        messages.error(request, "Not removed: this assessment is submitted. A team lead can reopen it.")
    except evidence.StorageUnavailable:
        messages.error(request, "The file was not removed: storage unavailable. Try again later.")
    else:
        messages.success(request, f"Removed “{evidence_file.name}”.")
    practice = evidence_file.practice
    return redirect(card_url(assessment, practice.challenge.slug, practice.slug))


@login_required
@require_GET
def download(request: HttpRequest, pk: int, file_id: int) -> HttpResponse:
    assessment, _ = access.get_assessment(request.user, pk, Capability.NOTES)
    evidence_file = _evidence_or_404(assessment, file_id)
    response = attachment_response(evidence_file)
    note_download(
        EventKind.EXPORT_DOWNLOADED,
        f"the evidence file “{evidence_file.name}” of “{assessment.title}”",
        request.user,
        assessment,
    )
    return response


@require_GET
def shared_download(request: HttpRequest, token: str, file_id: int) -> HttpResponse:
    """Only through a link whose lead ticked "show evidence files"; any other link answers as if there were none."""
    try:
        link, assessment = access.get_shared_assessment(token)
    except access.SharedResultsBeingRevised:
        raise Http404("This assessment is being revised") from None
    if not link.shows_files:
        raise Http404("No such evidence file")
    evidence_file = _evidence_or_404(assessment, file_id)
    response = attachment_response(evidence_file)
    sharing.note_share_link_used(link=link, what=f"evidence file “{evidence_file.name}”")
    return response


def attachment_response(evidence_file: EvidenceFile) -> HttpResponse:
    """The stored content, streamed as a download the browser neither renders nor second-guesses."""
    try:
        content = evidence.open_evidence(evidence_file)
    except evidence.StorageUnavailable:
        return HttpResponse("The file cannot be fetched right now: storage unavailable.", status=503)
    response = FileResponse(content, content_type=evidence_file.content_type)
    response["Content-Length"] = str(evidence_file.size)
    ascii_name = evidence_file.name.encode("ascii", "replace").decode().replace('"', "_").replace("?", "_")
    response["Content-Disposition"] = (
        f"attachment; filename=\"{ascii_name}\"; filename*=UTF-8''{quote(evidence_file.name)}"
    )
    response["X-Content-Type-Options"] = "nosniff"
    response["Cache-Control"] = "private, no-store"
    return response
