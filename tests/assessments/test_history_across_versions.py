"""The history page across scopes and playbook versions: columns matched by challenge, and changed wording named."""

import re

import pytest
from django.urls import reverse

from assessments import services
from assessments.comparison import challenge_reworded
from playbook.published import load_practices
from tests.factories import answer_every_practice, submitted_assessment

pytestmark = pytest.mark.django_db


def _table(html: str) -> tuple[list[str], list[list[str]]]:
    """The history table's header and its rows, as the text of each cell."""
    table = html.split('<table class="table table-sm">', 1)[1].split("</table>", 1)[0]

    def cells(row: str) -> list[str]:
        return [re.sub(r"<[^>]+>", "", cell).strip() for cell in re.findall(r"<t[hd][^>]*>(.*?)</t[hd]>", row, re.S)]

    header, body = table.split("</thead>", 1)
    return cells(header), [cells(row) for row in re.findall(r"<tr>(.*?)</tr>", body, re.S)]


def _submitted(team, lead, playbook, *, title, modules=(), level=2):
    assessment = services.create_assessment(
        team=team, user=lead, title=title, subject="Fraud scoring", playbook=playbook, modules=list(modules)
    )
    answer_every_practice(assessment, lead, level_for=lambda practice: level)
    services.submit_assessment(assessment=assessment, user=lead)
    return assessment


def test_each_score_sits_under_its_own_challenge_when_the_scope_changes(client_for, team, lead, playbook):
    modules = list(playbook.challenges.filter(is_module=True).order_by("order")[:2])
    submitted_assessment(team, lead, title="Core only", level_for=lambda practice: 1)
    _submitted(team, lead, playbook, title="With modules", modules=[m.slug for m in modules], level=3)
    header, rows = _table(client_for(lead).get(reverse("assessments:history", args=[team.pk])).text)
    assert header[-3:] == [modules[0].title, modules[1].title, "Overall"]
    core_only, with_modules = (dict(zip(header, row, strict=True)) for row in rows)
    for module in modules:
        assert core_only[module.title] == "not assessed" and with_modules[module.title] == "3.0"
    core_title = playbook.challenges.filter(is_module=False).first().title
    assert (core_only[core_title], with_modules[core_title]) == ("1.0", "3.0")


def test_history_and_comparison_name_the_challenges_worded_differently_in_a_new_version(
    client_for, team, lead, playbook
):
    earlier_version = playbook.previous
    earlier = _submitted(team, lead, earlier_version, title="On the old playbook")
    later = _submitted(team, lead, playbook, title="On the new playbook")
    earlier_slugs = {p.challenge.slug for p in load_practices(earlier_version)}
    changed = sorted(
        {
            p.challenge.title
            for p in load_practices(playbook)
            if p.challenge.slug in earlier_slugs and p.origin.get("kind") != "unchanged"
        }
    )
    assert changed  # 2027.1 revises every core challenge of 2026.1
    client = client_for(lead)
    history = client.get(reverse("assessments:history", args=[team.pk])).text
    note = re.search(rf"From playbook {earlier_version.version} to {playbook.version}: (.*?) (is|are) worded", history)
    assert note and sorted(note.group(1).split(", ")) == changed
    _, rows = _table(history)
    assert [row[1] for row in rows] == [earlier_version.version, playbook.version]
    compare = client.get(reverse("assessments:compare", args=[team.pk]), {"before": earlier.pk, "after": later.pk})
    assert f"Worded differently in playbook {earlier_version.version} and {playbook.version}" in compare.text


def test_one_version_throughout_says_nothing_about_wording(client_for, team, lead):
    submitted_assessment(team, lead, title="First")
    submitted_assessment(team, lead, title="Second")
    assert "worded differently" not in client_for(lead).get(reverse("assessments:history", args=[team.pk])).text


def test_the_rule_for_a_reworded_challenge():
    assert not challenge_reworded(["levels-changed"], same_version=True, revises=False)
    assert not challenge_reworded(["unchanged", "unchanged"], same_version=False, revises=True)
    assert challenge_reworded(["unchanged", "reworded"], same_version=False, revises=True)
    assert challenge_reworded(["unchanged"], same_version=False, revises=False)  # versions further apart
