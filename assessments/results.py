"""Read side: load an assessment with its playbook in a fixed number of queries,
hand plain data to the scoring and planning functions, and return what the
results page, the questionnaire and the PDF show.
"""

from dataclasses import dataclass
from functools import cached_property

from django.db.models import Prefetch
from django.urls import reverse

from assessments.models import Answer, Assessment
from assessments.planning import NextStep, PlanItem, PracticeGuide, plan_remediation, resolve_targets
from assessments.scoring import (
    AssessmentScore,
    ChallengeAnswers,
    ChallengeScore,
    PracticeAnswer,
    ScoringRules,
    score_assessment,
)
from playbook.models import AnswerOption, Challenge, GuidanceSection, PlaybookVersion, Practice


@dataclass(frozen=True)
class PracticeRow:
    practice: Practice
    answer: Answer | None
    guidance: GuidanceSection
    guidance_url: str

    @property
    def option(self) -> AnswerOption | None:
        return self.answer.option if self.answer else None

    @property
    def level(self) -> int | None:
        return self.option.level if self.option else None

    @property
    def is_not_applicable(self) -> bool:
        return bool(self.answer and self.answer.is_not_applicable)


@dataclass(frozen=True)
class ChallengeResult:
    challenge: Challenge
    score: ChallengeScore
    target: int
    rows: tuple[PracticeRow, ...]

    def _rows(self, slugs: tuple[str, ...]) -> list[PracticeRow]:
        by_slug = {row.practice.slug: row for row in self.rows}
        return [by_slug[slug] for slug in slugs]

    @property
    def flagged_rows(self) -> list[PracticeRow]:
        return self._rows(self.score.flagged)

    @property
    def held_back_rows(self) -> list[PracticeRow]:
        return self._rows(self.score.held_back_by)

    @property
    def strength_rows(self) -> list[PracticeRow]:
        return self._rows(self.score.strengths)


@dataclass(frozen=True)
class AssessmentResults:
    assessment: Assessment
    score: AssessmentScore
    challenges: tuple[ChallengeResult, ...]
    plan: tuple[PlanItem, ...]

    @property
    def playbook(self) -> PlaybookVersion:
        return self.assessment.playbook

    @cached_property
    def practice_titles(self) -> dict[str, str]:
        return {row.practice.slug: row.practice.title for c in self.challenges for row in c.rows}

    @property
    def flagged_rows(self) -> list[PracticeRow]:
        return [row for challenge in self.challenges for row in challenge.flagged_rows]


def rules_for(playbook: PlaybookVersion) -> ScoringRules:
    return ScoringRules(**playbook.scoring)


def guidance_url(playbook_version: str, challenge_slug: str, guidance_slug: str) -> str:
    return reverse("playbook:challenge", args=[playbook_version, challenge_slug]) + f"#{guidance_slug}"


def load_practices(playbook: PlaybookVersion, challenge: Challenge | None = None) -> list[Practice]:
    """Practices with their challenge, options and guidance: three queries whatever the size."""
    practices = Practice.objects.filter(challenge__playbook=playbook).select_related("challenge")
    if challenge is not None:
        practices = practices.filter(challenge=challenge)
    return list(
        practices.prefetch_related(
            Prefetch("options", queryset=AnswerOption.objects.order_by("level")),
            Prefetch("guidance", queryset=GuidanceSection.objects.select_related("challenge")),
        )
    )


def load_answers(assessment: Assessment) -> dict[int, Answer]:
    return {a.practice_id: a for a in Answer.objects.filter(assessment=assessment).select_related("option")}


def _row(practice: Practice, answer: Answer | None, version: str) -> PracticeRow:
    guidance = practice.guidance.all()[0]
    return PracticeRow(practice, answer, guidance, guidance_url(version, guidance.challenge.slug, guidance.slug))


def build_results(assessment: Assessment) -> AssessmentResults:
    playbook = assessment.playbook
    practices = load_practices(playbook)
    answers = load_answers(assessment)

    challenges: dict[int, tuple[Challenge, list[PracticeRow]]] = {}
    for practice in practices:
        challenges.setdefault(practice.challenge_id, (practice.challenge, []))[1].append(
            _row(practice, answers.get(practice.pk), playbook.version)
        )
    grouped = sorted(challenges.values(), key=lambda pair: pair[0].order)

    score = score_assessment(
        [
            ChallengeAnswers(
                slug=challenge.slug,
                title=challenge.title,
                practices=tuple(
                    PracticeAnswer(
                        slug=row.practice.slug,
                        title=row.practice.title,
                        weight=row.practice.weight,
                        is_critical=row.practice.is_critical,
                        level=row.level,
                        not_applicable=row.is_not_applicable,
                    )
                    for row in rows
                ),
            )
            for challenge, rows in grouped
        ],
        rules_for(playbook),
    )
    targets = resolve_targets(score, assessment.targets)
    guides = [
        PracticeGuide(
            challenge_slug=challenge.slug,
            practice_slug=row.practice.slug,
            practice_title=row.practice.title,
            weight=row.practice.weight,
            level=row.level,
            not_applicable=row.is_not_applicable,
            next_steps={
                option.level: NextStep(option.next_step, option.next_step_effort, option.next_step_impact)
                for option in row.practice.options.all()
                if option.next_step
            },
            guidance_anchor=row.guidance_url,
            guidance_title=row.guidance.title,
        )
        for challenge, rows in grouped
        for row in rows
    ]
    return AssessmentResults(
        assessment=assessment,
        score=score,
        challenges=tuple(
            ChallengeResult(challenge, score.challenge(challenge.slug), targets[challenge.slug], tuple(rows))
            for challenge, rows in grouped
        ),
        plan=plan_remediation(score, guides, targets),
    )
