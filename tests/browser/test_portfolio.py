"""The organisation portfolio in Chromium, as an organisation viewer reads it: at desktop and phone widths."""

from datetime import timedelta

import pytest
from django.utils import timezone

from assessments import services
from assessments.models import Assessment, OrganisationMembership, OrganisationRole
from playbook.published import load_practices
from tests.browser.conftest import axe_violations
from tests.factories import PASSWORD, TeamFactory, UserFactory

pytestmark = pytest.mark.django_db(transaction=True)
DESKTOP = {"width": 1280, "height": 900}
PHONE = {"width": 390, "height": 844}


def assessed_team(organisation, lead, playbook, *, name, level, days_ago, **fields):
    """A team with one submitted assessment, including the playbook's first lifecycle module."""
    team = TeamFactory(organisation=organisation, name=name, **fields)
    module = playbook.challenges.filter(is_module=True).values_list("slug", flat=True).first()
    assessment = services.create_assessment(team=team, user=lead, title="Review", modules=[module] if module else [])
    practices = [p for p in load_practices(playbook) if assessment.includes(p.challenge)]
    services.save_answers(
        assessment=assessment,
        user=lead,
        answers=[services.AnswerInput(p, p.options.all()[(level + p.order) % 5]) for p in practices],
    )
    services.submit_assessment(assessment=assessment, user=lead)
    Assessment.objects.filter(pk=assessment.pk).update(submitted_at=timezone.now() - timedelta(days=days_ago))
    return team


@pytest.fixture
def organisation_viewer(team, lead, playbook):
    organisation = team.organisation
    units = ("Retail banking", "Insurance", "Retail banking", "Digital")
    for number, unit in enumerate(units):
        assessed_team(
            organisation,
            lead,
            playbook,
            name=f"Team with a rather long name {number}",
            level=number,
            days_ago=100 * number + 5,
            business_unit=unit,
            tags=["cloud"] if number % 2 else ["regulated"],
        )
    user = UserFactory()
    OrganisationMembership.objects.create(organisation=organisation, user=user, role=OrganisationRole.VIEWER)
    return user


def test_the_portfolio_has_no_serious_accessibility_violations_and_fits_a_phone(
    new_page, log_in, organisation_viewer, team, axe_source
):
    page = new_page()
    log_in(page, organisation_viewer.username, PASSWORD)
    page.set_viewport_size(DESKTOP)
    response = page.goto(f"/organisations/{team.organisation.slug}/portfolio/")
    assert response.status == 200
    assert page.locator("svg[role=img]").count() >= 3  # the distribution and the two median charts
    assert axe_violations(page, axe_source) == []

    page.set_viewport_size(PHONE)
    page.reload()
    assert axe_violations(page, axe_source) == []
    # Wide tables and charts scroll sideways in their own boxes; the page itself does not.
    assert page.evaluate("document.documentElement.scrollWidth") <= PHONE["width"]
    assert page.locator(".table-responsive").first.evaluate("box => box.scrollWidth > box.clientWidth")


def test_filtering_by_business_unit_narrows_the_portfolio(new_page, log_in, organisation_viewer, team):
    page = new_page()
    log_in(page, organisation_viewer.username, PASSWORD)
    page.goto(f"/organisations/{team.organisation.slug}/portfolio/")
    assert page.locator(".portfolio-scope").inner_text().startswith("5 teams")
    page.get_by_label("Business unit").select_option("Retail banking")
    page.get_by_role("button", name="Show these teams").click()
    page.wait_for_url("**business_unit=Retail+banking**")
    assert page.locator(".portfolio-scope").inner_text().startswith("2 teams with business unit Retail banking")
    assert "business_unit=Retail+banking" in page.get_by_role("link", name="CSV").get_attribute("href")
