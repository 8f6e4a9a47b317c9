"""Setting up an estate in the app: the first run, organisations, teams (tags, archive), and roles across an
organisation, with what an organisation admin and an organisation viewer may then see and do."""

import pytest
from django.core import mail
from django.urls import reverse

from assessments import services
from assessments.models import Invitation, Organisation, OrganisationMembership, OrganisationRole, Role, Team
from audit.models import EventKind, SecurityEvent
from identity.services import activate_totp
from identity.totp import DEMO_TOTP_SECRET
from tests.factories import MembershipFactory, OrganisationFactory, TeamFactory, UserFactory, submitted_assessment

pytestmark = pytest.mark.django_db


def _messages(response) -> str:
    return " ".join(str(m) for m in response.context["messages"])


def test_an_empty_installation_walks_its_operator_through_the_first_organisation(client, db):
    Organisation.objects.all().delete()
    operator = UserFactory(is_superuser=True, is_staff=True)
    activate_totp(user=operator, secret=DEMO_TOTP_SECRET)  # staff need a second factor before any page
    client.force_login(operator)
    assert client.get(reverse("assessments:home")).url == reverse("assessments:first_run")

    response = client.post(reverse("assessments:first_run"), {"organisation": "Globex", "team": "", "lead_email": "x"})
    page = response.content.decode()
    assert response.status_code == 400 and 'value="Globex"' in page and 'value="x"' in page
    assert not Organisation.objects.exists()

    response = client.post(
        reverse("assessments:first_run"),
        {"organisation": "Globex", "team": "Churn Models", "lead_email": "lead@globex.example"},
        follow=True,
    )
    organisation = Organisation.objects.get(name="Globex")
    team = organisation.teams.get()
    assert response.redirect_chain[-1][0] == reverse("assessments:organisation_settings", args=[organisation.slug])
    assert Invitation.objects.get(team=team).role == Role.LEAD
    assert mail.outbox[0].to == ["lead@globex.example"]
    assert organisation.consultants.filter(pk=operator.pk).exists()
    # Once there is an organisation the page is done with.
    assert client.get(reverse("assessments:first_run")).url == reverse("assessments:home")
    assert client.get(reverse("assessments:home")).status_code == 200


def test_the_first_run_page_is_only_for_operators(client, member):
    Organisation.objects.exclude(teams__memberships__user=member).delete()
    client.force_login(member)
    assert client.get(reverse("assessments:first_run")).status_code == 404


def test_a_consultant_creates_an_organisation_and_consults_for_it(client, consultant, member):
    client.force_login(consultant)
    response = client.post(reverse("assessments:new_organisation"), {"name": "Initech", "benchmark_opt_in": "on"})
    organisation = Organisation.objects.get(name="Initech")
    assert response.url == reverse("assessments:organisation_settings", args=[organisation.slug])
    assert organisation.benchmark_opt_in and organisation.consultants.filter(pk=consultant.pk).exists()
    assert SecurityEvent.objects.filter(kind=EventKind.ORGANISATION_CREATED, organisation_id=organisation.pk).exists()
    client.force_login(member)
    assert client.post(reverse("assessments:new_organisation"), {"name": "Mine"}).status_code == 403


def test_an_organisation_admin_adds_a_tagged_team_and_invites_its_lead(client, org_admin, team):
    client.force_login(org_admin)
    url = reverse("assessments:organisation_settings", args=[team.organisation.slug])
    data = {"name": "Payments ML", "business_unit": "Retail", "tags": "EU, payments, eu", "lead_email": "p@x.example"}
    response = client.post(url, {"add-team": "", **data})
    assert response.status_code == 302
    created = Team.objects.get(name="Payments ML")
    assert (created.business_unit, created.tags) == ("Retail", ["eu", "payments"])
    assert Invitation.objects.get(team=created).email == "p@x.example" and len(mail.outbox) == 1
    assert SecurityEvent.objects.filter(kind=EventKind.TEAM_CREATED, team_id=created.pk).exists()
    assert "Payments ML" in client.get(url).content.decode()


def test_a_team_form_with_a_mistake_keeps_what_was_typed(client, org_admin, team):
    client.force_login(org_admin)
    response = client.post(
        reverse("assessments:organisation_settings", args=[team.organisation.slug]),
        {"add-team": "", "name": "Risk", "product_area": "Credit", "tags": "ok, not/ok"},
    )
    page = response.content.decode()
    assert response.status_code == 400
    assert "“not/ok” is not a tag" in page and 'value="Credit"' in page and 'value="ok, not/ok"' in page
    assert not Team.objects.filter(name="Risk").exists()


def test_renaming_and_retagging_a_team(client, org_admin, team):
    client.force_login(org_admin)
    response = client.post(
        reverse("assessments:edit_team", args=[team.organisation.slug, team.pk]),
        {"name": "Fraud Models", "business_unit": "Retail", "tags": "fraud"},
    )
    team.refresh_from_db()
    assert response.status_code == 302 and (team.name, team.tags) == ("Fraud Models", ["fraud"])
    assert SecurityEvent.objects.filter(kind=EventKind.TEAM_CHANGED, team_id=team.pk).exists()


def test_an_archived_team_is_read_only_and_left_out_until_restored(client, org_admin, team, lead):
    assessment = submitted_assessment(team, lead)
    client.force_login(org_admin)
    archive = reverse("assessments:archive_team", args=[team.organisation.slug, team.pk])
    client.post(archive)
    team.refresh_from_db()
    assert team.archived_at is not None

    client.force_login(lead)
    assert f"/teams/{team.pk}/" not in client.get(reverse("assessments:home")).content.decode()
    page = client.get(reverse("assessments:team", args=[team.pk])).content.decode()
    assert "Archived on" in page
    assert client.get(reverse("assessments:results", args=[assessment.pk])).status_code == 200
    assert client.post(reverse("assessments:start_assessment", args=[team.pk]), {"title": "x"}).status_code == 403
    assert client.post(reverse("assessments:reopen", args=[assessment.pk])).status_code == 403

    client.force_login(org_admin)
    client.post(archive, {"restore": ""})
    team.refresh_from_db()
    assert team.archived_at is None
    kinds = set(SecurityEvent.objects.filter(team_id=team.pk).values_list("kind", flat=True))
    assert {EventKind.TEAM_ARCHIVED, EventKind.TEAM_RESTORED} <= kinds


def test_roles_go_to_people_of_the_organisation_only(client, org_admin, team, member):
    stranger = UserFactory()
    client.force_login(org_admin)
    url = reverse("assessments:organisation_settings", args=[team.organisation.slug])
    for username in (stranger.username, "nobody-at-all"):
        response = client.post(url, {"add-role": "", "username": username, "role": "viewer"})
        assert response.status_code == 400
        assert "Nobody with that username is in this organisation" in response.content.decode()
    response = client.post(url, {"add-role": "", "username": org_admin.username, "role": "viewer"})
    assert "cannot change your own role" in response.content.decode()

    assert client.post(url, {"add-role": "", "username": member.username, "role": "viewer"}).status_code == 302
    held = OrganisationMembership.objects.get(user=member)
    assert held.role == OrganisationRole.VIEWER
    client.post(reverse("assessments:remove_organisation_role", args=[team.organisation.slug, held.pk]))
    assert not OrganisationMembership.objects.filter(user=member).exists()
    kinds = set(SecurityEvent.objects.filter(organisation_id=team.organisation_id).values_list("kind", flat=True))
    assert {EventKind.ORGANISATION_ROLE_GRANTED, EventKind.ORGANISATION_ROLE_REVOKED} <= kinds


def test_an_organisation_viewer_reads_every_team_but_not_the_notes(client, org_viewer, team, lead):
    other_team = TeamFactory(organisation=team.organisation)
    other_lead = MembershipFactory(team=other_team, role=Role.LEAD).user
    secret_note = "Runbook lives on the internal wiki"
    assessment = submitted_assessment(other_team, other_lead, notes_for=lambda practice: secret_note)
    client.force_login(org_viewer)

    home = client.get(reverse("assessments:home")).content.decode()
    assert f"/teams/{team.pk}/" in home and f"/teams/{other_team.pk}/" in home
    results = client.get(reverse("assessments:results", args=[assessment.pk]))
    assert results.status_code == 200 and secret_note not in results.content.decode()
    for name in ("assessments:export_json", "assessments:export_csv", "assessments:export_document"):
        assert client.get(reverse(name, args=[assessment.pk])).status_code == 403, name
    challenge = assessment.playbook.challenges.first().slug
    assert client.get(reverse("assessments:questionnaire", args=[assessment.pk, challenge])).status_code == 403
    assert client.post(reverse("assessments:start_assessment", args=[team.pk]), {"title": "x"}).status_code == 403
    assert client.get(reverse("assessments:organisation", args=[team.organisation.slug])).status_code == 200
    assert client.get(reverse("assessments:organisation_settings", args=[team.organisation.slug])).status_code == 403

    Organisation.objects.filter(pk=team.organisation_id).update(viewers_see_notes=True)
    assert secret_note in client.get(reverse("assessments:results", args=[assessment.pk])).content.decode()
    assert client.get(reverse("assessments:questionnaire", args=[assessment.pk, challenge])).status_code == 200


def test_an_organisation_admin_runs_every_team_of_their_organisation_only(client, org_admin, team, lead):
    elsewhere = TeamFactory(organisation=OrganisationFactory())
    client.force_login(org_admin)
    response = client.post(reverse("assessments:start_assessment", args=[team.pk]), {"title": "Q1", "subject": "x"})
    assert response.status_code == 302
    assert client.get(reverse("assessments:team", args=[elsewhere.pk])).status_code == 404
    other = elsewhere.organisation.slug
    assert client.get(reverse("assessments:organisation_settings", args=[other])).status_code == 404
    assert client.get(reverse("assessments:members", args=[team.pk])).status_code == 200


def test_a_role_on_the_team_itself_decides_on_that_team(client, team, member):
    OrganisationMembership.objects.create(organisation=team.organisation, user=member, role=OrganisationRole.ADMIN)
    client.force_login(member)
    # A member of this team answers here as a member, though they run the organisation's other teams.
    assert client.post(reverse("assessments:start_assessment", args=[team.pk]), {"title": "x"}).status_code == 403
    other = TeamFactory(organisation=team.organisation)
    assert client.get(reverse("assessments:start_assessment", args=[other.pk])).status_code == 200


def test_lookups_by_assessment_use_organisation_roles_too(client, org_viewer, team, lead):
    assessment = services.create_assessment(team=team, user=lead, title="Draft")
    client.force_login(org_viewer)
    assert client.get(reverse("assessments:overview", args=[assessment.pk])).status_code == 200
    assert client.post(reverse("assessments:submit", args=[assessment.pk])).status_code == 403
