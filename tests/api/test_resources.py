"""The API's resources, through tokens, with the same rules as the pages."""

import pytest
from django.urls import reverse

from assessments import services
from assessments.models import Action, Assessment, Status
from assessments.results import scoped_practices
from tests.factories import submitted_assessment

pytestmark = pytest.mark.django_db


def error_of(response) -> dict:
    body = response.json()
    assert set(body) >= {"error"} and set(body["error"]) == {"code", "message", "details"}, body
    return body["error"]


def test_lists_hold_only_what_the_user_can_see_and_filter(client, team, lead, outsider, bearer):
    mine = submitted_assessment(team, lead, title="Mine")
    draft = services.create_assessment(team=team, user=lead, title="Draft")
    theirs = services.create_assessment(team=outsider.memberships.get().team, user=outsider, title="Theirs")
    headers = bearer(lead)
    teams = client.get(reverse("api:teams"), **headers).json()["results"]
    assert [(t["id"], t["role"]) for t in teams] == [(team.pk, "lead")]
    listed = client.get(reverse("api:assessments"), **headers).json()
    assert {a["id"] for a in listed["results"]} == {mine.pk, draft.pk}
    submitted = client.get(reverse("api:assessments"), {"status": "submitted", "team": team.pk}, **headers).json()
    assert [a["id"] for a in submitted["results"]] == [mine.pk]
    assert error_of(client.get(reverse("api:assessment", args=[theirs.pk]), **headers))["code"] == "not_found"
    started = str(mine.created_at.date())
    assert len(client.get(reverse("api:assessments"), {"created_after": started}, **headers).json()["results"]) == 2
    assert client.get(reverse("api:assessments"), {"created_before": started}, **headers).json()["results"] == []
    bad_date = client.get(reverse("api:assessments"), {"created_after": "last week"}, **headers)
    assert bad_date.status_code == 400 and error_of(bad_date)["details"] == {
        "created_after": ["Give a date as YYYY-MM-DD."]
    }


def test_actions_filter_by_status_and_an_unknown_status_is_no_filter(client, team, lead, bearer):
    from assessments import tracking
    from assessments.results import build_results

    assessment = submitted_assessment(team, lead, level_for=lambda practice: 0)
    first, second = build_results(assessment).plan[:2]
    tracking.track_action(assessment=assessment, item=first, user=lead)
    done = tracking.track_action(assessment=assessment, item=second, user=lead)
    Action.objects.filter(pk=done.pk).update(status="done")
    url, headers = reverse("api:actions"), bearer(lead)

    assert [a["id"] for a in client.get(url, {"status": "done"}, **headers).json()["results"]] == [done.pk]
    # A NUL byte once reached the database, which refuses it in a string (found by the schema contract test).
    unknown = client.get(url, {"status": "\x00"}, **headers)
    assert unknown.status_code == 200 and len(unknown.json()["results"]) == 2


def test_a_lead_creates_an_assessment_and_a_member_may_not(client, team, lead, member, bearer):
    created = client.post(
        reverse("api:assessments"), {"team": team.pk, "title": "From CI", "subject": "Scoring"}, **bearer(lead)
    )
    assert created.status_code == 201 and Assessment.objects.get(pk=created.json()["id"]).title == "From CI"
    refused = client.post(reverse("api:assessments"), {"team": team.pk, "title": "No"}, **bearer(member))
    assert refused.status_code == 403 and error_of(refused)["code"] == "permission_denied"
    invalid = client.post(reverse("api:assessments"), {"team": team.pk}, **bearer(lead))
    assert invalid.status_code == 400 and "title" in error_of(invalid)["details"]


def test_a_stale_answer_gets_409_with_the_current_answer_and_overwrites_nothing(client, team, lead, member, bearer):
    assessment = services.create_assessment(team=team, user=lead, title="Draft")
    practice = assessment.playbook.challenges.first().practices.order_by("order").first()
    url = reverse("api:answer", args=[assessment.pk, practice.slug])
    first = client.put(url, {"level": 2, "notes": "ours"}, content_type="application/json", **bearer(member))
    assert first.status_code == 200 and first.json()["revision"] == 1
    client.put(url, {"level": 3, "revision": 1}, content_type="application/json", **bearer(lead))
    stale = client.put(url, {"level": 1, "revision": 1}, content_type="application/json", **bearer(member))
    assert stale.status_code == 409
    assert stale.json()["error"]["code"] == "conflict" and stale.json()["current"]["level"] == 3
    answers = client.get(reverse("api:answers", args=[assessment.pk]), **bearer(member)).json()
    assert [(a["practice"], a["level"], a["revision"]) for a in answers] == [(practice.slug, 3, 2)]


def test_submitting_too_early_says_what_is_missing_and_submitting_then_reopening_works(client, team, lead, bearer):
    draft = services.create_assessment(team=team, user=lead, title="Draft")
    early = client.post(reverse("api:submit", args=[draft.pk]), **bearer(lead))
    assert early.status_code == 409 and error_of(early)["details"]["challenges_without_level"]
    done = submitted_assessment(team, lead)
    reopened = client.post(reverse("api:reopen", args=[done.pk]), **bearer(lead))
    assert reopened.status_code == 200 and reopened.json()["status"] == Status.DRAFT
    again = client.post(reverse("api:submit", args=[done.pk]), **bearer(lead))
    assert again.status_code == 200 and again.json()["status"] == Status.SUBMITTED


def test_results_carry_levels_flags_and_the_plan_with_guidance_links(client, team, lead, viewer, bearer, settings):
    settings.SITE_URL = "https://assess.example.com"
    assessment = submitted_assessment(team, lead)
    results = client.get(reverse("api:results", args=[assessment.pk]), **bearer(viewer)).json()
    assert results["overall"]["level"] is not None and len(results["challenges"]) >= 5
    assert results["plan"] and results["plan"][0]["guidance_url"].startswith("https://assess.example.com/playbook/")


def test_actions_are_tracked_from_the_plan_and_updated_by_their_owner_or_a_lead(
    client, team, lead, member, viewer, bearer
):
    assessment = submitted_assessment(team, lead, level_for=lambda practice: 1)
    practice = client.get(reverse("api:results", args=[assessment.pk]), **bearer(lead)).json()["plan"][0]["practice"]
    created = client.post(reverse("api:track_action", args=[assessment.pk]), {"practice": practice}, **bearer(lead))
    assert created.status_code == 201
    action = Action.objects.get(pk=created.json()["id"])
    url = reverse("api:action", args=[action.pk])
    denied = client.patch(url, {"status": "doing"}, content_type="application/json", **bearer(viewer))
    assert denied.status_code == 403
    done = client.patch(url, {"status": "done"}, content_type="application/json", **bearer(lead))
    assert done.status_code == 200 and done.json()["status"] == "done"
    listed = client.get(reverse("api:actions"), {"team": team.pk, "status": "done"}, **bearer(member)).json()
    assert [a["id"] for a in listed["results"]] == [action.pk]


def test_the_playbook_is_readable_with_levels_and_guidance_links(client, playbook):
    versions = client.get(reverse("api:playbook_versions")).json()
    assert playbook.version in [v["version"] for v in versions]
    detail = client.get(reverse("api:playbook_version", args=[playbook.version])).json()
    practice = detail["challenges"][0]["practices"][0]
    assert [level["level"] for level in practice["levels"]] == [0, 1, 2, 3, 4]
    assert f"/playbook/{playbook.version}/" in practice["guidance_url"]


def test_the_schema_and_its_browsable_docs_are_served_without_a_cdn(client, lead, bearer):
    schema = client.get(reverse("api:schema"), {"format": "json"}, **bearer(lead))
    assert schema.status_code == 200
    paths = schema.json()["paths"]
    assert "/api/v1/assessments/{id}/answers/{practice}/" in paths
    client.force_login(lead)
    docs = client.get(reverse("api:docs")).text
    assert "swagger-ui" in docs and "cdn" not in docs.lower() and "unpkg" not in docs


def test_the_schema_builds_without_a_warning_and_validates_as_openapi(tmp_path):
    from django.core.management import call_command

    call_command("spectacular", "--validate", "--fail-on-warn", "--file", str(tmp_path / "schema.yaml"))
    assert "data-foundations" in (tmp_path / "schema.yaml").read_text()  # the modules enum, from the playbook


def test_not_applicable_answers_follow_the_questionnaires_rules(client, team, lead, bearer):
    assessment = services.create_assessment(team=team, user=lead, title="Draft")
    practices = [p for p in scoped_practices(assessment) if p.allows_not_applicable]
    critical = next(p for p in practices if p.is_critical)
    ordinary = next(p for p in practices if not p.is_critical)

    def put(practice, body):
        url = reverse("api:answer", args=[assessment.pk, practice.slug])
        return client.put(url, body, content_type="application/json", **bearer(lead))

    general = put(critical, {"not_applicable_reason": "other", "not_applicable_detail": "Batch only"})
    assert general.status_code == 400 and "not_applicable_reason" in error_of(general)["details"]
    undescribed = put(ordinary, {"not_applicable_reason": "other"})
    assert error_of(undescribed)["details"] == {"not_applicable_detail": ["Describe the other reason."]}
    assert put(ordinary, {"not_applicable_reason": "other", "not_applicable_detail": "No users"}).status_code == 200
