"""Add a large estate to the benchmark database in bulk; print what was made as one JSON line.

Run by bench/run.py after the cast (bench/cast.py), with {"organisation": <slug>}
as the only argument: that organisation becomes the estate's large one, with
about 200 teams, and 49 new organisations share the other 1,800. At
BENCH_ESTATE_SCALE=1.0 (the default) that is 50 organisations, 2,000 teams of
four people (a lead and three members), 20,000 assessments of the current
playbook's core practices and about 700,000 answers with notes. Each team has
ten assessments two months apart: the newest none to three (1.5 on average)
are drafts with 5 to 25 answers, the others are submitted (every practice
answered, a Submission each, the latest with tracked actions). About 2 % of
teams are archived and 60 % of the new organisations join the benchmark across
organisations. A smaller scale shrinks every count (at least one of each).

Rows go in with COPY FROM STDIN, not one ORM save each (700,000 saves would
take most of an hour), so nothing in the app runs while seeding: no audit
events, no answer history (AnswerChange) and no webhooks. Primary keys are
reserved from each table's sequence first, so rows can name each other. The
tables are analysed at the end, and vacuumed once the seeding has committed, as
autovacuum would soon do after a bulk load, so the planner sees the estate and
index-only scans work. A column added to the app later is filled with its field's
default, as the ORM would fill it; one with no default stops the seeding and
names itself.
"""

# ruff: noqa: E402 (Django is set up before the app's modules are imported)

import io
import json
import os
import random
import sys
import time
from collections.abc import Iterable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from datetime import datetime, timedelta
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings")

import django
from django.apps import apps

if not apps.ready:  # run as a script; under pytest Django is set up already
    django.setup()

from django.contrib.auth import get_user_model
from django.db import connection, transaction
from django.utils import timezone

from assessments.models import (
    Action,
    ActionStatus,
    Answer,
    Assessment,
    Membership,
    Organisation,
    Role,
    Status,
    Submission,
    Team,
)
from playbook.models import PlaybookVersion, Practice

ORGANISATIONS, TEAMS, LARGE_TEAMS = 50, 2_000, 200
ASSESSMENTS_PER_TEAM = 10
DRAFTS_PER_TEAM = (0, 1, 2, 3)  # dealt round the teams: some teams' newest assessment is submitted, others' a draft
MEMBERS_PER_TEAM = 3  # besides the lead
REPORTS = 20  # submitted assessments of the large organisation named for the two-server phase
ACTIONS_PER_TEAM = 6
DRAFT_ANSWERS = (5, 25)
ARCHIVED_EVERY, OPTED_IN_SHARE = 50, 0.6
ASSESSMENT_GAP = timedelta(days=61)
BUSINESS_UNITS = ("Retail", "Payments", "Risk", "Marketing", "Operations", "Research")
PRODUCT_AREAS = ("Search", "Recommendations", "Fraud", "Forecasting", "Pricing", "Vision", "Chat", "Churn")
TAGS = ("pii", "gpu", "regulated", "realtime", "batch", "llm", "customer-facing")
NOTE_PARTS = (
    "The runbook lives in the team wiki and was reviewed at the last quarterly planning.",
    "Owner: the on-call ML engineer; the data platform team helps with pipelines.",
    "Evidence: last quarter's incident review, the model card and the monitoring dashboard.",
    "Gaps remain for the older batch models, which still retrain by hand once a month.",
    "We agreed in the workshop to revisit this after the migration to the new feature store.",
    "Alerts page the team; thresholds were tuned after two false alarms in the spring.",
)
COPY_ESCAPES = str.maketrans({"\\": "\\\\", "\t": "\\t", "\n": "\\n", "\r": "\\r"})


@dataclass(frozen=True)
class Sizes:
    organisations: int
    teams: int
    large_teams: int

    @classmethod
    def at(cls, scale: float) -> "Sizes":
        def scaled(count: int) -> int:
            return max(1, round(count * scale))

        # At least one organisation besides the large one, so even a tiny estate spans organisations.
        return cls(organisations=max(2, scaled(ORGANISATIONS)), teams=scaled(TEAMS), large_teams=scaled(LARGE_TEAMS))


def scale_from_environment() -> float:
    value = os.environ.get("BENCH_ESTATE_SCALE", "1.0")
    try:
        scale = float(value)
    except ValueError:
        raise SystemExit(f"BENCH_ESTATE_SCALE={value!r} is not a number") from None
    if not 0 < scale <= 10:
        raise SystemExit(f"BENCH_ESTATE_SCALE={value!r} must be above 0 and at most 10")
    return scale


def text(value: object) -> str:
    """One value in COPY's text format."""
    if value is None:
        return "\\N"
    if isinstance(value, bool):
        return "t" if value else "f"
    if isinstance(value, datetime):
        return value.isoformat()
    if isinstance(value, (list, dict)):
        value = json.dumps(value)
    return str(value).translate(COPY_ESCAPES)


def unfilled(model, columns: tuple[str, ...]) -> tuple[tuple[str, ...], str]:
    """The model's other columns, and the end of a COPY line that gives each its field's default."""
    names, values = [], []
    for field in model._meta.concrete_fields:
        if field.column in columns or field.primary_key:
            continue
        value = field.get_default()  # "" for text fields without a default, as the ORM saves them
        if value is None and not field.null:
            raise SystemExit(f"bench/estate.py does not fill {model.__name__}.{field.name}, which has no default")
        names.append(field.column)
        values.append(value)
    return tuple(names), "".join(f"\t{text(value)}" for value in values) + "\n"


def copy_rows(cursor, model, columns: tuple[str, ...], rows: Iterable[tuple], chunk: int = 100_000) -> int:
    """COPY rows into the model's table, `chunk` rows at a time so the buffer stays small; returns the count."""
    others, line_end = unfilled(model, columns)
    statement = f"COPY {model._meta.db_table} ({', '.join(columns + others)}) FROM STDIN"
    count, buffer = 0, io.StringIO()
    for row in rows:
        buffer.write("\t".join(map(text, row)))
        buffer.write(line_end)
        count += 1
        if count % chunk == 0:
            buffer.seek(0)
            cursor.copy_expert(statement, buffer)
            buffer = io.StringIO()
    if buffer.tell():
        buffer.seek(0)
        cursor.copy_expert(statement, buffer)
    return count


def reserve_ids(cursor, model, count: int) -> int:
    """The first of `count` consecutive primary keys taken from the table's sequence for rows made here."""
    cursor.execute("SELECT pg_get_serial_sequence(%s, 'id')", [model._meta.db_table])
    [sequence] = cursor.fetchone()
    cursor.execute("SELECT nextval(%s)", [sequence])
    [first] = cursor.fetchone()
    if count > 1:
        cursor.execute("SELECT setval(%s, %s)", [sequence, first + count - 1])
    return first


@contextmanager
def foreign_keys_checked_after(cursor, models: tuple) -> Iterator[None]:
    """PostgreSQL's advice for a bulk load ("Populating a Database"): the loaded tables' foreign keys are dropped and
    added back afterwards, which checks every row in one pass per key. Left in place they check row by row at the
    commit: over a third of the seeding. Each key comes back exactly as it was (pg_get_constraintdef), and one row
    that names a missing row fails the seeding there (it is one transaction: nothing stays dropped)."""
    tables = [model._meta.db_table for model in models]
    cursor.execute(
        "SELECT conrelid::regclass::text, conname, pg_get_constraintdef(oid) FROM pg_constraint"
        " WHERE contype = 'f' AND conrelid = ANY(%s::regclass[])",
        [tables],
    )
    keys = cursor.fetchall()
    for table, name, _ in keys:
        cursor.execute(f'ALTER TABLE {table} DROP CONSTRAINT "{name}"')
    yield
    for table, name, definition in keys:
        cursor.execute(f'ALTER TABLE {table} ADD CONSTRAINT "{name}" {definition}')


def notes_pool(rng: random.Random) -> list[str]:
    """A few hundred distinct notes of one to four sentences (about 80 to 330 characters)."""
    return [" ".join(rng.sample(NOTE_PARTS, rng.randint(1, 4))).translate(COPY_ESCAPES) for _ in range(400)]


ESTATE_TABLES = (Organisation, Team, get_user_model(), Membership, Assessment, Submission, Answer, Action)
BULK_TABLES = (Membership, Assessment, Submission, Answer, Action)  # the many rows, next to few organisations and teams


@transaction.atomic
def seed_estate(*, scale: float, large: Organisation) -> dict:
    """Add the estate; `large` gets the large organisation's share of the teams. Returns what was made."""
    rng = random.Random(17)  # noqa: S311 - made-up data, the same estate on every run
    sizes = Sizes.at(scale)
    now = timezone.now().replace(microsecond=0)
    playbook = PlaybookVersion.objects.get(is_current=True)
    practices = list(
        Practice.objects.filter(challenge__playbook=playbook, challenge__is_module=False)
        .select_related("challenge")
        .prefetch_related("options")
        .order_by("challenge__order", "order")
    )
    options = [{option.level: option.pk for option in practice.options.all()} for practice in practices]
    notes = notes_pool(rng)
    made: dict[str, int] = {}

    with connection.cursor() as cursor, foreign_keys_checked_after(cursor, BULK_TABLES):
        # Organisations: the large one exists; the others are new.
        new_organisations = sizes.organisations - 1
        first_organisation = reserve_ids(cursor, Organisation, new_organisations) if new_organisations else 0
        organisation_ids = [first_organisation + n for n in range(new_organisations)]
        copy_rows(
            cursor,
            Organisation,
            ("id", "name", "slug", "viewers_see_notes", "benchmark_opt_in", "created_at"),
            (
                (
                    pk,
                    f"Estate Organisation {n + 1:02d}",
                    f"estate-{n + 1:02d}",
                    False,
                    rng.random() < OPTED_IN_SHARE,
                    now,
                )
                for n, pk in enumerate(organisation_ids)
            ),
        )
        made["organisations"] = sizes.organisations

        # Teams: the large organisation's first, then round the others.
        first_team = reserve_ids(cursor, Team, sizes.teams)
        owners = [large.pk] * min(sizes.large_teams, sizes.teams)
        owners += [
            organisation_ids[n % len(organisation_ids)] if organisation_ids else large.pk
            for n in range(sizes.teams - len(owners))
        ]
        teams = []
        for n, organisation_id in enumerate(owners):
            area = PRODUCT_AREAS[n % len(PRODUCT_AREAS)]
            tags = sorted(rng.sample(TAGS, rng.randint(0, 3)))
            archived = now - timedelta(days=30) if n % ARCHIVED_EVERY == ARCHIVED_EVERY - 1 else None
            unit = BUSINESS_UNITS[rng.randrange(len(BUSINESS_UNITS))]
            teams.append(
                (first_team + n, organisation_id, f"{area} {n + 1}", f"estate-{n + 1}", unit, area, tags, archived)
            )
        made["teams"] = copy_rows(
            cursor,
            Team,
            ("id", "organisation_id", "name", "slug", "business_unit", "product_area", "tags", "archived_at"),
            teams,
        )

        # People: a lead and members per team, who cannot sign in (no usable password).
        per_team = 1 + MEMBERS_PER_TEAM
        first_user = reserve_ids(cursor, get_user_model(), sizes.teams * per_team)
        made["users"] = copy_rows(
            cursor,
            get_user_model(),
            ("id", "password", "is_superuser", "username", "first_name", "last_name", "email", "is_staff")
            + ("is_active", "date_joined"),
            (
                (first_user + k, "!estate", False, f"estate-{k}", "", "", f"estate-{k}@example.com", False, True, now)
                for k in range(sizes.teams * per_team)
            ),
        )
        first_membership = reserve_ids(cursor, Membership, sizes.teams * per_team)
        copy_rows(
            cursor,
            Membership,
            ("id", "team_id", "user_id", "role"),
            (
                (
                    first_membership + k,
                    first_team + k // per_team,
                    first_user + k,
                    Role.LEAD if k % per_team == 0 else Role.MEMBER,
                )
                for k in range(sizes.teams * per_team)
            ),
        )

        # Assessments, oldest first: the submitted ones, then the drafts.
        count = sizes.teams * ASSESSMENTS_PER_TEAM
        first_assessment = reserve_ids(cursor, Assessment, count)
        assessments, submissions, answers, actions, latest = [], [], [], [], {}
        for n in range(sizes.teams):
            team_id, lead = first_team + n, first_user + n * per_team
            submitted_count = ASSESSMENTS_PER_TEAM - DRAFTS_PER_TEAM[n % len(DRAFTS_PER_TEAM)]
            base_level = rng.randint(0, 3)
            for k in range(ASSESSMENTS_PER_TEAM):
                pk = first_assessment + n * ASSESSMENTS_PER_TEAM + k
                created = now - ASSESSMENT_GAP * (ASSESSMENTS_PER_TEAM - k) + timedelta(hours=n % 240)
                submitted = created + timedelta(days=14) if k < submitted_count else None
                status = Status.SUBMITTED if submitted else Status.DRAFT
                assessments.append(
                    (
                        pk,
                        team_id,
                        playbook.pk,
                        f"Review {k + 1}",
                        status,
                        lead,
                        created,
                        submitted or created,
                        submitted,
                        lead if submitted else None,
                    )
                )
                if submitted:
                    submissions.append((pk, submitted, lead, f"estate-{n * per_team}"))
                answered = len(practices) if submitted else min(len(practices), rng.randint(*DRAFT_ANSWERS))
                answered_at = (submitted or created).isoformat()
                levels = []
                for p in range(answered):
                    level = min(4, max(0, base_level + k // 4 + rng.choice((-1, 0, 0, 1))))
                    level = level if level in options[p] else min(options[p])
                    levels.append(level)
                    answers.append(
                        (
                            pk,
                            practices[p].pk,
                            options[p][level],
                            rng.choice(notes),
                            lead + 1 + p % MEMBERS_PER_TEAM,
                            answered_at,
                        )
                    )
                if k == submitted_count - 1:  # the latest submitted: its weakest practices became actions
                    latest[n] = pk
                    weakest = sorted(range(answered), key=lambda p: (levels[p], p))[:ACTIONS_PER_TEAM]
                    for rank, p in enumerate(weakest):
                        practice = practices[p]
                        status_of = list(ActionStatus)[rank % len(ActionStatus)]
                        due = (submitted + timedelta(days=30 * (rank + 1))).date()
                        actions.append(
                            (
                                team_id,
                                pk,
                                practice,
                                levels[p],
                                lead + 1 + rank % MEMBERS_PER_TEAM,
                                due,
                                status_of,
                                lead,
                                submitted,
                            )
                        )
        made["assessments"] = copy_rows(
            cursor,
            Assessment,
            ("id", "team_id", "playbook_id", "title", "status", "created_by_id", "created_at", "updated_at")
            + ("submitted_at", "submitted_by_id", "subject", "modules", "targets"),
            (row + ("", [], {}) for row in assessments),
        )
        made["submitted"] = len(submissions)
        first_submission = reserve_ids(cursor, Submission, len(submissions))
        copy_rows(
            cursor,
            Submission,
            ("id", "assessment_id", "submitted_at", "submitted_by_id", "submitted_by_name", "reopened_by_name"),
            ((first_submission + i, *row, "") for i, row in enumerate(submissions)),
        )
        first_answer = reserve_ids(cursor, Answer, len(answers))
        made["answers"] = copy_answers(cursor, first_answer, answers)
        first_action = reserve_ids(cursor, Action, len(actions))
        made["actions"] = copy_rows(
            cursor,
            Action,
            ("id", "team_id", "assessment_id", "challenge_slug", "practice_slug", "title", "from_level", "owner_id")
            + ("due_date", "status", "created_by_id", "created_at", "updated_at"),
            (
                (first_action + i, team, assessment, p.challenge.slug, p.slug, f"{p.title}: reach the next level"[:300])
                + (level, owner, due, status, creator, at, at)
                for i, (team, assessment, p, level, owner, due, status, creator, at) in enumerate(actions)
            ),
        )
        for model in ESTATE_TABLES:
            cursor.execute(f"ANALYZE {model._meta.db_table}")

    # Reports the two-server phase asks for: the latest submitted assessment of the large organisation's live teams.
    made["report_assessments"] = [pk for n, pk in latest.items() if owners[n] == large.pk and teams[n][-1] is None][
        :REPORTS
    ]
    return made


def copy_answers(cursor, first: int, answers: list[tuple]) -> int:
    """The bulk of the estate, formatted by hand: the generic row formatting costs more than the COPY itself.
    Every answer is a level at revision 1 (the other columns take their defaults: not "not applicable", confirmed).
    """
    columns = ("id", "assessment_id", "practice_id", "option_id", "notes", "updated_by_id", "updated_at", "revision")
    others, line_end = unfilled(Answer, columns)
    statement = f"COPY {Answer._meta.db_table} ({', '.join(columns + others)}) FROM STDIN"
    chunk = 100_000
    for start in range(0, len(answers), chunk):
        buffer = io.StringIO()
        buffer.writelines(
            f"{first + start + i}\t{a}\t{p}\t{o}\t{note}\t{user}\t{at}\t1{line_end}"
            for i, (a, p, o, note, user, at) in enumerate(answers[start : start + chunk])
        )
        buffer.seek(0)
        cursor.copy_expert(statement, buffer)
    return len(answers)


def vacuum_estate() -> None:
    """What autovacuum does soon after a bulk load (this machine's server runs with it off): sets the visibility map,
    so that the pages' counts and fingerprints can read an index alone. Outside a transaction, as VACUUM must be."""
    with connection.cursor() as cursor:
        for model in ESTATE_TABLES:
            cursor.execute(f"VACUUM (ANALYZE) {model._meta.db_table}")


def main(arguments: dict) -> None:
    started = time.perf_counter()
    made = seed_estate(scale=scale_from_environment(), large=Organisation.objects.get(slug=arguments["organisation"]))
    vacuum_estate()
    print(
        json.dumps(
            made | {"scale": scale_from_environment(), "seed_in_process_s": round(time.perf_counter() - started, 1)}
        )
    )


if __name__ == "__main__":
    main(json.loads(sys.argv[1]))
