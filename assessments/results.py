"""Read side: load an assessment with its playbook in a fixed number of queries,
hand plain data to the scoring and planning functions, and return what the
results page, the questionnaire and the PDF show.
"""

import itertools
from collections.abc import Collection, Sequence
from dataclasses import dataclass, replace
from functools import cached_property

from django.db.models import Count

from assessments.comparison import (
    ActionOutcome,
    ActionRecord,
    ChallengeVersion,
    PracticeLevel,
    VersionChange,
    action_outcomes,
    challenge_reworded,
)
from assessments.framework_scores import FrameworkEstimate, ItemCoverage, estimate_framework
from assessments.models import Action, ActionStatus, Answer, Assessment, SharedAnswer, Status, not_applicable_accepted
from assessments.planning import (
    Horizon,
    PlanItem,
    PracticeGuide,
    group_by_horizon,
    plan_remediation,
    resolve_targets,
)
from assessments.scoring import (
    AssessmentScore,
    ChallengeAnswers,
    ChallengeScore,
    PracticeAnswer,
    score_assessment,
)
from config.compiled_query import CompiledQuery
from playbook.models import AnswerOption, Challenge, Framework, GuidanceSection, PlaybookVersion, Practice
from playbook.published import guidance_url, load_frameworks, load_options, load_practices
from playbook.rules import NextStep, ScoringRules


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
class FrameworkResult:
    framework: Framework
    estimate: FrameworkEstimate


@dataclass(frozen=True)
class AssessmentResults:
    assessment: Assessment
    score: AssessmentScore
    challenges: tuple[ChallengeResult, ...]
    plan: tuple[PlanItem, ...]
    frameworks: tuple[FrameworkResult, ...] = ()  # estimated scores on frameworks that define how

    @property
    def playbook(self) -> PlaybookVersion:
        return self.assessment.playbook

    @property
    def flagged_rows(self) -> list[PracticeRow]:
        return [row for challenge in self.challenges for row in challenge.flagged_rows]

    @cached_property
    def rows_by_slug(self) -> dict[str, PracticeRow]:
        return {row.practice.slug: row for challenge in self.challenges for row in challenge.rows}

    @cached_property
    def horizons(self) -> dict[Horizon, tuple[PlanItem, ...]]:
        return group_by_horizon(self.plan)

    @property
    def top_risks(self) -> list[PracticeRow]:
        """The three practices the plan puts first: high-risk flags, then the heaviest gaps."""
        return [self.rows_by_slug[item.practice_slug] for item in self.plan[:3]]

    @property
    def top_actions(self) -> tuple[PlanItem, ...]:
        return self.plan[:5]

    def plan_item(self, practice_slug: str) -> PlanItem | None:
        """The plan's step for a practice, or None when the practice meets its target (or is not assessed)."""
        return next((item for item in self.plan if item.practice_slug == practice_slug), None)

    @property
    def modules(self) -> list[Challenge]:
        return [item.challenge for item in self.challenges if item.challenge.is_module]

    @property
    def rows_to_review(self) -> list[PracticeRow]:
        return [self.rows_by_slug[slug] for slug in self.score.to_review]


def rules_for(playbook: PlaybookVersion) -> ScoringRules:
    return ScoringRules(**{"top_level": playbook.top_level} | playbook.scoring)


def scoped_practices(assessment: Assessment) -> list[Practice]:
    """The practices the assessment asks about: the core challenges' and those of the modules the team chose."""
    return [p for p in load_practices(assessment.playbook) if assessment.includes(p.challenge)]


def load_answers(assessment: Assessment, practice_ids: Sequence[int] | None = None) -> dict[int, Answer]:
    """The stored answers by practice id: all of them, or those of `practice_ids`.

    Their options, and their shared answers' options, are the playbook's own instances (load_options) rather than
    three more joins, which cost a third of the time of loading a forty-practice page's answers.
    """
    answers = Answer.objects.filter(assessment=assessment).select_related("shared_answer")
    if practice_ids is not None:
        answers = answers.filter(practice_id__in=practice_ids)
    options = load_options(assessment.playbook)
    for answer in answers:
        _with_options(answer, options, "option", "suggested_option")
        if answer.shared_answer is not None:
            _with_options(answer.shared_answer, options, "option")
    return {a.practice_id: a for a in answers}


def _with_options(answer: Answer | SharedAnswer, options: dict[int, AnswerOption], *names: str) -> None:
    for name in names:
        field = answer._meta.get_field(name)
        option_id = getattr(answer, field.attname)
        # An option of another version (a shared set's older one) is left to load when read.
        if option_id is None or option_id in options:
            field.set_cached_value(answer, options.get(option_id))


def answered_count(assessment: Assessment, practice_ids: Sequence[int]) -> int:
    rows = _ANSWER_COUNT.rows(assessment_id=assessment.pk, practice_ids=practice_ids)
    return rows[0][0] if rows else 0


# Every autosave counts its challenge's answers for the badge: compiled once per process (config/compiled_query.py).
_ANSWER_COUNT = CompiledQuery(
    lambda assessment_id, practice_ids: (
        Answer.objects.filter(assessment_id=assessment_id, practice_id__in=practice_ids)
        .values("assessment_id")
        .annotate(count=Count("pk"))
        .values_list("count")
    )
)


def _row(practice: Practice, answer: Answer | None, version: str) -> PracticeRow:
    guidance = practice.explained_in
    return PracticeRow(practice, answer, guidance, guidance_url(version, guidance.challenge.slug, guidance.slug))


@dataclass(frozen=True)
class ChosenLevel:
    level: int


@dataclass(frozen=True)
class ScoringAnswer:
    """What scoring and planning read of a stored answer (as an Answer offers it: `option.level`), loaded as plain
    values: tens of thousands of them load in a tenth of the time model instances take."""

    option: ChosenLevel | None
    not_applicable_reason: str
    to_confirm: bool

    @property
    def is_not_applicable(self) -> bool:
        return bool(self.not_applicable_reason)


def _answer_of(practice: Practice, answer: Answer | ScoringAnswer | None) -> PracticeAnswer:
    not_applicable = bool(answer and answer.is_not_applicable)
    refused = not_applicable and not not_applicable_accepted(answer.not_applicable_reason, practice)
    return PracticeAnswer(
        slug=practice.slug,
        title=practice.title,
        weight=practice.weight,
        is_critical=practice.is_critical,
        level=answer.option.level if answer and answer.option else None,
        not_applicable=not_applicable,
        needs_review=bool(answer) and (answer.to_confirm or refused),
    )


def _group_by_challenge(practices: Sequence[Practice]) -> list[tuple[Challenge, list[Practice]]]:
    grouped: dict[int, tuple[Challenge, list[Practice]]] = {}
    for practice in practices:
        grouped.setdefault(practice.challenge_id, (practice.challenge, []))[1].append(practice)
    return sorted(grouped.values(), key=lambda pair: (pair[0].order, pair[0].pk))


def _challenge_answers(grouped, answers: dict[int, Answer]) -> list[ChallengeAnswers]:
    return [
        ChallengeAnswers(challenge.slug, challenge.title, tuple(_answer_of(p, answers.get(p.pk)) for p in practices))
        for challenge, practices in grouped
    ]


def score_many(assessments: Sequence[Assessment]) -> dict[int, AssessmentScore]:
    """Scores of many assessments in two queries, whatever their number (for dashboards and trends)."""
    if not assessments:
        return {}
    practices = Practice.objects.filter(challenge__playbook__in={a.playbook_id for a in assessments})
    by_version: dict[int, list[Practice]] = {}
    for practice in practices.select_related("challenge").order_by("challenge__order", "order"):
        by_version.setdefault(practice.challenge.playbook_id, []).append(practice)
    answers = load_scoring_answers([a.pk for a in assessments])
    return {
        a.pk: score_assessment(
            _challenge_answers(
                _group_by_challenge([p for p in by_version.get(a.playbook_id, []) if a.includes(p.challenge)]),
                answers.get(a.pk, {}),
            ),
            rules_for(a.playbook),
        )
        for a in assessments
    }


def _guide(challenge_slug: str, practice: Practice, answer: Answer | None, version: str) -> PracticeGuide:
    return _answered(_unanswered_guide(challenge_slug, practice, version), answer)


def _unanswered_guide(challenge_slug: str, practice: Practice, version: str) -> PracticeGuide:
    guidance = practice.explained_in
    return PracticeGuide(
        challenge_slug=challenge_slug,
        practice_slug=practice.slug,
        practice_title=practice.title,
        weight=practice.weight,
        level=None,
        not_applicable=False,
        next_steps={
            option.level: NextStep(option.next_step, option.next_step_effort, option.next_step_impact)
            for option in practice.options.all()
            if option.next_step
        },
        guidance_anchor=guidance_url(version, guidance.challenge.slug, guidance.slug),
        guidance_title=guidance.title,
    )


def _answered(guide: PracticeGuide, answer: Answer | ScoringAnswer | None) -> PracticeGuide:
    return replace(
        guide,
        level=answer.option.level if answer and answer.option else None,
        not_applicable=bool(answer and answer.is_not_applicable),
    )


@dataclass(frozen=True)
class ScoredPlan:
    score: AssessmentScore
    plan: tuple[PlanItem, ...]  # empty unless asked for


def score_and_plan_many(assessments: Sequence[Assessment], *, plan_for: Collection[int] = ()) -> dict[int, ScoredPlan]:
    """The scores of many assessments (playbook selected), and the remediation plans of those in `plan_for`, in one
    query whatever their number, plus the playbooks' practices cached per process: what build_results computes,
    without a results page's rows."""
    return score_and_plan(assessments, load_scoring_answers([a.pk for a in assessments]), plan_for=plan_for)


def load_scoring_answers(assessment_ids: Collection[int]) -> dict[int, dict[int, ScoringAnswer]]:
    """The answers of many assessments, by assessment and practice, in one query: only what scoring and planning
    read, since an option's texts are long and there may be tens of thousands of answers."""
    answers: dict[int, dict[int, ScoringAnswer]] = {}
    loaded = Answer.objects.filter(assessment__in=assessment_ids).values_list(
        "assessment_id", "practice_id", "option__level", "not_applicable_reason", "to_confirm"
    )
    levels: dict[int | None, ChosenLevel | None] = {None: None}  # a handful of levels, each made once
    for assessment_id, practice_id, level, reason, to_confirm in loaded:
        if level not in levels:
            levels[level] = ChosenLevel(level)
        answers.setdefault(assessment_id, {})[practice_id] = ScoringAnswer(levels[level], reason, to_confirm)
    return answers


def score_and_plan(
    assessments: Sequence[Assessment],
    answers: dict[int, dict[int, ScoringAnswer]],
    *,
    plan_for: Collection[int] = (),
) -> dict[int, ScoredPlan]:
    """score_and_plan_many with the answers already loaded (load_scoring_answers): no query."""
    unanswered: dict[int, PracticeGuide] = {}  # by practice: the same for every assessment
    scored = {}
    for assessment in assessments:
        grouped = _group_by_challenge(scoped_practices(assessment))
        mine = answers.get(assessment.pk, {})
        rules = rules_for(assessment.playbook)
        score = score_assessment(_challenge_answers(grouped, mine), rules)
        plan: tuple[PlanItem, ...] = ()
        if assessment.pk in plan_for:
            guides = []
            for challenge, practices in grouped:
                for practice in practices:
                    if practice.pk not in unanswered:
                        version = assessment.playbook.version
                        unanswered[practice.pk] = _unanswered_guide(challenge.slug, practice, version)
                    guides.append(_answered(unanswered[practice.pk], mine.get(practice.pk)))
            plan = plan_remediation(score, guides, resolve_targets(score, assessment.targets, rules.top_level))
        scored[assessment.pk] = ScoredPlan(score, plan)
    return scored


def build_results(assessment: Assessment) -> AssessmentResults:
    playbook = assessment.playbook
    grouped = _group_by_challenge(scoped_practices(assessment))
    answers = load_answers(assessment)
    rules = rules_for(playbook)
    score = score_assessment(_challenge_answers(grouped, answers), rules)
    targets = resolve_targets(score, assessment.targets, rules.top_level)
    rows = {
        challenge.slug: tuple(_row(p, answers.get(p.pk), playbook.version) for p in practices)
        for challenge, practices in grouped
    }
    guides = [
        _guide(challenge.slug, row.practice, row.answer, playbook.version)
        for challenge, _ in grouped
        for row in rows[challenge.slug]
    ]
    return AssessmentResults(
        assessment=assessment,
        score=score,
        challenges=tuple(
            ChallengeResult(challenge, score.challenge(challenge.slug), targets[challenge.slug], rows[challenge.slug])
            for challenge, _ in grouped
        ),
        plan=plan_remediation(score, guides, targets),
        frameworks=_framework_results(playbook, score, rows),
    )


def _framework_results(playbook: PlaybookVersion, score: AssessmentScore, rows) -> tuple[FrameworkResult, ...]:
    """Estimates for the frameworks whose content says how answers map to their scoring (the ML Test Score)."""
    in_scope = {row.practice.slug for challenge_rows in rows.values() for row in challenge_rows}
    to_review = set(score.to_review)
    levels = {
        row.practice.slug: row.level
        for challenge_rows in rows.values()
        for row in challenge_rows
        if row.practice.slug not in to_review
    }
    return tuple(
        FrameworkResult(
            framework,
            estimate_framework(
                [
                    ItemCoverage(item.slug, item.section, item.title, tuple(p.slug for p in item.practices.all()))
                    for item in framework.items.all()
                ],
                [(section["id"], section["title"]) for section in framework.sections],
                levels,
                in_scope,
                manual_at_or_above=framework.scoring["manual_at_or_above"],
                automated_at_or_above=framework.scoring["automated_at_or_above"],
            ),
        )
        for framework in load_frameworks(playbook)
        if framework.scoring
    )


def previous_submitted(assessment: Assessment) -> Assessment | None:
    """The team's last assessment submitted before this one was (or, for a draft, before now)."""
    earlier = Assessment.objects.filter(team_id=assessment.team_id, status=Status.SUBMITTED).exclude(pk=assessment.pk)
    if assessment.submitted_at:
        earlier = earlier.filter(submitted_at__lt=assessment.submitted_at)
    return earlier.select_related("playbook").order_by("-submitted_at").first()


def challenge_versions(earlier: AssessmentResults, later: AssessmentResults) -> tuple[list, list]:
    """Both assessments' challenges, the later ones marked where their wording differs from the earlier version."""
    same = earlier.playbook.pk == later.playbook.pk
    revises = later.playbook.previous_id == earlier.playbook.pk

    def reworded(item: ChallengeResult) -> bool:
        origins = [row.practice.origin.get("kind", "") for row in item.rows]
        return challenge_reworded(origins, same_version=same, revises=revises)

    before = [ChallengeVersion(c.challenge.slug, c.challenge.title) for c in earlier.challenges]
    after = [ChallengeVersion(c.challenge.slug, c.challenge.title, reworded(c)) for c in later.challenges]
    return before, after


def version_changes(assessments: Sequence[Assessment]) -> list[VersionChange]:
    """Between consecutive assessments (oldest first) on different playbook versions, the challenges both versions
    have that read differently in the later one (the rule of `challenge_versions`)."""
    changes = []
    for earlier, later in itertools.pairwise(assessments):
        if earlier.playbook_id == later.playbook_id:
            continue
        earlier_slugs = {practice.challenge.slug for practice in load_practices(earlier.playbook)}
        origins: dict[str, list[str]] = {}
        titles: dict[str, str] = {}
        for practice in load_practices(later.playbook):
            if practice.challenge.slug in earlier_slugs:
                origins.setdefault(practice.challenge.slug, []).append(practice.origin.get("kind", ""))
                titles[practice.challenge.slug] = practice.challenge.title
        revises = later.playbook.previous_id == earlier.playbook_id
        reworded = tuple(
            titles[slug]
            for slug, kinds in origins.items()
            if challenge_reworded(kinds, same_version=False, revises=revises)
        )
        changes.append(VersionChange(earlier.playbook.version, later.playbook.version, reworded))
    return changes


def practice_levels(results: AssessmentResults) -> list[PracticeLevel]:
    return [
        PracticeLevel(row.practice.slug, row.practice.title, item.challenge.title, row.level)
        for item in results.challenges
        for row in item.rows
    ]


def earlier_action_outcomes(assessment: Assessment, results: AssessmentResults) -> tuple[ActionOutcome, ...]:
    """The team's actions from earlier assessments, with where their practice stands in this one."""
    actions = Action.objects.filter(team_id=assessment.team_id, assessment__created_at__lt=assessment.created_at)
    return action_outcomes([action_record(a) for a in actions], {p.slug: p.level for p in practice_levels(results)})


def action_record(action: Action) -> ActionRecord:
    return action_record_of(action.title, action.practice_slug, action.from_level, action.status)


def action_record_of(title: str, practice_slug: str, from_level: int, status: str) -> ActionRecord:
    """The record of an action read as values (a values_list row's fields)."""
    return ActionRecord(title, practice_slug, from_level, status, ActionStatus(status).label)
