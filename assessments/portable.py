"""An assessment as one JSON document, to move it between installations: plain functions, no database.

Unlike the results export (`exports.py`, a report of scores for other systems),
this document carries what the team entered and nothing computed: the scope,
every answer with its notes and not-applicable reason, the targets and the
tracked actions. Scores are not in it: the receiving installation computes
them from the same playbook version, so they come out the same.

Rules for reading a document (`read_document`):

- It is at most `MAX_DOCUMENT_BYTES` of UTF-8 JSON with `"format":
  "mlops-assessment"` and a `format_version` this code reads (1).
- Its playbook version must be loaded here: answers are only meaningful against
  the exact wording and levels they were given for. The refusal names the
  version and the versions that are loaded.
- Every practice, module and challenge named must be in that version and in the
  document's scope; every level must be one the practice has; a 'not applicable'
  answer follows the questionnaire's rules (`answering.not_applicable_problem`),
  except that a valid reason a critical practice does not accept is kept as the
  source holds it: it shows as "needs review" and counts for nothing until the
  team reviews it, as it did there.
- People are not carried over: usernames (who answered, who owns an action) are
  in the document for a human reader only, since accounts differ between
  installations. Dates of creation and submission, the status and the source
  are informational too: an import always starts a new draft.
- Evidence files are not carried either: the document holds no file content
  (nor lists the files), so an import starts without them; the team attaches
  them again where it is needed.
- Every problem is reported, each naming where it is ("Answer 3 names practice
  'foo', which playbook version 2027.1 does not have."), and nothing is imported
  unless there are none.

Example: a document of playbook 2027.1 with the module 'generative-ai' in scope,
answers [{"practice": "prompt-versioning", "level": 2}] and targets
{"security": 3} reads as an `ImportPlan` for a new assessment with that module,
one answer at level 2 and a target of 3 for Security; the same document naming
playbook 2099.1 is refused with "Playbook version 2099.1 is not loaded here
(loaded: 2026.1, 2027.1)."
"""

import json
from collections.abc import Iterator, Mapping, Sequence
from dataclasses import dataclass
from datetime import date, datetime

from assessments.answering import not_applicable_problem
from assessments.models import (
    NOTES_MAX_LENGTH,
    Action,
    ActionStatus,
    Answer,
    Assessment,
    NotApplicableReason,
    not_applicable_accepted,
)
from playbook.models import PlaybookVersion, Practice

FORMAT = "mlops-assessment"
FORMAT_VERSION = 1
# The reverse proxy's default request limit (MAX_REQUEST_BYTES); a full assessment with long notes is well under it.
MAX_DOCUMENT_BYTES = 1024 * 1024
TITLE_MAX_LENGTH = 200  # Assessment.title and .subject
DETAIL_MAX_LENGTH = 200  # Answer.not_applicable_detail
ACTION_TITLE_MAX_LENGTH = 300  # Action.title
CARRIED_TEXT_MAX_LENGTH = 4 * NOTES_MAX_LENGTH  # a merged suggestion's notes join several answers' notes


class DocumentRefused(Exception):
    """The document cannot be imported; `problems` says why, each message naming where."""

    def __init__(self, problems: Sequence[str]):
        self.problems = tuple(problems)
        super().__init__("; ".join(self.problems))


@dataclass(frozen=True)
class PracticeOutline:
    """What the reader checks a practice against. Duck-types the Practice that `not_applicable_problem` reads."""

    slug: str
    challenge: str
    levels: frozenset[int]
    is_critical: bool
    allows_not_applicable: bool


@dataclass(frozen=True)
class VersionOutline:
    """A loaded playbook version, as far as reading a document needs it."""

    version: str
    top_level: int
    challenges: Mapping[str, bool]  # slug -> is a module
    practices: Mapping[str, PracticeOutline]

    @property
    def modules(self) -> list[str]:
        return [slug for slug, is_module in self.challenges.items() if is_module]


def outline_of(playbook: PlaybookVersion, practices: Sequence[Practice]) -> VersionOutline:
    """The outline of a version from its practices as `published.load_practices` gives them (no queries)."""
    return VersionOutline(
        version=playbook.version,
        top_level=playbook.top_level,
        challenges={p.challenge.slug: p.challenge.is_module for p in practices},
        practices={
            p.slug: PracticeOutline(
                slug=p.slug,
                challenge=p.challenge.slug,
                levels=frozenset(o.level for o in p.options.all()),
                is_critical=p.is_critical,
                allows_not_applicable=p.allows_not_applicable,
            )
            for p in practices
        },
    )


@dataclass(frozen=True)
class PlannedAnswer:
    practice: str
    level: int | None
    not_applicable_reason: str = ""
    not_applicable_detail: str = ""
    notes: str = ""
    # A suggestion carried from an older playbook version that the team had not yet confirmed, kept as such.
    to_confirm: bool = False
    suggested_level: int | None = None
    carried_from: dict | None = None


@dataclass(frozen=True)
class PlannedAction:
    practice: str
    challenge: str
    title: str
    from_level: int
    status: str
    due_date: date | None


@dataclass(frozen=True)
class ImportPlan:
    """A document that passed every check: what the import will create."""

    playbook_version: str
    title: str
    subject: str
    modules: tuple[str, ...]
    targets: Mapping[str, int]
    answers: tuple[PlannedAnswer, ...]
    actions: tuple[PlannedAction, ...]
    source: str  # where the document says it came from, for the security event log


def document_for(
    assessment: Assessment, answers: Sequence[Answer], actions: Sequence[Action], *, site_url: str, now: datetime
) -> dict:
    """The document of one assessment. Answers need their practice (with challenge), options and updated_by
    loaded; actions their owner."""
    return {
        "format": FORMAT,
        "format_version": FORMAT_VERSION,
        "exported_at": now.isoformat(),
        "source": {"site_url": site_url, "team": assessment.team.name, "assessment_id": assessment.pk},
        "playbook_version": assessment.playbook.version,
        "assessment": {
            "title": assessment.title,
            "subject": assessment.subject,
            "modules": list(assessment.modules),
            "status": assessment.status,
            "created_at": _iso(assessment.created_at),
            "submitted_at": _iso(assessment.submitted_at),
        },
        "targets": dict(assessment.targets),
        "answers": [
            {
                "practice": a.practice.slug,
                "challenge": a.practice.challenge.slug,
                "level": a.option.level if a.option else None,
                "not_applicable": {"reason": a.not_applicable_reason, "detail": a.not_applicable_detail}
                if a.not_applicable_reason
                else None,
                "notes": a.notes,
                "to_confirm": a.to_confirm,
                "suggested_level": a.suggested_option.level if a.suggested_option else None,
                "carried_from": a.carried_from,
                # Where a shared answer set gave the answer; an import makes it the importing team's own.
                "inherited_from": a.shared_source if a.is_inherited else None,
                "differs_from": a.shared_source if a.team_differs else None,
                "differs_reason": a.differs_reason,
                "answered_by": a.updated_by.get_username() if a.updated_by else None,
                "updated_at": _iso(a.updated_at),
            }
            for a in sorted(answers, key=lambda a: (a.practice.challenge.order, a.practice.order))
            # An answer outside the scope is never shown or counted there, so it is not part of what moves.
            if assessment.includes(a.practice.challenge)
        ],
        "actions": [
            {
                "practice": action.practice_slug,
                "challenge": action.challenge_slug,
                "title": action.title,
                "from_level": action.from_level,
                "status": action.status,
                "due_date": action.due_date.isoformat() if action.due_date else None,
                "owner": action.owner.get_username() if action.owner else None,
            }
            for action in sorted(actions, key=lambda action: action.pk or 0)
        ],
    }


def _iso(moment: datetime | None) -> str | None:
    return moment.isoformat() if moment else None


def read_document(raw: bytes, versions: Mapping[str, VersionOutline], *, title: str = "") -> ImportPlan:
    """Check a document against the playbook versions loaded here (by version name); raise DocumentRefused
    listing every problem, or return what to import, under `title` if given instead of the document's."""
    data = _parse(raw)
    _check_format(data)
    version_name = data.get("playbook_version")
    if not isinstance(version_name, str) or not version_name:
        raise DocumentRefused(['The document names no "playbook_version".'])
    outline = versions.get(version_name)
    if outline is None:
        loaded = ", ".join(sorted(versions)) or "none"
        raise DocumentRefused(
            [
                f"Playbook version {version_name[:40]} is not loaded here (loaded: {loaded}). "
                "An administrator can load it with `manage.py load_playbook` from its content files."
            ]
        )
    reader = _Reader(outline)
    plan = reader.plan(data, title)
    if reader.problems:
        raise DocumentRefused(reader.problems)
    return plan


def _parse(raw: bytes) -> dict:
    if len(raw) > MAX_DOCUMENT_BYTES:
        raise DocumentRefused([f"The file is over {MAX_DOCUMENT_BYTES // 1024} KB, too large for an assessment."])
    try:
        data = json.loads(raw.decode("utf-8-sig"), parse_constant=_no_constant)
    except UnicodeDecodeError:
        raise DocumentRefused(["The file is not text in UTF-8, so not an assessment document."]) from None
    except json.JSONDecodeError as error:
        raise DocumentRefused(
            [f"The file is not valid JSON: {error.msg} at line {error.lineno}, column {error.colno}."]
        ) from None
    except (ValueError, RecursionError):  # NaN or Infinity; nesting deeper than any document has
        raise DocumentRefused(["The file is not valid JSON for an assessment document."]) from None
    if not isinstance(data, dict):
        raise DocumentRefused(["The file holds JSON, but not an assessment document (it is not a JSON object)."])
    return data


def _no_constant(name: str):
    raise ValueError(f"{name} is not a number in JSON")


def _check_format(data: dict) -> None:
    found = data.get("format")
    if found != FORMAT:
        if isinstance(data.get("schema"), str) and data["schema"].startswith("mlops-maturity-assessment/"):
            raise DocumentRefused(
                [
                    "This is a results export, which holds scores for other systems, not an assessment to import. "
                    "Download “Export for another installation” from the assessment instead."
                ]
            )
        raise DocumentRefused([f'This is not an assessment document: its "format" should be "{FORMAT}".'])
    version = data.get("format_version")
    if not _is_int(version):
        raise DocumentRefused(['The document has no whole-number "format_version".'])
    if version != FORMAT_VERSION:
        raise DocumentRefused(
            [f"The document is in format version {version}; this installation reads version {FORMAT_VERSION}."]
        )


def _is_int(value: object) -> bool:
    return isinstance(value, int) and not isinstance(value, bool)


class _Reader:
    """Collects every problem of one document against one playbook version while building its plan."""

    def __init__(self, outline: VersionOutline):
        self.outline = outline
        self.problems: list[str] = []

    def fail(self, message: str) -> None:
        self.problems.append(message)

    def text(self, value: object, where: str, max_length: int, *, required: bool = False) -> str:
        if value is None:
            if required:
                self.fail(f"{where} is missing.")
            return ""
        if not isinstance(value, str):
            self.fail(f"{where} should be text.")
            return ""
        if required and not value.strip():
            self.fail(f"{where} is empty.")
        if len(value) > max_length:
            self.fail(f"{where}: {len(value)} characters, at most {max_length} fit.")
        return value

    def objects(self, value: object, where: str) -> list:
        if value is None:
            return []
        if not isinstance(value, list) or not all(isinstance(item, dict) for item in value):
            self.fail(f"{where} should be a list of objects.")
            return []
        return value

    def plan(self, data: dict, title: str) -> ImportPlan:
        assessment = data.get("assessment")
        if not isinstance(assessment, dict):
            self.fail('The document has no "assessment" object with the title and scope.')
            assessment = {}
        title = title or self.text(assessment.get("title"), "The title", TITLE_MAX_LENGTH, required=True)
        subject = self.text(assessment.get("subject"), "The subject", TITLE_MAX_LENGTH)
        modules = self.modules(assessment.get("modules"))
        in_scope = {slug for slug, is_module in self.outline.challenges.items() if not is_module or slug in modules}
        answers = self.answers(self.objects(data.get("answers"), "The answers"), in_scope)
        targets = self.targets(data.get("targets"), in_scope)
        actions = self.actions(self.objects(data.get("actions"), "The actions"), in_scope)
        return ImportPlan(
            playbook_version=self.outline.version,
            title=title.strip(),
            subject=subject.strip(),
            modules=tuple(modules),
            targets=targets,
            answers=tuple(answers),
            actions=tuple(actions),
            source=self.source(data.get("source")),
        )

    def source(self, value: object) -> str:
        if not isinstance(value, dict):
            return "an unnamed installation"
        parts = [value.get(key) for key in ("site_url", "team")]
        return ", ".join(part[:100] for part in parts if isinstance(part, str) and part) or "an unnamed installation"

    def modules(self, value: object) -> list[str]:
        if value is None:
            return []
        if not isinstance(value, list) or not all(isinstance(slug, str) for slug in value):
            self.fail('The "modules" should be a list of module slugs.')
            return []
        offered = self.outline.modules
        for slug in value:
            if slug not in offered:
                self.fail(
                    f"Module '{slug[:100]}' is not a module of playbook version {self.outline.version} "
                    f"(its modules: {', '.join(offered) or 'none'})."
                )
        if len(set(value)) != len(value):
            self.fail("A module is listed twice in the scope.")
        return sorted(set(value) & set(offered))

    def practice(self, value: object, where: str, in_scope: set[str]) -> PracticeOutline | None:
        if not isinstance(value, str) or not value:
            self.fail(f"{where} names no practice.")
            return None
        practice = self.outline.practices.get(value)
        if practice is None:
            version = self.outline.version
            self.fail(f"{where} names practice '{value[:100]}', which playbook version {version} does not have.")
            return None
        if practice.challenge not in in_scope:
            self.fail(
                f"{where} names practice '{value}' of module '{practice.challenge}', which the assessment's scope "
                "does not include."
            )
            return None
        return practice

    def level(self, value: object, where: str, practice: PracticeOutline) -> int | None:
        if value is None:
            return None
        if not _is_int(value) or value not in practice.levels:
            shown = value if _is_int(value) else json.dumps(value)[:40]
            self.fail(
                f"{where} gives level {shown} for practice '{practice.slug}', whose levels are "
                f"{min(practice.levels)} to {max(practice.levels)}."
            )
            return None
        return value

    def each_practice(
        self, items: list[dict], noun: str, in_scope: set[str]
    ) -> Iterator[tuple[str, dict, PracticeOutline]]:
        """Each item (an answer or an action) that names a practice in scope not named before, with where it is."""
        practices = self.outline.practices
        if len(items) > len(practices):
            version = self.outline.version
            self.fail(
                f"The document has {len(items)} {noun}s; playbook version {version} has {len(practices)} practices."
            )
            return
        seen: dict[str, int] = {}
        for number, item in enumerate(items, start=1):
            where = f"{noun.capitalize()} {number}"
            practice = self.practice(item.get("practice"), where, in_scope)
            if practice is not None and practice.slug in seen:
                self.fail(
                    f"{noun.capitalize()}s {seen[practice.slug]} and {number} are both for practice '{practice.slug}'."
                )
            elif practice is not None:
                seen[practice.slug] = number
                yield where, item, practice

    def answers(self, items: list[dict], in_scope: set[str]) -> list[PlannedAnswer]:
        answers = (
            self.answer(item, where, practice)
            for where, item, practice in self.each_practice(items, "answer", in_scope)
        )
        return [answer for answer in answers if answer is not None]

    def answer(self, item: dict, where: str, practice: PracticeOutline) -> PlannedAnswer | None:
        problems_before = len(self.problems)
        level = self.level(item.get("level"), where, practice)
        notes = self.text(item.get("notes"), f"{where}'s notes", NOTES_MAX_LENGTH)
        reason, detail = self.not_applicable(item.get("not_applicable"), where, practice)
        if reason and item.get("level") is not None:
            self.fail(f"{where} gives both a level and 'not applicable' for practice '{practice.slug}'.")
        to_confirm = item.get("to_confirm", False)
        if not isinstance(to_confirm, bool):
            self.fail(f'{where}: "to_confirm" should be true or false.')
        suggested = self.level(item.get("suggested_level"), f"{where} (its suggestion)", practice)
        if to_confirm and (item.get("level") is not None or reason):
            self.fail(f"{where} is a suggestion to confirm, so it gives no level and no 'not applicable' yet.")
        carried_from = self.carried_from(item.get("carried_from"), where) if to_confirm else None
        if len(self.problems) > problems_before:
            return None
        return PlannedAnswer(
            practice=practice.slug,
            level=level,
            not_applicable_reason=reason,
            not_applicable_detail=detail,
            notes=notes,
            to_confirm=bool(to_confirm),
            suggested_level=suggested if to_confirm else None,
            carried_from=carried_from,
        )

    def not_applicable(self, value: object, where: str, practice: PracticeOutline) -> tuple[str, str]:
        if value is None:
            return "", ""
        if not isinstance(value, dict):
            self.fail(f'{where}: "not_applicable" should be an object with a "reason", or null.')
            return "", ""
        reason = value.get("reason")
        detail = self.text(value.get("detail"), f"{where}'s other reason", DETAIL_MAX_LENGTH)
        if reason not in NotApplicableReason.values:
            self.fail(
                f"{where} gives the not-applicable reason {json.dumps(reason)[:40]}; the reasons are "
                f"{', '.join(NotApplicableReason.values)}."
            )
            return "", ""
        if practice.allows_not_applicable and not not_applicable_accepted(reason, practice):
            # A reason this practice refuses (a general one for a critical practice): the source holds it as
            # "needs review", counted as unanswered; it is imported the same.
            return reason, detail
        problem = not_applicable_problem(practice, reason, detail)
        if problem is not None:
            self.fail(f"{where} (practice '{practice.slug}'): {problem[1]}")
            return "", ""
        return reason, detail

    def carried_from(self, value: object, where: str) -> dict | None:
        """The earlier wording shown beside a suggestion, rebuilt from known keys only."""
        if value is None:
            return None
        earlier = value.get("answers") if isinstance(value, dict) else None
        if not isinstance(earlier, list) or not all(isinstance(answer, dict) for answer in earlier):
            self.fail(f'{where}: "carried_from" should be an object with the earlier "answers".')
            return None
        texts = ("slug", "title", "statement", "not_applicable_reason", "not_applicable_detail", "notes")
        answers = []
        for answer in earlier[: len(self.outline.practices)]:
            level = answer.get("level")
            answers.append(
                {key: self.text(answer.get(key), f"{where}'s earlier {key}", CARRIED_TEXT_MAX_LENGTH) for key in texts}
                | {"level": level if _is_int(level) and 0 <= level <= self.outline.top_level else None}
            )
        return {
            "assessment": self.text(value.get("assessment"), f"{where}'s earlier assessment", TITLE_MAX_LENGTH),
            "version": self.text(value.get("version"), f"{where}'s earlier version", 32),
            "answers": answers,
        }

    def targets(self, value: object, in_scope: set[str]) -> dict[str, int]:
        if value is None:
            return {}
        if not isinstance(value, dict):
            self.fail('The "targets" should be an object of challenge slugs and levels.')
            return {}
        targets = {}
        top = self.outline.top_level
        for slug, level in value.items():
            if slug not in in_scope:
                self.fail(f"A target names challenge '{slug[:100]}', which the assessment's scope does not include.")
            elif not _is_int(level) or not 0 <= level <= top:
                self.fail(f"The target for '{slug}' should be a level from 0 to {top}.")
            else:
                targets[slug] = level
        return targets

    def actions(self, items: list[dict], in_scope: set[str]) -> list[PlannedAction]:
        planned = []
        for where, item, practice in self.each_practice(items, "action", in_scope):
            problems_before = len(self.problems)
            title = self.text(item.get("title"), f"{where}'s title", ACTION_TITLE_MAX_LENGTH, required=True)
            from_level = item.get("from_level")
            if not _is_int(from_level) or not 0 <= from_level <= self.outline.top_level:
                self.fail(f'{where}: "from_level" should be a level from 0 to {self.outline.top_level}.')
            status = item.get("status")
            if status not in ActionStatus.values:
                statuses = ", ".join(ActionStatus.values)
                self.fail(f"{where} has status {json.dumps(status)[:40]}; the statuses are {statuses}.")
            due_date = self.due_date(item.get("due_date"), where)
            if len(self.problems) == problems_before:
                planned.append(
                    PlannedAction(practice.slug, practice.challenge, title.strip(), from_level, status, due_date)
                )
        return planned

    def due_date(self, value: object, where: str) -> date | None:
        if value is None:
            return None
        if isinstance(value, str) and len(value) == len("YYYY-MM-DD"):
            try:
                return date.fromisoformat(value)
            except ValueError:
                pass
        self.fail(f"{where}: the due date should be a date as YYYY-MM-DD, or null.")
        return None


def problem_summary(problems: Sequence[str], shown: int = 20) -> list[str]:
    """The first `shown` problems, and how many more there are: a page lists a broken file's faults, not all 500."""
    if len(problems) <= shown:
        return list(problems)
    return [*problems[:shown], f"…and {len(problems) - shown} more."]
