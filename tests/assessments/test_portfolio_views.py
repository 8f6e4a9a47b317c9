"""The organisation portfolio page, its CSV and its PDF: who sees them, what they show, and what they cost."""

import csv
import io
import re
from datetime import timedelta

import pytest
from django.conf import settings
from django.db import connection
from django.template.loader import render_to_string
from django.test import Client
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone

from assessments import services
from assessments.answer_inputs import AnswerInput
from assessments.models import Answer, Assessment, Team
from assessments.portfolio import TeamFilter
from assessments.portfolio_views import CSV_COLUMNS, load_portfolio, name_portfolio, team_rows
from assessments.results import build_results, score_and_plan_many
from audit.models import EventKind, SecurityEvent
from identity.services import activate_totp
from identity.totp import DEMO_TOTP_SECRET
from playbook.models import AnswerOption
from tests.assessments.test_report import boxes_past_the_right_margin
from tests.factories import TeamFactory, UserFactory, publish_synthetic_playbook, resubmitted, submitted_assessment
from tests.pdf import pdf_text

pytestmark = pytest.mark.django_db


@pytest.fixture
def small_playbook(db):
    """Three challenges of two practices: quick to answer for many teams. The first practice of each is critical."""
    return publish_synthetic_playbook(version="portfolio-test", challenges=3, practices=2)


def add_team(organisation, lead, *, name, level, days_ago=10, notes="", **fields):
    team = TeamFactory(organisation=organisation, name=name, **fields)
    assessment = submitted_assessment(
        team, lead, level_for=lambda p: level, notes_for=lambda p: notes, title=f"{name} review"
    )
    Assessment.objects.filter(pk=assessment.pk).update(submitted_at=timezone.now() - timedelta(days=days_ago))
    return team


@pytest.fixture
def estate(team, lead, small_playbook):
    """The team (no submission), three assessed teams with business units and tags, and an archived one."""
    organisation = team.organisation
    add_team(organisation, lead, name="Alpha", level=1, business_unit="Retail", tags=["regulated"], notes="SECRET-A")
    add_team(organisation, lead, name="Bravo", level=3, business_unit="Retail", product_area="Lending")
    add_team(organisation, lead, name="Charlie", level=2, business_unit="Wholesale", days_ago=400)
    add_team(organisation, lead, name="Archived", level=0, business_unit="Retail", archived_at=timezone.now())
    return organisation


def portfolio_url(organisation, name="assessments:portfolio", **query):
    url = reverse(name, args=[organisation.slug])
    return url + ("?" + "&".join(f"{k}={v}" for k, v in query.items()) if query else "")


def csv_rows(response) -> list[dict]:
    return list(csv.DictReader(io.StringIO(response.content.decode("utf-8"))))


def test_the_page_shows_the_distribution_flags_medians_and_common_items(client_for, consultant, estate):
    response = client_for(consultant).get(portfolio_url(estate))
    assert response.status_code == 200
    portfolio = response.context["loaded"].portfolio
    assert [team.name for team in portfolio.teams] == ["Alpha", "Bravo", "Charlie", portfolio.teams[3].name]
    assert portfolio.assessed == 3
    # Alpha answered critical practices at 1: capped and flagged in every challenge.
    assert portfolio.distribution[0].by_level == (0, 1, 1, 1, 0)
    assert portfolio.distribution[0].not_assessed == 1
    assert [flags.team.name for flags in portfolio.flags] == ["Alpha"]
    assert portfolio.medians.rows[0].cells[-1].median == 2.0
    assert portfolio.common_items[0].teams >= 2
    page = response.content.decode()
    for heading in ("Levels across the teams", "Open high-risk flags", "Median level per quarter", "common plan items"):
        assert heading in page


def test_archived_teams_are_left_out(client_for, consultant, estate):
    response = client_for(consultant).get(portfolio_url(estate))
    assert "Archived" not in {team.name for team in response.context["loaded"].portfolio.teams}


def test_the_filters_narrow_every_section_to_the_teams_they_keep(client_for, consultant, estate):
    response = client_for(consultant).get(portfolio_url(estate, business_unit="Retail"))
    portfolio = response.context["loaded"].portfolio
    assert [team.name for team in portfolio.teams] == ["Alpha", "Bravo"]
    assert sum(portfolio.distribution[0].by_level) == 2
    response = client_for(consultant).get(portfolio_url(estate, tag="regulated"))
    assert [team.name for team in response.context["loaded"].portfolio.teams] == ["Alpha"]


def test_a_filter_value_no_team_has_shows_every_team_and_says_so(client_for, consultant, estate):
    response = client_for(consultant).get(portfolio_url(estate, business_unit="Nowhere"))
    assert response.status_code == 200
    assert len(response.context["loaded"].portfolio.teams) == 4
    assert response.context["form"].errors["business_unit"]


def test_an_organisation_viewer_reads_the_portfolio_without_any_notes(client_for, org_viewer, estate):
    response = client_for(org_viewer).get(portfolio_url(estate))
    assert response.status_code == 200
    assert "SECRET-A" not in response.content.decode()
    assert (
        "SECRET-A"
        not in client_for(org_viewer).get(portfolio_url(estate, "assessments:portfolio_csv")).content.decode()
    )


def test_team_members_and_outsiders_do_not_see_the_portfolio(client_for, lead, outsider, estate):
    assert client_for(lead).get(portfolio_url(estate)).status_code == 404
    assert client_for(outsider).get(portfolio_url(estate)).status_code == 404


def test_the_csv_has_every_section_and_records_the_download(client_for, consultant, estate):
    response = client_for(consultant).get(portfolio_url(estate, "assessments:portfolio_csv", business_unit="Retail"))
    assert response.status_code == 200
    assert response["Content-Type"] == "text/csv; charset=utf-8"
    assert f"mlops-portfolio-{estate.slug}-filtered-" in response["Content-Disposition"]
    assert "no-store" in response["Cache-Control"]
    rows = csv_rows(response)
    assert tuple(rows[0]) == CSV_COLUMNS
    assert {row["section"] for row in rows} == {
        "level_distribution",
        "quarterly_median",
        "high_risk_flag",
        "common_plan_item",
    }
    first = [r for r in rows if r["section"] == "level_distribution" and r["challenge"] == "Challenge 1"]
    assert [(r["level"], r["teams"]) for r in first] == [
        ("0", "0"), ("1", "1"), ("2", "0"), ("3", "1"), ("4", "0"), ("no level", "0"), ("not assessed", "0"),
    ]  # fmt: skip
    assert {r["team"] for r in rows if r["section"] == "high_risk_flag"} == {"Alpha"}
    event = SecurityEvent.objects.get(kind=EventKind.EXPORT_DOWNLOADED)
    assert (event.organisation_id, event.team_id, event.actor_id) == (estate.pk, None, consultant.pk)
    assert "business unit Retail" in event.summary


def test_team_names_cannot_run_as_spreadsheet_formulas(client_for, consultant, team, lead, small_playbook):
    add_team(team.organisation, lead, name="=HYPERLINK(1)", level=0)
    rows = csv_rows(client_for(consultant).get(portfolio_url(team.organisation, "assessments:portfolio_csv")))
    assert {r["team"] for r in rows if r["section"] == "high_risk_flag"} == {"'=HYPERLINK(1)"}


@pytest.fixture
def portfolio_pdf(client_for, consultant, estate):
    response = client_for(consultant).get(portfolio_url(estate, "assessments:portfolio_pdf"))
    assert response.status_code == 200
    assert response["Content-Type"] == "application/pdf"
    return response


def test_the_pdf_shows_the_same_figures_as_the_csv(client_for, consultant, estate, portfolio_pdf):
    text = pdf_text(portfolio_pdf.content)
    rows = csv_rows(client_for(consultant).get(portfolio_url(estate, "assessments:portfolio_csv")))
    for title in {r["challenge"] for r in rows if r["section"] == "level_distribution"}:
        counts = [r["teams"] for r in rows if r["section"] == "level_distribution" and r["challenge"] == title]
        assert f"{title} {' '.join(counts)}" in text
    for row in rows:
        if row["section"] == "common_plan_item":
            assert f"{row['practice']} {row['challenge']} {row['teams']}" in text
        if row["section"] == "high_risk_flag":
            assert row["team"] in text and row["practice"] in text
    quarter = next(r for r in rows if r["section"] == "quarterly_median" and r["median"])
    assert quarter["quarter"] in text


def test_the_pdf_records_the_download(consultant, estate, portfolio_pdf):
    event = SecurityEvent.objects.get(kind=EventKind.REPORT_DOWNLOADED)
    assert (event.organisation_id, event.team_id) == (estate.pk, None)


def test_nothing_in_the_pdf_is_drawn_past_the_right_margin(client_for, consultant, estate):
    loaded = load_portfolio(estate, team_rows(estate), TeamFilter())
    html = render_to_string("assessments/portfolio_pdf.html", {"loaded": loaded, "link_base": settings.SITE_URL})
    assert boxes_past_the_right_margin(html) == []


def test_the_bulk_plan_is_the_plan_of_the_results_page(team, lead):
    assessment = submitted_assessment(team, lead, level_for=lambda p: p.pk % 4)
    assessment = Assessment.objects.select_related("playbook").get(pk=assessment.pk)
    scored = score_and_plan_many([assessment], plan_for={assessment.pk})[assessment.pk]
    results = build_results(assessment)
    assert scored.plan == results.plan
    assert scored.score == results.score


def page_queries(client, url) -> int:
    with CaptureQueriesContext(connection) as queries:
        assert client.get(url).status_code == 200
    return len(queries)


def test_the_portfolio_and_heatmap_cost_the_same_queries_for_3_teams_as_for_15(
    client_for, consultant, team, lead, small_playbook
):
    organisation = team.organisation
    for i in range(2):
        add_team(organisation, lead, name=f"Early {i}", level=i, days_ago=200, tags=["cloud"])
    client = client_for(consultant)
    urls = [portfolio_url(organisation), reverse("assessments:organisation", args=[organisation.slug])]
    for url in urls:
        client.get(url)  # the playbook's practices are cached per process after the first request
    small = [page_queries(client, url) for url in urls]
    for i in range(12):
        add_team(organisation, lead, name=f"Late {i}", level=i % 5, days_ago=30 * i, tags=["cloud", f"t{i}"])
    large = [page_queries(client, url) for url in urls]
    assert organisation.teams.count() == 15
    assert small == large


def resubmit_at(team_name: str, level: int) -> None:
    assessment = Assessment.objects.get(team__name=team_name)
    resubmitted(assessment, assessment.created_by, level_for=lambda p: level)


def test_a_submitted_assessment_refuses_changes_to_its_answers(estate):
    """What the portfolio's and heatmap's keys rely on; shared answer sets leave submitted assessments alone too
    (tests/assessments/test_shared_answers.py)."""
    assessment = Assessment.objects.get(team__name="Alpha")
    answer = Answer.objects.filter(assessment=assessment).select_related("practice").first()
    option = AnswerOption.objects.get(practice=answer.practice, level=4)
    with pytest.raises(services.AssessmentLocked):
        services.save_answers(
            assessment=assessment, user=assessment.created_by, answers=[AnswerInput(answer.practice, option)]
        )


def test_a_portfolio_read_from_the_cache_is_the_same_page_without_computing_it(client_for, consultant, estate):
    client = client_for(consultant)
    first = client.get(portfolio_url(estate))
    again = client.get(portfolio_url(estate))
    assert "loaded" in first.context and "loaded" not in again.context

    def sections(response) -> str:  # after the form: the page's CSRF token differs
        return response.text[response.text.index('class="portfolio-scope"') :]

    assert sections(again) == sections(first)


def test_the_filters_from_the_cache_show_what_was_asked_and_the_values_the_teams_have_now(
    client_for, consultant, estate
):
    client = client_for(consultant)

    def filters(**query) -> str:
        page = client.get(portfolio_url(estate, **query)).text
        start = page.index('aria-label="Filter the teams"')
        return page[start : page.index("</form>", start)]

    def selected(html: str, field: str) -> str:
        select = html.split(f'name="{field}"')[1].split("</select>")[0]
        return re.search(r'<option value="([^"]*)"[^>]*selected', select).group(1)

    assert selected(filters(), "business_unit") == ""
    assert selected(filters(business_unit="Retail"), "business_unit") == "Retail"
    assert "Every team" in filters(business_unit="Retail") and "Every team" not in filters()
    refused = filters(business_unit="Nowhere")
    assert "Nowhere is not one of the available choices" in refused and "Every team" not in refused
    assert selected(filters(business_unit="Wholesale"), "business_unit") == "Wholesale"
    # A value a team takes on is offered at once, though the filters were cached without it.
    Team.objects.filter(name="Charlie").update(business_unit="Treasury")
    assert 'value="Treasury"' in filters() and 'value="Wholesale"' not in filters()


def test_changed_answers_show_in_the_portfolio_at_once(client_for, consultant, estate):
    client = client_for(consultant)
    assert client.get(portfolio_url(estate)).context["loaded"].portfolio.distribution[0].by_level == (0, 1, 1, 1, 0)
    resubmit_at("Alpha", 3)
    assert client.get(portfolio_url(estate)).context["loaded"].portfolio.distribution[0].by_level == (0, 0, 1, 2, 0)


def test_a_deleted_submission_leaves_the_portfolio_at_once_and_comes_back_when_restored(client_for, consultant, estate):
    client = client_for(consultant)

    def levels():
        return client.get(portfolio_url(estate)).context["loaded"].portfolio.distribution[0].by_level

    assert levels() == (0, 1, 1, 1, 0)
    bravo = Assessment.objects.get(team__name="Bravo")
    services.delete_assessment(assessment=bravo, user=bravo.created_by)
    assert levels() == (0, 1, 1, 0, 0)
    services.restore_assessment(assessment=bravo, user=bravo.created_by)
    assert levels() == (0, 1, 1, 1, 0)


def test_saving_a_team_read_before_a_submission_keeps_the_submissions_count(estate):
    team = Team.objects.get(name="Bravo")
    submitted_assessment(team, Assessment.objects.get(team=team).created_by, title="Later")
    team.name = "Bravo team"
    team.save()
    team.refresh_from_db()
    assert team.submissions_revision == 2


def test_an_archived_team_leaves_the_portfolio_at_once(client_for, consultant, estate):
    client = client_for(consultant)
    client.get(portfolio_url(estate))
    Team.objects.filter(name="Alpha").update(archived_at=timezone.now())
    teams = client.get(portfolio_url(estate)).context["loaded"].portfolio.teams
    assert "Alpha" not in {team.name for team in teams}


def _change_answers(organisation):
    resubmit_at("Alpha", 2)


def _reopen(organisation):
    assessment = Assessment.objects.get(team__name="Bravo")
    services.reopen_assessment(assessment=assessment, user=assessment.created_by)


def _resubmit(organisation):
    bravo = Assessment.objects.get(team__name="Bravo")
    resubmitted(bravo, bravo.created_by, level_for=lambda p: 3)  # the same answers, a new submission time


def _new_targets(organisation):
    services.set_targets(assessment=Assessment.objects.get(team__name="Bravo"), targets={"challenge-1": 4})


def _delete(organisation):
    bravo = Assessment.objects.get(team__name="Bravo")
    services.delete_assessment(assessment=bravo, user=bravo.created_by)


def edited_by_an_operator(assessment: Assessment, **changes) -> None:
    """Saved through the admin's change page, as the operator's browser would post it."""
    operator = UserFactory(is_staff=True, is_superuser=True)
    activate_totp(user=operator, secret=DEMO_TOTP_SECRET)
    client = Client()
    client.force_login(operator)
    url = reverse("admin:assessments_assessment_change", args=[assessment.pk])
    page = client.get(url)
    form = page.context["adminform"].form
    data = {name: form[name].field.prepare_value(form[name].value()) for name in form.fields}
    data = {name: "" if value is None else value for name, value in data.items()}
    for inline in page.context["inline_admin_formsets"]:
        formset = inline.formset
        data |= {formset.management_form.add_prefix(k): v for k, v in formset.management_form.initial.items()}
        data |= {f.add_prefix(name): f[name].value() for f in formset.forms for name in f.fields if f[name].value()}
    saved = client.post(url, data | changes)
    assert saved.status_code == 302, saved.context["adminform"].form.errors


def _new_modules(organisation):
    edited_by_an_operator(Assessment.objects.get(team__name="Bravo"), modules='["a-module"]')


def _moved_to_another_team(organisation):
    edited_by_an_operator(Assessment.objects.get(team__name="Bravo"), team=Team.objects.get(name="Alpha").pk)


def _retag(organisation):
    Team.objects.filter(name="Bravo").update(tags=["regulated"])


def _archive(organisation):
    Team.objects.filter(name="Bravo").update(archived_at=timezone.now())


def _new_submission(organisation):
    lead = Assessment.objects.get(team__name="Bravo").created_by
    submitted_assessment(Team.objects.get(name="Bravo"), lead, level_for=lambda p: 0)


@pytest.mark.parametrize(
    "change",
    [
        _change_answers,
        _reopen,
        _resubmit,
        _new_targets,
        _delete,
        _new_modules,
        _moved_to_another_team,
        _retag,
        _archive,
        _new_submission,
    ],
)
def test_any_change_to_what_the_portfolio_reads_names_it_anew(estate, change):
    def key() -> str:
        return name_portfolio(team_rows(estate), TeamFilter()).key

    before = key()
    assert key() == before
    change(estate)
    assert key() != before


def test_the_portfolio_and_heatmap_cost_the_same_queries_whether_cached_or_not(client_for, consultant, estate):
    client = client_for(consultant)
    urls = [portfolio_url(estate), reverse("assessments:organisation", args=[estate.slug])]
    for url in urls:
        client.get(url)  # the playbook's practices are cached per process after the first request
    cached = [page_queries(client, url) for url in urls]
    resubmit_at("Alpha", 4)
    assert [page_queries(client, url) for url in urls] == cached


def test_an_archived_team_leaves_the_heatmap_at_once(client_for, consultant, estate):
    client = client_for(consultant)
    url = reverse("assessments:organisation", args=[estate.slug])
    assert "Bravo" in client.get(url).text
    Team.objects.filter(name="Bravo").update(archived_at=timezone.now())
    assert "Bravo" not in client.get(url).text
