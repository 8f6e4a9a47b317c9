"""The results page, targets, tracked actions, history and comparison."""

import math
import re
from datetime import UTC, date, datetime

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils.html import escape

from assessments import services, tracking
from assessments.models import Action, ActionStatus, Assessment, Status
from assessments.results import build_results
from playbook.published import load_practices
from tests.factories import submitted_assessment

pytestmark = pytest.mark.django_db


def reloaded(assessment):
    assessment.refresh_from_db()
    return assessment


def test_results_lead_with_flags_explain_levels_and_show_the_radar(client_for, team, lead):
    assessment = submitted_assessment(team, lead, title="One", level_for=lambda p: 0 if p.is_critical else 3)
    page = client_for(lead).get(reverse("assessments:results", args=[assessment.pk]))
    assert page.text.index("High-risk flags") < page.text.index("Remediation plan")
    assert 'role="img"' in page.text and "<svg" in page.text
    assert "Why this level" in page.text
    assert "Strengths:" in page.text


def test_a_challenge_without_enough_answers_says_how_many_levels_it_has_and_needs(client_for, team, lead):
    assessment = services.create_assessment(team=team, user=lead, title="Half")
    practices = load_practices(assessment.playbook)
    first = [p for p in practices if p.challenge_id == practices[0].challenge_id]
    services.save_answers(
        assessment=assessment, user=lead, answers=[services.AnswerInput(p, p.options.all()[2]) for p in first[:2]]
    )
    page = client_for(lead).get(reverse("assessments:results", args=[assessment.pk])).text
    needed = math.ceil(assessment.playbook.scoring["min_answered_fraction"] * len(first))
    assert f"2 of {len(first)} applicable practices have a level, and {needed} are needed" in page


def test_a_lead_sets_targets_and_the_plan_follows_them(client_for, team, lead, playbook):
    assessment = submitted_assessment(team, lead, title="One", level_for=lambda p: 2)
    first = playbook.challenges.first()
    assert {i.target_level for i in build_results(assessment).plan if i.challenge_slug == first.slug} == {3}
    targets = {c.slug: 2 for c in playbook.challenges.all()} | {first.slug: 4}
    response = client_for(lead).post(reverse("assessments:results", args=[assessment.pk]), targets)
    assert response.status_code == 302
    plan = build_results(reloaded(assessment)).plan
    assert {i.challenge_slug for i in plan} == {first.slug}
    assert {i.target_level for i in plan} == {4}


def test_targets_outside_the_levels_are_refused_with_a_message(client_for, team, lead, playbook):
    assessment = submitted_assessment(team, lead, title="One", level_for=lambda p: 2)
    targets = {c.slug: 9 for c in playbook.challenges.all()}
    page = client_for(lead).post(reverse("assessments:results", args=[assessment.pk]), targets)
    assert page.status_code == 200
    assert "Select a valid choice" in page.text
    assert reloaded(assessment).targets == {}


def test_a_tracked_action_shows_in_the_next_assessment_with_whether_it_moved(client_for, team, lead, member):
    first = submitted_assessment(team, lead, title="Spring", level_for=lambda p: 1)
    item = build_results(first).plan[0]
    client = client_for(lead)
    tracked = client.post(reverse("assessments:track_action", args=[first.pk, item.practice_slug]))
    # Back to the plan item, which now says it is tracked: a lead tracks several in a row.
    assert tracked.url == reverse("assessments:results", args=[first.pk]) + f"#plan-{item.practice_slug}"
    plan_item = client.get(tracked.url).text.split(f'id="plan-{item.practice_slug}"')[1].split("</li>")[0]
    assert "Tracked on the team's" in plan_item
    action = Action.objects.get(assessment=first)
    response = client.post(
        reverse("assessments:update_action", args=[team.pk, action.pk]),
        {f"action-{action.pk}-owner": member.pk, f"action-{action.pk}-status": ActionStatus.DONE},
    )
    assert response.status_code == 302
    action.refresh_from_db()
    assert (action.owner, action.status) == (member, ActionStatus.DONE)

    second = submitted_assessment(
        team, lead, title="Autumn", level_for=lambda p: 2 if p.slug == item.practice_slug else 1
    )
    page = client.get(reverse("assessments:results", args=[second.pk]))
    assert "Actions from earlier assessments" in page.text
    assert "moved from level 1 to 2" in page.text


def test_an_actions_due_date_is_shown_in_the_date_input_and_kept_when_saved_again(client_for, team, lead):
    first = submitted_assessment(team, lead, title="Spring", level_for=lambda p: 1)
    action = tracking.track_action(assessment=first, item=build_results(first).plan[0], user=lead)
    tracking.update_action(action=action, owner=None, due_date=date(2026, 12, 10), status=ActionStatus.DOING)
    client = client_for(lead)
    page = client.get(reverse("assessments:actions", args=[team.pk])).text
    # A type="date" input shows nothing for any other format, and submitting it would clear the date.
    shown = re.search(rf'name="action-{action.pk}-due_date"[^>]*value="([^"]*)"', page).group(1)
    assert shown == "2026-12-10"
    client.post(
        reverse("assessments:update_action", args=[team.pk, action.pk]),
        {f"action-{action.pk}-due_date": shown, f"action-{action.pk}-status": ActionStatus.DOING},
    )
    action.refresh_from_db()
    assert action.due_date == date(2026, 12, 10)


def test_a_member_who_owns_an_action_reports_its_status_but_does_not_reassign_it(
    client_for, team, lead, member, viewer
):
    first = submitted_assessment(team, lead, title="Spring", level_for=lambda p: 1)
    plan = build_results(first).plan
    owned = tracking.track_action(assessment=first, item=plan[0], user=lead)
    tracking.update_action(action=owned, owner=member, due_date=date(2026, 12, 10), status=ActionStatus.TODO)
    other = tracking.track_action(assessment=first, item=plan[1], user=lead)
    client = client_for(member)
    page = client.get(reverse("assessments:actions", args=[team.pk])).text
    assert f'name="action-{owned.pk}-status"' in page and f'name="action-{owned.pk}-owner"' not in page
    assert f'name="action-{other.pk}-status"' not in page
    response = client.post(
        reverse("assessments:update_action", args=[team.pk, owned.pk]),
        {
            f"action-{owned.pk}-status": ActionStatus.DONE,
            f"action-{owned.pk}-owner": "",
            f"action-{owned.pk}-due_date": "",
        },
    )
    assert response.status_code == 302
    owned.refresh_from_db()
    assert (owned.status, owned.owner, owned.due_date) == (ActionStatus.DONE, member, date(2026, 12, 10))
    refused = {f"action-{other.pk}-status": ActionStatus.DONE}
    assert client.post(reverse("assessments:update_action", args=[team.pk, other.pk]), refused).status_code == 403
    tracking.update_action(action=other, owner=viewer, due_date=None, status=ActionStatus.TODO)
    viewer_post = client_for(viewer).post(reverse("assessments:update_action", args=[team.pk, other.pk]), refused)
    assert viewer_post.status_code == 403


def test_an_action_owner_must_be_in_the_team(client_for, team, lead, outsider):
    first = submitted_assessment(team, lead, title="Spring", level_for=lambda p: 1)
    action = tracking.track_action(assessment=first, item=build_results(first).plan[0], user=lead)
    response = client_for(lead).post(
        reverse("assessments:update_action", args=[team.pk, action.pk]),
        {f"action-{action.pk}-owner": outsider.pk, f"action-{action.pk}-status": "doing"},
    )
    assert response.status_code == 200
    assert "Select a valid choice" in response.text
    action.refresh_from_db()
    assert action.owner is None


def test_comparison_lists_improvements_regressions_and_action_outcomes(client_for, team, lead):
    first = submitted_assessment(team, lead, title="Spring", level_for=lambda p: 1)
    practices = load_practices(first.playbook)
    up, down = practices[0], practices[1]
    tracking.track_action(
        assessment=first, item=next(i for i in build_results(first).plan if i.practice_slug == up.slug), user=lead
    )
    second = submitted_assessment(
        team, lead, title="Autumn", level_for=lambda p: 3 if p == up else 0 if p == down else 1
    )
    page = client_for(lead).get(
        reverse("assessments:compare", args=[team.pk]), {"before": first.pk, "after": second.pk}
    )
    improved, regressed = page.text.split('<h2 class="h5">Regressed</h2>')
    assert f"{up.title}: 1 → 3" in improved.replace("&#x27;", "'")
    assert f"{down.title}: 1 → 0" in regressed.replace("&#x27;", "'")
    assert "moved from level 1 to 3" in page.text


def test_the_dashboard_shows_each_assessments_level_and_trend(client_for, team, lead):
    submitted_assessment(team, lead, title="Spring", level_for=lambda p: 1)
    submitted_assessment(team, lead, title="Autumn", level_for=lambda p: 2)
    page = client_for(lead).get(team.get_absolute_url())
    assert "2 · Repeatable" in page.text and "1 · Initial" in page.text
    assert "▲ up" in page.text


def test_history_draws_a_trend_with_one_point_per_submitted_assessment(client_for, team, lead, playbook):
    submitted_assessment(team, lead, title="Spring", level_for=lambda p: 1)
    submitted_assessment(team, lead, title="Autumn", level_for=lambda p: 2)
    services.create_assessment(team=team, user=lead, title="Draft")
    page = client_for(lead).get(reverse("assessments:history", args=[team.pk])).text
    assert page.count("<polyline") == playbook.challenges.filter(is_module=False).count()  # one line per challenge
    table = page.split("<tbody>", 1)[1].split("</tbody>", 1)[0]
    assert re.findall(r'<th scope="row"><a [^>]*><bdi>([^<]*)</bdi></a>', table) == ["Spring", "Autumn"]
    compare_form = page.split('id="compare"', 1)[1]
    assert re.search(r"<option [^>]*>\u2068Draft\u2069 \(", compare_form)  # offered for comparison, not plotted


def test_a_lead_reopens_a_submitted_assessment(client_for, team, lead):
    assessment = submitted_assessment(team, lead, title="Spring", level_for=lambda p: 1)
    client_for(lead).post(reverse("assessments:reopen", args=[assessment.pk]))
    assert reloaded(assessment).status == Status.DRAFT


def test_a_lead_deletes_an_assessment_after_confirming(client_for, team, lead):
    assessment = submitted_assessment(team, lead, title="Spring", level_for=lambda p: 1)
    client = client_for(lead)
    assert "Delete “<bdi>Spring</bdi>”?" in client.get(reverse("assessments:delete", args=[assessment.pk])).text
    client.post(reverse("assessments:delete", args=[assessment.pk]))
    assert not team.assessments.exists()


def test_the_action_list_costs_the_same_queries_for_one_action_or_many(client_for, team, lead, member):
    first = submitted_assessment(team, lead, title="Spring", level_for=lambda p: 0)
    plan = build_results(first).plan
    client = client_for(lead)
    url = reverse("assessments:actions", args=[team.pk])
    tracking.track_action(assessment=first, item=plan[0], user=lead)
    with CaptureQueriesContext(connection) as one:
        assert member.username in client.get(url).text
    for item in plan[1:6]:
        tracking.track_action(assessment=first, item=item, user=lead)
    with CaptureQueriesContext(connection) as six:
        client.get(url)
    assert len(six) == len(one)


def test_why_this_level_says_how_far_the_challenge_is_from_the_next_level(client_for, team, lead, playbook):
    challenge = playbook.challenges.first()
    practices = load_practices(playbook, challenge)
    # Every practice at 2 but one at 1: a score just under 2, no flag.
    lowest = next(p for p in practices if not p.is_critical)
    assessment = submitted_assessment(team, lead, level_for=lambda p: 1 if p == lowest else 2)
    result = build_results(assessment).challenges[0]
    assert result.score.level == 1 and result.score.short_of_next_level is not None
    page = client_for(lead).get(reverse("assessments:results", args=[assessment.pk])).text
    explanation = page.split(f'id="result-{challenge.slug}"', 1)[1].split("</section>", 1)[0]
    shortfall = math.ceil(result.score.short_of_next_level * 10) / 10
    shown = math.floor(result.score.score * 10) / 10
    assert f"Score {shown}: {shortfall} short of 2 · Repeatable." in explanation
    assert "Raising any of these answers would lift it" in explanation and lowest.title in explanation


def test_a_score_never_reads_as_rounding_up_past_its_level():
    from assessments.templatetags.assessment_tags import score_display, shortfall_display

    assert score_display(2.96) == "2.9" and score_display(3.0) == "3.0" and score_display(2.9) == "2.9"
    assert shortfall_display(0.04) == "0.1" and shortfall_display(0.1) == "0.1"


def test_earlier_actions_are_the_teams_own_from_assessments_before_this_one(client_for, team, lead, outsider):
    spring = submitted_assessment(team, lead, title="Spring", level_for=lambda p: 1)
    spring_item, autumn_item = build_results(spring).plan[:2]
    taken_in_spring = tracking.track_action(assessment=spring, item=spring_item, user=lead)
    other_team = outsider.memberships.get().team
    elsewhere = submitted_assessment(other_team, outsider, title="Elsewhere", level_for=lambda p: 1)
    tracking.track_action(assessment=elsewhere, item=autumn_item, user=outsider)
    autumn = submitted_assessment(team, lead, title="Autumn", level_for=lambda p: 1)
    tracking.track_action(assessment=autumn, item=autumn_item, user=lead)
    client = client_for(lead)

    def earlier_titles(assessment):
        page = client.get(reverse("assessments:results", args=[assessment.pk])).text
        section = page.split('id="earlier"')[1].split("</section>")[0] if 'id="earlier"' in page else ""
        return re.findall(r"<td><bdi>(.*?)</bdi></td>", section)

    # Autumn lists what the team took on in spring; spring lists nothing taken on later, nor another team's action.
    assert earlier_titles(autumn) == [escape(taken_in_spring.title)]
    assert earlier_titles(spring) == []


def test_a_drafts_results_say_an_earlier_actions_practice_is_not_answered_yet(client_for, team, lead):
    first = submitted_assessment(team, lead, title="Spring", level_for=lambda p: 1)
    item = build_results(first).plan[0]
    action = tracking.track_action(assessment=first, item=item, user=lead)
    Action.objects.filter(pk=action.pk).update(status=ActionStatus.DOING)
    draft = services.create_assessment(team=team, user=lead, title="Autumn")
    page = client_for(lead).get(reverse("assessments:results", args=[draft.pk])).text
    row = re.search(r'<table class="table table-sm action-outcomes">.*?</table>', page, re.S).group(0)
    assert "<td>Doing</td>" in row and "not answered yet in this assessment" in row
    assert "no level" not in row and ".: doing" not in page


def test_overdue_actions_are_marked_and_viewers_are_not_offered_as_owners(client_for, team, lead, member, viewer):
    assessment = submitted_assessment(team, lead, level_for=lambda p: 1)
    late, later = build_results(assessment).plan[:2]
    for item, due in ((late, date(2020, 1, 1)), (later, date(2999, 1, 1))):
        action = tracking.track_action(assessment=assessment, item=item, user=lead)
        Action.objects.filter(pk=action.pk).update(due_date=due)
    page = client_for(lead).get(reverse("assessments:actions", args=[team.pk])).text
    assert page.count(">Overdue</span>") == 1 and "due 1 Jan 2020, overdue" in page
    assert f">{member.username}</option>" in page and f">{viewer.username}</option>" not in page


def test_every_list_names_an_assessments_dates_the_same_way(client_for, team, lead):
    assessment = submitted_assessment(team, lead, title="Spring")
    Assessment.objects.filter(pk=assessment.pk).update(
        created_at=datetime(2026, 8, 31, 12, tzinfo=UTC), submitted_at=datetime(2026, 9, 5, 12, tzinfo=UTC)
    )
    services.create_assessment(team=team, user=lead, title="Autumn")
    client = client_for(lead)
    home = client.get(reverse("assessments:home")).text
    assert "started 31 Aug 2026 · submitted 5 Sep 2026" in home and "not submitted" in home
    dashboard = client.get(team.get_absolute_url()).text
    assert "<td>31 Aug 2026</td>" in dashboard and "<td>5 Sep 2026</td>" in dashboard
    history = client.get(reverse("assessments:history", args=[team.pk])).text
    assert "\u2068Spring\u2069 (submitted 5 Sep 2026)" in history and "\u2068Autumn\u2069 (started" in history
    assert "5 Sep 2026" in history.split("<svg", 1)[1].split("</svg>", 1)[0]  # the trend's point is its submission


def test_the_radar_draws_a_capped_challenge_at_its_cap_not_at_its_average(client_for, team, lead):
    assessment = submitted_assessment(team, lead, title="Capped", level_for=lambda p: 1 if p.is_critical else 4)
    results = build_results(assessment)
    capped = next(c for c in results.challenges if c.score.is_capped)
    assert capped.score.score > 2  # the average alone would draw it above a target of 2
    page = client_for(lead).get(reverse("assessments:results", args=[assessment.pk])).text
    description = re.search(r'<desc id="radar-desc">(.*?)</desc>', page, re.S).group(1)
    assert f"{capped.challenge.title}: 1.0 of 4" in description
