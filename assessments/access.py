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
from django.db.models import Exists, Model, OuterRef, Q, QuerySet, Subquery
from django.http import Http404

from assessments.models import (
    Action,
    Assessment,
    Membership,
    Organisation,
    OrganisationMembership,
    OrganisationRole,
    Role,
    SharedAnswerSet,
    ShareLink,
    Team,
)
from assessments.sharing import SHARE_SALT
from config.compiled_query import CompiledQuery, columns_of, instance_of
from playbook.models import PlaybookVersion

CONSULTANT = "consultant"
# Roles held across every team of an organisation (OrganisationMembership), as they apply to one team.
ORGANISATION_ADMIN = "organisation_admin"
ORGANISATION_VIEWER = "organisation_viewer"
logger = logging.getLogger("assessments.access")


class Capability(StrEnum):
    VIEW = "view"  # read results, download reports
    NOTES = "notes"  # read the answers' notes and evidence (questionnaire pages, exports)
    ANSWER = "answer"  # change answers of a draft assessment
    MANAGE = "manage"  # create, submit, reopen and delete assessments; set targets


_RUNS_THE_TEAM = {Capability.VIEW, Capability.NOTES, Capability.ANSWER, Capability.MANAGE}
CAPABILITIES = {
    Role.LEAD: _RUNS_THE_TEAM,
    CONSULTANT: _RUNS_THE_TEAM,
    ORGANISATION_ADMIN: _RUNS_THE_TEAM,
    Role.MEMBER: {Capability.VIEW, Capability.NOTES, Capability.ANSWER},
    Role.VIEWER: {Capability.VIEW, Capability.NOTES},
    # Heads of data and risk officers read levels and plans; notes only where the organisation allows it.
    ORGANISATION_VIEWER: {Capability.VIEW},
}
ROLE_LABELS = {
    CONSULTANT: "Consultant",
    ORGANISATION_ADMIN: "Organisation admin",
    ORGANISATION_VIEWER: "Organisation viewer",
}
# An archived team is kept to be read: nothing in it changes until it is restored.
ARCHIVED_ALLOWS = {Capability.VIEW, Capability.NOTES}


@dataclass(frozen=True)
class TeamAccess:
    role: str
    organisation_shares_notes: bool = False  # Organisation.viewers_see_notes
    archived: bool = False

    def allows(self, capability: Capability) -> bool:
        if self.archived and capability not in ARCHIVED_ALLOWS:
            return False
        if capability == Capability.NOTES and self.role == ORGANISATION_VIEWER:
            return self.organisation_shares_notes
        return capability in CAPABILITIES[self.role]

    @property
    def sees_notes(self) -> bool:
        return self.allows(Capability.NOTES)

    @property
    def can_answer(self) -> bool:
        return self.allows(Capability.ANSWER)

    @property
    def can_manage(self) -> bool:
        return self.allows(Capability.MANAGE)

    @property
    def role_label(self) -> str:
        return ROLE_LABELS.get(self.role) or Role(self.role).label


def _role_of(user: AbstractBaseUser | int, team_path: str) -> Subquery:
    # order_by(): Membership's default ordering would join three more tables into every lookup.
    return Subquery(Membership.objects.filter(team=OuterRef(team_path), user=user).order_by().values("role")[:1])


def _consults(user: AbstractBaseUser, organisation_path: str) -> Exists:
    return Exists(Organisation.consultants.through.objects.filter(organisation=OuterRef(organisation_path), user=user))


def _organisation_role_of(user: AbstractBaseUser, organisation_path: str) -> Subquery:
    return Subquery(
        OrganisationMembership.objects.filter(organisation=OuterRef(organisation_path), user=user)
        .order_by()
        .values("role")[:1]
    )


def _annotate_access(queryset: QuerySet, user: AbstractBaseUser, team_path: str) -> QuerySet:
    prefix = f"{team_path}__" if team_path else ""
    return queryset.annotate(
        my_role=_role_of(user, team_path or "pk"),
        is_consultant=_consults(user, f"{prefix}organisation"),
        organisation_role=_organisation_role_of(user, f"{prefix}organisation"),
    ).filter(**{f"{team_path or 'pk'}__in": visible_team_ids(user)})


def visible_team_ids(user: AbstractBaseUser) -> QuerySet:
    """The teams the user has a role on, consults for or holds an organisation role over, as one subquery.

    Filtering by these ids, not by the annotations (which run once for each row), lets the database pick an estate's
    few hundred visible teams from the small team table first and then only their assessments, instead of testing
    each of twenty thousand assessments against three conditions. A union, not three conditions joined by OR: the
    database can estimate how many teams each part finds (an OR of subqueries it takes for most of the table). Its
    guess can still be a few times too many, which for a long list means a scan: see visible_team_id_list.
    """
    consulted = Organisation.consultants.through.objects.filter(user=user).values("organisation")
    held = OrganisationMembership.objects.filter(user=user).order_by().values("organisation")
    member_of = Membership.objects.filter(user=user).order_by().values("team")
    return Team.objects.filter(organisation__in=consulted.union(held)).order_by().values("pk").union(member_of)


def visible_team_id_list(user: AbstractBaseUser) -> list[int]:
    """The ids visible_team_ids names, read (one query). A long list (an API page of a consultant's estate) filters by
    these: given the ids themselves, the database sees how few of the assessments or actions they hold and reads
    them through the team_id indexes, where for the subquery it guesses a quarter of the teams and scans the table."""
    return [row["pk"] for row in visible_team_ids(user).order_by()]


def role_on_team(team_role: str | None, is_consultant: bool, organisation_role: str | None) -> str:
    """A role on the team itself decides; otherwise consulting for its organisation; otherwise an organisation role.
    (A lead's own team is run as its lead, whoever else they are elsewhere.)"""
    return team_role or (CONSULTANT if is_consultant else _as_team_role(organisation_role))


def _as_team_role(organisation_role: str | None) -> str | None:
    return {OrganisationRole.ADMIN: ORGANISATION_ADMIN, OrganisationRole.VIEWER: ORGANISATION_VIEWER}.get(
        organisation_role
    )


def access_to(obj: Team | Assessment) -> TeamAccess:
    """The user's access to a team or assessment loaded through this module (which annotates their roles)."""
    team = obj if isinstance(obj, Team) else obj.team
    role = role_on_team(obj.my_role, getattr(obj, "is_consultant", False), getattr(obj, "organisation_role", None))
    return TeamAccess(
        role=role,
        organisation_shares_notes=team.organisation.viewers_see_notes,
        archived=team.archived_at is not None,
    )


def visible_teams(user: AbstractBaseUser) -> QuerySet[Team]:
    return _annotate_access(Team.objects.select_related("organisation"), user, "")


def visible_assessments(user: AbstractBaseUser) -> QuerySet[Assessment]:
    return _annotate_access(Assessment.objects.select_related("team__organisation", "playbook"), user, "team")


def access_to_assessment(user: AbstractBaseUser, assessment_id: int) -> TeamAccess | None:
    """The user's access to an assessment, or None without raising: for pages that offer something else to
    people outside the team (a workshop's guests)."""
    if not user.is_authenticated:
        return None
    assessment = _one(visible_assessments(user).filter(pk=assessment_id))
    return access_to(assessment) if assessment is not None else None


def _one[M: Model](rows: QuerySet[M]) -> M | None:
    """The row a lookup by its key finds, or None. Not first(), which orders by the model's default ordering: the
    database sorts one row for nothing, and Django compiles the ordering on every page (for a team, a join to its
    organisation); about half a millisecond of each request."""
    try:
        return rows.get()
    except rows.model.DoesNotExist:
        return None


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
    team = _one(visible_teams(user).filter(pk=team_id))
    if team is None:
        raise _not_found(user, f"team {team_id}")
    access = access_to(team)
    require(user, access, capability, f"team {team_id}")
    return team, access


def _assessment_with_role(user_id: int, assessment_id: int) -> QuerySet:
    """An assessment's row with what select_related("team__organisation", "playbook") loads, and the user's role on
    its team (_loaded_assessment makes the instances)."""
    return (
        Assessment.objects.filter(pk=assessment_id)
        .order_by()  # one row by its key: the default ordering would be a sort for nothing
        .annotate(my_role=_role_of(user_id, "team"))
        .values_list(
            *columns_of(Assessment),
            *columns_of(Team, "team__"),
            *columns_of(Organisation, "team__organisation__"),
            *columns_of(PlaybookVersion, "playbook__"),
            "my_role",
        )
    )


# Every page of an assessment and every autosave looks one up: compiled once per process, where building and
# compiling it each time cost two thirds of the lookup (config/compiled_query.py).
_ASSESSMENT_WITH_ROLE = CompiledQuery(_assessment_with_role)


def _loaded_assessment(user: AbstractBaseUser, assessment_id: int) -> Assessment | None:
    rows = _ASSESSMENT_WITH_ROLE.rows(user_id=user.pk, assessment_id=assessment_id)
    if not rows:
        return None
    values = iter(rows[0])
    assessment = instance_of(Assessment, values)
    assessment.team = instance_of(Team, values)
    assessment.team.organisation = instance_of(Organisation, values)
    assessment.playbook = instance_of(PlaybookVersion, values)
    assessment.my_role = next(values)
    return assessment


def get_assessment(
    user: AbstractBaseUser, assessment_id: int, capability: Capability = Capability.VIEW
) -> tuple[Assessment, TeamAccess]:
    # The hottest lookup of the app: members need one light query; only non-members pay for the organisation check.
    assessment = _loaded_assessment(user, assessment_id)
    if assessment is None:
        raise _not_found(user, f"assessment {assessment_id}")
    if assessment.my_role is None:
        organisation_id = assessment.team.organisation_id
        assessment.is_consultant = Organisation.consultants.through.objects.filter(
            organisation_id=organisation_id, user=user
        ).exists()
        assessment.organisation_role = (
            None
            if assessment.is_consultant
            else _one(
                OrganisationMembership.objects.filter(organisation_id=organisation_id, user=user).values_list(
                    "role", flat=True
                )
            )
        )
        if not assessment.is_consultant and assessment.organisation_role is None:
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


@dataclass(frozen=True)
class OrganisationAccess:
    """A role across a whole organisation: consultant, organisation admin or organisation viewer."""

    role: str

    def allows(self, capability: Capability) -> bool:
        return capability in CAPABILITIES[self.role] - {Capability.ANSWER}

    @property
    def can_manage(self) -> bool:
        return self.allows(Capability.MANAGE)

    @property
    def role_label(self) -> str:
        return ROLE_LABELS[self.role]


def organisations_for(user: AbstractBaseUser) -> QuerySet[Organisation]:
    """Organisations the user holds a role across (consultant, admin or viewer), each annotated with it."""
    if not user.is_authenticated:
        return Organisation.objects.none()
    return Organisation.objects.annotate(
        is_consultant=_consults(user, "pk"), organisation_role=_organisation_role_of(user, "pk")
    ).filter(Q(is_consultant=True) | Q(organisation_role__isnull=False))


def access_to_organisation(organisation: Organisation) -> OrganisationAccess:
    """The user's role across an organisation loaded through `organisations_for` (which annotates it)."""
    return OrganisationAccess(role=role_on_team(None, organisation.is_consultant, organisation.organisation_role))


def get_organisation(
    user: AbstractBaseUser, slug: str, capability: Capability = Capability.VIEW
) -> tuple[Organisation, OrganisationAccess]:
    """An organisation the user holds a role across (any other is a 404), if that role allows `capability` (403)."""
    organisation = organisations_for(user).filter(slug=slug).first()
    if organisation is None:
        raise _not_found(user, f"organisation {slug}")
    organisation_access = access_to_organisation(organisation)
    if not organisation_access.allows(capability):
        logger.warning(
            "denied: user %s (%s) may not %s organisation %s", user.pk, organisation_access.role, capability, slug
        )
        raise PermissionDenied(f"{organisation_access.role_label}s may not {capability} here")
    return organisation, organisation_access


# A person's strongest role in an organisation, for what spans its teams (shared answer sets): the first held wins.
_STRONGEST_FIRST = (CONSULTANT, ORGANISATION_ADMIN, Role.LEAD, Role.MEMBER, Role.VIEWER, ORGANISATION_VIEWER)


@dataclass(frozen=True)
class SharedSetAccess:
    """Access to an organisation's shared answer sets: read by anyone who may read notes in one of its teams;
    created by those who run a team (leads, consultants, organisation admins); changed by a set's maintainer and by
    the organisation's consultants and admins."""

    role: TeamAccess
    maintains: bool = False

    @property
    def may_create(self) -> bool:
        return self.role.can_manage

    @property
    def may_maintain(self) -> bool:
        return self.maintains or self.role.role in (CONSULTANT, ORGANISATION_ADMIN)


def role_in_organisation(user: AbstractBaseUser, organisation: Organisation) -> TeamAccess | None:
    """The strongest role the user holds in the organisation (on a live team of it, or across it), or None."""
    held = set(
        Membership.objects.filter(user=user, team__organisation=organisation, team__archived_at__isnull=True)
        .order_by()
        .values_list("role", flat=True)
    )
    across = organisations_for(user).filter(pk=organisation.pk).first()
    if across is not None:
        held.add(role_on_team(None, across.is_consultant, across.organisation_role))
    role = next((role for role in _STRONGEST_FIRST if role in held), None)
    return TeamAccess(role=role, organisation_shares_notes=organisation.viewers_see_notes) if role else None


def shared_set_access(user: AbstractBaseUser, organisation: Organisation) -> SharedSetAccess:
    """Access to the organisation's sets in general (listing, creating): 404 outside it, 403 without notes."""
    role = role_in_organisation(user, organisation) if user.is_authenticated else None
    if role is None:
        raise _not_found(user, f"shared answer sets of organisation {organisation.pk}")
    require(user, role, Capability.NOTES, f"shared answer sets of organisation {organisation.pk}")
    return SharedSetAccess(role)


def get_answer_set(
    user: AbstractBaseUser, set_id: int, *, maintain: bool = False
) -> tuple[SharedAnswerSet, SharedSetAccess]:
    """A shared answer set the user may read (404 outside its organisation), and may change if `maintain` (403)."""
    answer_set = (
        SharedAnswerSet.objects.select_related("organisation", "playbook", "maintainer").filter(pk=set_id).first()
    )
    if answer_set is None:
        raise _not_found(user, f"shared answer set {set_id}")
    general = shared_set_access(user, answer_set.organisation)
    set_access = SharedSetAccess(general.role, maintains=answer_set.maintainer_id == user.pk)
    if maintain and not set_access.may_maintain:
        logger.warning("denied: user %s (%s) may not maintain shared set %s", user.pk, general.role.role, set_id)
        raise PermissionDenied("Only its maintainer, the organisation's consultants and its admins change this set")
    return answer_set, set_access


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
