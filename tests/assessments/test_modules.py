"""Lifecycle modules: an assessment's scope is the five core challenges and the modules its team chose."""

import csv
import html
import io
import json
import re

import pytest
from django.urls import reverse

from assessments import services
from assessments.exports import export_csv, export_json
from assessments.report import render_pdf, render_report_html
from assessments.results import build_results, scoped_practices
from playbook.published import load_frameworks
from tests.factories import MembershipFactory, TeamFactory, answer_every_practice, submitted_assessment
from tests.pdf import pdf_text

pytestmark = pytest.mark.django_db
SITE_URL = "https://assessment.example.com"


@pytest.fixture
def modules(playbook):
    return list(playbook.challenges.filter(is_module=True).order_by("order")[:2])


def with_modules(team, lead, modules, *, title="Autumn", level=2):
    assessment = services.create_assessment(
        team=team, user=lead, title=title, subject="Card fraud scoring", modules=[m.slug for m in modules]
    )
    answer_every_practice(assessment, lead, level_for=lambda p: level)
    return assessment


def test_an_assessment_asks_about_the_core_and_the_chosen_modules_only(team, lead, playbook, modules):
    assessment = with_modules(team, lead, modules)
    challenges = {p.challenge.slug for p in scoped_practices(assessment)}
    core = set(playbook.challenges.filter(is_module=False).values_list("slug", flat=True))
    assert challenges == core | {m.slug for m in modules}
    other = playbook.challenges.filter(is_module=True).exclude(pk__in=[m.pk for m in modules]).first()
    assert not assessment.includes(other)


def test_the_overall_level_and_the_plan_cover_the_modules_in_scope(team, lead, modules):
    assessment = with_modules(team, lead, modules)
    results = build_results(assessment)
    assert [c.challenge.slug for c in results.challenges][-2:] == [m.slug for m in modules]
    assert results.score.level == 2 and len(results.score.challenges) == 7
    planned = {item.challenge_slug for item in results.plan}
    assert {m.slug for m in modules} <= planned


def test_the_pdf_and_the_exports_include_the_modules(team, lead, modules):
    assessment = with_modules(team, lead, modules)
    services.submit_assessment(assessment=assessment, user=lead)
    results = build_results(assessment)
    pdf, _ = render_pdf(render_report_html(results))
    text = " ".join(pdf_text(pdf).split())
    assert all(m.title in text for m in modules)
    assert "The ML Test Score: an estimate from the answers Final score:" in text
    data = export_json(results, site_url=SITE_URL)
    assert data["assessment"]["modules"] == [m.slug for m in modules]
    assert [c["slug"] for c in data["challenges"] if c["module"]] == [m.slug for m in modules]
    assert json.dumps(data)  # serialisable as it stands
    rows = list(csv.DictReader(io.StringIO(export_csv(results, site_url=SITE_URL).lstrip("\ufeff"))))
    assert {row["challenge"] for row in rows if row["module"] == "true"} == {m.slug for m in modules}


def test_a_comparison_with_an_assessment_without_modules_says_what_it_left_out(client_for, team, lead, modules):
    earlier = submitted_assessment(team, lead, title="Spring", level_for=lambda p: 1)
    later = with_modules(team, lead, modules, title="Autumn")
    page = (
        client_for(lead)
        .get(reverse("assessments:compare", args=[team.pk]), {"before": earlier.pk, "after": later.pk})
        .text
    )
    note = page.split('class="alert alert-info scope-note"', 1)[1].split("</div>", 1)[0]
    assert "covers the 5 challenges and modules both assessments include" in note
    assert "only “<bdi>Autumn</bdi>” covers them: " + ", ".join(m.title for m in modules) in note
    table = page.split("<tbody>", 1)[1].split("</tbody>", 1)[0]
    assert not any(m.title in table for m in modules)


def test_a_re_assessment_starts_with_the_previous_scope_and_product(client_for, team, lead, modules):
    with_modules(team, lead, modules, title="Spring")
    page = client_for(lead).get(reverse("assessments:start_assessment", args=[team.pk])).text
    assert 'value="Card fraud scoring"' in page
    for module in modules:
        assert re.search(rf'<input[^>]*value="{module.slug}"[^>]*checked', page), module.slug
    again = services.create_assessment(
        team=team, user=lead, title="Autumn", prefill_from=team.assessments.get(title="Spring")
    )
    assert again.modules == [m.slug for m in modules] and again.subject == "Card fraud scoring"


def test_a_module_outside_the_scope_has_no_questionnaire(client_for, team, lead, playbook, modules):
    assessment = with_modules(team, lead, modules[:1])
    outside = playbook.challenges.filter(is_module=True).exclude(slug=modules[0].slug).first()
    url = reverse("assessments:questionnaire", args=[assessment.pk, outside.slug])
    assert client_for(lead).get(url).status_code == 404


def test_the_heatmap_says_not_assessed_where_a_team_did_not_choose_a_module(
    client_for, consultant, team, lead, modules
):
    other_team = TeamFactory(organisation=team.organisation)
    other_lead = MembershipFactory(team=other_team, role="lead").user
    chosen = with_modules(team, lead, modules[:1])
    services.submit_assessment(assessment=chosen, user=lead)
    submitted_assessment(other_team, other_lead, title="Core only")
    page = client_for(consultant).get(reverse("assessments:organisation", args=[team.organisation.slug])).text
    assert f">{modules[0].title}</th>" in page
    row = page.split(f">{other_team.name}</bdi></a></th>", 1)[1].split("</tr>", 1)[0]
    assert row.count("not assessed") == 1


def test_the_heatmap_lists_the_core_challenges_then_the_modules_in_the_playbooks_order(
    client_for, consultant, team, lead, playbook, modules
):
    # The team submitting first chose only the later module: the columns still follow the playbook.
    later_first = with_modules(team, lead, modules[1:])
    services.submit_assessment(assessment=later_first, user=lead)
    other_team = TeamFactory(organisation=team.organisation)
    other_lead = MembershipFactory(team=other_team, role="lead").user
    services.submit_assessment(assessment=with_modules(other_team, other_lead, modules[:1]), user=other_lead)
    page = client_for(consultant).get(reverse("assessments:organisation", args=[team.organisation.slug])).text
    header = page.split("<thead>", 1)[1].split("</thead>", 1)[0]
    titles = re.findall(r'<th scope="col">([^<]+)</th>', header)
    core = list(playbook.challenges.filter(is_module=False).order_by("order").values_list("title", flat=True))
    assert titles == ["Team", *core, modules[0].title, modules[1].title, "Submitted"]


def test_a_workshop_offers_the_assessments_scope_and_refuses_a_module_outside_it(
    client_for, team, lead, playbook, modules
):
    from workshops.models import Workshop

    assessment = with_modules(team, lead, modules[:1])
    outside = playbook.challenges.filter(is_module=True).exclude(slug=modules[0].slug).first()
    url = reverse("workshops:create", args=[assessment.pk])
    client = client_for(lead)
    page = client.get(url).text
    assert f'value="{modules[0].slug}"' in page and f'value="{outside.slug}"' not in page
    refused = client.post(url, {"title": "Room", "challenges": [outside.slug], "hours": 2, "max_participants": 60})
    assert refused.status_code == 200 and "is not one of the available choices" in refused.text
    assert not Workshop.objects.filter(assessment=assessment).exists()
    client.post(url, {"title": "Room", "challenges": [modules[0].slug], "hours": 2, "max_participants": 60})
    assert Workshop.objects.get(assessment=assessment).challenge_slugs == [modules[0].slug]


def test_the_results_page_estimates_the_ml_test_score_and_says_what_it_could_not_assess(client_for, team, lead):
    assessment = submitted_assessment(team, lead, level_for=lambda practice: 3)  # the core only, no modules
    [ml_test] = [result for result in build_results(assessment).frameworks if result.framework.slug == "ml-test-score"]
    estimate = ml_test.estimate
    assert estimate.partial and estimate.not_assessed  # tests covered only by modules the team did not choose
    page = client_for(lead).get(reverse("assessments:results", args=[assessment.pk])).text
    page = " ".join(html.unescape(re.sub(r"<[^>]+>", " ", page)).split()).replace(" ,", ",")
    assert "The ML Test Score: an estimate from the answers" in page
    assert f"Final score: {estimate.final:.1f}, the lowest of the section scores below" in page
    assert f"{len(estimate.not_assessed)} tests could not be assessed from this assessment and count 0" in page
    for section in estimate.sections:
        assert f"{section.points:.1f} of {section.total}" in page


def test_the_coverage_page_counts_each_frameworks_items_and_says_why_one_is_out_of_scope(client, playbook):
    page = html.unescape(client.get(reverse("playbook:coverage", args=[playbook.version])).text)
    frameworks = load_frameworks(playbook)
    assert len(frameworks) == 7
    for framework in frameworks:
        items = framework.items.all()
        covered = sum(1 for item in items if item.practices.all())
        assert f"{covered} of {len(items)} items covered" in page
        for item in items:
            for practice in item.practices.all():
                assert f"{item.slug}: {item.title}" in page and practice.title in page
    out_of_scope = [item for framework in frameworks for item in framework.items.all() if item.out_of_scope]
    assert out_of_scope and all(f"Out of scope: {item.out_of_scope}" in page for item in out_of_scope)
