"""Who may see or change what. Every view fetches teams and assessments through here.

A team the user has no part in does not exist for them: lookups answer 404, never
403, so ids cannot be probed. Within a team, the role decides what they may do.
"""

import logging
from dataclasses import dataclass
from enum import StrEnum

from django.contrib.auth.models import AbstractBaseUser
from django.core import signing
from django.core.exceptions import PermissionDenied
from django.db.models import Exists, OuterRef, Q, QuerySet, Subquery
from django.http import Http404

from assessments.models import Action, Assessment, Membership, Organisation, Role, ShareLink, Team
from assessments.sharing import SHARE_SALT

CONSULTANT = "consultant"
logger = logging.getLogger("assessments.access")


class Capability(StrEnum):
    VIEW = "view"  # read results, download reports
    ANSWER = "answer"  # change answers of a draft assessment
    MANAGE = "manage"  # create, submit, reopen and delete assessments; set targets


CAPABILITIES = {
    Role.LEAD: {Capability.VIEW, Capability.ANSWER, Capability.MANAGE},
    CONSULTANT: {Capability.VIEW, Capability.ANSWER, Capability.MANAGE},
    Role.MEMBER: {Capability.VIEW, Capability.ANSWER},
    Role.VIEWER: {Capability.VIEW},
}


@dataclass(frozen=True)
class TeamAccess:
    role: str

    def allows(self, capability: Capability) -> bool:
        return capability in CAPABILITIES[self.role]

    @property
    def can_answer(self) -> bool:
        return self.allows(Capability.ANSWER)

    @property
    def can_manage(self) -> bool:
        return self.allows(Capability.MANAGE)

    @property
    def role_label(self) -> str:
        return "Consultant" if self.role == CONSULTANT else Role(self.role).label


def _role_of(user: AbstractBaseUser, team_path: str) -> Subquery:
    # order_by(): Membership's default ordering would join three more tables into every lookup.
    return Subquery(Membership.objects.filter(team=OuterRef(team_path), user=user).order_by().values("role")[:1])


def _consults(user: AbstractBaseUser, organisation_path: str) -> Exists:
    return Exists(Organisation.consultants.through.objects.filter(organisation=OuterRef(organisation_path), user=user))


def _annotate_access(queryset: QuerySet, user: AbstractBaseUser, team_path: str) -> QuerySet:
    prefix = f"{team_path}__" if team_path else ""
    return queryset.annotate(
        my_role=_role_of(user, team_path or "pk"), is_consultant=_consults(user, f"{prefix}organisation")
    ).filter(Q(my_role__isnull=False) | Q(is_consultant=True))


def access_to(obj: Team | Assessment) -> TeamAccess:
    """The user's access to a team or assessment loaded through this module (which annotates their role)."""
    return TeamAccess(role=obj.my_role or CONSULTANT)


def visible_teams(user: AbstractBaseUser) -> QuerySet[Team]:
    return _annotate_access(Team.objects.select_related("organisation"), user, "")


def visible_assessments(user: AbstractBaseUser) -> QuerySet[Assessment]:
    return _annotate_access(Assessment.objects.select_related("team__organisation", "playbook"), user, "team")


def access_to_assessment(user: AbstractBaseUser, assessment_id: int) -> TeamAccess | None:
    """The user's access to an assessment, or None without raising: for pages that offer something else to
    people outside the team (a workshop's guests)."""
    if not user.is_authenticated:
        return None
    assessment = visible_assessments(user).filter(pk=assessment_id).first()
    return access_to(assessment) if assessment is not None else None


def require(user: AbstractBaseUser, access: TeamAccess, capability: Capability, what: str = "this") -> None:
    """Refuse (403) a capability the user's role lacks, on a team or assessment already fetched through here."""
    if not access.allows(capability):
        logger.warning("denied: user %s (%s) may not %s %s", user.pk, access.role, capability, what)
        raise PermissionDenied(f"{access.role_label}s may not {capability} here")


def _not_found(user: AbstractBaseUser, what: str) -> Http404:
    # Logged by id only: no names or emails in logs.
    logger.warning("not visible: user %s asked for %s", user.pk, what)
    return Http404("Not found")


def get_team(user: AbstractBaseUser, team_id: int, capability: Capability = Capability.VIEW) -> tuple[Team, TeamAccess]:
    team = visible_teams(user).filter(pk=team_id).first()
    if team is None:
        raise _not_found(user, f"team {team_id}")
    access = access_to(team)
    require(user, access, capability, f"team {team_id}")
    return team, access


def get_assessment(
    user: AbstractBaseUser, assessment_id: int, capability: Capability = Capability.VIEW
) -> tuple[Assessment, TeamAccess]:
    # The hottest lookup of the app: members need one light query; only non-members pay for the consultant check.
    assessment = (
        Assessment.objects.select_related("team__organisation", "playbook")
        .annotate(my_role=_role_of(user, "team"))
        .filter(pk=assessment_id)
        .first()
    )
    if assessment is None or (
        assessment.my_role is None
        and not Organisation.consultants.through.objects.filter(
            organisation_id=assessment.team.organisation_id, user=user
        ).exists()
    ):
        raise _not_found(user, f"assessment {assessment_id}")
    access = access_to(assessment)
    require(user, access, capability, f"assessment {assessment_id}")
    return assessment, access


def get_deleted_assessment(user: AbstractBaseUser, assessment_id: int) -> Assessment:
    """A deleted assessment, for restoring: only those who could delete it (its team's leads and consultants)."""
    assessment = Assessment.with_deleted.filter(pk=assessment_id, deleted_at__isnull=False).first()
    if assessment is None:
        raise _not_found(user, f"deleted assessment {assessment_id}")
    team, _ = get_team(user, assessment.team_id, Capability.MANAGE)
    assessment.team = team
    return assessment


def deleted_assessments(team: Team) -> QuerySet[Assessment]:
    return Assessment.with_deleted.filter(team=team, deleted_at__isnull=False).select_related("deleted_by")


def may_update_action(user: AbstractBaseUser, access: TeamAccess, action: Action) -> bool:
    """Leads update any action; a member updates the status of an action they own."""
    return access.can_manage or (access.can_answer and action.owner_id == user.pk)


def consulted_organisations(user: AbstractBaseUser) -> QuerySet[Organisation]:
    return Organisation.objects.filter(consultants=user)


def get_consulted_organisation(user: AbstractBaseUser, slug: str) -> Organisation:
    """An organisation the user is a consultant of; any other is a 404."""
    organisation = consulted_organisations(user).filter(slug=slug).first()
    if organisation is None:
        raise _not_found(user, f"organisation {slug}")
    return organisation


class SharedResultsBeingRevised(Exception):
    """A valid share link whose assessment a lead has reopened: it works again once the assessment is resubmitted."""

    def __init__(self, assessment: Assessment):
        super().__init__(f"assessment {assessment.pk} is being revised")
        self.assessment = assessment


def get_shared_assessment(token: str) -> tuple[ShareLink, Assessment]:
    """The link a share token names and the one assessment it opens, while the link is valid; otherwise a 404.

    The token is the credential: it is signed, so link ids cannot be guessed, and it stops working when the link
    expires or is revoked. While its assessment is reopened it raises SharedResultsBeingRevised instead.
    """
    try:
        link_id = signing.loads(token, salt=SHARE_SALT)
    except signing.BadSignature:
        raise Http404("This link has expired, was revoked, or is not valid.") from None
    link = ShareLink.objects.filter(pk=link_id).select_related("assessment__team__organisation", "assessment__playbook")
    link = link.first()
    if link is None or not link.is_active or link.assessment.deleted_at is not None:
        raise Http404("This link has expired, was revoked, or is not valid.")
    if not link.assessment.is_submitted:
        raise SharedResultsBeingRevised(link.assessment)
    return link, link.assessment
