"""Moving an assessment between installations: reading one out as a document (`portable`), and the import's writes.

An import creates a new draft assessment through `services.create_assessment`, opening with the document's answers
the way a re-assessment opens with the answers it carries: one audit-trail entry per answer, so the trail accounts
for every answer the assessment starts with. Nobody from the source installation is linked: accounts differ
between installations, so answers are recorded as given by the person importing, and actions have no owner.
"""

from datetime import datetime

from django.contrib.auth.models import AbstractBaseUser
from django.db import transaction

from assessments import portable, services
from assessments.models import Action, Answer, AnswerChange, Assessment, Team
from assessments.results import scoped_practices
from audit.models import EventKind
from audit.services import record
from playbook.models import PlaybookVersion
from playbook.published import load_practices


def export_document(assessment: Assessment, *, site_url: str, now: datetime) -> dict:
    """The assessment's document (two queries besides the cached playbook)."""
    answers = assessment.answers.select_related("practice__challenge", "option", "suggested_option", "updated_by")
    actions = Action.objects.filter(assessment=assessment).select_related("owner")
    return portable.document_for(assessment, list(answers), list(actions), site_url=site_url, now=now)


def loaded_versions() -> dict[str, portable.VersionOutline]:
    """Every playbook version loaded here, outlined for `portable.read_document` (cached after first use)."""
    return {
        playbook.version: portable.outline_of(playbook, load_practices(playbook))
        for playbook in PlaybookVersion.objects.order_by("version")
    }


@transaction.atomic
def import_assessment(*, team: Team, user: AbstractBaseUser, plan: portable.ImportPlan, filename: str) -> Assessment:
    """A new draft assessment of `team` holding everything `plan` read from the document in `filename`."""
    filename = filename[:100]
    assessment = services.create_assessment(
        team=team,
        user=user,
        title=plan.title,
        subject=plan.subject,
        modules=plan.modules,
        playbook=PlaybookVersion.objects.get(version=plan.playbook_version),
    )
    practices = {p.slug: p for p in scoped_practices(assessment)}
    options = {(p.slug, o.level): o for p in practices.values() for o in p.options.all()}
    answers = Answer.objects.bulk_create(
        Answer(
            assessment=assessment,
            practice=practices[item.practice],
            option=options.get((item.practice, item.level)),
            not_applicable_reason=item.not_applicable_reason,
            not_applicable_detail=item.not_applicable_detail if item.not_applicable_reason else "",
            notes=item.notes,
            to_confirm=item.to_confirm,
            suggested_option=options.get((item.practice, item.suggested_level)),
            carried_from=item.carried_from,
            updated_by=user,
        )
        for item in plan.answers
    )
    AnswerChange.objects.bulk_create(
        AnswerChange(
            assessment=assessment,
            practice=answer.practice,
            changed_by=user,
            before=None,
            after=services.answer_snapshot(answer)
            | {"imported_from": filename}
            | ({"to_confirm": True} if answer.to_confirm else {}),
        )
        for answer in answers
    )
    if plan.targets:
        services.set_targets(assessment=assessment, targets=dict(plan.targets))
    Action.objects.bulk_create(
        Action(
            team=team,
            assessment=assessment,
            challenge_slug=item.challenge,
            practice_slug=item.practice,
            title=item.title,
            from_level=item.from_level,
            due_date=item.due_date,
            status=item.status,
            created_by=user,
        )
        for item in plan.actions
    )
    record(
        EventKind.ASSESSMENT_IMPORTED,
        f"{user.get_username()} imported “{assessment.title}” from {filename} "
        f"(playbook {plan.playbook_version}, exported from {plan.source})",
        actor=user,
        team=team,
    )
    return assessment
