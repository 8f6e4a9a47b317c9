"""Sign-in rules: the pure matching, and the page an organisation's consultants keep them on."""

import pytest
from django.urls import reverse

from identity.models import SignInRule
from identity.rules import Rule, groups_from_claims, is_allowed_domain, roles_to_grant
from tests.factories import OrganisationFactory, TeamFactory


def test_a_domain_or_a_group_grants_a_role_and_the_strongest_wins():
    rules = [Rule(1, "example.com", "", "viewer"), Rule(1, "", "ml-leads", "lead"), Rule(2, "", "data", "member")]
    granted = roles_to_grant(rules, email="Alice@Example.com", groups={"ml-leads"}, held={})
    assert granted == {1: "lead"}


def test_sign_in_never_lowers_a_role_already_held():
    rules = [Rule(1, "example.com", "", "member"), Rule(2, "example.com", "", "lead")]
    assert roles_to_grant(rules, email="a@example.com", groups=set(), held={1: "lead", 2: "member"}) == {2: "lead"}


def test_allowed_domains_and_the_groups_claim_in_its_usual_shapes():
    assert is_allowed_domain("a@example.com", []) and is_allowed_domain("a@EXAMPLE.com", ["example.com"])
    assert not is_allowed_domain("a@example.com.evil.test", ["example.com"]) and not is_allowed_domain("nobody", [])
    assert groups_from_claims({"groups": ["a", "b"]}, "groups") == {"a", "b"}
    assert groups_from_claims({"roles": "a"}, "roles") == {"a"} and groups_from_claims({}, "groups") == set()


@pytest.mark.django_db
def test_a_consultant_adds_a_rule_and_a_mistake_is_shown_with_what_was_typed(client_for, consultant, team):
    client = client_for(consultant)
    url = reverse("identity:sign_in_rules", args=[team.organisation.slug])
    bad = client.post(url, {"team": team.pk, "matches": "email_domain", "value": "not a domain/", "role": "member"})
    assert bad.status_code == 200 and "Give a domain such as example.com" in bad.text
    assert 'value="not a domain/"' in bad.text and not SignInRule.objects.exists()
    client.post(url, {"team": team.pk, "matches": "email_domain", "value": "@Example.com", "role": "member"})
    assert SignInRule.objects.get().email_domain == "example.com"
    again = client.post(url, {"team": team.pk, "matches": "email_domain", "value": "example.com", "role": "lead"})
    assert "already has a rule" in again.text and SignInRule.objects.count() == 1
    rule = SignInRule.objects.get()
    client.post(reverse("identity:remove_sign_in_rule", args=[team.organisation.slug, rule.pk]))
    assert not SignInRule.objects.exists()


@pytest.mark.django_db
def test_a_team_of_another_organisation_cannot_be_named_or_its_rules_removed(client_for, consultant, team):
    elsewhere = TeamFactory(organisation=OrganisationFactory())
    client = client_for(consultant)
    url = reverse("identity:sign_in_rules", args=[team.organisation.slug])
    refused = client.post(url, {"team": elsewhere.pk, "matches": "group", "value": "x", "role": "lead"})
    assert refused.status_code == 200 and "Select a valid choice" in refused.text
    theirs = SignInRule.objects.create(team=elsewhere, group="x", role="lead")
    remove = reverse("identity:remove_sign_in_rule", args=[team.organisation.slug, theirs.pk])
    assert client.post(remove).status_code == 404 and SignInRule.objects.filter(pk=theirs.pk).exists()
