"""Database writes for setting up an estate: organisations, their teams, and roles across an organisation.

Each function is one transaction and records a security event: who can see which team's data changes with each.
"""

from dataclasses import dataclass

from django.contrib.auth import get_user_model
from django.contrib.auth.models import AbstractBaseUser
from django.db import transaction
from django.utils import timezone
from django.utils.text import slugify

from assessments import membership
from assessments.branding import Brand, Logo, brand_for
from assessments.models import (
    Invitation,
    Organisation,
    OrganisationLogo,
    OrganisationMembership,
    OrganisationRole,
    Role,
    Team,
)
from audit.models import EventKind
from audit.services import record

# Slugs that are pages of their own under /organisations/.
RESERVED_SLUGS = {"new"}


class NotInOrganisation(Exception):
    """Roles across an organisation go to people already in it; anyone else is invited to a team first."""


def _unique_slug(name: str, taken) -> str:
    base = (slugify(name) or "team")[:90]
    slug, n = base, 1
    while slug in RESERVED_SLUGS or taken(slug):
        n += 1
        slug = f"{base}-{n}"
    return slug


@transaction.atomic
def create_organisation(*, name: str, by: AbstractBaseUser) -> Organisation:
    """A new organisation; staff who make one consult for it, so they can set it up."""
    organisation = Organisation.objects.create(
        name=name, slug=_unique_slug(name, lambda slug: Organisation.objects.filter(slug=slug).exists())
    )
    if by.is_staff:
        organisation.consultants.add(by)
    record(
        EventKind.ORGANISATION_CREATED,
        f"{by.get_username()} created the organisation {name}",
        actor=by,
        organisation_id=organisation.pk,
    )
    return organisation


@transaction.atomic
def update_organisation(
    *, organisation: Organisation, name: str, viewers_see_notes: bool, benchmark_opt_in: bool, by: AbstractBaseUser
) -> list[str]:
    """Rename and set what the organisation shares; returns what changed, in words, for the event and the page."""
    changes = []
    if name != organisation.name:
        changes.append(f"renamed it from {organisation.name} to {name}")
    if viewers_see_notes != organisation.viewers_see_notes:
        changes.append("let organisation viewers read notes" if viewers_see_notes else "hid notes from viewers")
    if benchmark_opt_in != organisation.benchmark_opt_in:
        changes.append("joined the benchmark" if benchmark_opt_in else "left the benchmark")
    if changes:
        organisation.name, organisation.viewers_see_notes = name, viewers_see_notes
        organisation.benchmark_opt_in = benchmark_opt_in
        organisation.save(update_fields=["name", "viewers_see_notes", "benchmark_opt_in"])
        record(
            EventKind.ORGANISATION_CHANGED,
            f"{by.get_username()} " + "; ".join(changes),
            actor=by,
            organisation_id=organisation.pk,
        )
    return changes


def organisation_brand(organisation: Organisation) -> Brand:
    """The branding of the organisation's reports and pages: its own parts, the installation's for the rest."""
    stored = OrganisationLogo.objects.filter(organisation=organisation).first()
    return brand_for(organisation, Logo(bytes(stored.content), stored.content_type) if stored else None)


@transaction.atomic
def update_branding(
    *,
    organisation: Organisation,
    brand_name: str,
    brand_accent: str,
    logo: Logo | None,
    remove_logo: bool,
    by: AbstractBaseUser,
) -> list[str]:
    """Set the branding of the client's reports and pages; `logo` is already sanitised (assessments.branding).
    A new logo replaces the old one, so `remove_logo` only counts without one."""
    changes = []
    if brand_name != organisation.brand_name:
        changes.append(f"set the display name to {brand_name}" if brand_name else "cleared the display name")
    if brand_accent != organisation.brand_accent:
        changes.append(f"set the accent colour to {brand_accent}" if brand_accent else "cleared the accent colour")
    if logo is not None:
        changes.append("uploaded a logo")
        OrganisationLogo.objects.update_or_create(
            organisation=organisation, defaults={"content": logo.content, "content_type": logo.content_type}
        )
    elif remove_logo and OrganisationLogo.objects.filter(organisation=organisation).delete()[0]:
        changes.append("removed the logo")
    if changes:
        organisation.brand_name, organisation.brand_accent = brand_name, brand_accent
        organisation.save(update_fields=["brand_name", "brand_accent"])
        record(
            EventKind.ORGANISATION_CHANGED,
            f"{by.get_username()} " + "; ".join(changes),
            actor=by,
            organisation_id=organisation.pk,
        )
    return changes


@dataclass(frozen=True)
class NewTeam:
    team: Team
    invitation: Invitation | None  # for the lead, when an address was given


@transaction.atomic
def create_team(
    *,
    organisation: Organisation,
    name: str,
    business_unit: str,
    product_area: str,
    tags: list[str],
    lead_email: str,
    by: AbstractBaseUser,
) -> NewTeam:
    team = Team.objects.create(
        organisation=organisation,
        name=name,
        slug=_unique_slug(name, lambda slug: organisation.teams.filter(slug=slug).exists()),
        business_unit=business_unit,
        product_area=product_area,
        tags=tags,
    )
    record(EventKind.TEAM_CREATED, f"{by.get_username()} created the team {name}", actor=by, team=team)
    invitation = membership.invite(team=team, email=lead_email, role=Role.LEAD, invited_by=by) if lead_email else None
    return NewTeam(team, invitation)


@transaction.atomic
def update_team(
    *, team: Team, name: str, business_unit: str, product_area: str, tags: list[str], by: AbstractBaseUser
) -> None:
    before = (team.name, team.business_unit, team.product_area, team.tags)
    team.name, team.business_unit, team.product_area, team.tags = name, business_unit, product_area, tags
    if before != (team.name, team.business_unit, team.product_area, team.tags):
        team.save(update_fields=["name", "business_unit", "product_area", "tags"])
        summary = f"{by.get_username()} changed the name or tags of {before[0]}" + (
            f" (now {name})" if name != before[0] else ""
        )
        record(EventKind.TEAM_CHANGED, summary, actor=by, team=team)


@transaction.atomic
def archive_team(*, team: Team, by: AbstractBaseUser) -> None:
    """The team's data stays, read-only, and leaves the lists and the portfolio until it is restored."""
    if Team.objects.filter(pk=team.pk, archived_at__isnull=True).update(archived_at=timezone.now()):
        record(EventKind.TEAM_ARCHIVED, f"{by.get_username()} archived {team.name}", actor=by, team=team)


@transaction.atomic
def restore_team(*, team: Team, by: AbstractBaseUser) -> None:
    if Team.objects.filter(pk=team.pk, archived_at__isnull=False).update(archived_at=None):
        record(EventKind.TEAM_RESTORED, f"{by.get_username()} restored {team.name}", actor=by, team=team)


def organisation_person(*, organisation: Organisation, username: str) -> AbstractBaseUser:
    """The account with this username among the organisation's people (any team, or a role across it).

    As with adding team members, the answer is the same whether the username is unknown or belongs to someone
    elsewhere on the installation, so nobody learns which usernames exist."""
    users = get_user_model().objects.filter(username=username)
    user = (
        users.filter(memberships__team__organisation=organisation).first()
        or users.filter(organisation_memberships__organisation=organisation).first()
    )
    if user is None:
        raise NotInOrganisation()
    return user


@transaction.atomic
def grant_organisation_role(
    *, organisation: Organisation, user: AbstractBaseUser, role: OrganisationRole, by: AbstractBaseUser
) -> OrganisationMembership:
    if user.pk == by.pk:
        raise membership.AddingYourself()
    held, _ = OrganisationMembership.objects.update_or_create(
        organisation=organisation, user=user, defaults={"role": role}
    )
    record(
        EventKind.ORGANISATION_ROLE_GRANTED,
        f"{by.get_username()} made {user.get_username()} {OrganisationRole(role).label.lower()} of {organisation.name}",
        actor=by,
        organisation_id=organisation.pk,
    )
    return held


@transaction.atomic
def revoke_organisation_role(*, held: OrganisationMembership, by: AbstractBaseUser) -> None:
    held.delete()
    record(
        EventKind.ORGANISATION_ROLE_REVOKED,
        f"{by.get_username()} removed {held.user.get_username()} as {held.get_role_display().lower()} "
        f"of {held.organisation.name}",
        actor=by,
        organisation_id=held.organisation_id,
    )
