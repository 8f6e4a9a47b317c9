"""Leads manage members and invitations; invitations expire and work once."""

from datetime import timedelta

import pytest
from django.core import mail
from django.urls import reverse
from django.utils import timezone

from assessments import services
from assessments.models import Invitation, Membership, Role
from tests.factories import UserFactory

pytestmark = pytest.mark.django_db


def test_a_lead_adds_an_existing_user_with_a_role(client_for, team, lead):
    newcomer = UserFactory()
    response = client_for(lead).post(
        reverse("assessments:members", args=[team.pk]), {"add": "", "username": newcomer.username, "role": Role.VIEWER}
    )
    assert response.status_code == 302
    assert Membership.objects.get(team=team, user=newcomer).role == Role.VIEWER


def test_an_unknown_username_is_refused_with_a_hint_and_the_input_kept(client_for, team, lead):
    response = client_for(lead).post(
        reverse("assessments:members", args=[team.pk]), {"add": "", "username": "nobody-here", "role": Role.MEMBER}
    )
    assert "No user has that username; invite them by email instead." in response.text
    assert 'value="nobody-here"' in response.text


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
    assert f"Join {team.name}" in page.text
    response = client.post(
        link, {"username": "newbie", "password1": "a sturdy passphrase 42", "password2": "a sturdy passphrase 42"}
    )
    assert response.url == team.get_absolute_url()
    assert Membership.objects.get(team=team, user__username="newbie").role == Role.MEMBER
    assert client.get(team.get_absolute_url()).status_code == 200


def test_a_weak_password_is_refused_and_nothing_is_created(client, team, lead):
    invitation = services.invite(team=team, email="x@example.com", role=Role.MEMBER, invited_by=lead)
    link = reverse("assessments:accept_invitation", args=[invitation.token])
    response = client.post(link, {"username": "weak", "password1": "12345678", "password2": "12345678"})
    assert response.status_code == 200
    assert "This password is too short" in response.text
    assert 'value="weak"' in response.text
    assert not Membership.objects.filter(user__username="weak").exists()


def test_an_expired_invitation_says_so_and_cannot_be_used(client_for, team, lead, outsider):
    invitation = services.invite(team=team, email="late@example.com", role=Role.MEMBER, invited_by=lead)
    Invitation.objects.filter(pk=invitation.pk).update(expires_at=timezone.now() - timedelta(minutes=1))
    client = client_for(outsider)
    link = reverse("assessments:accept_invitation", args=[invitation.token])
    assert "This invitation has expired" in client.get(link).text
    client.post(link)
    assert not Membership.objects.filter(team=team, user=outsider).exists()


def test_an_invitation_works_only_once(client_for, team, lead, outsider):
    invitation = services.invite(team=team, email="once@example.com", role=Role.VIEWER, invited_by=lead)
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
