"""Factories for the cast of every database test, and synthetic playbooks of any size."""

from collections.abc import Callable

import factory
from django.contrib.auth import get_user_model

from assessments import services
from assessments.models import Assessment, Membership, Organisation, Role, Team
from playbook.content_model import (
    ChallengeContent,
    GuidanceContent,
    PlaybookContent,
    PracticeContent,
    ReferenceContent,
)
from playbook.models import Practice
from playbook.published import load_practices
from playbook.rules import NextStep, ScoringRules
from playbook.services import publish_playbook

PASSWORD = "correct-horse-battery"


class UserFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = get_user_model()

    username = factory.Sequence(lambda n: f"user{n}")
    email = factory.LazyAttribute(lambda u: f"{u.username}@example.com")
    password = factory.django.Password(PASSWORD)


class OrganisationFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Organisation

    name = factory.Sequence(lambda n: f"Organisation {n}")
    slug = factory.Sequence(lambda n: f"organisation-{n}")


class TeamFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Team

    organisation = factory.SubFactory(OrganisationFactory)
    name = factory.Sequence(lambda n: f"Team {n}")
    slug = factory.Sequence(lambda n: f"team-{n}")


class MembershipFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Membership

    team = factory.SubFactory(TeamFactory)
    user = factory.SubFactory(UserFactory)
    role = Role.MEMBER


def answer_every_practice(
    assessment: Assessment,
    user,
    *,
    level_for: Callable[[Practice], int] = lambda practice: 2,
    notes_for: Callable[[Practice], str] = lambda practice: "",
) -> list[Practice]:
    """Answer every practice of the assessment's playbook, at `level_for(practice)` with `notes_for(practice)`."""
    practices = load_practices(assessment.playbook)
    services.save_answers(
        assessment=assessment,
        user=user,
        answers=[services.AnswerInput(p, p.options.all()[level_for(p)], notes=notes_for(p)) for p in practices],
    )
    return practices


def submitted_assessment(team: Team, lead, *, title: str = "Submitted review", **answers) -> Assessment:
    """An assessment of `team` on the current playbook with every practice answered (see answer_every_practice),
    submitted by `lead`."""
    assessment = services.create_assessment(team=team, user=lead, title=title)
    answer_every_practice(assessment, lead, **answers)
    services.submit_assessment(assessment=assessment, user=lead)
    assessment.refresh_from_db()
    return assessment


def resubmitted(assessment: Assessment, lead, **answers) -> Assessment:
    """`assessment` reopened, answered again (see answer_every_practice) and submitted again by `lead`: the only way
    a submitted assessment's answers change."""
    services.reopen_assessment(assessment=assessment, user=lead)
    answer_every_practice(assessment, lead, **answers)
    services.submit_assessment(assessment=assessment, user=lead)
    assessment.refresh_from_db()
    return assessment


DEFAULT_RULES = ScoringRules()


def synthetic_playbook_content(
    *, version: str = "test-1", challenges: int = 5, practices: int = 2, scoring: ScoringRules = DEFAULT_RULES
) -> PlaybookContent:
    """A valid playbook with `challenges` x `practices` practices; the first practice of each challenge is critical."""
    reference = ReferenceContent("ref-a", "Reference A", "https://example.org/a", "Example")
    return PlaybookContent(
        version=version,
        title="Synthetic playbook",
        content_hash=f"hash-{version}-{challenges}-{practices}",
        level_names=("Absent", "Initial", "Repeatable", "Managed", "Optimised"),
        scoring=scoring,
        scoring_method="Weighted mean, rounded down.",
        references=(reference,),
        challenges=tuple(
            ChallengeContent(
                slug=f"challenge-{c}",
                order=c,
                title=f"Challenge {c}",
                summary=f"Summary {c}",
                why_it_matters="Because.",
                level_descriptions=tuple(f"Challenge {c} at level {level}" for level in range(5)),
                references=("ref-a",),
                practices=tuple(
                    PracticeContent(
                        slug=f"practice-{c}-{p}",
                        title=f"Practice {c}.{p}",
                        question=f"Question {c}.{p}?",
                        weight=1 + p % 3,
                        is_critical=p == 1,
                        not_applicable_rule="Only without an endpoint." if p == 2 else "",
                        options=tuple(f"Practice {c}.{p} at level {level}" for level in range(5)),
                        next_steps=tuple(NextStep(f"Step {c}.{p} from {level}", "low", "high") for level in range(4)),
                        guidance=(f"guide-{c}-{p}",),
                    )
                    for p in range(1, practices + 1)
                ),
                guidance=tuple(
                    GuidanceContent(f"guide-{c}-{p}", f"Guide {c}.{p}", "Do this.", ("Avoid that.",), ("ref-a",))
                    for p in range(1, practices + 1)
                ),
            )
            for c in range(1, challenges + 1)
        ),
    )


def publish_synthetic_playbook(**kwargs):
    from playbook.models import PlaybookVersion

    content = synthetic_playbook_content(**kwargs)
    publish_playbook(content=content)
    return PlaybookVersion.objects.get(version=content.version)
