"""Every URL of the project, checked for every kind of visitor.

`ROUTES` declares, per URL name, who may use it. A URL pattern without an entry
makes `test_every_url_pattern_is_declared` fail, so a new page cannot ship
without its access rules being written down and tested here.
"""

from dataclasses import dataclass

import pytest
from django.urls import URLPattern, URLResolver, get_resolver, reverse

from assessments import services
from assessments.access import CAPABILITIES, CONSULTANT, Capability
from assessments.models import Role

PUBLIC = "public"
ADMIN = "staff"


@dataclass(frozen=True)
class Check:
    method: str
    needs: str  # a Capability, PUBLIC, ADMIN, or "login" (any signed-in user)
    success: int  # status for a visitor who may use it
    signed_in: int | None = None  # a different status for signed-in visitors of a public page


ROUTES: dict[str, list[Check]] = {
    "login": [Check("get", PUBLIC, 200, signed_in=302)],  # signed-in users are sent home
    "logout": [Check("post", PUBLIC, 302)],
    "playbook:index": [Check("get", PUBLIC, 200)],
    "playbook:version": [Check("get", PUBLIC, 200)],
    "playbook:challenge": [Check("get", PUBLIC, 200)],
    "assessments:home": [Check("get", "login", 200)],
    "assessments:team": [Check("get", Capability.VIEW, 200), Check("post", Capability.MANAGE, 302)],
    "assessments:overview": [Check("get", Capability.VIEW, 200)],
    "assessments:questionnaire": [Check("get", Capability.VIEW, 200), Check("post", Capability.ANSWER, 302)],
    "assessments:submit": [Check("post", Capability.MANAGE, 302)],
    "assessments:reopen": [Check("post", Capability.MANAGE, 302)],
    "assessments:results": [Check("get", Capability.VIEW, 200)],
    "assessments:report_pdf": [Check("get", Capability.VIEW, 200)],
}
# The Django admin has its own staff-only checks; it is declared as a whole.
DECLARED_NAMESPACES = {"admin": ADMIN}
VISITORS = ["anonymous", "outsider", Role.VIEWER, Role.MEMBER, Role.LEAD, CONSULTANT]


def _url_names(resolver: URLResolver, namespace: str = ""):
    for pattern in resolver.url_patterns:
        if isinstance(pattern, URLResolver):
            inner = f"{namespace}{pattern.namespace}:" if pattern.namespace else namespace
            yield from _url_names(pattern, inner)
        elif isinstance(pattern, URLPattern):
            yield f"{namespace}{pattern.name}" if pattern.name else f"{namespace}<unnamed {pattern.pattern}>"


def test_every_url_pattern_is_declared():
    undeclared = [
        name
        for name in _url_names(get_resolver())
        if name not in ROUTES and name.split(":")[0] not in DECLARED_NAMESPACES
    ]
    assert undeclared == [], "add these URLs to ROUTES with who may use them"


def _args(name, team, assessment, playbook):
    if name.startswith("assessments:") and name not in ("assessments:home", "assessments:team"):
        args = [assessment.pk]
        return args + [playbook.challenges.first().slug] if name.endswith("questionnaire") else args
    if name == "assessments:team":
        return [team.pk]
    if name == "playbook:version":
        return [playbook.version]
    if name == "playbook:challenge":
        return [playbook.version, playbook.challenges.first().slug]
    return []


def _expected(check: Check, visitor: str) -> int | str:
    if check.needs == PUBLIC:
        return check.signed_in if check.signed_in and visitor != "anonymous" else check.success
    if visitor == "anonymous":
        return "login"
    if check.needs == "login":
        return check.success
    if visitor == "outsider":
        return 404
    return check.success if check.needs in CAPABILITIES[visitor] else 403


CASES = [(name, check, visitor) for name, checks in ROUTES.items() for check in checks for visitor in VISITORS]


@pytest.mark.django_db
@pytest.mark.parametrize(("name", "check", "visitor"), CASES, ids=[f"{n}-{c.method}-{v}" for n, c, v in CASES])
def test_who_may_use_each_url(client_for, client, name, check, visitor, team, playbook, request):
    lead = request.getfixturevalue("lead")
    assessment = services.create_assessment(team=team, user=lead, title="Probe")
    if visitor != "anonymous":
        user = request.getfixturevalue(visitor if visitor != Role.LEAD else "lead")
        client = client_for(user)
    url = reverse(name, args=_args(name, team, assessment, playbook))
    response = getattr(client, check.method)(url, {"title": "New"} if check.method == "post" else None)

    expected = _expected(check, visitor)
    if expected == "login":
        assert response.status_code == 302
        assert response.url.startswith(reverse("login"))
    else:
        assert response.status_code == expected


@pytest.mark.django_db
def test_the_admin_turns_away_anyone_who_is_not_staff(client_for, client, member):
    assert client.get(reverse("admin:index")).status_code == 302
    assert client_for(member).get(reverse("admin:index")).status_code == 302
