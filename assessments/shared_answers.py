"""Shared answer sets: a platform's answers given once, inherited by the assessments of the teams that build on it.

The rules, which every write below keeps:
- A set belongs to one organisation and one playbook version; only that organisation's assessments on that version
  inherit it.
- An assessment inheriting sets has, for each practice some set answers, the answer of the set it inherited first.
  That answer is copied into the assessment as an *inherited* answer: it counts like any other, is read-only on
  the questionnaire, and says where it came from and when.
- The team's own answers are never overwritten: inheriting fills only practices the team has not answered.
- "The team differs" turns an inherited answer into the team's own, with the reason; "use the shared answer"
  undoes that. While the team differs, a change to the shared answer is only reported, not applied.
- A change to a set reaches every open (draft) assessment inheriting it at once, and each change is shown on the
  assessment's overview until someone dismisses it. A submitted assessment keeps the answers it was submitted with
  and catches up when it is reopened.
- When a set stops answering a practice, stops being inherited, or is deleted, the answers it gave stay in open
  assessments as the team's own: nothing is lost.
- Every change to a team's answer is written to its audit trail like any other change.

`_reconcile` is the one place that applies these rules to an assessment; each write changes the sets, then
reconciles the open assessments concerned.
"""

from collections.abc import Sequence
from dataclasses import dataclass

from django.contrib.auth.models import AbstractBaseUser
from django.db import IntegrityError, transaction
from django.db.models import QuerySet
from django.utils import timezone

from assessments import evidence
from assessments.answer_inputs import AnswerInput, AssessmentLocked, answer_snapshot
from assessments.models import (
    NOTES_MAX_LENGTH,
    Answer,
    AnswerChange,
    Assessment,
    Inheritance,
    Organisation,
    SharedAnswer,
    SharedAnswerNotice,
    SharedAnswerSet,
    Status,
)
from playbook.models import PlaybookVersion, Practice


class NotInheritable(Exception):
    """The set is of another organisation or playbook version, or the assessment already inherits it."""


class NotInherited(Exception):
    """The practice's answer is not the shared set's (or, to go back to it, does not depart from one)."""


@dataclass(frozen=True)
class InheritOutcome:
    inherited: int  # answers now taken from the set
    kept_own: tuple[str, ...]  # titles of practices the set answers where the team's own answer stays
    given_by_earlier: tuple[str, ...]  # answered by a set inherited before this one


@dataclass(frozen=True)
class SharedSaveResult:
    saved: tuple[SharedAnswer, ...] = ()
    removed: tuple[int, ...] = ()  # practice ids the set no longer answers
    conflicts: tuple[SharedAnswer, ...] = ()  # changed by someone else since the form was drawn
    assessments_updated: int = 0


@transaction.atomic
def create_answer_set(
    *,
    organisation: Organisation,
    user: AbstractBaseUser,
    name: str,
    description: str = "",
    maintainer: AbstractBaseUser | None = None,
) -> SharedAnswerSet:
    """A new, empty set on the current playbook, maintained by `maintainer` (its creator unless named)."""
    return SharedAnswerSet.objects.create(
        organisation=organisation,
        playbook=PlaybookVersion.objects.get(is_current=True),
        name=name,
        description=description,
        maintainer=maintainer or user,
        created_by=user,
    )


@transaction.atomic
def update_answer_set(
    *, answer_set: SharedAnswerSet, name: str, description: str, maintainer: AbstractBaseUser
) -> None:
    """Rename or hand over a set. Open assessments take the new name on their inherited answers; submitted ones
    keep the name they were submitted with."""
    SharedAnswerSet.objects.filter(pk=answer_set.pk).update(name=name, description=description, maintainer=maintainer)
    if name != answer_set.name:
        open_answers = Answer.objects.filter(
            shared_answer__answer_set=answer_set, assessment__status=Status.DRAFT, assessment__deleted_at__isnull=True
        )
        for answer in open_answers:
            answer.shared_source = name
            answer.revision += 1
            answer.save(update_fields=["shared_source", "revision", "updated_at"])
    answer_set.name, answer_set.description, answer_set.maintainer = name, description, maintainer


@transaction.atomic
def save_shared_answers(
    *, answer_set: SharedAnswerSet, user: AbstractBaseUser, answers: Sequence[AnswerInput]
) -> SharedSaveResult:
    """Store the set's answers that changed (an empty answer removes the set's answer to that practice), then bring
    every open assessment inheriting the set up to date. A stale `seen_revision` is a conflict, not overwritten."""
    existing = {
        shared.practice_id: shared
        for shared in SharedAnswer.objects.select_for_update().filter(
            answer_set=answer_set, practice__in=[item.practice for item in answers]
        )
    }
    saved, removed, conflicts = [], [], []
    now = timezone.now()
    for item in answers:
        values = item.values()
        shared = existing.get(item.practice.pk)
        is_empty = item.option is None and not item.not_applicable_reason and not item.notes
        if shared is not None and item.seen_revision is not None and item.seen_revision != shared.revision:
            conflicts.append(shared)
            continue
        if shared is None:
            if is_empty:
                continue
            try:
                with transaction.atomic():
                    created = SharedAnswer.objects.create(
                        answer_set=answer_set, practice=item.practice, updated_by=user, updated_at=now, **values
                    )
            except IntegrityError:  # someone gave the set's first answer to this practice a moment earlier
                conflicts.append(SharedAnswer.objects.get(answer_set=answer_set, practice=item.practice))
                continue
            saved.append(created)
            continue
        if is_empty:
            shared.delete()
            removed.append(item.practice.pk)
            continue
        if all(getattr(shared, name) == value for name, value in values.items()):
            continue
        for name, value in values.items():
            setattr(shared, name, value)
        shared.revision += 1
        shared.updated_by, shared.updated_at = user, now
        shared.save()
        saved.append(shared)
    updated = 0
    if saved or removed:
        for assessment in _open_inheriting(answer_set):
            updated += bool(_reconcile(assessment, user, notify=True))
    return SharedSaveResult(tuple(saved), tuple(removed), tuple(conflicts), updated)


@transaction.atomic
def delete_answer_set(*, answer_set: SharedAnswerSet, user: AbstractBaseUser) -> int:
    """Delete a set. Open assessments keep its answers as their own (and are told); submitted ones keep them as
    inherited from a set that no longer exists. Returns how many open assessments were inheriting it."""
    inheriting = list(_open_inheriting(answer_set))
    Inheritance.objects.filter(answer_set=answer_set).delete()
    for assessment in inheriting:
        _reconcile(assessment, user, notify=True, gone=answer_set)
    evidence.erase_evidence(answer_set)
    answer_set.delete()
    return len(inheriting)


@transaction.atomic
def inherit_answer_set(
    *, assessment: Assessment, answer_set: SharedAnswerSet, user: AbstractBaseUser
) -> InheritOutcome:
    """Inherit a set into a draft assessment: its answers fill the practices the team has not answered."""
    locked = _lock_open(assessment)
    if (
        answer_set.organisation_id != locked.team.organisation_id
        or answer_set.playbook_id != locked.playbook_id
        or Inheritance.objects.filter(assessment=locked, answer_set=answer_set).exists()
    ):
        raise NotInheritable(answer_set.name)
    Inheritance.objects.create(assessment=locked, answer_set=answer_set, added_by=user)
    _reconcile(locked, user, notify=False)
    answers = Answer.objects.filter(assessment=locked, practice__in=answer_set.answers.values("practice"))
    kept_own, given_by_earlier, inherited = [], [], 0
    for answer in answers.select_related("practice", "shared_answer"):
        if answer.shared_answer and answer.shared_answer.answer_set_id == answer_set.pk:
            inherited += 1
        elif answer.shared_source:
            given_by_earlier.append(answer.practice.title)
        else:
            kept_own.append(answer.practice.title)
    return InheritOutcome(inherited, tuple(kept_own), tuple(given_by_earlier))


@transaction.atomic
def stop_inheriting(*, assessment: Assessment, answer_set: SharedAnswerSet, user: AbstractBaseUser) -> None:
    """The set's answers stay in the draft as the team's own (or come from another set it inherits)."""
    locked = _lock_open(assessment)
    Inheritance.objects.filter(assessment=locked, answer_set=answer_set).delete()
    _reconcile(locked, user, notify=False)


@transaction.atomic
def differ_from_shared(*, assessment: Assessment, user: AbstractBaseUser, practice: Practice, reason: str) -> Answer:
    """The team answers this practice itself: the inherited answer becomes its own, to change on the card."""
    reason = reason.strip()
    if not reason or len(reason) > NOTES_MAX_LENGTH:
        raise ValueError(f"a reason of 1 to {NOTES_MAX_LENGTH} characters is needed")
    _lock_open(assessment)
    answer = _locked_answer(assessment, practice)
    if answer is None or not answer.is_inherited:
        raise NotInherited(practice.slug)
    before = answer_snapshot(answer)
    answer.differs_reason = reason
    _bump(answer, user)
    _record(assessment, practice.pk, user, before, answer, {"differs_from": answer.shared_source, "reason": reason})
    return answer


@transaction.atomic
def use_shared_answer(*, assessment: Assessment, user: AbstractBaseUser, practice: Practice) -> Answer:
    """Back to the shared set's current answer, where the team had said it differs."""
    _lock_open(assessment)
    answer = _locked_answer(assessment, practice)
    if answer is None or not answer.team_differs or answer.shared_answer_id is None:
        raise NotInherited(practice.slug)
    shared = SharedAnswer.objects.select_related("answer_set").get(pk=answer.shared_answer_id)
    return _take_on(assessment, answer, shared, user)


def dismiss_notices(*, assessment: Assessment) -> int:
    return assessment.shared_answer_notices.filter(dismissed_at__isnull=True).update(dismissed_at=timezone.now())


def catch_up(*, assessment: Assessment, user: AbstractBaseUser) -> None:
    """A reopened assessment takes on what its sets changed while it was submitted, including sets deleted meanwhile
    (their answers become the team's own). Called inside the reopening."""
    _reconcile(assessment, user, notify=True)


def _open_inheriting(answer_set: SharedAnswerSet):
    return Assessment.objects.filter(inheritances__answer_set=answer_set, status=Status.DRAFT).order_by("pk")


def _lock_open(assessment: Assessment) -> Assessment:
    locked = Assessment.objects.select_for_update(of=("self",)).select_related("team").get(pk=assessment.pk)
    if locked.is_submitted:
        raise AssessmentLocked()
    return locked


def _locked_answer(assessment: Assessment, practice: Practice) -> Answer | None:
    return Answer.objects.select_for_update().filter(assessment=assessment, practice=practice).first()


def _reconcile(
    assessment: Assessment, user: AbstractBaseUser, *, notify: bool, gone: SharedAnswerSet | None = None
) -> int:
    """Bring one open assessment's answers in line with the sets it inherits (the rules at the top); returns how
    many answers changed or were reported. `gone` is a set being deleted, whose answers no longer count."""
    order = list(Inheritance.objects.filter(assessment=assessment).values_list("answer_set_id", flat=True))
    shared_answers = SharedAnswer.objects.filter(answer_set__in=order).select_related("answer_set", "option")
    sources: dict[int, SharedAnswer] = {}  # practice id -> the answer of the first inherited set that answers it
    for shared in sorted(shared_answers, key=lambda shared: order.index(shared.answer_set_id), reverse=True):
        sources[shared.practice_id] = shared  # the earliest inherited set comes last and wins
    answers = {
        answer.practice_id: answer
        for answer in Answer.objects.select_for_update(of=("self",))
        .select_related("option", "shared_answer")
        .filter(assessment=assessment)
    }
    touched = 0
    for practice_id in sorted(sources.keys() | {pk for pk, a in answers.items() if a.shared_source}):
        shared, answer = sources.get(practice_id), answers.get(practice_id)
        if gone is not None and shared is not None and shared.answer_set_id == gone.pk:
            shared = None
        if answer is None:
            _take_on(assessment, None, shared, user, notify=notify)
        elif not answer.shared_source:
            continue  # the team's own answer
        elif shared is None:
            _make_own(assessment, answer, user, notify=notify)
        elif answer.is_inherited:
            if (answer.shared_answer_id, answer.shared_revision) == (shared.pk, shared.revision):
                continue
            _take_on(assessment, answer, shared, user, notify=notify)
        elif (answer.shared_answer_id, answer.shared_revision) != (shared.pk, shared.revision):
            _report_while_differing(assessment, answer, shared, user, notify=notify)
        else:
            continue
        touched += 1
    return touched


def _take_on(
    assessment: Assessment, answer: Answer | None, shared: SharedAnswer, user: AbstractBaseUser, *, notify=False
) -> Answer:
    before = answer_snapshot(answer)
    if answer is None:
        answer = Answer(assessment=assessment, practice_id=shared.practice_id, revision=0)
    for name in ("option", "not_applicable_reason", "not_applicable_detail", "notes"):
        setattr(answer, name, getattr(shared, name))
    answer.to_confirm, answer.suggested_option, answer.carried_from = False, None, None
    answer.differs_reason = ""
    _link(answer, shared)
    _bump(answer, user)
    source = shared.answer_set.name
    _record(assessment, shared.practice_id, user, before, answer, {"inherited_from": source})
    if notify:
        _notice(assessment, shared.practice_id, source, before, answer_snapshot(shared), applied=True, user=user)
    return answer


def _make_own(assessment: Assessment, answer: Answer, user: AbstractBaseUser, *, notify: bool) -> None:
    source = answer.shared_source
    before = answer_snapshot(answer)
    answer.shared_answer, answer.shared_source, answer.shared_at, answer.shared_revision = None, "", None, None
    answer.differs_reason = ""
    _bump(answer, user)
    _record(assessment, answer.practice_id, user, before, answer, {"no_longer_inherited_from": source})
    if notify:
        _notice(assessment, answer.practice_id, source, before, None, applied=True, user=user)


def _report_while_differing(
    assessment: Assessment, answer: Answer, shared: SharedAnswer, user: AbstractBaseUser, *, notify: bool
) -> None:
    _link(answer, shared)
    _bump(answer, user)  # the card shows the shared answer beside the team's own
    if notify:
        _notice(
            assessment,
            shared.practice_id,
            shared.answer_set.name,
            answer_snapshot(answer),
            answer_snapshot(shared),
            applied=False,
            user=user,
        )


def _link(answer: Answer, shared: SharedAnswer) -> None:
    answer.shared_answer, answer.shared_source = shared, shared.answer_set.name
    answer.shared_at, answer.shared_revision = shared.updated_at, shared.revision


def _bump(answer: Answer, user: AbstractBaseUser) -> None:
    answer.revision += 1
    answer.updated_by = user
    answer.save()


def _record(assessment, practice_id: int, user, before: dict | None, answer: Answer, why: dict) -> None:
    AnswerChange.objects.create(
        assessment=assessment,
        practice_id=practice_id,
        changed_by=user,
        before=before,
        after=answer_snapshot(answer) | why,
    )


def _notice(assessment, practice_id: int, source: str, before, after, *, applied: bool, user) -> None:
    SharedAnswerNotice.objects.create(
        assessment=assessment,
        practice_id=practice_id,
        source=source,
        before=before,
        after=after,
        applied=applied,
        changed_by=user,
    )


@dataclass(frozen=True)
class InheritancePanel:
    """What an assessment's overview shows about shared answers: the sets it inherits and unseen changes."""

    inheritances: tuple[Inheritance, ...]
    notices: tuple[SharedAnswerNotice, ...]
    has_sets_to_offer: bool


def inheritance_panel(assessment: Assessment) -> InheritancePanel:
    inheritances = tuple(assessment.inheritances.select_related("answer_set__maintainer"))
    notices = tuple(
        assessment.shared_answer_notices.filter(dismissed_at__isnull=True).select_related(
            "practice__challenge", "changed_by"
        )[:50]
    )
    return InheritancePanel(inheritances, notices, inheritable_sets(assessment).exists())


def inheritable_sets(assessment: Assessment) -> QuerySet[SharedAnswerSet]:
    """Sets of the assessment's organisation and playbook version that it does not inherit yet."""
    return SharedAnswerSet.objects.filter(
        organisation_id=assessment.team.organisation_id, playbook_id=assessment.playbook_id
    ).exclude(inheritances__assessment=assessment)
