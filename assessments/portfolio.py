"""The organisation portfolio: what stakeholders read across every team. Plain functions over plain data, no database.

The rules:

1. The portfolio covers the teams it is given (an organisation's teams that are not archived), narrowed by the
   filters: a business unit, a product area and a free tag. Each filter is optional; every one that is set must
   match.
2. A team's *latest submission* is its most recently submitted assessment. The level distribution, the open
   high-risk flags and the common plan items all read it.
3. Level distribution: for each challenge (the core challenges first, then the lifecycle modules), how many teams
   stand at each level from 0 to the top; "no level" counts the teams whose latest submission has the challenge
   without enough answers for a level; "not assessed" the teams with no submission, or whose latest one did not
   include that module. Each row adds up to the number of teams.
4. Open high-risk flags: the critical practices at a risky level in each team's latest submission. A flag closes
   when a later submission answers the practice higher.
5. Quarterly medians: for each of the last eight calendar quarters (the current one last), each team's latest
   submission up to that quarter's last day. Per challenge, the median of those teams' levels, over the teams that
   have a level there, with how many they are; a quarter where no team has one shows no median.
6. Common plan items: the practices in the most teams' plans (from their latest submissions), where one platform
   fix would help many teams. Ties: more teams with a high-risk flag on it first, then the practice title.

Worked example: team A submitted on 10 Feb 2026 with level 2 in "Security"; team B on 3 Nov 2025 with level 3
and on 20 May 2026 with level 1. For 2026 Q1 (to 31 March) A counts its 2 and B its November 3: median 2.5 over
2 teams. For 2025 Q4 only B counts: median 3 over 1 team. In 2026 Q2 and in the distribution, A's 2 and B's 1.
"""

import statistics
from bisect import bisect_right
from collections import Counter
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from datetime import date, datetime, timedelta

from assessments.planning import PlanItem
from playbook.rules import TOP_LEVEL

QUARTERS_SHOWN = 8  # two years
COMMON_ITEMS_SHOWN = 10


@dataclass(frozen=True)
class TeamRow:
    team_id: int
    name: str
    business_unit: str = ""
    product_area: str = ""
    tags: tuple[str, ...] = ()
    submissions_revision: int = 0  # names the team's submitted assessments in the portfolio's cache key


@dataclass(frozen=True)
class TeamFilter:
    business_unit: str = ""
    product_area: str = ""
    tag: str = ""

    def matches(self, team: TeamRow) -> bool:
        return (
            (not self.business_unit or team.business_unit == self.business_unit)
            and (not self.product_area or team.product_area == self.product_area)
            and (not self.tag or self.tag in team.tags)
        )

    @property
    def is_active(self) -> bool:
        return bool(self.business_unit or self.product_area or self.tag)

    def described(self) -> str:
        """The filters in words, for headings and the security log: "business unit Retail, tag regulated"."""
        parts = (("business unit", self.business_unit), ("product area", self.product_area), ("tag", self.tag))
        return ", ".join(f"{name} {value}" for name, value in parts if value)


@dataclass(frozen=True)
class FilterChoices:
    business_units: tuple[str, ...]
    product_areas: tuple[str, ...]
    tags: tuple[str, ...]


def _distinct(values: Iterable[str]) -> tuple[str, ...]:
    return tuple(sorted({value for value in values if value}, key=str.casefold))


def filter_choices(teams: Sequence[TeamRow]) -> FilterChoices:
    """What the filters offer: every value some team has, in alphabetical order."""
    return FilterChoices(
        business_units=_distinct(team.business_unit for team in teams),
        product_areas=_distinct(team.product_area for team in teams),
        tags=_distinct(tag for team in teams for tag in team.tags),
    )


def filter_teams(teams: Sequence[TeamRow], team_filter: TeamFilter) -> tuple[TeamRow, ...]:
    return tuple(team for team in teams if team_filter.matches(team))


def median_text(median: float | None) -> str:
    """A median as read: 2, 2.5; a dash for none."""
    return "–" if median is None else f"{median:g}"


@dataclass(frozen=True)
class FlaggedPractice:
    slug: str
    title: str


@dataclass(frozen=True)
class ChallengeLevel:
    """One challenge (or module) of a submitted assessment, as scored."""

    slug: str
    title: str
    order: int
    is_module: bool
    level: int | None  # None: not enough answers
    flagged: tuple[FlaggedPractice, ...] = ()


@dataclass(frozen=True)
class SubmittedLevels:
    """A team's submitted assessment: when, and its level per challenge in scope."""

    team_id: int
    assessment_id: int
    submitted_at: datetime  # in the organisation's time zone: its date decides the quarter
    challenges: tuple[ChallengeLevel, ...]

    def level_in(self, slug: str) -> ChallengeLevel | None:
        return next((c for c in self.challenges if c.slug == slug), None)


@dataclass(frozen=True)
class ChallengeColumn:
    slug: str
    title: str
    is_module: bool


@dataclass(frozen=True)
class Quarter:
    year: int
    number: int  # 1 to 4

    @property
    def first_day(self) -> date:
        return date(self.year, 3 * self.number - 2, 1)

    @property
    def last_day(self) -> date:
        following = date(self.year + 1, 1, 1) if self.number == 4 else date(self.year, 3 * self.number + 1, 1)
        return following - timedelta(days=1)

    @property
    def label(self) -> str:
        return f"{self.year} Q{self.number}"


def last_quarters(today: date, count: int = QUARTERS_SHOWN) -> tuple[Quarter, ...]:
    """The `count` calendar quarters up to and including today's, oldest first."""
    index = today.year * 4 + (today.month - 1) // 3
    return tuple(Quarter(i // 4, i % 4 + 1) for i in range(index - count + 1, index + 1))


def _latest(submissions: Iterable[SubmittedLevels], until: date | None = None) -> dict[int, SubmittedLevels]:
    """Each team's latest submission, or its latest up to `until` (inclusive)."""
    latest: dict[int, SubmittedLevels] = {}
    for one in submissions:
        if until is not None and one.submitted_at.date() > until:
            continue
        current = latest.get(one.team_id)
        if current is None or (one.submitted_at, one.assessment_id) > (current.submitted_at, current.assessment_id):
            latest[one.team_id] = one
    return latest


def latest_submissions(submissions: Iterable[SubmittedLevels]) -> dict[int, SubmittedLevels]:
    return _latest(submissions)


def submissions_to_score(submitted: Iterable[tuple[int, int, datetime]], quarters: Sequence[Quarter]) -> set[int]:
    """Of (team id, assessment id, submitted at) triples, the assessments the portfolio reads: each team's latest,
    and its latest up to each quarter's end. Scoring only these keeps a long history cheap."""
    histories: dict[int, list[tuple[datetime, int]]] = {}
    for team_id, assessment_id, at in submitted:
        histories.setdefault(team_id, []).append((at, assessment_id))
    ends = [quarter.last_day for quarter in quarters]
    needed = set()
    for history in histories.values():
        history.sort()  # as _latest chooses: the latest submission, the larger id on a tie
        needed.add(history[-1][1])
        days = [at.date() for at, _ in history]
        for end in ends:
            if until := bisect_right(days, end):
                needed.add(history[until - 1][1])
    return needed


def challenge_columns(submissions: Iterable[SubmittedLevels]) -> tuple[ChallengeColumn, ...]:
    """Every challenge any submission has, core challenges first, titled as in the newest submission having it."""
    newest: dict[str, tuple[datetime, ChallengeLevel]] = {}
    for one in submissions:
        for challenge in one.challenges:
            if challenge.slug not in newest or one.submitted_at > newest[challenge.slug][0]:
                newest[challenge.slug] = (one.submitted_at, challenge)
    ordered = sorted((c for _, c in newest.values()), key=lambda c: (c.is_module, c.order, c.title))
    return tuple(ChallengeColumn(c.slug, c.title, c.is_module) for c in ordered)


@dataclass(frozen=True)
class LevelCounts:
    column: ChallengeColumn
    by_level: tuple[int, ...]  # teams at level 0, 1, ... up to the top level
    no_level: int  # assessed without enough answers for a level
    not_assessed: int

    @property
    def total(self) -> int:
        return sum(self.by_level) + self.no_level + self.not_assessed


def level_distribution(
    teams: Sequence[TeamRow],
    latest: Mapping[int, SubmittedLevels],
    columns: Sequence[ChallengeColumn],
    top_level: int = TOP_LEVEL,
) -> tuple[LevelCounts, ...]:
    rows = []
    for column in columns:
        by_level, no_level, not_assessed = [0] * (top_level + 1), 0, 0
        for team in teams:
            submission = latest.get(team.team_id)
            challenge = submission.level_in(column.slug) if submission else None
            if challenge is None:
                not_assessed += 1
            elif challenge.level is None:
                no_level += 1
            else:
                by_level[challenge.level] += 1
        rows.append(LevelCounts(column, tuple(by_level), no_level, not_assessed))
    return tuple(rows)


@dataclass(frozen=True)
class TeamFlags:
    team: TeamRow
    submission: SubmittedLevels
    challenges: tuple[ChallengeLevel, ...]  # those with a flag

    @property
    def count(self) -> int:
        return sum(len(c.flagged) for c in self.challenges)


def open_flags(teams: Sequence[TeamRow], latest: Mapping[int, SubmittedLevels]) -> tuple[TeamFlags, ...]:
    """The teams whose latest submission has high-risk flags: the most flags first, then by name."""
    flagged = []
    for team in teams:
        submission = latest.get(team.team_id)
        challenges = tuple(c for c in submission.challenges if c.flagged) if submission else ()
        if challenges:
            flagged.append(TeamFlags(team, submission, challenges))
    return tuple(sorted(flagged, key=lambda f: (-f.count, f.team.name.casefold())))


@dataclass(frozen=True)
class MedianCell:
    median: float | None
    teams: int  # teams with a level in this challenge by the quarter's end


@dataclass(frozen=True)
class ChallengeMedians:
    column: ChallengeColumn
    cells: tuple[MedianCell, ...]  # one per quarter


@dataclass(frozen=True)
class QuarterlyMedians:
    quarters: tuple[Quarter, ...]
    rows: tuple[ChallengeMedians, ...]
    teams_assessed: tuple[int, ...]  # per quarter: teams with any submission by its end


def quarterly_medians(
    teams: Sequence[TeamRow],
    submissions: Sequence[SubmittedLevels],
    columns: Sequence[ChallengeColumn],
    quarters: Sequence[Quarter],
) -> QuarterlyMedians:
    team_ids = {team.team_id for team in teams}
    mine = [one for one in submissions if one.team_id in team_ids]
    by_quarter = [_latest(mine, quarter.last_day) for quarter in quarters]
    rows = []
    for column in columns:
        cells = []
        for latest in by_quarter:
            levels = [
                challenge.level
                for one in latest.values()
                if (challenge := one.level_in(column.slug)) is not None and challenge.level is not None
            ]
            cells.append(MedianCell(float(statistics.median(levels)) if levels else None, len(levels)))
        rows.append(ChallengeMedians(column, tuple(cells)))
    return QuarterlyMedians(tuple(quarters), tuple(rows), tuple(len(latest) for latest in by_quarter))


@dataclass(frozen=True)
class CommonItem:
    practice_slug: str
    practice_title: str
    challenge_title: str
    guidance_anchor: str
    guidance_title: str
    teams: int
    flagged_teams: int  # teams where the practice carries a high-risk flag


def common_plan_items(
    teams: Sequence[TeamRow],
    latest: Mapping[int, SubmittedLevels],
    plans: Mapping[int, Sequence[PlanItem]],
    columns: Sequence[ChallengeColumn],
    limit: int = COMMON_ITEMS_SHOWN,
) -> tuple[CommonItem, ...]:
    """The practices most teams have in the plans of their latest submissions (`plans` by assessment id)."""
    titles = {column.slug: column.title for column in columns}
    counts: Counter[str] = Counter()
    flagged: Counter[str] = Counter()
    example: dict[str, PlanItem] = {}
    # Newest submissions first, so an item links to the guidance of the newest playbook version planning it.
    submissions = [latest[team.team_id] for team in teams if team.team_id in latest]
    for submission in sorted(submissions, key=lambda one: one.submitted_at, reverse=True):
        for item in plans.get(submission.assessment_id, ()):
            counts[item.practice_slug] += 1
            flagged[item.practice_slug] += item.is_flagged
            example.setdefault(item.practice_slug, item)
    ranked = sorted(counts, key=lambda slug: (-counts[slug], -flagged[slug], example[slug].practice_title.casefold()))
    return tuple(
        CommonItem(
            practice_slug=slug,
            practice_title=example[slug].practice_title,
            challenge_title=titles.get(example[slug].challenge_slug, example[slug].challenge_slug),
            guidance_anchor=example[slug].guidance_anchor,
            guidance_title=example[slug].guidance_title,
            teams=counts[slug],
            flagged_teams=flagged[slug],
        )
        for slug in ranked[:limit]
    )


@dataclass(frozen=True)
class Portfolio:
    teams: tuple[TeamRow, ...]  # those the filters keep
    team_filter: TeamFilter
    latest: Mapping[int, SubmittedLevels]
    columns: tuple[ChallengeColumn, ...]
    distribution: tuple[LevelCounts, ...]
    flags: tuple[TeamFlags, ...]
    medians: QuarterlyMedians
    common_items: tuple[CommonItem, ...]
    top_level: int = TOP_LEVEL

    @property
    def levels(self) -> range:
        return range(self.top_level + 1)

    @property
    def has_modules(self) -> bool:
        return any(column.is_module for column in self.columns)

    @property
    def assessed(self) -> int:
        """Teams with a submitted assessment."""
        return sum(1 for team in self.teams if team.team_id in self.latest)


def build_portfolio(
    teams: Sequence[TeamRow],
    submissions: Sequence[SubmittedLevels],
    plans: Mapping[int, Sequence[PlanItem]],
    *,
    today: date,
    team_filter: TeamFilter = TeamFilter(),
    top_level: int = TOP_LEVEL,
) -> Portfolio:
    """Everything the portfolio page, PDF and CSV show, for the teams `team_filter` keeps."""
    kept = filter_teams(teams, team_filter)
    kept_ids = {team.team_id for team in kept}
    mine = [one for one in submissions if one.team_id in kept_ids]
    latest = latest_submissions(mine)
    columns = challenge_columns(mine)
    return Portfolio(
        teams=kept,
        team_filter=team_filter,
        latest=latest,
        columns=columns,
        distribution=level_distribution(kept, latest, columns, top_level),
        flags=open_flags(kept, latest),
        medians=quarterly_medians(kept, mine, columns, last_quarters(today)),
        common_items=common_plan_items(kept, latest, plans, columns),
        top_level=top_level,
    )
