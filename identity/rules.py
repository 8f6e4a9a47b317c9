"""Who may sign in with the company's identity provider, and which teams they join: plain functions, no database.

- An email domain is allowed when OIDC_ALLOWED_EMAIL_DOMAINS is empty (the provider decides alone) or lists it.
- A person matches a rule by the domain of their email or by a group in their groups claim. They join each
  matched team with the rule's role; where several rules name one team, the strongest role wins. Sign-in
  never lowers a role someone already holds, and never removes anyone from a team.
"""

from collections.abc import Iterable, Sequence
from dataclasses import dataclass

ROLE_STRENGTH = {"viewer": 0, "member": 1, "lead": 2}


def email_domain(email: str) -> str:
    return email.rpartition("@")[2].strip().lower() if "@" in email else ""


def is_allowed_domain(email: str, allowed: Sequence[str]) -> bool:
    domain = email_domain(email)
    return bool(domain) and (not allowed or domain in allowed)


def groups_from_claims(claims: dict, claim: str) -> set[str]:
    """The groups claim as a set of names; providers send a list, some a single string."""
    value = claims.get(claim)
    if isinstance(value, str):
        return {value}
    if isinstance(value, list):
        return {str(group) for group in value}
    return set()


@dataclass(frozen=True)
class Rule:
    team_id: int
    email_domain: str
    group: str
    role: str


def roles_to_grant(rules: Iterable[Rule], *, email: str, groups: set[str], held: dict[int, str]) -> dict[int, str]:
    """Team id -> role to set, for the teams where the rules give more than the person holds today."""
    domain = email_domain(email)
    best: dict[int, str] = {}
    for rule in rules:
        matches = (rule.email_domain and rule.email_domain == domain) or (rule.group and rule.group in groups)
        if matches and (rule.team_id not in best or ROLE_STRENGTH[rule.role] > ROLE_STRENGTH[best[rule.team_id]]):
            best[rule.team_id] = rule.role
    return {
        team: role for team, role in best.items() if team not in held or ROLE_STRENGTH[role] > ROLE_STRENGTH[held[team]]
    }
