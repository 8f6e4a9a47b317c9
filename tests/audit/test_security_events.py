"""The security event log: what is recorded, who reads it, and that nobody rewrites it."""

import csv
import io

import pytest
from django.db import DatabaseError, connection, transaction
from django.urls import reverse

from assessments import membership, services, sharing
from assessments.models import Membership, Role
from audit.models import AppendOnly, EventKind, SecurityEvent
from tests.factories import PASSWORD, MembershipFactory, TeamFactory, UserFactory, submitted_assessment

pytestmark = pytest.mark.django_db


def kinds(team) -> list[str]:
    return list(SecurityEvent.objects.filter(team_id=team.pk).order_by("at", "pk").values_list("kind", flat=True))


def test_sign_ins_and_failures_are_recorded_with_the_address_and_shown_to_the_person(client, lead):
    client.post(reverse("account_login"), {"login": lead.username, "password": "wrong"}, REMOTE_ADDR="203.0.113.9")
    client.post(reverse("account_login"), {"login": lead.username, "password": PASSWORD}, REMOTE_ADDR="203.0.113.7")
    failed = SecurityEvent.objects.get(kind=EventKind.SIGN_IN_FAILED)
    signed_in = SecurityEvent.objects.get(kind=EventKind.SIGNED_IN)
    assert (failed.actor_id, failed.actor_name, failed.address) == (None, lead.username, "203.0.113.9")
    assert (signed_in.actor_id, signed_in.address) == (lead.pk, "203.0.113.7")
    assert signed_in.request_id
    page = client.get(reverse("identity:account")).text
    assert "failed attempt</strong> from 203.0.113.9" in page and "signed in from 203.0.113.7" in page


def test_membership_changes_invitations_and_links_are_recorded_in_the_teams_log(client, team, lead, member):
    colleague = MembershipFactory(team=TeamFactory(organisation=team.organisation)).user
    membership.add_member(team=team, user=colleague, role=Role.VIEWER, by=lead)
    membership.add_member(team=team, user=colleague, role=Role.MEMBER, by=lead)
    membership.remove_member(membership=Membership.objects.get(team=team, user=colleague), by=lead)
    invitation = membership.invite(team=team, email="new@example.com", role=Role.MEMBER, invited_by=lead)
    membership.revoke_invitation(invitation=invitation, by=lead)
    invitation = membership.invite(team=team, email="new@example.com", role=Role.MEMBER, invited_by=lead)
    membership.accept_invitation(token=invitation.token, new_account=membership.NewAccount("newbie", "a-passphrase-9"))
    submitted = submitted_assessment(team, lead)
    link = sharing.create_share_link(assessment=submitted, label="Board", days=7, user=lead)
    client.get(reverse("assessments:shared_results", args=[sharing.share_token(link)]))
    sharing.revoke_share_link(link=link, by=lead)
    services.reopen_assessment(assessment=submitted, user=lead)
    assert kinds(team) == [
        EventKind.MEMBER_ADDED,
        EventKind.ROLE_CHANGED,
        EventKind.MEMBER_REMOVED,
        EventKind.INVITATION_SENT,
        EventKind.INVITATION_REVOKED,
        EventKind.INVITATION_SENT,
        EventKind.INVITATION_ACCEPTED,
        EventKind.SHARE_LINK_CREATED,
        EventKind.SHARE_LINK_USED,
        EventKind.SHARE_LINK_REVOKED,
        EventKind.ASSESSMENT_REOPENED,
    ]
    changed = SecurityEvent.objects.get(kind=EventKind.ROLE_CHANGED)
    assert (
        changed.summary == f"{lead.username} changed {colleague.username}'s role in {team.name} from viewer to member"
    )
    assert changed.organisation_id == team.organisation_id and changed.actor_id == lead.pk


def test_downloads_are_recorded(client_for, team, lead, viewer):
    submitted = submitted_assessment(team, lead)
    client = client_for(viewer)
    client.get(reverse("assessments:export_csv", args=[submitted.pk]))
    client.get(reverse("assessments:export_json", args=[submitted.pk]))
    client.get(reverse("assessments:report_pdf", args=[submitted.pk]))
    downloads = SecurityEvent.objects.filter(team_id=team.pk, actor_id=viewer.pk).order_by("pk")
    assert [event.kind for event in downloads] == [
        EventKind.EXPORT_DOWNLOADED,
        EventKind.EXPORT_DOWNLOADED,
        EventKind.REPORT_DOWNLOADED,
    ]
    assert "downloaded the CSV export of “Submitted review”" in downloads[0].summary


def test_leads_read_their_teams_log_and_consultants_the_organisations(client_for, team, lead, member, consultant):
    other_team = TeamFactory(organisation=team.organisation)
    other_lead = MembershipFactory(team=other_team, role=Role.LEAD).user
    membership.invite(team=team, email="a@example.com", role=Role.MEMBER, invited_by=lead)
    membership.invite(team=other_team, email="b@example.com", role=Role.MEMBER, invited_by=other_lead)

    page = client_for(lead).get(reverse("audit:team_events", args=[team.pk])).text
    assert "invited a@example.com" in page and "b@example.com" not in page
    assert client_for(member).get(reverse("audit:team_events", args=[team.pk])).status_code == 403
    assert client_for(other_lead).get(reverse("audit:team_events", args=[team.pk])).status_code == 404

    organisation_page = reverse("audit:organisation_events", args=[team.organisation.slug])
    page = client_for(consultant).get(organisation_page).text
    assert "invited a@example.com" in page and "invited b@example.com" in page
    assert client_for(lead).get(organisation_page).status_code == 404


def test_the_log_downloads_as_csv_with_formulas_defused(client_for, team, lead):
    membership.invite(team=team, email="=cmd@example.com", role=Role.MEMBER, invited_by=lead)
    SecurityEvent.objects.create(
        kind=EventKind.SIGN_IN_FAILED, actor_name="=HYPERLINK(1)", team_id=team.pk, summary="x"
    )
    response = client_for(lead).get(reverse("audit:team_events", args=[team.pk]), {"format": "csv"})
    assert response["Content-Disposition"].startswith("attachment")
    rows = list(csv.reader(io.StringIO(response.content.decode())))
    assert rows[0] == ["time", "event", "who", "summary", "address", "request_id"]
    assert rows[1][2] == "'=HYPERLINK(1)"
    assert rows[2][1] == "invitation_sent" and "=cmd@example.com" in rows[2][3]


def test_events_cannot_be_changed_or_deleted(team):
    event = SecurityEvent.objects.create(kind=EventKind.MEMBER_ADDED, summary="added", team_id=team.pk)
    event.summary = "rewritten"
    with pytest.raises(AppendOnly):
        event.save()
    with pytest.raises(AppendOnly):
        event.delete()


@pytest.mark.skipif(connection.vendor != "postgresql", reason="the database trigger is PostgreSQL's")
def test_the_database_refuses_to_rewrite_the_log(team):
    SecurityEvent.objects.create(kind=EventKind.MEMBER_ADDED, summary="added", team_id=team.pk)
    for statement in ("UPDATE audit_securityevent SET summary = 'gone'", "DELETE FROM audit_securityevent"):
        with pytest.raises(DatabaseError, match="append-only"), transaction.atomic(), connection.cursor() as cursor:
            cursor.execute(statement)
    assert SecurityEvent.objects.get().summary == "added"


def test_deleting_a_user_leaves_their_events(team, lead):
    leaver = UserFactory()
    membership.add_member(
        team=team,
        user=MembershipFactory(team=TeamFactory(organisation=team.organisation)).user,
        role=Role.MEMBER,
        by=leaver,
    )
    leaver_id = leaver.pk
    leaver.delete()
    event = SecurityEvent.objects.get(kind=EventKind.MEMBER_ADDED)
    assert (event.actor_id, event.actor_name) == (leaver_id, leaver.username)
