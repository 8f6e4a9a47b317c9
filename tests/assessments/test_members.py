"""Leads manage members and invitations; invitations expire and work once."""

import re
from datetime import timedelta

import pytest
from django.contrib.auth import get_user_model
from django.core import mail
from django.urls import reverse
from django.utils import timezone

from assessments import membership, sharing
from assessments.models import Invitation, Membership, Role
from tests.factories import MembershipFactory, TeamFactory, submitted_assessment

pytestmark = pytest.mark.django_db


def test_a_lead_adds_someone_from_another_team_of_the_organisation_with_a_role(client_for, team, lead):
    newcomer = MembershipFactory(team=TeamFactory(organisation=team.organisation)).user
    response = client_for(lead).post(
        reverse("assessments:members", args=[team.pk]), {"add": "", "username": newcomer.username, "role": Role.VIEWER}
    )
    assert response.status_code == 302
    assert Membership.objects.get(team=team, user=newcomer).role == Role.VIEWER


def test_an_unknown_username_and_one_outside_the_organisation_get_the_same_answer(client_for, team, lead, outsider):
    """Adding looks only within the organisation, and the message does not reveal who exists elsewhere."""
    client = client_for(lead)
    answers = []
    for username in ("nobody-here", outsider.username):
        response = client.post(
            reverse("assessments:members", args=[team.pk]), {"add": "", "username": username, "role": Role.MEMBER}
        )
        assert f'value="{username}"' in response.text
        answers.append(re.findall(r'class="invalid-feedback"[^>]*>(.*?)</', response.text, re.S))
    assert f"Nobody in {team.organisation.name} has that username. Invite them by email instead" in answers[0][0]
    assert answers[0] == answers[1]
    assert not Membership.objects.filter(team=team, user=outsider).exists()


def test_a_consultant_cannot_add_themselves_to_a_team(client_for, team, consultant):
    MembershipFactory(team=TeamFactory(organisation=team.organisation), user=consultant)
    response = client_for(consultant).post(
        reverse("assessments:members", args=[team.pk]), {"add": "", "username": consultant.username, "role": Role.LEAD}
    )
    assert "You cannot add yourself to a team" in response.text
    assert not Membership.objects.filter(team=team, user=consultant).exists()


def test_an_invitation_emails_a_link_that_lets_a_new_person_sign_up_and_join(client, client_for, team, lead):
    client_for(lead).post(
        reverse("assessments:members", args=[team.pk]), {"invite": "", "email": "new@example.com", "role": Role.MEMBER}
    )
    [email] = mail.outbox
    assert email.to == ["new@example.com"]
    invitation = Invitation.objects.get(team=team)
    link = reverse("assessments:accept_invitation", args=[invitation.token])
    assert link in email.body

    client.logout()
    page = client.get(link)
    assert f"Join <bdi>{team.name}</bdi>" in page.text
    response = client.post(
        link, {"username": "newbie", "password1": "a sturdy passphrase 42", "password2": "a sturdy passphrase 42"}
    )
    assert response.url == team.get_absolute_url()
    assert Membership.objects.get(team=team, user__username="newbie").role == Role.MEMBER
    assert client.get(team.get_absolute_url()).status_code == 200


def test_a_weak_password_is_refused_and_nothing_is_created(client, team, lead):
    invitation = membership.invite(team=team, email="x@example.com", role=Role.MEMBER, invited_by=lead)
    link = reverse("assessments:accept_invitation", args=[invitation.token])
    response = client.post(link, {"username": "weak", "password1": "12345678", "password2": "12345678"})
    assert response.status_code == 200
    assert "This password is too short" in response.text
    assert 'value="weak"' in response.text
    assert not Membership.objects.filter(user__username="weak").exists()


def test_an_expired_invitation_says_so_and_cannot_be_used(client_for, team, lead, outsider):
    invitation = membership.invite(team=team, email="late@example.com", role=Role.MEMBER, invited_by=lead)
    Invitation.objects.filter(pk=invitation.pk).update(expires_at=timezone.now() - timedelta(minutes=1))
    client = client_for(outsider)
    link = reverse("assessments:accept_invitation", args=[invitation.token])
    assert "This invitation has expired" in client.get(link).text
    client.post(link)
    assert not Membership.objects.filter(team=team, user=outsider).exists()


def test_signing_up_through_an_expired_invitation_creates_no_account(client, team, lead):
    invitation = membership.invite(team=team, email="late@example.com", role=Role.MEMBER, invited_by=lead)
    Invitation.objects.filter(pk=invitation.pk).update(expires_at=timezone.now() - timedelta(minutes=1))
    password = "a-long-enough-passphrase"
    response = client.post(
        reverse("assessments:accept_invitation", args=[invitation.token]),
        {"username": "latecomer", "password1": password, "password2": password},
    )
    assert response.status_code == 302
    assert not get_user_model().objects.filter(username="latecomer").exists()


def test_an_invitation_works_only_once(client_for, team, lead, outsider):
    invitation = membership.invite(team=team, email=outsider.email, role=Role.VIEWER, invited_by=lead)
    link = reverse("assessments:accept_invitation", args=[invitation.token])
    client = client_for(outsider)
    client.post(link)
    assert Membership.objects.get(team=team, user=outsider).role == Role.VIEWER
    assert client.get(link).status_code == 404


def test_a_lead_removes_a_member_but_not_themselves(client_for, team, lead, member):
    client = client_for(lead)
    member_row = Membership.objects.get(team=team, user=member)
    lead_row = Membership.objects.get(team=team, user=lead)
    client.post(reverse("assessments:remove_member", args=[team.pk, member_row.pk]))
    client.post(reverse("assessments:remove_member", args=[team.pk, lead_row.pk]))
    assert list(Membership.objects.filter(team=team).values_list("user", flat=True)) == [lead.pk]


def test_adding_someone_already_in_the_team_says_their_role_changed(client_for, team, lead, member):
    client = client_for(lead)
    response = client.post(
        reverse("assessments:members", args=[team.pk]),
        {"add": "", "username": member.username, "role": Role.LEAD},
        follow=True,
    )
    assert f"{member.username} was a Member and is now a Team lead in {team.name}." in response.text
    assert Membership.objects.get(team=team, user=member).role == Role.LEAD


def test_adding_someone_with_the_role_they_have_says_nothing_changed(client_for, team, lead, viewer):
    response = client_for(lead).post(
        reverse("assessments:members", args=[team.pk]),
        {"add": "", "username": viewer.username, "role": Role.VIEWER},
        follow=True,
    )
    assert f"{viewer.username} was already a Viewer in {team.name}; nothing changed." in response.text


def test_the_only_lead_cannot_be_demoted_and_the_form_keeps_what_was_typed(client_for, team, lead):
    response = client_for(lead).post(
        reverse("assessments:members", args=[team.pk]), {"add": "", "username": lead.username, "role": Role.VIEWER}
    )
    assert response.status_code == 200
    assert f"{lead.username} is the only team lead; make someone else a lead first." in response.text
    assert f'value="{lead.username}"' in response.text
    assert Membership.objects.get(team=team, user=lead).role == Role.LEAD


def test_a_lead_may_step_down_once_there_is_another_lead(team, lead, member):
    membership.add_member(team=team, user=member, role=Role.LEAD, by=lead)
    added = membership.add_member(team=team, user=lead, role=Role.MEMBER, by=member)
    assert (added.previous_role, added.membership.role) == (Role.LEAD, Role.MEMBER)


def test_the_only_lead_cannot_be_removed_by_a_consultant(client_for, team, lead, consultant):
    row = Membership.objects.get(team=team, user=lead)
    response = client_for(consultant).post(reverse("assessments:remove_member", args=[team.pk, row.pk]), follow=True)
    assert f"{lead.username} is the only team lead" in response.text
    assert Membership.objects.filter(pk=row.pk).exists()


def test_the_member_and_invitation_forms_give_their_role_fields_distinct_ids(client_for, team, lead):
    page = client_for(lead).get(reverse("assessments:members", args=[team.pk])).text
    assert 'id="member-role"' in page and 'id="invite-role"' in page


def test_inviting_a_pending_address_again_replaces_that_invitation_with_a_new_link(client, client_for, team, lead):
    first = membership.invite(team=team, email="twice@example.com", role=Role.MEMBER, invited_by=lead)
    Invitation.objects.filter(pk=first.pk).update(expires_at=timezone.now() + timedelta(days=1))
    response = client_for(lead).post(
        reverse("assessments:members", args=[team.pk]),
        {"invite": "", "email": "Twice@example.com", "role": Role.VIEWER},
        follow=True,
    )
    [invitation] = Invitation.objects.filter(team=team)
    assert invitation.token != first.token  # the link in the first email (for another role) stops working
    assert client.get(reverse("assessments:accept_invitation", args=[first.token])).status_code == 404
    assert invitation.role == Role.VIEWER
    assert invitation.expires_at > timezone.now() + timedelta(days=6)
    assert "Invitation sent again to Twice@example.com with a new link" in response.text
    assert "the link in the earlier email no longer works" in response.text
    assert len(mail.outbox) == 1


def test_accepting_an_invitation_closes_the_others_to_that_address(client_for, team, lead, outsider):
    older = membership.invite(team=team, email=outsider.email, role=Role.MEMBER, invited_by=lead)
    newer = Invitation.objects.create(
        team=team, email=outsider.email.upper(), role=Role.VIEWER, token="another-token", expires_at=older.expires_at
    )
    client_for(outsider).post(reverse("assessments:accept_invitation", args=[newer.token]))
    assert list(Invitation.objects.filter(team=team, accepted_at__isnull=True)) == []
    assert client_for(outsider).get(reverse("assessments:accept_invitation", args=[older.token])).status_code == 404


def test_inviting_the_address_of_a_current_member_says_so_and_keeps_the_input(client_for, team, lead, member):
    member.email = "member@example.com"
    member.save()
    response = client_for(lead).post(
        reverse("assessments:members", args=[team.pk]), {"invite": "", "email": "Member@example.com", "role": "viewer"}
    )
    assert response.status_code == 200
    assert f"Member@example.com belongs to {member.username}, who is already in {team.name}." in response.text
    assert 'value="Member@example.com"' in response.text
    assert not Invitation.objects.exists() and not mail.outbox


def test_a_lead_withdraws_a_pending_invitation_and_its_link_stops_working(client_for, client, team, lead):
    invitation = membership.invite(team=team, email="gone@example.com", role=Role.MEMBER, invited_by=lead)
    response = client_for(lead).post(reverse("assessments:revoke_invitation", args=[team.pk, invitation.pk]))
    assert response.url == reverse("assessments:members", args=[team.pk])
    assert not Invitation.objects.exists()
    client.logout()
    assert client.get(reverse("assessments:accept_invitation", args=[invitation.token])).status_code == 404


def test_another_teams_lead_cannot_withdraw_an_invitation(client_for, team, lead):
    invitation = membership.invite(team=team, email="mine@example.com", role=Role.MEMBER, invited_by=lead)
    other = MembershipFactory(role=Role.LEAD)
    response = client_for(other.user).post(
        reverse("assessments:revoke_invitation", args=[other.team.pk, invitation.pk])
    )
    assert response.status_code == 404
    assert Invitation.objects.filter(pk=invitation.pk).exists()


def test_an_invitation_is_for_its_address_only(client_for, team, lead, outsider):
    """A signed-in account with another address cannot use the link, and nobody joins through it."""
    invitation = membership.invite(team=team, email="someone-else@example.com", role=Role.LEAD, invited_by=lead)
    client = client_for(outsider)
    response = client.post(reverse("assessments:accept_invitation", args=[invitation.token]), follow=True)
    assert "This invitation was sent to another email address than your account" in response.text
    assert not Membership.objects.filter(team=team, user=outsider).exists()
    assert Invitation.objects.get(pk=invitation.pk).accepted_at is None


def test_an_address_that_has_an_account_signs_in_instead_of_making_a_second_one(client, team, lead, outsider):
    invitation = membership.invite(team=team, email=outsider.email, role=Role.MEMBER, invited_by=lead)
    link = reverse("assessments:accept_invitation", args=[invitation.token])
    password = "a-long-enough-passphrase"
    response = client.post(link, {"username": "second-me", "password1": password, "password2": password})
    assert response.url.startswith(reverse("account_login")) and "next=" in response.url
    assert not get_user_model().objects.filter(username="second-me").exists()


def test_removing_a_member_asks_first_and_can_revoke_the_teams_share_links(client_for, team, lead, member):
    submitted = submitted_assessment(team, lead)
    link = sharing.create_share_link(assessment=submitted, label="Board", days=7, user=lead)
    row = Membership.objects.get(team=team, user=member)
    client = client_for(lead)
    page = client.get(reverse("assessments:remove_member", args=[team.pk, row.pk])).text
    assert "can no longer vote in its open workshops" in page
    assert "keeps working until it expires" in page and "Board" in page
    response = client.post(
        reverse("assessments:remove_member", args=[team.pk, row.pk]), {"revoke_share_links": "on"}, follow=True
    )
    assert f"Removed {member.username} from {team.name} and revoked 1 share link." in response.text
    link.refresh_from_db()
    assert link.revoked_at is not None and not Membership.objects.filter(pk=row.pk).exists()


def test_removing_a_member_without_revoking_leaves_the_links_working(client_for, team, lead, member):
    submitted = submitted_assessment(team, lead)
    link = sharing.create_share_link(assessment=submitted, label="Board", days=7, user=lead)
    row = Membership.objects.get(team=team, user=member)
    client_for(lead).post(reverse("assessments:remove_member", args=[team.pk, row.pk]))
    link.refresh_from_db()
    assert link.is_active
