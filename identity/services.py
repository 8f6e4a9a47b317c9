from django.conf import settings
from django.contrib.auth.models import AbstractBaseUser
from django.db import transaction

from assessments.membership import add_member
from assessments.models import Membership, Team
from identity.models import SignInRule
from identity.rules import Rule, groups_from_claims, roles_to_grant


@transaction.atomic
def apply_sign_in_rules(*, user: AbstractBaseUser, claims: dict) -> dict[int, str]:
    """Give the person the team roles the sign-in rules grant them; returns team id -> role granted."""
    email = claims.get("email") or user.email or ""
    groups = groups_from_claims(claims, settings.OIDC_GROUPS_CLAIM)
    rules = [Rule(r.team_id, r.email_domain, r.group, r.role) for r in SignInRule.objects.all()]
    held = dict(Membership.objects.filter(user=user).values_list("team_id", "role"))
    granted = roles_to_grant(rules, email=email, groups=groups, held=held)
    teams = Team.objects.in_bulk(granted)
    for team_id, role in granted.items():
        add_member(team=teams[team_id], user=user, role=role, by=None)
    return granted


def activate_totp(*, user: AbstractBaseUser, secret: str) -> None:
    """Give a local account an authenticator (the demo's consultant, and tests): the same record allauth makes
    when someone scans the code on the second-factor page."""
    from allauth.mfa.totp.internal.auth import TOTP

    TOTP.activate(user, secret)


class RuleExists(Exception):
    """The team already has a rule for that domain or group."""


@transaction.atomic
def add_sign_in_rule(*, team, matches: str, value: str, role: str) -> SignInRule:
    fields = {"email_domain": value, "group": ""} if matches == "email_domain" else {"email_domain": "", "group": value}
    if SignInRule.objects.filter(team=team, **fields).exists():
        raise RuleExists()
    return SignInRule.objects.create(team=team, role=role, **fields)
