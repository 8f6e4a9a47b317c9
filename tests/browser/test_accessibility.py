"""axe-core scans of every main page in Chromium: no serious or critical violations."""

import json
from pathlib import Path

import pytest
from django.conf import settings
from django.core.files.uploadedfile import SimpleUploadedFile
from django.utils import timezone

from assessments import evidence, membership, services, shared_answers, sharing, tracking
from assessments.models import Membership
from integrations import services as integration_services
from integrations.models import TrackerKind, TrackerLink
from playbook.published import load_practices
from tests.browser.conftest import axe_violations
from tests.factories import PASSWORD, submitted_assessment
from webhooks.demo import add_demo_webhook
from webhooks.models import Webhook
from workshops import services as workshop_services

pytestmark = pytest.mark.django_db(transaction=True)
REPORT = Path(settings.BASE_DIR) / "var" / "axe-results.json"
PHONE = {"width": 390, "height": 844}


@pytest.fixture
def world(team, lead, viewer, playbook, consultant):
    practices = load_practices(playbook)
    submitted = submitted_assessment(
        team, lead, title="Scanned", level_for=lambda p: practices.index(p) % 4, notes_for=lambda p: "Evidence"
    )
    action = tracking.track_action(assessment=submitted, item=services_plan_first(submitted), user=lead)
    # A connected tracker with the action pushed, and a webhook with a delivery log.
    connection = integration_services.connect(
        team=team, user=lead, kind=TrackerKind.JIRA, details={"site": "acme", "project_key": "OPS"}, token="t"
    )
    TrackerLink.objects.create(
        action=action, connection=connection, external_key="OPS-7", url="https://acme.atlassian.net/browse/OPS-7",
        pushed_at=timezone.now(), problem="Issue OPS-7 is no longer in project OPS on Jira.",
    )  # fmt: skip
    add_demo_webhook(team=team, lead=lead, assessment=submitted)
    draft = services.create_assessment(team=team, user=lead, title="Draft", prefill_from=submitted)
    empty = services.create_assessment(team=team, user=lead, title="Empty")
    platform, inheriting = _shared_answers(team, lead, playbook)
    workshop = workshop_services.create_workshop(
        assessment=draft, user=lead, title="Scan room", challenge_slugs=[playbook.challenges.first().slug], hours=1
    )
    workshop_services.move_room(workshop=workshop, practice=practices[0])
    link = sharing.create_share_link(assessment=submitted, label="Board", days=3, user=lead)
    invitation = membership.invite(team=team, email="new@example.com", role="member", invited_by=lead)
    services.delete_assessment(
        assessment=services.create_assessment(team=team, user=lead, title="Deleted by mistake"), user=lead
    )
    return {
        "team": team,
        "submitted": submitted,
        "draft": draft,
        "empty": empty,
        "workshop": workshop,
        "share": sharing.share_token(link),
        "invitation": invitation.token,
        "challenge": playbook.challenges.first().slug,
        "removable": Membership.objects.get(team=team, user=viewer).pk,
        "version": playbook.version,
        "webhook": Webhook.objects.get(team=team).pk,
        "platform": platform.pk,
        "inheriting": inheriting.pk,
        "inherited": load_practices(playbook, playbook.challenges.first())[0].slug,
    }


def _shared_answers(team, lead, playbook):
    """A shared set with a file, inherited by a draft that departs from one answer and has a change to see."""
    first = load_practices(playbook, playbook.challenges.first())
    platform = shared_answers.create_answer_set(organisation=team.organisation, user=lead, name="ML platform")
    at_level = [services.AnswerInput(p, p.options.get(level=3), notes="Platform template") for p in first[:2]]
    shared_answers.save_shared_answers(answer_set=platform, user=lead, answers=at_level)
    upload = SimpleUploadedFile("gateway.md", b"# Gateway\n")
    evidence.attach_shared_evidence(answer_set=platform, practice=first[0], user=lead, upload=upload)
    inheriting = services.create_assessment(team=team, user=lead, title="Inheriting")
    shared_answers.inherit_answer_set(assessment=inheriting, answer_set=platform, user=lead)
    shared_answers.differ_from_shared(assessment=inheriting, user=lead, practice=first[1], reason="Own runners")
    changed = [services.AnswerInput(first[0], first[0].options.get(level=4), notes="Checked on every run")]
    shared_answers.save_shared_answers(answer_set=platform, user=lead, answers=changed)
    return platform, inheriting


def services_plan_first(assessment):
    from assessments.results import build_results

    return build_results(assessment).plan[0]


def test_main_pages_have_no_serious_or_critical_accessibility_violations_and_fit_a_phone(
    new_page, log_in, world, lead, viewer, consultant, axe_source
):
    w = world
    anonymous = {
        "login": "/accounts/login/",
        "playbook index": "/playbook/",
        "playbook challenge": f"/playbook/{w['version']}/{w['challenge']}/",
        "join": "/join/",
        "shared results": f"/shared/{w['share']}/",
        "invitation": f"/invitations/{w['invitation']}/",
        "password reset": "/accounts/password/reset/",
    }
    team, draft, empty, submitted = w["team"].pk, w["draft"].pk, w["empty"].pk, w["submitted"].pk
    # Each main page in each of its states: draft, submitted, with results and without.
    as_lead = {
        "home": "/",
        "team dashboard": f"/teams/{team}/",
        "history": f"/teams/{team}/history/",
        "compare": f"/teams/{team}/compare/?before={submitted}&after={draft}",
        "actions": f"/teams/{team}/actions/",
        "members": f"/teams/{team}/members/",
        "import an assessment": f"/teams/{team}/import/",
        "tracker (connected)": f"/teams/{team}/tracker/",
        "webhooks": f"/teams/{team}/webhooks/",
        "webhook deliveries": f"/teams/{team}/webhooks/{w['webhook']}/deliveries/",
        "remove a member": f"/teams/{team}/members/{w['removable']}/remove/",
        "security events (team)": f"/teams/{team}/security-events/",
        "overview (draft)": f"/assessments/{draft}/",
        "overview (submitted)": f"/assessments/{submitted}/",
        "overview (nothing answered)": f"/assessments/{empty}/",
        "questionnaire (draft)": f"/assessments/{draft}/challenges/{w['challenge']}/",
        "questionnaire (submitted)": f"/assessments/{submitted}/challenges/{w['challenge']}/",
        "results (submitted)": f"/assessments/{submitted}/results/",
        "results (draft)": f"/assessments/{draft}/results/",
        "results (nothing answered)": f"/assessments/{empty}/results/",
        "share": f"/assessments/{submitted}/share/",
        "delete": f"/assessments/{empty}/delete/",
        "answer changes": f"/assessments/{submitted}/audit/",
        "new workshop": f"/assessments/{draft}/workshops/new/",
        "workshop board": f"/workshops/{w['workshop'].pk}/",
        "close workshop": f"/workshops/{w['workshop'].pk}/close/",
        "projector": f"/workshops/{w['workshop'].pk}/projector/",
        "shared answer sets": f"/organisations/{w['team'].organisation.slug}/shared-answers/",
        "shared answer set": f"/shared-answers/{w['platform']}/",
        "shared answers of a challenge": f"/shared-answers/{w['platform']}/challenges/{w['challenge']}/",
        "delete a shared answer set": f"/shared-answers/{w['platform']}/delete/",
        "overview (inheriting, a change to see)": f"/assessments/{w['inheriting']}/",
        "questionnaire (inheriting)": f"/assessments/{w['inheriting']}/challenges/{w['challenge']}/",
        "the team differs": f"/assessments/{w['inheriting']}/challenges/{w['challenge']}/practices/{w['inherited']}"
        "/differ/",
        "your account": "/account/",
        "api tokens": "/account/tokens/",
        "change password": "/accounts/password/change/",
        "second factor": "/accounts/2fa/",
    }
    as_viewer = {
        "team dashboard (viewer)": f"/teams/{team}/",
        "questionnaire (viewer)": f"/assessments/{draft}/challenges/{w['challenge']}/",
        "results (viewer)": f"/assessments/{submitted}/results/",
    }
    organisation = w["team"].organisation.slug
    as_consultant = {
        "security events (organisation)": f"/organisations/{organisation}/security-events/",
        "teams and people": f"/organisations/{organisation}/settings/",
        "edit a team": f"/organisations/{organisation}/teams/{team}/edit/",
        "new organisation": "/organisations/new/",
        "organisation heatmap": f"/organisations/{organisation}/",  # last: its colours are checked below
    }

    results: dict[str, list] = {}
    too_wide_for_a_phone: dict[str, int] = {}

    def scan(page, pages):
        for name, path in pages.items():
            response = page.goto(path)
            assert response.status == 200, (name, response.status)
            results[name] = axe_violations(page, axe_source)
            if name != "projector":  # made for a projector, not a phone
                check_phone_width(page, name)

    def check_phone_width(page, name):
        # A page wider than the phone scrolls sideways as a whole; wide tables must scroll in their own box.
        desktop = page.viewport_size
        page.set_viewport_size(PHONE)
        width = page.evaluate("document.documentElement.scrollWidth")
        if width > PHONE["width"]:
            too_wide_for_a_phone[name] = width
        page.set_viewport_size(desktop)

    scan(new_page(), anonymous)
    guest = new_page()
    guest.goto("/join/")
    guest.get_by_label("Join code").fill(w["workshop"].join_code)
    guest.get_by_label("Your name, as the room should see it").fill("Scanner")
    guest.locator("main").get_by_role("button", name="Join").click()
    results["workshop ballot"] = axe_violations(guest, axe_source)
    check_phone_width(guest, "workshop ballot")
    lead_page = new_page()
    log_in(lead_page, lead.username, PASSWORD)
    scan(lead_page, as_lead)
    viewer_page = new_page()
    log_in(viewer_page, viewer.username, PASSWORD)
    scan(viewer_page, as_viewer)
    consultant_page = new_page()
    log_in(consultant_page, consultant.username, PASSWORD)
    scan(consultant_page, as_consultant)
    # The heatmap's meaning is its colours: a level cell must not be painted over white by the table's styles.
    painted = consultant_page.eval_on_selector_all(
        "td.heat[class*='heat-']", "cells => cells.map(cell => getComputedStyle(cell).backgroundColor)"
    )
    assert painted and "rgb(255, 255, 255)" not in painted, painted

    REPORT.parent.mkdir(exist_ok=True)
    REPORT.write_text(json.dumps(results, indent=2))
    failing = {name: found for name, found in results.items() if found}
    assert failing == {}, json.dumps(failing, indent=2)
    assert len(results) == len(anonymous) + 1 + len(as_lead) + len(as_viewer) + len(as_consultant)
    assert too_wide_for_a_phone == {}


def test_the_scanner_reports_a_known_violation(page, axe_source):
    # Guards the guard: a page with an unlabelled image and an unlabelled input must fail the scan.
    page.set_content('<html lang="en"><body><main><img src="chart.png"><input type="text"></main></body></html>')
    found = {v["id"] for v in axe_violations(page, axe_source)}
    assert {"image-alt", "label"} <= found
