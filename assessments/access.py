"""Who may see or change what. Every view fetches teams and assessments through here.

A team the user has no part in does not exist for them: lookups answer 404, never
403, so ids cannot be probed. Within a team, the role decides what they may do.
"""

import logging
from dataclasses import dataclass
from enum import StrEnum

from django.contrib.auth.models import AbstractBaseUser
from django.core.exceptions import PermissionDenied
from django.db.models import Exists, OuterRef, Q, QuerySet, Subquery
from django.http import Http404

from assessments.models import Assessment, Membership, Organisation, Role, Team

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


def _access_of(obj) -> TeamAccess:
    return TeamAccess(role=obj.my_role or CONSULTANT)


def visible_teams(user: AbstractBaseUser) -> QuerySet[Team]:
    return _annotate_access(Team.objects.select_related("organisation"), user, "")


def visible_assessments(user: AbstractBaseUser) -> QuerySet[Assessment]:
    return _annotate_access(Assessment.objects.select_related("team__organisation", "playbook"), user, "team")


def _require(access: TeamAccess, capability: Capability, user: AbstractBaseUser, what: str) -> None:
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
    access = _access_of(team)
    _require(access, capability, user, f"team {team_id}")
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
    access = _access_of(assessment)
    _require(access, capability, user, f"assessment {assessment_id}")
    return assessment, access


def visible_to_share_link(link) -> Assessment:
    """The one assessment a valid share link opens, loaded as the results need it."""
    return Assessment.objects.select_related("team__organisation", "playbook").get(pk=link.assessment_id)
