"""Database writes for assessments. Each function is one transaction."""

from collections.abc import Sequence
from dataclasses import asdict, dataclass, field
from datetime import datetime, timedelta
from enum import StrEnum

from django.conf import settings
from django.contrib.auth.models import AbstractBaseUser
from django.db import IntegrityError, connection, transaction
from django.db.models import F
from django.utils import timezone

from assessments import evidence, shared_answers
from assessments.answer_inputs import AnswerInput, AssessmentLocked, answer_snapshot
from assessments.carrying import EarlierAnswer, NextPractice, carry_answers
from assessments.models import (
    Answer,
    AnswerChange,
    Assessment,
    Status,
    Submission,
    Team,
)
from assessments.results import answered_count, load_answers, scoped_practices, score_many
from audit.models import EventKind
from audit.services import record
from config.compiled_query import CompiledQuery
from playbook.content_model import Origin
from playbook.models import PlaybookVersion, Practice
from playbook.published import load_practices
from webhooks import events as webhook_events


class IncompleteAssessment(Exception):
    """Some challenge has no level yet, or some answers wait for the team to review them."""

    def __init__(self, challenges: Sequence[str], to_review: int = 0):
        self.challenges, self.to_review = tuple(challenges), to_review
        super().__init__(f"Not enough answers in: {', '.join(self.challenges)}; {to_review} answers to review")


@dataclass(frozen=True)
class SaveResult:
    saved: tuple[Answer, ...] = ()
    unchanged: tuple[int, ...] = ()  # practice ids
    conflicts: tuple[Answer, ...] = field(default=())  # current answers someone else changed meanwhile
    # Inherited from a shared answer set, so not changed here: the team first says it differs (shared_answers).
    inherited: tuple[Answer, ...] = ()

    def answer_for(self, practice: Practice) -> Answer | None:
        return next((a for a in (*self.saved, *self.conflicts) if a.practice_id == practice.pk), None)

    def outcome_for(self, practice: Practice) -> tuple[Answer | None, bool]:
        """The practice's stored answer if it was saved or clashed, and whether it clashed."""
        answer = self.answer_for(practice)
        return answer, answer is not None and answer in self.conflicts


@transaction.atomic
def create_assessment(
    *,
    team: Team,
    user: AbstractBaseUser,
    title: str,
    subject: str = "",
    modules: Sequence[str] | None = None,
    prefill_from: Assessment | None = None,
    playbook: PlaybookVersion | None = None,
) -> Assessment:
    """Start an assessment on the current playbook about `subject` (the ML product assessed), covering the core
    challenges and the chosen `modules` (by default those of `prefill_from`), optionally opening with the answers
    of an earlier assessment as `assessments.carrying` decides. `playbook` is the current version unless given
    (an imported assessment keeps the version it was answered against)."""
    playbook = playbook or PlaybookVersion.objects.get(is_current=True)
    offered = set(playbook.challenges.filter(is_module=True).values_list("slug", flat=True))
    if modules is None:
        modules = prefill_from.modules if prefill_from else []
    assessment = Assessment.objects.create(
        team=team,
        playbook=playbook,
        title=title,
        subject=subject or (prefill_from.subject if prefill_from else ""),
        modules=sorted(set(modules) & offered),
        created_by=user,
    )
    if prefill_from is not None:
        _open_with_earlier_answers(assessment, prefill_from, user)
    return assessment


def _open_with_earlier_answers(assessment: Assessment, earlier: Assessment, user: AbstractBaseUser) -> None:
    practices = {p.slug: p for p in scoped_practices(assessment)}
    options = {(p.pk, o.level): o for p in practices.values() for o in p.options.all()}
    earlier_answers = [
        EarlierAnswer(
            slug=a.practice.slug,
            title=a.practice.title,
            level=a.option.level if a.option else None,
            statement=a.option.description if a.option else a.practice.not_applicable_rule,
            not_applicable_reason=a.not_applicable_reason,
            not_applicable_detail=a.not_applicable_detail,
            notes=a.notes,
        )
        for a in earlier.answers.select_related("practice", "option")
    ]
    carried = carry_answers(
        earlier_answers,
        [NextPractice(p.slug, Origin.from_data(p.origin), p.allows_not_applicable) for p in practices.values()],
        same_version=earlier.playbook_id == assessment.playbook_id,
        revises=assessment.playbook.previous_id == earlier.playbook_id,
    )
    copies = []
    for item in carried:
        practice = practices[item.slug]
        copies.append(
            Answer(
                assessment=assessment,
                practice=practice,
                option=options[(practice.pk, item.level)] if item.level is not None else None,
                not_applicable_reason=item.not_applicable_reason,
                not_applicable_detail=item.not_applicable_detail,
                notes=item.notes,
                to_confirm=item.to_confirm,
                suggested_option=options.get((practice.pk, item.suggested_level)),
                carried_from={
                    "assessment": earlier.title,
                    "version": earlier.playbook.version,
                    "answers": [asdict(source) for source in item.sources],
                }
                if item.to_confirm
                else None,
                updated_by=user,
            )
        )
    Answer.objects.bulk_create(copies)
    # The audit trail starts with the copies, so it accounts for every answer the assessment opens with.
    AnswerChange.objects.bulk_create(
        AnswerChange(
            assessment=assessment,
            practice=copy.practice,
            changed_by=user,
            before=None,
            after=answer_snapshot(copy)
            | {"copied_from": earlier.title}
            | ({"to_confirm": True} if copy.to_confirm else {}),
        )
        for copy in copies
    )


@transaction.atomic
def save_answers(*, assessment: Assessment, user: AbstractBaseUser, answers: Sequence[AnswerInput]) -> SaveResult:
    """Store the given answers, each only if it changed, and record every change in the audit trail.

    An answer whose `seen_revision` is older than the stored one was changed by
    someone else in the meantime: it is not overwritten but returned as a conflict.
    """
    if _lock_against_submission(assessment):
        raise AssessmentLocked()
    existing = {
        a.practice_id: a
        for a in Answer.objects.select_for_update(of=("self",))
        .select_related("option", "updated_by")
        .filter(assessment=assessment, practice__in=[i.practice for i in answers])
    }
    saved, unchanged, conflicts, inherited, changes = [], [], [], [], []
    for item in answers:
        values = item.values()
        answer = existing.get(item.practice.pk)
        if answer is not None and answer.is_inherited:
            inherited.append(answer)
            continue
        if answer is None:
            if item.option is None and not item.not_applicable_reason and not item.notes:
                unchanged.append(item.practice.pk)
                continue
            try:
                with transaction.atomic():
                    answer = Answer.objects.create(
                        assessment=assessment, practice=item.practice, updated_by=user, **values
                    )
            except IntegrityError:  # someone answered this practice for the first time a moment earlier
                conflicts.append(
                    Answer.objects.select_related("option", "updated_by").get(
                        assessment=assessment, practice=item.practice
                    )
                )
                continue
            before = None
        else:
            if all(getattr(answer, name) == value for name, value in values.items()):
                unchanged.append(item.practice.pk)
                continue
            if item.seen_revision is not None and item.seen_revision != answer.revision:
                conflicts.append(answer)
                continue
            before = answer_snapshot(answer)
            for name, value in values.items():
                setattr(answer, name, value)
            # Whoever saves a carried suggestion has looked at it: it now counts, and what it was carried from (shown
            # only while it waits) goes with the suggestion, as when a shared answer replaces it or a file is imported.
            answer.to_confirm, answer.suggested_option, answer.carried_from = False, None, None
            answer.revision += 1
            answer.updated_by = user
            answer.save()
        saved.append(answer)
        changes.append(
            AnswerChange(
                assessment=assessment,
                practice=item.practice,
                changed_by=user,
                before=before,
                after=answer_snapshot(answer),
            )
        )
    AnswerChange.objects.bulk_create(changes)
    return SaveResult(tuple(saved), tuple(unchanged), tuple(conflicts), tuple(inherited))


class SaveOutcome(StrEnum):
    SAVED = "saved"
    UNCHANGED = "unchanged"
    CONFLICT = "conflict"
    INHERITED = "inherited"


@dataclass(frozen=True)
class PracticeSaved:
    """Everything a questionnaire card shows after an autosave of its practice."""

    outcome: SaveOutcome
    answer: Answer | None  # stored now: this person's answer, or on a conflict the one that clashed with it
    answered: int  # answers in the practice's challenge, for its progress badge
    total: int


def save_practice(
    *, assessment: Assessment, user: AbstractBaseUser, practice: Practice, answer: AnswerInput | None
) -> PracticeSaved:
    """Autosave one practice: `answer` as the person left it, or None when they changed nothing.

    Raises AssessmentLocked once the assessment is submitted.
    """
    result = save_answers(assessment=assessment, user=user, answers=[answer] if answer is not None else [])
    stored = result.answer_for(practice) or next(iter(result.inherited), None)
    if stored is None:
        # Nothing changed (leaving a notes field still sends a save): the card redraws what is stored.
        stored = load_answers(assessment, [practice.pk]).get(practice.pk)
    outcome = (
        SaveOutcome.CONFLICT
        if result.conflicts
        else SaveOutcome.INHERITED
        if result.inherited
        else SaveOutcome.SAVED
        if result.saved
        else SaveOutcome.UNCHANGED
    )
    in_challenge = [p.pk for p in load_practices(assessment.playbook, practice.challenge)]
    return PracticeSaved(outcome, stored, answered_count(assessment, in_challenge), len(in_challenge))


def submissions_changed(team_id: int) -> None:
    """Count a change to what the team's submitted assessments show: one submitted, reopened, deleted or restored,
    or its targets set. The portfolio and the benchmark name their inputs by this count (Team.submissions_revision),
    so every write of those goes through here, the admin's included."""
    Team.objects.filter(pk=team_id).update(submissions_revision=F("submissions_revision") + 1)


def _lock_against_submission(assessment: Assessment) -> bool:
    """Saves to one assessment hold a shared lock on it, so they run side by side while a submission waits; returns
    whether it is submitted.

    An exclusive lock here would queue every autosave of a busy assessment behind the others.
    """
    if connection.vendor != "postgresql":  # SQLite (`make run`) locks the whole database for a write transaction
        return Assessment.objects.select_for_update().get(pk=assessment.pk).is_submitted
    [(status,)] = _STATUS_FOR_SHARE.rows(assessment_id=assessment.pk)
    return status == Status.SUBMITTED


# Every autosave takes this lock: compiled once per process (config/compiled_query.py).
_STATUS_FOR_SHARE = CompiledQuery(
    lambda assessment_id: Assessment.objects.filter(pk=assessment_id).order_by().values_list("status"),
    lock="FOR SHARE",
)


@transaction.atomic
def submit_assessment(*, assessment: Assessment, user: AbstractBaseUser) -> None:
    """Lock the answers, once every challenge has a level; otherwise raise IncompleteAssessment naming the others.

    The assessment row is locked first, so no autosave can change an answer between the check and the submission.
    """
    Assessment.objects.select_for_update().filter(pk=assessment.pk).exists()
    score = score_many([assessment])[assessment.pk]
    missing = [challenge.title for challenge in score.challenges if not challenge.has_enough_answers]
    if missing or score.to_review:
        raise IncompleteAssessment(missing, to_review=len(score.to_review))
    now = timezone.now()
    Assessment.objects.filter(pk=assessment.pk).update(
        status=Status.SUBMITTED, submitted_at=now, submitted_by=user, updated_at=now
    )
    Submission.objects.create(
        assessment=assessment, submitted_at=now, submitted_by=user, submitted_by_name=user.get_username()
    )
    submissions_changed(assessment.team_id)
    webhook_events.assessment_submitted(assessment, score, submitted_at=now)


@transaction.atomic
def reopen_assessment(*, assessment: Assessment, user: AbstractBaseUser) -> None:
    """Back to a draft. The submission it had stays in its history, marked as reopened by whom and when."""
    now = timezone.now()
    Assessment.objects.filter(pk=assessment.pk).update(
        status=Status.DRAFT, submitted_at=None, submitted_by=None, updated_at=now
    )
    Submission.objects.filter(assessment=assessment, reopened_at__isnull=True).update(
        reopened_at=now, reopened_by=user, reopened_by_name=user.get_username()
    )
    submissions_changed(assessment.team_id)
    shared_answers.catch_up(assessment=assessment, user=user)
    record(
        EventKind.ASSESSMENT_REOPENED,
        f"{user.get_username()} reopened “{assessment.title}”",
        actor=user,
        team=assessment.team,
    )
    webhook_events.assessment_reopened(assessment)


class RestoreWindowOver(Exception):
    """A deleted assessment can be restored for ASSESSMENT_RESTORE_DAYS; after that it waits to be purged."""


def restorable_until(assessment: Assessment):
    return assessment.deleted_at + timedelta(days=settings.ASSESSMENT_RESTORE_DAYS)


@transaction.atomic
def delete_assessment(*, assessment: Assessment, user: AbstractBaseUser) -> datetime:
    """Delete softly: the assessment and everything hanging off it disappear from every page and link, and can
    be restored until the returned time. Its open workshops close, as a deleted assessment takes no answers."""
    now = timezone.now()
    Assessment.objects.filter(pk=assessment.pk).update(deleted_at=now, deleted_by=user)
    submissions_changed(assessment.team_id)
    assessment.deleted_at = now
    assessment.workshops.filter(closed_at__isnull=True).update(closed_at=now)
    record(
        EventKind.ASSESSMENT_DELETED,
        f"{user.get_username()} deleted “{assessment.title}”",
        actor=user,
        team=assessment.team,
    )
    return restorable_until(assessment)


@transaction.atomic
def restore_assessment(*, assessment: Assessment, user: AbstractBaseUser) -> None:
    if restorable_until(assessment) < timezone.now():
        raise RestoreWindowOver()
    Assessment.with_deleted.filter(pk=assessment.pk).update(deleted_at=None, deleted_by=None)
    submissions_changed(assessment.team_id)
    record(
        EventKind.ASSESSMENT_RESTORED,
        f"{user.get_username()} restored “{assessment.title}”",
        actor=user,
        team=assessment.team,
    )


def erase_assessment(assessment: Assessment) -> None:
    """Erase an assessment and everything it holds, its protected history and stored evidence files included.
    Only the purge calls this."""
    evidence.erase_evidence(assessment)
    AnswerChange.objects.filter(assessment=assessment).delete()
    Submission.objects.filter(assessment=assessment).delete()
    assessment.delete()


def purge_deleted(*, now=None) -> list[str]:
    """Erase the assessments deleted longer ago than the restore window, each in its own transaction, and return
    their titles. The audit trail and submissions go explicitly (they are protected from cascades); the security
    event log keeps a record of the purge."""
    cutoff = (now or timezone.now()) - timedelta(days=settings.ASSESSMENT_RESTORE_DAYS)
    purged = []
    for assessment in Assessment.with_deleted.filter(deleted_at__lt=cutoff).select_related("team"):
        with transaction.atomic():
            erase_assessment(assessment)
            record(
                EventKind.ASSESSMENT_PURGED,
                f"“{assessment.title}” was purged, {settings.ASSESSMENT_RESTORE_DAYS} days after it was deleted",
                actor_name="purge_deleted",
                team=assessment.team,
            )
        purged.append(assessment.title)
    return purged


@transaction.atomic
def set_targets(*, assessment: Assessment, targets: dict[str, int]) -> None:
    Assessment.objects.filter(pk=assessment.pk).update(targets=targets, updated_at=timezone.now())
    submissions_changed(assessment.team_id)
