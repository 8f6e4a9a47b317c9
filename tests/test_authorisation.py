"""Every URL of the project, checked for every kind of visitor.

`ROUTES` declares, per URL name, who may use it. A URL pattern without an entry
makes `test_every_url_pattern_is_declared` fail, so a new page cannot ship
without its access rules being written down and tested here.
"""

from dataclasses import dataclass

import pytest
from django.contrib.auth import get_user_model
from django.core.cache import caches
from django.core.files.uploadedfile import SimpleUploadedFile
from django.db import connection
from django.test import override_settings
from django.urls import URLPattern, URLResolver, get_resolver, reverse

from api import services as api_services
from api.models import TokenScope
from assessments import evidence, membership, services, shared_answers, sharing, tracking
from assessments.access import CONSULTANT, ORGANISATION_ADMIN, ORGANISATION_VIEWER, Capability, TeamAccess
from assessments.models import (
    Assessment,
    Organisation,
    OrganisationMembership,
    OrganisationRole,
    Role,
    SharedAnswerSet,
)
from assessments.report_queue import request_report
from assessments.results import build_results
from audit.models import SecurityEvent
from identity.models import SignInRule
from identity.services import activate_totp
from identity.totp import DEMO_TOTP_SECRET
from integrations import services as integration_services
from integrations.models import TrackerKind
from playbook.models import PlaybookVersion
from playbook.published import load_practices
from tests.conftest import settings_for_tests
from tests.factories import MembershipFactory, TeamFactory, UserFactory, answer_every_practice
from webhooks import services as webhook_services
from webhooks.models import Delivery, EventType
from workshops import services as workshop_services

PUBLIC = "public"
ADMIN = "staff"
# Pages of a whole organisation: read by anyone with a role across it, managed by its consultants and admins.
ORGANISATION_VIEW = "organisation view"
ORGANISATION_MANAGE = "organisation manage"
# Opening a join link joins nobody: team members get a "Join as" button, viewers are told they do not vote.
TEAM_JOINS_BY_BUTTON = ((Role.VIEWER, 403), (ORGANISATION_VIEWER, 403))


@dataclass(frozen=True)
class Check:
    method: str
    needs: str  # a Capability, PUBLIC, ADMIN, or "login" (any signed-in user)
    success: int  # status for a visitor who may use it
    signed_in: int | None = None  # a different status for signed-in visitors of a public page
    overrides: tuple[tuple[str, int], ...] = ()  # (visitor, status) where a page treats someone specially


ROUTES: dict[str, list[Check]] = {
    "healthz": [Check("get", PUBLIC, 200)],
    "security_txt": [Check("get", PUBLIC, 200)],
    # Signing in and the account pages (django-allauth's views, in our templates): signed-in users are sent home
    # from the entrance pages; everything about an account needs that account signed in.
    "account_login": [Check("get", PUBLIC, 200, signed_in=302)],
    "account_logout": [Check("get", PUBLIC, 302, signed_in=200), Check("post", PUBLIC, 302)],
    "account_signup": [Check("get", PUBLIC, 200, signed_in=302)],  # says sign-up is closed: invitations only
    "account_inactive": [Check("get", PUBLIC, 200)],
    "account_reset_password": [Check("get", PUBLIC, 200), Check("post", PUBLIC, 302)],
    "account_reset_password_done": [Check("get", PUBLIC, 200)],
    "account_reset_password_from_key": [Check("get", PUBLIC, 200)],  # an invalid key says so
    "account_reset_password_from_key_done": [Check("get", PUBLIC, 200)],
    "account_email_verification_sent": [Check("get", PUBLIC, 200)],
    "account_confirm_email": [Check("get", PUBLIC, 200)],  # an unknown key says so
    "account_confirm_login_code": [Check("get", PUBLIC, 302)],  # only in the middle of a login
    "account_reauthenticate": [Check("get", "login", 200)],
    "account_request_reauthentication_code": [Check("get", "login", 302)],  # codes by email are off
    "account_confirm_reauthentication_code": [Check("get", "login", 302)],
    "account_email": [Check("get", "login", 200)],
    "account_change_password": [Check("get", "login", 200)],
    "account_set_password": [Check("get", "login", 302)],  # everyone here has a password to change instead
    "mfa_index": [Check("get", "login", 200)],
    "mfa_authenticate": [Check("get", PUBLIC, 302)],  # only in the middle of a login
    # Sessions in this matrix are not freshly signed in, so allauth first asks for the password again (302).
    "mfa_reauthenticate": [Check("get", "login", 302, overrides=((CONSULTANT, 200),))],  # a code, for those with one
    "mfa_activate_totp": [Check("get", "login", 302)],
    "mfa_deactivate_totp": [Check("get", "login", 404, overrides=((CONSULTANT, 302),))],  # 404: nothing to turn off
    "mfa_view_recovery_codes": [Check("get", "login", 404)],  # nobody here has made recovery codes yet
    "mfa_generate_recovery_codes": [Check("get", "login", 302)],
    "mfa_download_recovery_codes": [Check("get", "login", 404)],
    "socialaccount_login_cancelled": [Check("get", PUBLIC, 200)],
    "socialaccount_login_error": [Check("get", PUBLIC, 401)],
    "socialaccount_signup": [Check("get", PUBLIC, 302)],  # only in the middle of a company sign-in
    "socialaccount_connections": [Check("get", "login", 200)],
    "company_login": [Check("get", PUBLIC, 404)],  # no company provider configured in this world
    "company_callback": [Check("get", PUBLIC, 404)],
    "identity:account": [Check("get", "login", 200)],
    "identity:sign_in_rules": [Check("get", ORGANISATION_MANAGE, 200), Check("post", ORGANISATION_MANAGE, 302)],
    "identity:remove_sign_in_rule": [Check("post", ORGANISATION_MANAGE, 302)],
    "playbook:index": [Check("get", PUBLIC, 200)],
    "playbook:version": [Check("get", PUBLIC, 200)],
    "playbook:challenge": [Check("get", PUBLIC, 200)],
    "playbook:coverage": [Check("get", PUBLIC, 200)],
    "assessments:accept_invitation": [Check("get", PUBLIC, 200)],
    "assessments:home": [Check("get", "login", 200)],
    "session": [Check("get", "login", 200)],
    "assessments:team": [Check("get", Capability.VIEW, 200)],
    "assessments:start_assessment": [Check("get", Capability.MANAGE, 200), Check("post", Capability.MANAGE, 302)],
    # Posted without a file, the import page comes back asking for one (tests/assessments/test_transfer.py imports).
    "assessments:import_assessment": [Check("get", Capability.MANAGE, 200), Check("post", Capability.MANAGE, 200)],
    "assessments:members": [Check("get", Capability.MANAGE, 200), Check("post", Capability.MANAGE, 200)],
    "assessments:remove_member": [Check("get", Capability.MANAGE, 200), Check("post", Capability.MANAGE, 302)],
    "assessments:restore": [Check("post", Capability.MANAGE, 302)],
    "assessments:plan_file": [Check("get", Capability.VIEW, 200)],
    # The team's tracker; the world's connection points at a closed local port, so a push or sync fails (302 back).
    "integrations:tracker": [Check("get", Capability.MANAGE, 200), Check("post", Capability.MANAGE, 400)],
    "integrations:disconnect": [Check("post", Capability.MANAGE, 302)],
    "integrations:sync": [Check("post", Capability.MANAGE, 302)],
    "integrations:push_action": [Check("post", Capability.MANAGE, 302)],
    "integrations:push_plan_item": [Check("post", Capability.MANAGE, 302)],
    "playbook:aws_lens": [Check("get", PUBLIC, 200)],
    "audit:team_events": [Check("get", Capability.MANAGE, 200)],
    "audit:organisation_events": [Check("get", ORGANISATION_MANAGE, 200)],
    # A team's webhooks: adding one shows the page again with its secret (200).
    "webhooks:list": [Check("get", Capability.MANAGE, 200), Check("post", Capability.MANAGE, 200)],
    "webhooks:remove": [Check("post", Capability.MANAGE, 302)],
    "webhooks:deliveries": [Check("get", Capability.MANAGE, 200)],
    "webhooks:redeliver": [Check("post", Capability.MANAGE, 302)],
    # Personal access tokens (pages) and the API (through a read-write token of the visitor; anonymous: 401).
    "tokens:list": [Check("get", "login", 200), Check("post", "login", 200)],
    "tokens:revoke": [Check("post", "login", 404, overrides=((Role.LEAD, 302),))],  # one's own tokens only
    "api:teams": [Check("get", "login", 200)],
    "api:team": [Check("get", Capability.VIEW, 200)],
    "api:assessments": [Check("get", "login", 200), Check("post", Capability.MANAGE, 201)],
    "api:assessment": [Check("get", Capability.VIEW, 200)],
    "api:submit": [Check("post", Capability.MANAGE, 409)],  # the probe is a draft with one answer: incomplete
    "api:reopen": [Check("post", Capability.MANAGE, 409)],  # and not submitted
    "api:answers": [Check("get", Capability.NOTES, 200)],
    "api:answer": [Check("put", Capability.ANSWER, 200)],
    "api:results": [Check("get", Capability.NOTES, 200)],
    "api:track_action": [Check("post", Capability.MANAGE, 201)],
    "api:actions": [Check("get", "login", 200)],
    "api:action": [Check("patch", Capability.MANAGE, 200)],  # members may update only actions they own
    "api:playbook_versions": [Check("get", PUBLIC, 200)],
    "api:playbook_version": [Check("get", PUBLIC, 200)],
    "api:schema": [Check("get", "login", 200)],
    "api:docs": [Check("get", "login", 200)],  # a page for people (signed in with the session), not an endpoint
    "assessments:revoke_invitation": [Check("post", Capability.MANAGE, 302)],
    "assessments:actions": [Check("get", Capability.VIEW, 200)],
    "assessments:update_action": [Check("post", Capability.MANAGE, 302)],
    "assessments:history": [Check("get", Capability.VIEW, 200)],
    "assessments:compare": [Check("get", Capability.VIEW, 200)],
    "assessments:overview": [Check("get", Capability.VIEW, 200)],
    "assessments:questionnaire": [Check("get", Capability.NOTES, 200), Check("post", Capability.ANSWER, 302)],
    "assessments:save_practice": [Check("post", Capability.ANSWER, 302)],
    # Evidence files: read like notes, attached and removed like answers (both redirect back to the card).
    "assessments:evidence_upload": [Check("post", Capability.ANSWER, 302)],
    "assessments:evidence_download": [Check("get", Capability.NOTES, 200)],
    "assessments:evidence_delete": [Check("post", Capability.ANSWER, 302)],
    "assessments:submit": [Check("post", Capability.MANAGE, 302)],
    "assessments:reopen": [Check("get", Capability.MANAGE, 200), Check("post", Capability.MANAGE, 302)],
    "assessments:delete": [Check("get", Capability.MANAGE, 200), Check("post", Capability.MANAGE, 302)],
    "assessments:results": [Check("get", Capability.VIEW, 200), Check("post", Capability.MANAGE, 302)],
    "assessments:track_action": [Check("post", Capability.MANAGE, 302)],
    "assessments:audit": [Check("get", Capability.MANAGE, 200)],
    "assessments:report_pdf": [Check("get", Capability.VIEW, 200)],
    "assessments:export_json": [Check("get", Capability.NOTES, 200)],
    "assessments:export_csv": [Check("get", Capability.NOTES, 200)],
    "assessments:export_document": [Check("get", Capability.NOTES, 200)],
    "assessments:share_create": [Check("get", Capability.MANAGE, 200), Check("post", Capability.MANAGE, 302)],
    "assessments:share_revoke": [Check("post", Capability.MANAGE, 302)],
    "assessments:shared_results": [Check("get", PUBLIC, 200)],
    "assessments:shared_report": [Check("get", PUBLIC, 200)],
    "assessments:shared_evidence": [Check("get", PUBLIC, 200)],  # the world's link shows files (else 404)
    "assessments:organisation": [Check("get", ORGANISATION_VIEW, 200)],
    "assessments:portfolio": [Check("get", ORGANISATION_VIEW, 200)],
    "assessments:portfolio_csv": [Check("get", ORGANISATION_VIEW, 200)],
    "assessments:portfolio_pdf": [Check("get", ORGANISATION_VIEW, 200)],
    # Setting up an estate: the first-run page exists only for operators of an empty installation (404 otherwise);
    # consultants (staff) create organisations; consultants and organisation admins run an organisation's set-up.
    "assessments:first_run": [Check("get", "login", 404)],
    "assessments:new_organisation": [
        Check("get", "login", 403, overrides=((CONSULTANT, 200),)),
        Check("post", "login", 403, overrides=((CONSULTANT, 302),)),
    ],
    "assessments:organisation_settings": [
        Check("get", ORGANISATION_MANAGE, 200),
        Check("post", ORGANISATION_MANAGE, 302),
    ],
    "assessments:edit_team": [Check("get", ORGANISATION_MANAGE, 200), Check("post", ORGANISATION_MANAGE, 302)],
    "assessments:archive_team": [Check("post", ORGANISATION_MANAGE, 302)],
    "assessments:remove_organisation_role": [Check("post", ORGANISATION_MANAGE, 302)],
    "workshops:create": [Check("get", Capability.MANAGE, 200), Check("post", Capability.MANAGE, 302)],
    "workshops:facilitate": [Check("get", Capability.MANAGE, 200)],
    "workshops:projector": [Check("get", Capability.MANAGE, 200)],
    "workshops:move": [Check("post", Capability.MANAGE, 302)],
    "workshops:places": [Check("post", Capability.MANAGE, 302)],
    # Shared answer sets: read by anyone who reads notes in one of the organisation's teams; created by those who
    # run a team; changed by the set's maintainer (the world's lead), consultants and organisation admins.
    "assessments:shared_answer_sets": [Check("get", Capability.NOTES, 200), Check("post", Capability.MANAGE, 200)],
    "assessments:shared_answer_set": [Check("get", Capability.NOTES, 200), Check("post", Capability.MANAGE, 200)],
    "assessments:shared_answer_set_challenge": [
        Check("get", Capability.NOTES, 200),
        Check("post", Capability.MANAGE, 302),
    ],
    "assessments:delete_shared_answer_set": [
        Check("get", Capability.MANAGE, 200),
        Check("post", Capability.MANAGE, 302),
    ],
    "assessments:shared_evidence_upload": [Check("post", Capability.MANAGE, 302)],
    "assessments:shared_evidence_download": [Check("get", Capability.NOTES, 200)],
    "assessments:shared_evidence_delete": [Check("post", Capability.MANAGE, 302)],
    "assessments:inherit": [Check("post", Capability.MANAGE, 302)],
    "assessments:stop_inheriting": [Check("post", Capability.MANAGE, 302)],
    "assessments:differ_from_shared": [Check("get", Capability.ANSWER, 200), Check("post", Capability.ANSWER, 302)],
    "assessments:use_shared_answer": [Check("post", Capability.ANSWER, 302)],
    "assessments:dismiss_shared_notices": [Check("post", Capability.ANSWER, 302)],
    "workshops:decide": [Check("post", Capability.MANAGE, 302)],
    "workshops:close": [Check("get", Capability.MANAGE, 200), Check("post", Capability.MANAGE, 302)],
    # Joining is open to anyone with the code: team members join with their login, others give a name.
    "workshops:join": [Check("get", PUBLIC, 200)],
    "workshops:join_code": [Check("get", PUBLIC, 200, overrides=TEAM_JOINS_BY_BUTTON)],
    # A ballot belongs to a participant; anyone else is sent to the join page, never shown a ballot.
    "workshops:ballot": [Check("get", PUBLIC, 302)],
    "workshops:vote": [Check("post", PUBLIC, 302)],
}
# What each URL is given: built from a small world of one team with one assessment.
ARGS = {
    "playbook:version": lambda w: [w.playbook.version],
    "playbook:challenge": lambda w: [w.playbook.version, w.challenge.slug],
    "playbook:coverage": lambda w: [w.playbook.version],
    "assessments:accept_invitation": lambda w: [w.invitation.token],
    "assessments:team": lambda w: [w.team.pk],
    "assessments:start_assessment": lambda w: [w.team.pk],
    "assessments:import_assessment": lambda w: [w.team.pk],
    "assessments:members": lambda w: [w.team.pk],
    "assessments:remove_member": lambda w: [w.team.pk, w.removable.pk],
    "assessments:restore": lambda w: [w.deleted.pk],
    "assessments:plan_file": lambda w: [w.assessment.pk, "jira"],
    "integrations:tracker": lambda w: [w.team.pk],
    "integrations:disconnect": lambda w: [w.team.pk],
    "integrations:sync": lambda w: [w.team.pk],
    "integrations:push_action": lambda w: [w.team.pk, w.action.pk],
    "integrations:push_plan_item": lambda w: [w.assessment.pk, w.action.practice_slug],
    "playbook:aws_lens": lambda w: [w.playbook.version],
    "audit:team_events": lambda w: [w.team.pk],
    "audit:organisation_events": lambda w: [w.team.organisation.slug],
    "webhooks:list": lambda w: [w.team.pk],
    "webhooks:remove": lambda w: [w.team.pk, w.delivery.webhook_id],
    "webhooks:deliveries": lambda w: [w.team.pk, w.delivery.webhook_id],
    "webhooks:redeliver": lambda w: [w.team.pk, w.delivery.pk],
    "tokens:revoke": lambda w: [w.token.pk],
    "api:team": lambda w: [w.team.pk],
    "api:assessment": lambda w: [w.assessment.pk],
    "api:submit": lambda w: [w.assessment.pk],
    "api:reopen": lambda w: [w.assessment.pk],
    "api:answers": lambda w: [w.assessment.pk],
    "api:answer": lambda w: [w.assessment.pk, w.practice.slug],
    "api:results": lambda w: [w.assessment.pk],
    "api:track_action": lambda w: [w.assessment.pk],
    "api:action": lambda w: [w.action.pk],
    "api:playbook_version": lambda w: [w.playbook.version],
    "assessments:revoke_invitation": lambda w: [w.team.pk, w.invitation.pk],
    "assessments:actions": lambda w: [w.team.pk],
    "assessments:update_action": lambda w: [w.team.pk, w.action.pk],
    "assessments:history": lambda w: [w.team.pk],
    "assessments:compare": lambda w: [w.team.pk],
    "assessments:questionnaire": lambda w: [w.assessment.pk, w.challenge.slug],
    "assessments:save_practice": lambda w: [w.assessment.pk, w.challenge.slug, w.practice.slug],
    "assessments:track_action": lambda w: [w.assessment.pk, w.practice.slug],
    "assessments:share_create": lambda w: [w.share_link.assessment_id],
    "assessments:reopen": lambda w: [w.share_link.assessment_id],
    "assessments:share_revoke": lambda w: [w.share_link.assessment_id, w.share_link.pk],
    "assessments:shared_results": lambda w: [sharing.share_token(w.share_link)],
    "assessments:shared_report": lambda w: [sharing.share_token(w.share_link)],
    "assessments:shared_evidence": lambda w: [sharing.share_token(w.share_link), w.shared_evidence.pk],
    "assessments:evidence_upload": lambda w: [w.assessment.pk, w.challenge.slug, w.practice.slug],
    "assessments:evidence_download": lambda w: [w.assessment.pk, w.evidence.pk],
    # A file of its own: each permitted case removes it from storage (the database row comes back on rollback).
    "assessments:evidence_delete": lambda w: [w.assessment.pk, w.evidence_to_delete.pk],
    "account_reset_password_from_key": lambda w: ["1", "not-a-key"],
    "account_confirm_email": lambda w: ["not-a-key"],
    "company_login": lambda w: ["company"],
    "company_callback": lambda w: ["company"],
    "identity:sign_in_rules": lambda w: [w.team.organisation.slug],
    "identity:remove_sign_in_rule": lambda w: [w.team.organisation.slug, w.sign_in_rule.pk],
    "assessments:organisation": lambda w: [w.team.organisation.slug],
    "assessments:portfolio": lambda w: [w.team.organisation.slug],
    "assessments:portfolio_csv": lambda w: [w.team.organisation.slug],
    "assessments:portfolio_pdf": lambda w: [w.team.organisation.slug],
    "assessments:organisation_settings": lambda w: [w.team.organisation.slug],
    "assessments:edit_team": lambda w: [w.team.organisation.slug, w.team.pk],
    "assessments:archive_team": lambda w: [w.team.organisation.slug, w.team.pk],
    "assessments:remove_organisation_role": lambda w: [w.team.organisation.slug, w.organisation_role.pk],
    "assessments:shared_answer_sets": lambda w: [w.team.organisation.slug],
    "assessments:shared_answer_set": lambda w: [w.answer_set.pk],
    "assessments:shared_answer_set_challenge": lambda w: [w.answer_set.pk, w.challenge.slug],
    # A set of its own: deleting one removes its files from storage, which a rollback does not bring back.
    "assessments:delete_shared_answer_set": lambda w: [w.set_to_delete.pk],
    "assessments:stop_inheriting": lambda w: [w.assessment.pk, w.answer_set.pk],
    "assessments:shared_evidence_upload": lambda w: [w.answer_set.pk, w.challenge.slug, w.inherited_practice.slug],
    "assessments:shared_evidence_download": lambda w: [w.answer_set.pk, w.set_evidence.pk],
    # Its own file, as for evidence_delete: each permitted case removes it from storage.
    "assessments:shared_evidence_delete": lambda w: [w.answer_set.pk, w.set_evidence_to_delete.pk],
    "assessments:differ_from_shared": lambda w: [w.assessment.pk, w.challenge.slug, w.inherited_practice.slug],
    "assessments:use_shared_answer": lambda w: [w.assessment.pk, w.challenge.slug, w.inherited_practice.slug],
    "workshops:create": lambda w: [w.assessment.pk],
    "workshops:facilitate": lambda w: [w.workshop.pk],
    "workshops:projector": lambda w: [w.workshop.pk],
    "workshops:move": lambda w: [w.workshop.pk],
    "workshops:places": lambda w: [w.workshop.pk],
    "workshops:decide": lambda w: [w.workshop.pk, w.practice.slug],
    "workshops:close": lambda w: [w.workshop.pk],
    "workshops:join_code": lambda w: [w.workshop.join_code],
    "workshops:ballot": lambda w: [w.workshop.join_code],
    "workshops:vote": lambda w: [w.workshop.join_code, w.practice.slug],
}
NO_ARGS = {"assessments:home", "session", "assessments:first_run", "assessments:new_organisation"}
# Form data that a permitted visitor's request succeeds with.
DATA = {
    ("assessments:start_assessment", "post"): {"title": "New", "subject": "Card fraud scoring"},
    ("account_reset_password", "post"): {"email": "nobody@example.com"},
    ("identity:sign_in_rules", "post"): lambda w: {
        "team": w.team.pk,
        "matches": "group",
        "value": "data-science",
        "role": "viewer",
    },
    ("assessments:members", "post"): {"add": "", "username": "", "role": "member"},
    ("assessments:update_action", "post"): lambda w: {f"action-{w.action.pk}-status": "doing"},
    ("assessments:share_create", "post"): {"label": "Board", "days": 7},
    ("assessments:evidence_upload", "post"): lambda w: {"file": SimpleUploadedFile("probe.md", b"# Probe\n")},
    ("assessments:new_organisation", "post"): {"name": "Probe organisation"},
    ("assessments:inherit", "post"): lambda w: {"answer_set": w.answer_set.pk},
    ("assessments:shared_evidence_upload", "post"): lambda w: {"file": SimpleUploadedFile("probe.md", b"# Probe\n")},
    ("assessments:differ_from_shared", "post"): {"reason": "Our own gateway"},
    ("assessments:organisation_settings", "post"): {"add-team": "", "name": "Probe team", "tags": "probe"},
    ("assessments:edit_team", "post"): {"name": "Renamed probe", "tags": "a, b"},
    ("assessments:results", "post"): lambda w: {c.slug: 3 for c in w.playbook.challenges.all()},
    ("workshops:create", "post"): lambda w: {
        "title": "W",
        "challenges": [w.challenge.slug],
        "hours": 1,
        "max_participants": 20,
    },
    ("workshops:places", "post"): {"max_participants": 80},
    ("workshops:decide", "post"): lambda w: {f"decide-{w.practice.slug}-level": "2"},
    ("tokens:list", "post"): {"name": "Probe", "scope": "read", "days": 30},
    ("webhooks:list", "post"): {"url": "https://93.184.215.14/hooks", "events": ["assessment.submitted"]},
    ("api:assessments", "post"): lambda w: {"team": w.team.pk, "title": "From the API"},
    ("api:answer", "put"): {"level": 1, "notes": "from the API"},
    ("api:track_action", "post"): lambda w: {"practice": w.action.practice_slug},
    ("api:action", "patch"): {"status": "doing"},
}
QUERY = {"assessments:compare": lambda w: {"before": w.assessment.pk, "after": w.share_link.assessment_id}}
# The Django admin has its own staff-only checks; it is declared as a whole.
DECLARED_NAMESPACES = {"admin": ADMIN}
# allauth's permanent redirects from its old paths to the /accounts/3rdparty/ pages declared above.
LIBRARY_REDIRECTS = {
    "<unnamed social/login/cancelled/>": "/accounts/3rdparty/login/cancelled/",
    "<unnamed social/login/error/>": "/accounts/3rdparty/login/error/",
    "<unnamed social/signup/>": "/accounts/3rdparty/signup/",
    "<unnamed social/connections/>": "/accounts/3rdparty/",
}
VISITORS = [
    "anonymous",
    "outsider",
    Role.VIEWER,
    Role.MEMBER,
    Role.LEAD,
    CONSULTANT,
    ORGANISATION_ADMIN,
    ORGANISATION_VIEWER,
]


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
        if name not in ROUTES and name not in LIBRARY_REDIRECTS and name.split(":")[0] not in DECLARED_NAMESPACES
    ]
    assert undeclared == [], "add these URLs to ROUTES with who may use them"


@pytest.mark.django_db
@pytest.mark.parametrize(("name", "target"), LIBRARY_REDIRECTS.items())
def test_the_old_paths_only_redirect(client, name, target):
    path = "/accounts/" + name.removeprefix("<unnamed ").removesuffix(">")
    response = client.get(path)
    assert response.status_code == 301 and response.url == target


@dataclass
class World:
    playbook: object
    team: object
    assessment: object
    challenge: object
    practice: object
    action: object
    invitation: object
    removable: object
    share_link: object
    workshop: object
    sign_in_rule: object
    deleted: object
    token: object
    delivery: object  # of the team's webhook
    tracker: object
    organisation_role: object
    evidence: object
    evidence_to_delete: object
    shared_evidence: object
    answer_set: object  # a shared answer set the assessment inherits, maintained by the lead
    inherited_practice: object
    set_evidence: object
    set_evidence_to_delete: object
    set_to_delete: object


def _world(team, lead, playbook) -> World:
    assessment = services.create_assessment(team=team, user=lead, title="Probe")
    challenge = playbook.challenges.first()
    practice, inherited_practice = load_practices(playbook, challenge)[:2]
    services.save_answers(
        assessment=assessment, user=lead, answers=[services.AnswerInput(practice, practice.options.all()[0])]
    )
    answer_set = shared_answers.create_answer_set(organisation=team.organisation, user=lead, name="Platform")
    shared_answers.save_shared_answers(
        answer_set=answer_set,
        user=lead,
        answers=[services.AnswerInput(inherited_practice, inherited_practice.options.all()[3])],
    )
    shared_answers.inherit_answer_set(assessment=assessment, answer_set=answer_set, user=lead)
    plan_item = build_results(assessment).plan[0]
    share_link = _shared_assessment_link(team, lead)
    return World(
        playbook=playbook,
        team=team,
        assessment=assessment,
        challenge=challenge,
        practice=practice,
        action=tracking.track_action(assessment=assessment, item=plan_item, user=lead),
        invitation=membership.invite(team=team, email="new@example.com", role=Role.MEMBER, invited_by=lead),
        removable=MembershipFactory(team=team, role=Role.VIEWER),
        share_link=share_link,
        workshop=workshop_services.create_workshop(
            assessment=assessment, user=lead, title="Room", challenge_slugs=[challenge.slug], hours=1
        ),
        sign_in_rule=SignInRule.objects.create(team=team, email_domain="example.com", role=Role.VIEWER),
        deleted=_deleted_assessment(team, lead),
        token=api_services.create_token(user=lead, name="Lead's", scope=TokenScope.READ, days=30).token,
        delivery=_webhook_delivery(team, lead),
        organisation_role=OrganisationMembership.objects.create(
            organisation=team.organisation, user=UserFactory(), role=OrganisationRole.VIEWER
        ),
        tracker=integration_services.connect(
            team=team, user=lead, kind=TrackerKind.GITHUB, details={"repository": "acme/probe"}, token="probe"
        ),
        evidence=_evidence(assessment, practice, lead),
        evidence_to_delete=_evidence(assessment, practice, lead),
        shared_evidence=share_link.assessment.evidence_files.get(),
        answer_set=answer_set,
        inherited_practice=inherited_practice,
        set_evidence=_set_evidence(answer_set, inherited_practice, lead),
        set_evidence_to_delete=_set_evidence(answer_set, inherited_practice, lead),
        set_to_delete=shared_answers.create_answer_set(organisation=team.organisation, user=lead, name="Retired"),
    )


def _set_evidence(answer_set, practice, lead):
    upload = SimpleUploadedFile("gateway.md", b"# Gateway policy\n")
    return evidence.attach_shared_evidence(answer_set=answer_set, practice=practice, user=lead, upload=upload)


def _evidence(assessment, practice, lead):
    upload = SimpleUploadedFile("runbook.md", b"# Runbook\n")
    return evidence.attach_evidence(assessment=assessment, practice=practice, user=lead, upload=upload)


def _webhook_delivery(team, lead):
    """A delivery logged for a webhook of the team (made directly: emitting would send it from here)."""
    webhook = webhook_services.create_webhook(
        team=team, url="https://93.184.215.14/hooks", events=[EventType.ACTION_CREATED], user=lead
    ).webhook
    return Delivery.objects.create(webhook=webhook, event_type=EventType.ACTION_CREATED, payload="{}")


def _deleted_assessment(team, lead):
    deleted = services.create_assessment(team=team, user=lead, title="Deleted")
    services.delete_assessment(assessment=deleted, user=lead)
    return deleted


def _shared_assessment_link(team, lead):
    """A share link of a second, submitted assessment of the team (only submitted ones can be shared), with an
    evidence file that the link shows."""
    submitted = services.create_assessment(team=team, user=lead, title="Shared")
    answer_every_practice(submitted, lead)
    practice = load_practices(submitted.playbook, submitted.playbook.challenges.first())[0]
    _evidence(submitted, practice, lead)
    services.submit_assessment(assessment=submitted, user=lead)
    submitted.refresh_from_db()
    return sharing.create_share_link(assessment=submitted, label="Stakeholder", days=7, user=lead, shows_files=True)


def _args(name: str, world: World) -> list:
    if name in ARGS:
        return ARGS[name](world)
    # The remaining assessments URLs are those of one assessment, by its pk.
    return [world.assessment.pk] if name.startswith("assessments:") and name not in NO_ARGS else []


def _data(name: str, method: str, world: World) -> dict | None:
    data = (QUERY if method == "get" else DATA).get(name if method == "get" else (name, method))
    return data(world) if callable(data) else data


def _expected(check: Check, visitor: str) -> int | str:
    if visitor in dict(check.overrides):
        return dict(check.overrides)[visitor]
    if check.needs in (ORGANISATION_VIEW, ORGANISATION_MANAGE):
        if visitor == "anonymous":
            return "login"
        if visitor not in (CONSULTANT, ORGANISATION_ADMIN, ORGANISATION_VIEWER):
            return 404
        allowed = visitor != ORGANISATION_VIEWER or check.needs == ORGANISATION_VIEW
        return check.success if allowed else 403
    if check.needs == PUBLIC:
        return check.signed_in if check.signed_in and visitor != "anonymous" else check.success
    if visitor == "anonymous":
        return "login"
    if check.needs == "login":
        return check.success
    if visitor == "outsider":
        return 404
    # The world's organisation does not share notes with its viewers.
    return check.success if TeamAccess(role=visitor).allows(check.needs) else 403


CASES = [(name, check, visitor) for name, checks in ROUTES.items() for check in checks for visitor in VISITORS]


@dataclass
class Cast:
    """One user per kind of visitor, around the world's team."""

    users: dict[str, object]

    def __getitem__(self, visitor: str):
        return self.users[visitor]


@pytest.fixture(scope="module")
def cast_and_world(django_db_setup, django_db_blocker):
    """One world for every case of this module, committed once and removed at the end.

    Each case runs in its own transaction that is rolled back afterwards, so a case that writes (a POST, a
    report rendered on a GET) leaves the world as the next case expects it. Building the world once instead of
    once per case, with its reports already rendered, is most of this module's speed.
    """
    users: dict[str, object] = {}

    def remove_world():
        with django_db_blocker.unblock():
            organisations = Organisation.objects.filter(teams__memberships__user__in=users.values()).distinct()
            people = set(
                get_user_model()
                .objects.filter(memberships__team__organisation__in=organisations)
                .values_list("pk", flat=True)
            ) | {user.pk for user in users.values()}
            for assessment in Assessment.with_deleted.filter(team__organisation__in=organisations):
                services.erase_assessment(assessment)
            for answer_set in SharedAnswerSet.objects.filter(organisation__in=organisations):
                evidence.erase_evidence(answer_set)
            organisations.delete()
            get_user_model().objects.filter(pk__in=people).delete()
            _forget_the_worlds_security_events(first_event)

    with django_db_blocker.unblock():
        first_event = (SecurityEvent.objects.order_by("-pk").values_list("pk", flat=True).first() or 0) + 1
    try:
        with django_db_blocker.unblock(), override_settings(**settings_for_tests()):
            team = TeamFactory()
            for role in (Role.VIEWER, Role.MEMBER, Role.LEAD):
                users[role] = MembershipFactory(team=team, role=role).user
            users[CONSULTANT] = UserFactory(is_staff=True)
            activate_totp(user=users[CONSULTANT], secret=DEMO_TOTP_SECRET)
            team.organisation.consultants.add(users[CONSULTANT])
            users["outsider"] = MembershipFactory(team=TeamFactory(), role=Role.LEAD).user
            for visitor, role in (
                (ORGANISATION_ADMIN, OrganisationRole.ADMIN),
                (ORGANISATION_VIEWER, OrganisationRole.VIEWER),
            ):
                users[visitor] = UserFactory()
                OrganisationMembership.objects.create(organisation=team.organisation, user=users[visitor], role=role)
            world = _world(team, users[Role.LEAD], PlaybookVersion.objects.get(is_current=True))
            for assessment in (world.assessment, world.share_link.assessment):
                request_report(build_results(assessment))
        yield Cast(users), world
    finally:
        remove_world()


def _forget_the_worlds_security_events(first_event: int) -> None:
    """The log is append-only (a trigger refuses deletes); the committed world's events would otherwise stay for every
    later test of the session, so they are removed with the trigger off, in the test database only."""
    with connection.cursor() as cursor:
        cursor.execute("ALTER TABLE audit_securityevent DISABLE TRIGGER audit_securityevent_append_only")
        cursor.execute("DELETE FROM audit_securityevent WHERE id >= %s", [first_event])
        cursor.execute("ALTER TABLE audit_securityevent ENABLE TRIGGER audit_securityevent_append_only")


@pytest.mark.django_db
@pytest.mark.parametrize(("name", "check", "visitor"), CASES, ids=[f"{n}-{c.method}-{v}" for n, c, v in CASES])
def test_who_may_use_each_url(client, name, check, visitor, cast_and_world):
    cast, world = cast_and_world
    caches["fragments"].clear()  # practice cards cached by a rolled-back case must not be served to the next
    api = name.startswith("api:") and name != "api:docs"
    headers = {}
    if visitor != "anonymous" and api:
        secret = api_services.create_token(user=cast[visitor], name="probe", scope=TokenScope.WRITE, days=1).secret
        headers = {"HTTP_AUTHORIZATION": f"Bearer {secret}"}
    elif visitor != "anonymous":
        client.force_login(cast[visitor])
    url = reverse(name, args=_args(name, world))
    data = _data(name, check.method, world)
    if api and check.method != "get":
        response = getattr(client, check.method)(url, data, content_type="application/json", **headers)
    else:
        response = getattr(client, check.method)(url, data, **headers)

    expected = _expected(check, visitor)
    if expected == "login" and api:
        assert response.status_code == 401
        assert response.json()["error"]["code"] == "not_authenticated"
    elif expected == "login":
        assert response.status_code == 302
        assert response.url.startswith(reverse("account_login"))
    else:
        assert response.status_code == expected


@pytest.mark.django_db
def test_the_admin_turns_away_anyone_who_is_not_staff(client_for, client, member):
    assert client.get(reverse("admin:index")).status_code == 302
    assert client_for(member).get(reverse("admin:index")).status_code == 302
