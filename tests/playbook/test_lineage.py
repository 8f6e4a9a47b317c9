"""A new playbook version says where each practice came from; re-assessing on it carries answers accordingly."""

import copy
import shutil
from io import StringIO

import pytest
import yaml
from django.conf import settings
from django.core.management import CommandError, call_command

from assessments import services
from assessments.models import Answer
from assessments.results import build_results, scoped_practices
from playbook.models import PlaybookVersion
from playbook.published import load_practices

pytestmark = pytest.mark.django_db
BASE = "2026.1"


def load(path) -> str:
    out = StringIO()
    call_command("load_playbook", "--path", str(path), stdout=out)
    return out.getvalue()


def write_successor(root, change) -> None:
    """A version 2099.5 revising 2026.1: every practice unchanged, then `change(challenges)` edits the first file's."""
    successor = root / "2099.5"
    shutil.copytree(root / BASE, successor)
    manifest = yaml.safe_load((successor / "playbook.yaml").read_text())
    manifest |= {"version": "2099.5", "previous_version": BASE}
    (successor / "playbook.yaml").write_text(yaml.safe_dump(manifest, sort_keys=False, allow_unicode=True))
    paths = sorted((successor / "challenges").glob("*.yaml"))
    documents = [yaml.safe_load(path.read_text()) for path in paths]
    for document in documents:
        for practice in document["practices"]:
            practice["origin"] = "unchanged"
    change(documents[0]["practices"])
    for path, document in zip(paths, documents, strict=True):
        path.write_text(yaml.safe_dump(document, sort_keys=False, allow_unicode=True))


@pytest.fixture
def content(tmp_path):
    root = tmp_path / "content"
    shutil.copytree(settings.PLAYBOOK_CONTENT_DIR / BASE, root / BASE)
    return root


def every_kind_of_change(practices: list) -> None:
    """User engagement's practices, in 2026.1 order: each one changed in its own way."""
    shaping, demos, explainable, transparency, feedback, adoption, ownership = practices
    shaping["question"] += " (reworded)"
    shaping["origin"] = "reworded"
    demos["options"][1] = (
        "Users see demos of this product once, at the end of development, and nobody writes down what they said."
    )
    demos["origin"] = {"levels-changed": [1]}
    explainable["slug"], explainable["origin"] = "explained-outputs", {"renamed-from": "explainable-actionable-outputs"}
    split = copy.deepcopy(transparency)
    transparency["slug"], split["slug"] = "limits-shown-to-users", "live-performance-shown-to-users"
    transparency["origin"] = split["origin"] = {"split-from": "model-transparency-for-users"}
    feedback["slug"], feedback["origin"] = (
        "feedback-and-adoption",
        {"merged-from": ["in-product-feedback-loop", "adoption-and-reliance-measured"]},
    )
    brand_new = copy.deepcopy(ownership)
    brand_new["slug"], brand_new["title"], brand_new["origin"] = "brand-new-practice", "Brand new practice", "new"
    practices[:] = [shaping, demos, explainable, transparency, split, feedback, ownership, brand_new]


def test_re_assessing_on_a_revised_version_carries_what_still_holds_and_asks_to_confirm_the_rest(content, team, lead):
    earlier_version = PlaybookVersion.objects.get(version=BASE)
    earlier = services.create_assessment(team=team, user=lead, title="Spring", playbook=earlier_version)
    levels = {
        "users-shape-the-problem": 2,
        "iterative-demos-with-users": 1,
        "explainable-actionable-outputs": 3,
        "model-transparency-for-users": 2,
        "in-product-feedback-loop": 3,
        "adoption-and-reliance-measured": 1,
        "ml-service-product-ownership": 4,
    }
    practices = {p.slug: p for p in load_practices(earlier_version)}
    services.save_answers(
        assessment=earlier,
        user=lead,
        answers=[
            services.AnswerInput(practices[slug], practices[slug].options.all()[level], notes=f"Evidence for {slug}")
            for slug, level in levels.items()
        ],
    )
    write_successor(content, every_kind_of_change)
    assert "2099.5" in load(content)

    later = services.create_assessment(team=team, user=lead, title="Autumn", prefill_from=earlier)
    assert later.playbook.version == "2099.5"
    answers = {
        a.practice.slug: a
        for a in Answer.objects.filter(assessment=later).select_related("practice", "option", "suggested_option")
    }

    def kept(slug):
        return (answers[slug].option.level, answers[slug].to_confirm)

    def suggested(slug):
        answer = answers[slug]
        return (answer.option, answer.to_confirm, answer.suggested_option.level if answer.suggested_option else None)

    assert kept("users-shape-the-problem") == (2, False)  # reworded: kept
    assert suggested("iterative-demos-with-users") == (None, True, 1)  # level 1 changed its meaning
    assert kept("explained-outputs") == (3, False)  # renamed: kept under the new slug
    assert suggested("limits-shown-to-users") == suggested("live-performance-shown-to-users") == (None, True, 2)
    assert suggested("feedback-and-adoption") == (None, True, 1)  # merged: the lowest, never flattering
    assert kept("ml-service-product-ownership") == (4, False)  # unchanged
    assert "brand-new-practice" not in answers  # new: starts empty
    # Nothing is lost: every earlier note survives, the merged practice's both.
    notes = " ".join(a.notes for a in answers.values())
    assert all(f"Evidence for {slug}" in notes for slug in levels)
    # The card shows the wording the team answered, not the new one.
    old_statement = practices["iterative-demos-with-users"].options.all()[1].description
    assert answers["iterative-demos-with-users"].carried_from["answers"][0]["statement"] == old_statement

    # A suggestion counts for nothing until confirmed, and blocks the submission.
    results = build_results(later)
    assert set(results.score.to_review) == {
        "iterative-demos-with-users",
        "limits-shown-to-users",
        "live-performance-shown-to-users",
        "feedback-and-adoption",
    }
    with pytest.raises(services.IncompleteAssessment) as refused:
        services.submit_assessment(assessment=later, user=lead)
    assert refused.value.to_review == 4


def test_a_confirmed_suggestion_counts(content, team, lead):
    earlier_version = PlaybookVersion.objects.get(version=BASE)
    earlier = services.create_assessment(team=team, user=lead, title="Spring", playbook=earlier_version)
    demos = next(p for p in load_practices(earlier_version) if p.slug == "iterative-demos-with-users")
    services.save_answers(assessment=earlier, user=lead, answers=[services.AnswerInput(demos, demos.options.all()[1])])
    write_successor(content, every_kind_of_change)
    load(content)
    later = services.create_assessment(team=team, user=lead, title="Autumn", prefill_from=earlier)
    practice = next(p for p in scoped_practices(later) if p.slug == "iterative-demos-with-users")
    answer = Answer.objects.get(assessment=later, practice=practice)
    services.save_answers(
        assessment=later,
        user=lead,
        answers=[services.AnswerInput(practice, answer.suggested_option, notes=answer.notes, seen_revision=1)],
    )
    answer.refresh_from_db()
    assert (answer.to_confirm, answer.option.level) == (False, 1)
    assert "iterative-demos-with-users" not in build_results(later).score.to_review


def test_a_practice_that_vanishes_without_a_declaration_is_a_load_error(content):
    def drop_one(practices):
        practices.pop()

    write_successor(content, drop_one)
    with pytest.raises(CommandError, match="practice 'ml-service-product-ownership'.* gone without a word"):
        load(content)
    assert not PlaybookVersion.objects.filter(version="2099.5").exists()


def test_a_practice_declared_unchanged_that_changed_is_a_load_error(content):
    def reword_quietly(practices):
        practices[0]["question"] += " quietly"

    write_successor(content, reword_quietly)
    with pytest.raises(CommandError, match="users-shape-the-problem.*declared unchanged but its question"):
        load(content)


def test_a_renamed_practice_whose_old_slug_remains_is_a_load_error(content):
    def rename_badly(practices):
        practices[1]["origin"] = {"renamed-from": "users-shape-the-problem"}

    write_successor(content, rename_badly)
    with pytest.raises(CommandError, match="renamed from 'users-shape-the-problem', which still exists"):
        load(content)


def test_a_changed_level_missing_from_levels_changed_is_a_load_error(content):
    """Otherwise an earlier answer at that level would be kept against a statement it may no longer meet."""

    def change_two_levels_declare_one(practices):
        practices[1]["options"][1] += " Someone writes down what users said."
        practices[1]["options"][2] += " Every change is demonstrated."
        practices[1]["origin"] = {"levels-changed": [1]}

    write_successor(content, change_two_levels_declare_one)
    with pytest.raises(CommandError, match="iterative-demos-with-users.*level 2 changed but is not listed"):
        load(content)
    assert not PlaybookVersion.objects.filter(version="2099.5").exists()
