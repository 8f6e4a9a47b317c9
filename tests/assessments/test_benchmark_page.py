"""The benchmark across organisations on the results page and in the PDF, and the pool it is made from."""

import pytest
from django.core.cache import caches
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone

from assessments import services
from assessments.benchmark_data import load_contributions
from assessments.models import OrganisationMembership, OrganisationRole, Role
from assessments.report import render_report_html
from assessments.results import build_results
from tests.assessments.test_report import boxes_past_the_right_margin
from tests.factories import MembershipFactory, OrganisationFactory, TeamFactory, UserFactory, submitted_assessment

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def _empty_cache():
    caches["fragments"].clear()


def peer(level: int, *, opted_in: bool = True, name: str = ""):
    """Another organisation's team with one assessment submitted with every practice at `level`."""
    organisation = OrganisationFactory(benchmark_opt_in=opted_in, **({"name": name} if name else {}))
    team = TeamFactory(organisation=organisation)
    lead = MembershipFactory(team=team, role=Role.LEAD).user
    submitted_assessment(team, lead, level_for=lambda practice: level)
    return team, lead


PEER_LEVELS = (1, 2, 3, 2)  # with the team's own 4: Q1 2, median 2, Q3 3


def opted_in(team, lead, *, peers: int):
    """`team`'s organisation opted in with a submitted assessment, and `peers` other organisations' teams."""
    team.organisation.benchmark_opt_in = True
    team.organisation.save()
    for i in range(peers):
        peer(PEER_LEVELS[i % len(PEER_LEVELS)])
    return submitted_assessment(team, lead, level_for=lambda practice: 4)


def results_page(client, assessment) -> str:
    response = client.get(reverse("assessments:results", args=[assessment.pk]))
    assert response.status_code == 200
    return " ".join(response.text.split())


def test_five_organisations_show_quartiles_and_where_the_team_sits(client_for, team, lead):
    assessment = opted_in(team, lead, peers=4)
    page = results_page(client_for(lead), assessment)
    assert "Among other organisations" in page
    assert "5 organisations, 5 teams" in page
    assert "Above Q3 (highest quarter)" in page
    assert "Not enough organisations yet" not in page


def test_four_organisations_show_no_figures_and_no_count(client_for, team, lead):
    assessment = opted_in(team, lead, peers=3)
    page = results_page(client_for(lead), assessment)
    assert "Not enough organisations yet (fewer than 5)" in page
    assert "4 organisations" not in page and "organisations, " not in page


def test_an_organisation_that_has_not_opted_in_sees_how_to_opt_in_instead(client_for, team, lead):
    for level in (1, 2, 3, 4, 2):
        peer(level)
    assessment = submitted_assessment(team, lead)
    page = results_page(client_for(lead), assessment)
    assert "Your organisation does not take part in the benchmark" in page
    assert "Among other organisations" not in page


def test_an_organisation_admin_gets_a_link_to_opt_in_and_a_lead_does_not(client_for, team, lead):
    assessment = submitted_assessment(team, lead)
    admin = UserFactory()
    OrganisationMembership.objects.create(organisation=team.organisation, user=admin, role=OrganisationRole.ADMIN)
    settings_url = reverse("assessments:organisation_settings", args=[team.organisation.slug])
    assert f'href="{settings_url}"' not in results_page(client_for(lead), assessment)
    assert f'href="{settings_url}"' in results_page(client_for(admin), assessment)


def test_a_draft_shows_neither_the_benchmark_nor_the_note(client_for, team, lead):
    opted_in(team, lead, peers=4)
    draft = services.create_assessment(team=team, user=lead, title="Next round")
    page = results_page(client_for(lead), draft)
    assert "Among other organisations" not in page and "does not take part in the benchmark" not in page


def test_no_other_organisation_or_team_is_named(client_for, team, lead):
    peers = [peer(level, name=f"Secretive Corp {level}") for level in (1, 2, 3, 4)]
    team.organisation.benchmark_opt_in = True
    team.organisation.save()
    page = results_page(client_for(lead), submitted_assessment(team, lead))
    assert "5 organisations" in page
    for other, _ in peers:
        assert other.organisation.name not in page and other.name not in page


def test_organisations_that_have_not_opted_in_do_not_count(client_for, team, lead):
    assessment = opted_in(team, lead, peers=3)
    peer(3, opted_in=False)
    assert "Not enough organisations yet" in results_page(client_for(lead), assessment)


def test_archived_teams_do_not_count(client_for, team, lead):
    assessment = opted_in(team, lead, peers=3)
    archived, _ = peer(3)
    assert "5 organisations, 5 teams" in results_page(client_for(lead), assessment)
    archived.archived_at = timezone.now()
    archived.save()
    assert "Not enough organisations yet" in results_page(client_for(lead), assessment)


def test_only_each_teams_latest_submission_counts(team, lead):
    opted_in(team, lead, peers=4)
    late, late_lead = peer(0)
    submitted_assessment(late, late_lead, title="Later", level_for=lambda practice: 4)
    own = [c for c in load_contributions() if c.team_id == late.pk]
    assert own and {c.score for c in own} == {4.0}
    assert len({c.team_id for c in load_contributions()}) == 6


def test_a_reopened_assessment_leaves_the_pool_and_its_earlier_one_returns(team, lead):
    first = opted_in(team, lead, peers=0)
    second = submitted_assessment(team, lead, title="Second", level_for=lambda practice: 2)
    assert {c.score for c in load_contributions()} == {2.0}
    services.reopen_assessment(assessment=second, user=lead)
    assert {c.score for c in load_contributions()} == {4.0}
    assert first.pk != second.pk


def test_the_cached_pool_follows_a_deleted_and_a_restored_submission_at_once(team, lead):
    opted_in(team, lead, peers=0)
    second = submitted_assessment(team, lead, title="Second", level_for=lambda practice: 2)
    assert {c.score for c in load_contributions()} == {2.0}
    services.delete_assessment(assessment=second, user=lead)
    assert {c.score for c in load_contributions()} == {4.0}
    services.restore_assessment(assessment=second, user=lead)
    assert {c.score for c in load_contributions()} == {2.0}


def test_the_cached_pool_follows_a_new_submission_at_once(team, lead):
    opted_in(team, lead, peers=3)
    assert len({c.organisation_id for c in load_contributions()}) == 4
    peer(3)
    assert len({c.organisation_id for c in load_contributions()}) == 5


def test_the_cached_pool_follows_an_organisation_opting_out(team, lead):
    opted_in(team, lead, peers=4)
    load_contributions()
    team.organisation.benchmark_opt_in = False
    team.organisation.save()
    assert team.pk not in {c.team_id for c in load_contributions()}


def count_queries(function) -> int:
    with CaptureQueriesContext(connection) as queries:
        function()
    return len(queries)


def test_the_pool_costs_four_queries_whatever_the_number_of_organisations_and_one_when_cached(team, lead):
    opted_in(team, lead, peers=4)
    few = count_queries(load_contributions)
    for level in (1, 2, 3, 4):
        peer(level)
    many = count_queries(load_contributions)
    assert few == many == 4
    assert count_queries(load_contributions) == 1


def test_the_results_page_costs_the_same_with_more_organisations(client_for, team, lead):
    assessment = opted_in(team, lead, peers=4)
    client = client_for(lead)
    url = reverse("assessments:results", args=[assessment.pk])
    client.get(url)  # the process's own caches (the playbook's practices) warm, as on a server that has run a while
    caches["fragments"].clear()
    few = count_queries(lambda: client.get(url))
    for level in (1, 2, 3, 4):
        peer(level)
    caches["fragments"].clear()
    assert count_queries(lambda: client.get(url)) == few


def test_the_pdf_report_shows_the_same_table(team, lead):
    assessment = opted_in(team, lead, peers=4)
    html = " ".join(render_report_html(build_results(assessment)).split())
    assert "Among other organisations" in html and "5 organisations, 5 teams" in html


def test_the_pdf_table_fits_the_page(team, lead):
    assessment = opted_in(team, lead, peers=4)
    assert boxes_past_the_right_margin(render_report_html(build_results(assessment))) == []
