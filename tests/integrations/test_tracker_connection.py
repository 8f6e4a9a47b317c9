"""A team connected to a tracker, through its pages: connect, push a plan item and an action, sync status back.

Every tracker call goes to a local fake that accepts only the vendor's documented request shapes (tests/fakes/), so
these tests see what a lead sees when the tracker answers, refuses, rate-limits, loses an item or does not answer.
"""

import logging
from dataclasses import dataclass
from io import StringIO

import pytest
from cryptography.fernet import Fernet
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from assessments.models import Action, ActionStatus
from assessments.results import build_results
from audit.models import EventKind, SecurityEvent
from integrations import credentials
from integrations.models import TrackerConnection, TrackerKind, TrackerLink
from tests.factories import submitted_assessment
from tests.fakes.azure_devops import FakeAzureDevOps
from tests.fakes.github import FakeGitHub
from tests.fakes.jira import FakeJira


@dataclass
class Vendor:
    kind: str
    fake: object
    form: dict  # what a lead types on the Tracker tab
    token: str
    count: callable
    finish: callable
    delete: callable


@pytest.fixture(params=[TrackerKind.GITHUB, TrackerKind.JIRA, TrackerKind.AZURE_DEVOPS])
def vendor(request, settings):
    settings.TRACKER_TIMEOUT_SECONDS = 2.0  # long enough for a fake to answer on a busy machine
    if request.param == TrackerKind.GITHUB:
        with FakeGitHub() as fake:
            settings.GITHUB_API_URL = fake.url
            yield Vendor(
                TrackerKind.GITHUB, fake, {"repository": fake.repository}, fake.token,
                lambda: len(fake.issues), lambda key: fake.close(int(key)), lambda key: fake.delete(int(key)),
            )  # fmt: skip
    elif request.param == TrackerKind.JIRA:
        with FakeJira() as fake:
            settings.JIRA_SITE_URL_TEMPLATE = fake.url  # the site name is checked by the form, then ignored here
            yield Vendor(
                TrackerKind.JIRA, fake, {"site": "acme", "project_key": fake.project_key, "email": fake.email},
                fake.api_token, lambda: len(fake.issues), lambda key: fake.set_status(key, "Done"), fake.delete,
            )  # fmt: skip
    else:
        with FakeAzureDevOps() as fake:
            settings.AZURE_DEVOPS_URL = fake.url
            yield Vendor(
                TrackerKind.AZURE_DEVOPS, fake, {"organization": fake.organization, "project": fake.project},
                fake.token, lambda: len(fake.work_items), lambda key: fake.set_state(int(key), "Done"),
                lambda key: fake.delete(int(key)),
            )  # fmt: skip


@pytest.fixture
def assessment(team, lead):
    # Level 1 everywhere leaves every practice in the plan.
    return submitted_assessment(team, lead, level_for=lambda practice: 1)


@pytest.fixture
def connected(client_for, lead, team, vendor):
    client = client_for(lead)
    response = client.post(
        reverse("integrations:tracker", args=[team.pk]), {"kind": vendor.kind, **vendor.form, "token": vendor.token}
    )
    assert response.status_code == 302, response.content.decode()[:2000]
    return client


def _messages(response) -> str:
    return " ".join(str(m) for m in response.context["messages"])


def test_connecting_stores_the_token_encrypted_records_it_and_never_shows_it(connected, team, vendor):
    connection = TrackerConnection.objects.get(team=team)
    assert connection.kind == vendor.kind
    assert vendor.token not in connection.secret and credentials.decrypt(connection.secret) == vendor.token
    assert vendor.token not in repr(connection) and vendor.token not in str(connection)
    page = connected.get(reverse("integrations:tracker", args=[team.pk])).content.decode()
    assert "Connected to" in page and vendor.token not in page
    event = SecurityEvent.objects.get(kind=EventKind.TRACKER_CONNECTED)
    assert event.team_id == team.pk and vendor.token not in event.summary


def test_a_plan_item_is_tracked_and_pushed_once_and_pushing_again_updates_it(connected, assessment, vendor):
    step = build_results(assessment).plan[0]
    url = reverse("integrations:push_plan_item", args=[assessment.pk, step.practice_slug])
    response = connected.post(url, follow=True)
    assert "Created" in _messages(response)
    action = Action.objects.get(assessment=assessment, practice_slug=step.practice_slug)
    link = TrackerLink.objects.get(action=action)
    assert vendor.count() == 1 and link.url.startswith("http")
    sent = vendor.fake.requests[-1].body.decode()
    # The item names the practice, the levels and links the guidance (JSON escapes non-ASCII, so check ASCII parts).
    assert step.practice_slug in sent and f"level {step.current_level} to {step.current_level + 1}" in sent
    assert step.guidance_anchor.split("#")[-1] in sent

    response = connected.post(reverse("integrations:push_action", args=[assessment.team_id, action.pk]), follow=True)
    assert f"Updated {link.external_key}" in _messages(response)
    assert vendor.count() == 1, "a second push updates the item instead of adding one"
    assert vendor.fake.requests[-1].method in ("PATCH", "PUT")
    assert TrackerLink.objects.get(action=action).external_key == link.external_key


def _plan_item(page: str, practice_slug: str) -> str:
    return page.split(f'id="plan-{practice_slug}"')[1].split("</li>")[0]


def test_the_results_page_offers_push_and_update(connected, assessment, vendor, client_for, member):
    pushed, tracked, untouched = (step.practice_slug for step in build_results(assessment).plan[:3])
    results_url = reverse("assessments:results", args=[assessment.pk])
    label = TrackerKind(vendor.kind).label

    def repeat_view() -> tuple[str, int]:
        connected.get(results_url)
        with CaptureQueriesContext(connection) as queries:
            page = connected.get(results_url).text
        return page, len(queries)

    page, queries_before = repeat_view()
    assert f"Track and push to {label}" in _plan_item(page, pushed)
    connected.post(reverse("integrations:push_plan_item", args=[assessment.pk, pushed]))
    connected.post(reverse("assessments:track_action", args=[assessment.pk, tracked]))
    page, queries_after = repeat_view()
    # Actions and their tracker links are read together, however many there are.
    assert queries_after == queries_before
    assert f"Update in {label}" in _plan_item(page, pushed)
    assert f"Push to {label}" in _plan_item(page, tracked) and "Update in" not in _plan_item(page, tracked)
    assert f"Track and push to {label}" in _plan_item(page, untouched)
    # Only those who manage the team push: a member sees the plan without the buttons.
    assert label not in client_for(member).get(results_url).text


def test_sync_marks_an_action_done_when_its_item_is_done_in_the_tracker(connected, assessment, vendor, team):
    plan = build_results(assessment).plan[:2]
    for step in plan:
        connected.post(reverse("integrations:push_plan_item", args=[assessment.pk, step.practice_slug]))
    finished = TrackerLink.objects.get(action__practice_slug=plan[0].practice_slug)
    vendor.finish(finished.external_key)

    response = connected.post(reverse("integrations:sync", args=[team.pk]), follow=True)
    assert "Read 2 items from the tracker; 1 action changed status." in _messages(response)
    statuses = dict(Action.objects.values_list("practice_slug", "status"))
    assert statuses == {plan[0].practice_slug: ActionStatus.DONE, plan[1].practice_slug: ActionStatus.TODO}
    assert TrackerConnection.objects.get(team=team).last_synced_at is not None


@pytest.mark.parametrize(
    ("failure", "expected"),
    [
        (lambda fake: fake.fail_next(401), "refused the credentials (HTTP 401)"),
        (lambda fake: fake.fail_next(429, retry_after=120), "try again in 2 minutes"),
        (lambda fake: fake.hang_next(5.0), "did not answer within 2 seconds"),
    ],
    ids=["401", "429", "timeout"],
)
def test_a_sync_that_the_tracker_refuses_says_why_and_loses_nothing(
    connected, assessment, vendor, team, failure, expected, caplog
):
    step = build_results(assessment).plan[0]
    connected.post(reverse("integrations:push_plan_item", args=[assessment.pk, step.practice_slug]))
    link = TrackerLink.objects.get()
    vendor.finish(link.external_key)
    failure(vendor.fake)

    with caplog.at_level(logging.DEBUG):
        response = connected.post(reverse("integrations:sync", args=[team.pk]), follow=True)
    assert response.status_code == 200
    assert "stopped before the end" in _messages(response) and expected in _messages(response)
    assert Action.objects.get().status == ActionStatus.TODO, "nothing changed on a failed read"
    assert TrackerLink.objects.get().external_key == link.external_key
    connection = TrackerConnection.objects.get(team=team)
    assert expected in connection.last_problem and connection.last_synced_at is None
    tracker_page = connected.get(reverse("integrations:tracker", args=[team.pk])).content.decode()
    assert "Last problem" in tracker_page
    assert vendor.token not in caplog.text and vendor.token not in _messages(response)

    response = connected.post(reverse("integrations:sync", args=[team.pk]), follow=True)
    assert "1 action changed status" in _messages(response), "the next sync, once the tracker answers, catches up"
    assert Action.objects.get().status == ActionStatus.DONE
    assert TrackerConnection.objects.get(team=team).last_problem == ""


def test_a_sync_notes_an_item_deleted_in_the_tracker_and_goes_on(connected, assessment, vendor, team):
    plan = build_results(assessment).plan[:2]
    for step in plan:
        connected.post(reverse("integrations:push_plan_item", args=[assessment.pk, step.practice_slug]))
    deleted, kept = (TrackerLink.objects.get(action__practice_slug=s.practice_slug) for s in plan)
    vendor.delete(deleted.external_key)
    vendor.finish(kept.external_key)

    response = connected.post(reverse("integrations:sync", args=[team.pk]), follow=True)
    assert "no longer in the tracker" in _messages(response)
    assert "Read 1 item from the tracker; 1 action changed status." in _messages(response)
    deleted.refresh_from_db()
    assert deleted.problem and deleted.action.status == ActionStatus.TODO
    assert Action.objects.get(pk=kept.action_id).status == ActionStatus.DONE
    actions_page = connected.get(reverse("assessments:actions", args=[team.pk])).content.decode()
    assert deleted.problem.split(":")[0] in actions_page

    # Pushing the lost one again makes a new item rather than failing on the old key.
    response = connected.post(reverse("integrations:push_action", args=[team.pk, deleted.action_id]), follow=True)
    assert "pushed as a new one" in _messages(response)
    assert TrackerLink.objects.get(pk=deleted.pk).external_key != deleted.external_key


def test_a_failed_push_keeps_the_tracked_action_and_says_why(connected, assessment, vendor):
    step = build_results(assessment).plan[0]
    vendor.fake.fail_next(401)
    response = connected.post(
        reverse("integrations:push_plan_item", args=[assessment.pk, step.practice_slug]), follow=True
    )
    assert "is tracked on the action list but was not pushed" in _messages(response)
    assert "refused the credentials" in _messages(response)
    assert Action.objects.filter(practice_slug=step.practice_slug).exists()
    assert not TrackerLink.objects.exists() and vendor.count() == 0


def test_a_form_with_a_mistake_keeps_what_was_typed_but_not_the_token(client_for, lead, team):
    client = client_for(lead)
    response = client.post(
        reverse("integrations:tracker", args=[team.pk]),
        {"kind": TrackerKind.JIRA, "site": "acme", "project_key": "not a key", "email": "", "token": "s3cret-token"},
    )
    page = response.content.decode()
    assert response.status_code == 400
    assert "capital letters and digits" in page and "Jira Cloud needs this." in page
    assert 'value="not a key"' in page and 'value="acme"' in page
    assert "s3cret-token" not in page and "enter it once more" in page
    assert not TrackerConnection.objects.exists()


def test_a_jira_site_address_is_reduced_to_its_name(client_for, lead, team):
    client_for(lead).post(
        reverse("integrations:tracker", args=[team.pk]),
        {
            "kind": TrackerKind.JIRA,
            "site": "https://Acme-Data.atlassian.net/jira/software",
            "project_key": "ops",
            "email": "lead@acme.example",
            "token": "t",
        },
    )
    connection = TrackerConnection.objects.get()
    assert (connection.site, connection.project_key, connection.repository) == ("acme-data", "OPS", "")


def test_without_a_credentials_key_connecting_is_off(client_for, lead, team, settings):
    settings.CREDENTIALS_KEY = ""
    client = client_for(lead)
    page = client.get(reverse("integrations:tracker", args=[team.pk])).content.decode()
    assert "has not set CREDENTIALS_KEY" in page
    client.post(
        reverse("integrations:tracker", args=[team.pk]),
        {"kind": TrackerKind.GITHUB, "repository": "acme/x", "token": "t"},
    )
    assert not TrackerConnection.objects.exists()


def test_disconnecting_deletes_the_token_and_is_recorded(connected, team):
    response = connected.post(reverse("integrations:disconnect", args=[team.pk]), follow=True)
    assert "Disconnected" in _messages(response)
    assert not TrackerConnection.objects.exists()
    assert SecurityEvent.objects.filter(kind=EventKind.TRACKER_DISCONNECTED, team_id=team.pk).exists()


def test_another_teams_lead_cannot_see_or_use_the_connection(connected, assessment, team, outsider, client):
    action = Action.objects.create(
        team=team, assessment=assessment, challenge_slug="x", practice_slug="y", title="t", from_level=1
    )
    client.force_login(outsider)
    for name, args in [
        ("integrations:tracker", [team.pk]),
        ("integrations:sync", [team.pk]),
        ("integrations:disconnect", [team.pk]),
        ("integrations:push_action", [team.pk, action.pk]),
        ("integrations:push_plan_item", [assessment.pk, "y"]),
    ]:
        assert client.post(reverse(name, args=args)).status_code == 404, name
    assert TrackerConnection.objects.filter(team=team).exists()


def test_rotating_the_key_keeps_every_token_readable(connected, team, settings, vendor):
    from django.core.management import call_command

    old = settings.CREDENTIALS_KEY
    settings.CREDENTIALS_KEY = f"{Fernet.generate_key().decode()},{old}"
    call_command("rotate_credentials", stdout=StringIO())
    settings.CREDENTIALS_KEY = settings.CREDENTIALS_KEY.split(",")[0]  # the old key dropped
    assert credentials.decrypt(TrackerConnection.objects.get(team=team).secret) == vendor.token
    settings.CREDENTIALS_KEY = old
    with pytest.raises(credentials.CredentialsUnavailable, match="Connect the tracker again"):
        credentials.decrypt(TrackerConnection.objects.get(team=team).secret)
