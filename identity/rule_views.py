"""An organisation's sign-in rules, kept by its consultants: who joins which team on company sign-in."""

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.views.decorators.http import require_POST

from assessments import access
from assessments.access import Capability
from identity import services
from identity.forms import SignInRuleForm
from identity.models import SignInRule


@login_required
def sign_in_rules(request: HttpRequest, slug: str) -> HttpResponse:
    organisation = access.get_organisation(request.user, slug, Capability.MANAGE)[0]
    form = SignInRuleForm(request.POST or None, organisation=organisation)
    if request.method == "POST" and form.is_valid():
        try:
            rule = services.add_sign_in_rule(
                team=form.cleaned_data["team"],
                matches=form.cleaned_data["matches"],
                value=form.cleaned_data["value"],
                role=form.cleaned_data["role"],
            )
        except services.RuleExists:
            form.add_error("value", "This team already has a rule for that; remove it first to change its role.")
        else:
            messages.success(request, f"Added: {rule}.")
            return redirect("identity:sign_in_rules", organisation.slug)
    rules = SignInRule.objects.filter(team__organisation=organisation).select_related("team")
    return render(request, "identity/sign_in_rules.html", {"organisation": organisation, "form": form, "rules": rules})


@login_required
@require_POST
def remove_sign_in_rule(request: HttpRequest, slug: str, pk: int) -> HttpResponse:
    organisation = access.get_organisation(request.user, slug, Capability.MANAGE)[0]
    rule = get_object_or_404(SignInRule, pk=pk, team__organisation=organisation)
    rule.delete()
    messages.success(request, f"Removed: {rule}. People who joined through it keep their roles.")
    return redirect("identity:sign_in_rules", organisation.slug)
