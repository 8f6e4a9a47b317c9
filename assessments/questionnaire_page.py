"""The questionnaire page's content and practice cards, each cached per revision of what it shows.

A freshly opened page (GET) shows the stored answers and nothing of the viewer but whether they may answer, so
its content is a function of: the assessment (title, team name, subject, status, playbook version), the challenge,
the progress counts of every challenge, whether the viewer may answer, and each card's content. A card shows one
stored answer and its evidence files, so the answer's revision (raised by every change, including a shared set's
change reaching it) and the ids of the files that may be listed name it exactly. The content's key names all of
these, so no change can leave an old page in the cache: the next request computes a new key and renders afresh.

Finding the keys costs one light query (load_stamps: the answers' stamps and the file ids); answers and files are
loaded in full only for the cards not cached. The CSRF token is the one per-person part: the cached HTML
holds a placeholder that each response replaces with its own token. A posted page (the no-JavaScript Save) shows
what was typed and is never cached.
"""

import hashlib
import zlib
from collections import Counter, defaultdict
from dataclasses import dataclass

from django.conf import settings
from django.core.cache import caches
from django.db.models import IntegerField, QuerySet, Value
from django.http import HttpRequest, QueryDict
from django.middleware.csrf import get_token
from django.template.loader import render_to_string
from django.urls import reverse
from django.utils.safestring import SafeString, mark_safe

from assessments import evidence
from assessments.forms import PracticeAnswerForm, StoredAnswerCard
from assessments.models import Answer, Assessment
from assessments.results import load_answers, scoped_practices
from config import jinja_env
from config.compiled_query import CompiledQuery
from playbook.models import Challenge, Practice

CACHE_SECONDS = 3600
# Stands in the cached HTML where each response's own CSRF token goes; never a valid token.
CSRF_PLACEHOLDER = "csrf-placeholder-of-the-cached-questionnaire"
CONTENT = "assessments/questionnaire.html#questionnaire-content"
CARD = "assessments/practice-card.html"
# What a practice card draws: a form bound to what was posted, or the stored answer.
Card = PracticeAnswerForm | StoredAnswerCard


@dataclass(frozen=True)
class ChallengeProgress:
    challenge: Challenge
    answered: int
    total: int


@dataclass(frozen=True)
class AnswerStamp:
    """What a questionnaire page needs of a stored answer before it knows which cards to render: the revision (which
    names a card's content) and the shared set it copies, if any (whose evidence files the card may list)."""

    revision: int
    shared_source: str
    answer_set_id: int | None


def _stamp_rows(assessment_id: int, practice_ids: list[int]) -> QuerySet:
    """The answers' rows and the files' rows (evidence.files_naming_cards) in one round trip, told apart by the
    first column: (is a file, practice, the answer's revision or the file's id, shared source, copied set)."""
    answers = Answer.objects.filter(assessment_id=assessment_id).order_by()
    copied_sets = answers.filter(practice_id__in=practice_ids, shared_answer__isnull=False)
    files = evidence.files_naming_cards(assessment_id, practice_ids, copied_sets.values("shared_answer__answer_set_id"))
    return answers.values_list(
        Value(False), "practice_id", "revision", "shared_source", "shared_answer__answer_set_id"
    ).union(
        files.order_by().values_list(
            Value(True), "practice_id", "pk", Value(""), Value(None, output_field=IntegerField())
        ),
        all=True,
    )


# Every questionnaire page runs it: compiled once per process, not on each request (config/compiled_query.py).
_STAMP_ROWS = CompiledQuery(_stamp_rows)


def load_stamps(
    assessment: Assessment, challenge_slug: str
) -> tuple[list[ChallengeProgress], dict[int, AnswerStamp], dict[int, list[int]]]:
    """Every challenge with its answered/total count, the stamps of one challenge's answers, and the ids of the
    files its cards may list (evidence.files_naming_cards), by practice id: one light query.

    The cached practices say which challenge each practice is in, so the query joins no playbook table; the answers
    and files themselves are loaded only for the cards that are not cached.
    """
    practices = scoped_practices(assessment)
    challenge_of = {p.pk: p.challenge_id for p in practices}
    in_challenge = {p.pk for p in practices if p.challenge.slug == challenge_slug}
    rows = _STAMP_ROWS.rows(assessment_id=assessment.pk, practice_ids=sorted(in_challenge))
    stamps, answered, file_ids = {}, Counter(), defaultdict(list)
    for is_file, practice_id, number, shared_source, answer_set_id in rows:
        if is_file:
            file_ids[practice_id].append(number)
            continue
        if practice_id in challenge_of:
            answered[challenge_of[practice_id]] += 1
        if practice_id in in_challenge:
            stamps[practice_id] = AnswerStamp(number, shared_source, answer_set_id)
    for ids in file_ids.values():
        ids.sort()  # a union has no order: sorted, the same files always make the same key
    challenges: dict[int, Challenge] = {p.challenge_id: p.challenge for p in practices}
    totals = Counter(challenge_of.values())
    progress = [ChallengeProgress(c, answered[pk], totals[pk]) for pk, c in challenges.items()]
    return progress, stamps, dict(file_ids)


@dataclass(frozen=True)
class QuestionnairePage:
    """One challenge's page of an assessment, as the view loaded it."""

    assessment: Assessment
    challenge: Challenge
    progress: list[ChallengeProgress]
    practices: list[Practice]
    stamps: dict[int, AnswerStamp]  # by practice id, for the answered practices
    file_ids: dict[int, list[int]]  # by practice id, for the practices with files
    editable: bool

    @property
    def shared_slugs(self) -> list[str]:
        """The practices answered from a shared set: each card's "the team differs" button names a form of its own."""
        return [p.slug for p in self.practices if p.pk in self.stamps and self.stamps[p.pk].shared_source]

    def context(self) -> dict:
        return {
            "assessment": self.assessment,
            "challenge": self.challenge,
            "progress": self.progress,
            "practices": self.practices,
            "editable": self.editable,
            "shared_slugs": self.shared_slugs,
        }


def answer_cards(assessment: Assessment, practices: list[Practice], answers: dict) -> list[StoredAnswerCard]:
    """Cards showing the stored answers, for a page drawn afresh: nothing is bound until something is posted."""
    level_names = assessment.playbook.level_names
    return [StoredAnswerCard(answers.get(p.pk), practice=p, level_names=level_names) for p in practices]


def answer_forms(assessment: Assessment, practices: list[Practice], data: QueryDict, answers=None) -> list[Card]:
    """The cards of a posted page (or of an autosave): a form per practice, bound to what was posted."""
    level_names = assessment.playbook.level_names
    answers = answers or {}
    # An inherited answer is not the team's to change here: its card only shows it, even on a posted page.
    return [
        StoredAnswerCard(answers.get(p.pk), practice=p, level_names=level_names)
        if getattr(answers.get(p.pk), "is_inherited", False)
        else PracticeAnswerForm(
            data,
            practice=p,
            level_names=level_names,
            prefix=p.slug,
            initial=PracticeAnswerForm.initial_from(answers.get(p.pk)),
        )
        for p in practices
    ]


def with_evidence(forms: list[Card], files: dict) -> list[Card]:
    """Gives each card the evidence files of its practice, which it lists under the notes."""
    for form in forms:
        form.evidence_files = files.get(form.practice.pk, [])
        form.evidence_max_file_mb = settings.EVIDENCE_MAX_FILE_MB
    return forms


def render_cards(
    assessment: Assessment, challenge: Challenge, forms: list[Card], *, editable: bool
) -> list[SafeString]:
    """Practice cards, on the page or one alone after an autosave (templates/jinja2/assessments/practice-card.html)."""
    # Reversed once for all the cards, not once per card.
    shared = {
        "assessment": assessment,
        "challenge": challenge,
        "editable": editable,
        "guidance_url": reverse("playbook:challenge", args=(assessment.playbook.version, challenge.slug)),
        "save_url_of": jinja_env.practice_urls("assessments:save_practice", assessment.pk, challenge.slug),
    }
    return [jinja_env.render(CARD, shared | {"form": form}) for form in forms]


def _card_keys(page: QuestionnairePage) -> dict[int, str]:
    assessment, stamps, file_ids = page.assessment, page.stamps, page.file_ids
    return {
        p.pk: f"practice-card:{assessment.pk}:{p.pk}:{stamps[p.pk].revision if p.pk in stamps else 0}"
        f":{int(page.editable)}:{'.'.join(str(file_id) for file_id in file_ids.get(p.pk, []))}"
        for p in page.practices
    }


def _cards(page: QuestionnairePage, keys: dict[int, str]) -> list[SafeString]:
    """The practice cards, from the cache where possible."""
    cache = caches["fragments"]  # per process: a key names its content, so processes need not agree
    cached = cache.get_many(keys.values())
    missing = [p for p in page.practices if keys[p.pk] not in cached]
    fresh = {}
    if missing:
        assessment = page.assessment
        # The stamps and file ids say which of the missing cards have an answer or files to load at all.
        answered = [p.pk for p in missing if p.pk in page.stamps]
        answers = load_answers(assessment, answered) if answered else {}
        with_files = [p.pk for p in missing if p.pk in page.file_ids]
        files = evidence.files_by_practice(assessment, with_files) if with_files else {}
        forms = with_evidence(answer_cards(assessment, missing, answers), files)
        cards = render_cards(assessment, page.challenge, forms, editable=page.editable)
        fresh = {keys[practice.pk]: card for practice, card in zip(missing, cards, strict=True)}
        cache.set_many(fresh, CACHE_SECONDS)
    return [mark_safe(cached.get(keys[p.pk]) or fresh[keys[p.pk]]) for p in page.practices]  # noqa: S308 - our own template


def _content_key(page: QuestionnairePage, card_keys: dict[int, str]) -> str:
    assessment = page.assessment
    parts = [
        assessment.pk,
        assessment.title,
        assessment.team.name,
        assessment.subject,
        assessment.status,
        assessment.playbook.version,
        page.challenge.slug,
        [(item.challenge.slug, item.answered, item.total) for item in page.progress],
        page.editable,
        page.shared_slugs,
        [card_keys[p.pk] for p in page.practices],
    ]
    return "questionnaire-content:" + hashlib.sha256(repr(parts).encode()).hexdigest()


def unbound_content(request: HttpRequest, page: QuestionnairePage) -> SafeString:
    """The content of a freshly opened page, from the cache where nothing it shows has changed."""
    card_keys = _card_keys(page)
    cache = caches["fragments"]
    key = _content_key(page, card_keys)
    stored = cache.get(key)
    if stored is None:
        cards = _cards(page, card_keys)
        context = page.context() | {"cards": cards, "csrf_token": CSRF_PLACEHOLDER}
        html = render_to_string(CONTENT, context)
        # Compressed: forty cards are some seventy kilobytes, a tenth of that compressed, and the cache is bounded by
        # its number of entries, not their size.
        cache.set(key, zlib.compress(html.encode(), 1), CACHE_SECONDS)
    else:
        html = zlib.decompress(stored).decode()
    return mark_safe(html.replace(CSRF_PLACEHOLDER, get_token(request)))  # noqa: S308 - our own template


def posted_content(request: HttpRequest, page: QuestionnairePage, forms: list[Card]) -> SafeString:
    """The content of a page posted without JavaScript: every card as typed, the invalid ones listed first."""
    files = evidence.files_by_practice(page.assessment, [p.pk for p in page.practices])
    context = page.context() | {
        "cards": render_cards(page.assessment, page.challenge, with_evidence(forms, files), editable=page.editable),
        # Listed above the cards with a link to each, so a long page does not hide what failed.
        "invalid_forms": [form for form in forms if form.errors],
    }
    return render_to_string(CONTENT, context, request)
