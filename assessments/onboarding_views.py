"""Setting up an estate in the app: the first run, new organisations, an organisation's settings, teams and roles.

Consultants (for organisations they consult for) and organisation admins manage; the Django admin stays an
operator's tool.
"""

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.db import transaction
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.views.decorators.http import require_POST

from assessments import access, membership, organisations
from assessments.access import Capability
from assessments.models import Organisation, OrganisationMembership, Role
from assessments.organisation_forms import (
    BrandingForm,
    FirstRunForm,
    NewTeamForm,
    OrganisationForm,
    OrganisationRoleForm,
    TeamForm,
)
from config.site import absolute_url


def _send(invitation) -> None:
    if invitation is not None:
        link = absolute_url(reverse("assessments:accept_invitation", args=[invitation.token]))
        membership.send_invitation(invitation=invitation, link=link)


def needs_first_run(user) -> bool:
    """An installation without an organisation, seen by the operator who can set one up."""
    return user.is_superuser and not Organisation.objects.exists()


@login_required
def first_run(request: HttpRequest) -> HttpResponse:
    """The operator's first page on a new installation: the first organisation, its first team and that team's lead."""
    if not request.user.is_superuser:
        raise Http404("Not found")
    if Organisation.objects.exists():
        return redirect("assessments:home")
    form = FirstRunForm(request.POST if request.method == "POST" else None)
    if request.method == "POST" and form.is_valid():
        with transaction.atomic():
            organisation = organisations.create_organisation(name=form.cleaned_data["organisation"], by=request.user)
            new = organisations.create_team(
                organisation=organisation,
                name=form.cleaned_data["team"],
                business_unit="",
                product_area="",
                tags=[],
                lead_email=form.cleaned_data["lead_email"],
                by=request.user,
            )
        _send(new.invitation)
        messages.success(
            request,
            f"Created {organisation.name} and its team {new.team.name}; {new.invitation.email} is invited to lead "
            "it. Add more teams and people below.",
        )
        return redirect("assessments:organisation_settings", organisation.slug)
    return render(request, "assessments/first_run.html", {"form": form}, status=400 if form.errors else 200)


@login_required
def new_organisation(request: HttpRequest) -> HttpResponse:
    # Consultants (staff) take on client organisations; an organisation admin works inside one.
    if not (request.user.is_staff or request.user.is_superuser):
        raise PermissionDenied("Only consultants and operators create organisations")
    form = OrganisationForm(request.POST if request.method == "POST" else None)
    if request.method == "POST" and form.is_valid():
        with transaction.atomic():
            organisation = organisations.create_organisation(name=form.cleaned_data["name"], by=request.user)
            organisations.update_organisation(organisation=organisation, by=request.user, **form.cleaned_data)
        messages.success(request, f"Created {organisation.name}. Add its teams and people here.")
        return redirect("assessments:organisation_settings", organisation.slug)
    return render(request, "assessments/organisation_new.html", {"form": form}, status=400 if form.errors else 200)


def _settings_page(request, organisation, organisation_access, *, forms=None, status=200) -> HttpResponse:
    forms = forms or {}
    teams = list(organisation.teams.prefetch_related("memberships__user").order_by("archived_at", "name"))
    for team in teams:
        team.leads = [m.user for m in team.memberships.all() if m.role == Role.LEAD]
    context = {
        "organisation": organisation,
        "organisation_access": organisation_access,
        "organisation_form": forms.get("organisation")
        or OrganisationForm(
            initial={
                "name": organisation.name,
                "viewers_see_notes": organisation.viewers_see_notes,
                "benchmark_opt_in": organisation.benchmark_opt_in,
            }
        ),
        "branding_form": forms.get("branding")
        or BrandingForm(initial={"brand_name": organisation.brand_name, "brand_accent": organisation.brand_accent}),
        "brand": organisations.organisation_brand(organisation),
        "team_form": forms.get("team") or NewTeamForm(),
        "role_form": forms.get("role") or OrganisationRoleForm(),
        "teams": teams,
        "roles": organisation.memberships.select_related("user"),
        "consultants": organisation.consultants.order_by("username"),
    }
    return render(request, "assessments/organisation_settings.html", context, status=status)


@login_required
def organisation_settings(request: HttpRequest, slug: str) -> HttpResponse:
    organisation, organisation_access = access.get_organisation(request.user, slug, Capability.MANAGE)
    if request.method != "POST":
        return _settings_page(request, organisation, organisation_access)
    user = request.user
    if "save-organisation" in request.POST:
        form = OrganisationForm(request.POST)
        if form.is_valid():
            changes = organisations.update_organisation(organisation=organisation, by=user, **form.cleaned_data)
            messages.success(request, "Saved: " + "; ".join(changes) + "." if changes else "Nothing had changed.")
            return redirect("assessments:organisation_settings", organisation.slug)
        return _settings_page(request, organisation, organisation_access, forms={"organisation": form}, status=400)
    if "save-branding" in request.POST:
        form = BrandingForm(request.POST, request.FILES)
        if form.is_valid():
            data = form.cleaned_data
            changes = organisations.update_branding(
                organisation=organisation,
                brand_name=data["brand_name"],
                brand_accent=data["brand_accent"],
                logo=data["logo"],
                remove_logo=data["remove_logo"],
                by=user,
            )
            messages.success(request, "Saved: " + "; ".join(changes) + "." if changes else "Nothing had changed.")
            return redirect(
                reverse("assessments:organisation_settings", args=[organisation.slug]) + "#branding-heading"
            )
        return _settings_page(request, organisation, organisation_access, forms={"branding": form}, status=400)
    if "add-team" in request.POST:
        form = NewTeamForm(request.POST)
        if form.is_valid():
            new = organisations.create_team(organisation=organisation, by=user, **form.cleaned_data)
            _send(new.invitation)
            invited = f" and invited {new.invitation.email} to lead it" if new.invitation else ""
            messages.success(request, f"Created the team {new.team.name}{invited}.")
            return redirect("assessments:organisation_settings", organisation.slug)
        return _settings_page(request, organisation, organisation_access, forms={"team": form}, status=400)
    if "add-role" in request.POST:
        form = OrganisationRoleForm(request.POST)
        if form.is_valid():
            try:
                person = organisations.organisation_person(
                    organisation=organisation, username=form.cleaned_data["username"]
                )
                held = organisations.grant_organisation_role(
                    organisation=organisation, user=person, role=form.cleaned_data["role"], by=user
                )
            except organisations.NotInOrganisation:
                form.add_error("username", "Nobody with that username is in this organisation's teams.")
            except membership.AddingYourself:
                form.add_error("username", "You cannot change your own role; ask another admin or a consultant.")
            else:
                messages.success(request, f"{person.get_username()} is now {held.get_role_display().lower()}.")
                return redirect("assessments:organisation_settings", organisation.slug)
        return _settings_page(request, organisation, organisation_access, forms={"role": form}, status=400)
    raise Http404("Unknown form")


def _organisation_team(request, slug: str, team_id: int):
    organisation, organisation_access = access.get_organisation(request.user, slug, Capability.MANAGE)
    team = organisation.teams.filter(pk=team_id).first()
    if team is None:
        raise Http404("No such team in this organisation")
    return organisation, organisation_access, team


@login_required
def edit_team(request: HttpRequest, slug: str, team_id: int) -> HttpResponse:
    organisation, _, team = _organisation_team(request, slug, team_id)
    initial = {
        "name": team.name,
        "business_unit": team.business_unit,
        "product_area": team.product_area,
        "tags": ", ".join(team.tags),
    }
    form = TeamForm(request.POST if request.method == "POST" else None, initial=initial)
    if request.method == "POST" and form.is_valid():
        organisations.update_team(team=team, by=request.user, **form.cleaned_data)
        messages.success(request, f"Saved {team.name}.")
        return redirect("assessments:organisation_settings", organisation.slug)
    context = {"organisation": organisation, "team": team, "form": form}
    return render(request, "assessments/team_edit.html", context, status=400 if form.errors else 200)


@login_required
@require_POST
def archive_team(request: HttpRequest, slug: str, team_id: int) -> HttpResponse:
    organisation, _, team = _organisation_team(request, slug, team_id)
    if "restore" in request.POST:
        organisations.restore_team(team=team, by=request.user)
        messages.success(request, f"Restored {team.name}: it is back in lists and the portfolio.")
    else:
        organisations.archive_team(team=team, by=request.user)
        messages.success(
            request, f"Archived {team.name}: its data stays, read-only, and it leaves lists and the portfolio."
        )
    return redirect("assessments:organisation_settings", organisation.slug)


@login_required
@require_POST
def remove_organisation_role(request: HttpRequest, slug: str, role_id: int) -> HttpResponse:
    organisation, _ = access.get_organisation(request.user, slug, Capability.MANAGE)
    held = OrganisationMembership.objects.filter(organisation=organisation, pk=role_id).select_related("user").first()
    if held is None:
        raise Http404("No such role")
    if held.user_id == request.user.pk:
        messages.error(request, "You cannot remove your own role; ask another admin or a consultant.")
    else:
        organisations.revoke_organisation_role(held=held, by=request.user)
        messages.success(request, f"{held.user.get_username()} no longer has a role across {organisation.name}.")
    return redirect("assessments:organisation_settings", organisation.slug)
