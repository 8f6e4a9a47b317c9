"""A card that only shows a stored answer (StoredAnswerCard) draws exactly what an unbound PracticeAnswerForm draws.

The questionnaire draws its cards from StoredAnswerCard on a page opened afresh and after an autosave, and from
PracticeAnswerForm on a posted page: a person must not see, or post back, anything different either way.
"""

from types import SimpleNamespace

import pytest

from assessments import questionnaire_page, services, shared_answers
from assessments.forms import PracticeAnswerForm, StoredAnswerCard
from assessments.models import Answer, NotApplicableReason
from assessments.results import load_answers, scoped_practices

pytestmark = pytest.mark.django_db

NOTES = 'Runbook <b>"v2"</b> & the on-call\'s notes\nsecond line'
FILE = SimpleNamespace(pk=7, name="evidence <1>.pdf", size=20480, sha256="ab" * 32)


def unbound_form(answer, practice, level_names) -> PracticeAnswerForm:
    return PracticeAnswerForm(
        practice=practice,
        level_names=level_names,
        prefix=practice.slug,
        initial=PracticeAnswerForm.initial_from(answer),
    )


@pytest.fixture
def answered(team, lead):
    """An assessment with one practice in each state a card can show, and the practices that hold them."""
    assessment = services.create_assessment(team=team, user=lead, title="Q3")
    practices = scoped_practices(assessment)
    plain = [p for p in practices if not p.allows_not_applicable]
    optional = [p for p in practices if p.allows_not_applicable and not p.is_critical]
    critical = [p for p in practices if p.allows_not_applicable and p.is_critical]
    states = {
        "level": plain[0],
        "not applicable": optional[0],
        "needs review": critical[0],
        "to confirm": plain[1],
        "inherited": plain[2],
        "differs": plain[3],
        "unanswered": optional[1],
    }
    services.save_answers(
        assessment=assessment,
        user=lead,
        answers=[
            services.AnswerInput(states["level"], states["level"].options.get(level=2), notes=NOTES),
            services.AnswerInput(
                states["not applicable"],
                None,
                not_applicable_reason=NotApplicableReason.OTHER,
                not_applicable_detail="Batch only <no endpoint>",
            ),
        ],
    )
    Answer.objects.create(
        assessment=assessment, practice=states["needs review"], not_applicable_reason=NotApplicableReason.OTHER
    )
    Answer.objects.create(
        assessment=assessment,
        practice=states["to confirm"],
        to_confirm=True,
        suggested_option=states["to confirm"].options.get(level=3),
        carried_from={
            "assessment": "Spring <review>",
            "version": "2026.1",
            "answers": [{"title": "Old title", "level": 3, "statement": "The old wording."}],
        },
        notes="Carried",
    )
    platform = shared_answers.create_answer_set(organisation=team.organisation, user=lead, name="ML <platform>")
    shared_answers.save_shared_answers(
        answer_set=platform,
        user=lead,
        answers=[
            services.AnswerInput(p, p.options.get(level=4), notes="From the platform")
            for p in (states["inherited"], states["differs"])
        ],
    )
    shared_answers.inherit_answer_set(assessment=assessment, answer_set=platform, user=lead)
    shared_answers.differ_from_shared(assessment=assessment, user=lead, practice=states["differs"], reason="Own one")
    return assessment, states


def draw_both(assessment, practice, answer, *, editable, **card_state) -> tuple[str, str]:
    level_names = assessment.playbook.level_names
    drawn = []
    for card in (
        unbound_form(answer, practice, level_names),
        StoredAnswerCard(answer, practice=practice, level_names=level_names),
    ):
        for name, value in card_state.items():
            setattr(card, name, value)
        questionnaire_page.with_evidence([card], {practice.pk: [FILE]})
        [html] = questionnaire_page.render_cards(assessment, practice.challenge, [card], editable=editable)
        drawn.append(str(html))
    return drawn[0], drawn[1]


@pytest.mark.parametrize("editable", [True, False])
def test_every_state_of_a_card_is_drawn_the_same_by_both(answered, editable):
    assessment, states = answered
    answers = load_answers(assessment)
    marks = {
        "level": 'value="2" checked',
        "not applicable": "Batch only &lt;no endpoint&gt;",
        "needs review": "Needs review.",
        "to confirm": "To confirm.",
        "inherited": "ML &lt;platform&gt;",
        "differs": "ML &lt;platform&gt;",
        "unanswered": 'name="initial-' + states["unanswered"].slug + '-level" value=""',
    }
    for state, practice in states.items():
        by_form, by_card = draw_both(assessment, practice, answers.get(practice.pk), editable=editable)
        assert by_card == by_form, state
        assert marks[state] in by_card, state  # the state was really drawn


@pytest.mark.parametrize(
    "card_state",
    [{"just_saved": True}, {"kept_theirs": True, "preserve_typing": False}, {"save_error": "Not saved: locked."}],
)
def test_what_an_autosave_says_on_the_card_is_drawn_the_same_by_both(answered, card_state):
    assessment, states = answered
    practice = states["level"]
    answer = load_answers(assessment)[practice.pk]
    by_form, by_card = draw_both(assessment, practice, answer, editable=True, **card_state)
    assert by_card == by_form
    assert ("hx-preserve" in by_card) == card_state.get("preserve_typing", True)


def test_a_card_offers_the_same_fields_as_the_form(answered):
    assessment, states = answered
    level_names = assessment.playbook.level_names
    for practice in states.values():
        form = unbound_form(None, practice, level_names)
        card = StoredAnswerCard(None, practice=practice, level_names=level_names)
        assert card.fields.keys() == form.fields.keys(), practice.slug
        assert card.seen == form.seen


def test_answers_come_with_their_options_and_shared_answers_in_one_query(answered, django_assert_num_queries):
    assessment, states = answered
    load_answers(assessment)  # the playbook's options, which each process keeps, are read once
    with django_assert_num_queries(1):
        answers = load_answers(assessment)
        shown = {
            state: (
                answers[practice.pk].option and answers[practice.pk].option.level,
                answers[practice.pk].suggested_option and answers[practice.pk].suggested_option.level,
                answers[practice.pk].shared_answer and answers[practice.pk].shared_answer.option.level,
            )
            for state, practice in states.items()
            if practice.pk in answers
        }
    assert shown == {
        "level": (2, None, None),
        "not applicable": (None, None, None),
        "needs review": (None, None, None),
        "to confirm": (None, 3, None),
        "inherited": (4, None, 4),
        "differs": (4, None, 4),
    }
