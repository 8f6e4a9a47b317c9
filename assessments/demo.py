"""Demo organisation for trying the app: two teams, five users, two assessments."""

from django.contrib.auth import get_user_model
from django.db import transaction

from assessments import services
from assessments.models import Membership, NotApplicableReason, Organisation, Role, Team
from assessments.results import load_practices
from playbook.models import PlaybookVersion

DEMO_PASSWORD = "demo"  # noqa: S105 - demo data only, refused when DEBUG is off
# Levels given to the practices of each challenge, in order: a plausible, uneven team.
SUBMITTED_PATTERN = (2, 3, 1, 2, 3, 2, 1, 2)


def _user(username: str, *, is_staff: bool = False):
    user, created = get_user_model().objects.get_or_create(
        username=username, defaults={"is_staff": is_staff, "email": f"{username}@demo.invalid"}
    )
    if created:
        user.set_password(DEMO_PASSWORD)
        user.save()
    return user


@transaction.atomic
def load_demo() -> bool:
    """Returns False when the demo data is already there."""
    if Organisation.objects.filter(slug="acme-analytics").exists():
        return False
    organisation = Organisation.objects.create(name="Acme Analytics", slug="acme-analytics")
    fraud = Team.objects.create(organisation=organisation, name="Fraud Detection", slug="fraud-detection")
    pricing = Team.objects.create(organisation=organisation, name="Pricing", slug="pricing")
    lead = _user("lead")
    Membership.objects.create(team=fraud, user=lead, role=Role.LEAD)
    Membership.objects.create(team=fraud, user=_user("member"), role=Role.MEMBER)
    Membership.objects.create(team=fraud, user=_user("viewer"), role=Role.VIEWER)
    Membership.objects.create(team=pricing, user=_user("other-lead"), role=Role.LEAD)
    organisation.consultants.add(_user("consultant", is_staff=True))

    practices = load_practices(PlaybookVersion.objects.get(is_current=True))
    submitted = services.create_assessment(team=fraud, user=lead, title="Spring review")
    services.save_answers(assessment=submitted, user=lead, answers=_submitted_answers(practices))
    services.submit_assessment(assessment=submitted, user=lead, challenges_without_level=[])
    draft = services.create_assessment(team=fraud, user=lead, title="Autumn review")
    half = [a for a in _submitted_answers(practices) if a.practice.challenge.order <= 2]
    services.save_answers(assessment=draft, user=lead, answers=half)
    services.create_assessment(team=pricing, user=_user("other-lead"), title="Pricing baseline")
    return True


def _submitted_answers(practices) -> list[services.AnswerInput]:
    answers, position, flagged_one = [], {}, False
    for practice in practices:
        index = position[practice.challenge_id] = position.get(practice.challenge_id, -1) + 1
        options = {o.level: o for o in practice.options.all()}
        if practice.allows_not_applicable and index % 2:
            answers.append(
                services.AnswerInput(
                    practice=practice,
                    option=None,
                    not_applicable_reason=NotApplicableReason.OUT_OF_SCOPE,
                    notes="Batch scoring only; no online endpoint.",
                )
            )
            continue
        level = SUBMITTED_PATTERN[index % len(SUBMITTED_PATTERN)]
        if practice.is_critical and not flagged_one and practice.challenge.order == 3:
            level, flagged_one = 1, True
        answers.append(
            services.AnswerInput(
                practice=practice, option=options[level], notes=f"Demo evidence for {practice.title.lower()}."
            )
        )
    return answers
