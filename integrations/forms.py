"""Connecting a team to a tracker: which one, where in it, and the token (never shown again, even after an error)."""

import re

from django import forms

from integrations.models import TrackerKind
from integrations.trackers.github import REPOSITORY
from integrations.trackers.jira import PROJECT_KEY

# The part of a Jira Cloud address before .atlassian.net, as Atlassian allows it.
JIRA_SITE = re.compile(r"[a-z0-9][a-z0-9-]{0,62}")
JIRA_SITE_URL = re.compile(r"(?:https?://)?(?P<site>[a-z0-9][a-z0-9-]{0,62})\.atlassian\.net/?.*")
# Azure DevOps organisation names: letters, digits and hyphens, not starting or ending with a hyphen.
ADO_ORGANIZATION = re.compile(r"[A-Za-z0-9](?:[A-Za-z0-9-]{0,48}[A-Za-z0-9])?")
ADO_PROJECT_FORBIDDEN = re.compile(r"[\\/:*?\"<>|;#$%{}+=\[\]@,'&~^]|[\x00-\x1f]")

FIELDS_BY_KIND = {
    TrackerKind.GITHUB: ("repository",),
    TrackerKind.JIRA: ("site", "project_key", "email"),
    TrackerKind.AZURE_DEVOPS: ("organization", "project"),
}
TOKEN_HELP = {
    TrackerKind.GITHUB: "a fine-grained personal access token with Issues read and write access to the repository",
    TrackerKind.JIRA: "an API token of that account, which may create and edit issues in the project",
    TrackerKind.AZURE_DEVOPS: "a personal access token with the Work Items (read and write) scope",
}


class TrackerConnectionForm(forms.Form):
    kind = forms.ChoiceField(label="Tracker", choices=TrackerKind.choices, widget=forms.RadioSelect)
    repository = forms.CharField(
        label="GitHub repository", required=False, max_length=200, help_text="owner/name, for example acme/ml-platform"
    )
    site = forms.CharField(
        label="Jira Cloud site", required=False, max_length=200, help_text="for example acme, for acme.atlassian.net"
    )
    project_key = forms.CharField(label="Jira project key", required=False, max_length=20, help_text="for example OPS")
    email = forms.EmailField(label="Jira account email", required=False)
    organization = forms.CharField(label="Azure DevOps organisation", required=False, max_length=100)
    project = forms.CharField(label="Azure DevOps project", required=False, max_length=64)
    token = forms.CharField(
        label="Token",
        max_length=2000,
        strip=True,
        # A token is never sent back to the browser, not even to re-display a form with an error.
        widget=forms.PasswordInput(render_value=False, attrs={"autocomplete": "off"}),
        help_text="GitHub: "
        + TOKEN_HELP[TrackerKind.GITHUB]
        + ". Jira: "
        + TOKEN_HELP[TrackerKind.JIRA]
        + ". Azure DevOps: "
        + TOKEN_HELP[TrackerKind.AZURE_DEVOPS]
        + ". Stored encrypted and never shown again.",
    )

    def clean_repository(self) -> str:
        value = self.cleaned_data["repository"].strip().removeprefix("https://github.com/").strip("/")
        if value and not REPOSITORY.fullmatch(value):
            raise forms.ValidationError("Write the repository as owner/name, for example acme/ml-platform.")
        return value

    def clean_site(self) -> str:
        value = self.cleaned_data["site"].strip().lower()
        if match := JIRA_SITE_URL.fullmatch(value):
            value = match["site"]
        if value and not JIRA_SITE.fullmatch(value):
            raise forms.ValidationError(
                "Give the Jira Cloud site's name (acme) or address (https://acme.atlassian.net)."
            )
        return value

    def clean_project_key(self) -> str:
        value = self.cleaned_data["project_key"].strip().upper()
        if value and not PROJECT_KEY.fullmatch(value):
            raise forms.ValidationError("A Jira project key is capital letters and digits starting with a letter.")
        return value

    def clean_organization(self) -> str:
        value = self.cleaned_data["organization"].strip().removeprefix("https://dev.azure.com/").strip("/")
        if value and not ADO_ORGANIZATION.fullmatch(value):
            raise forms.ValidationError("An Azure DevOps organisation name is letters, digits and hyphens.")
        return value

    def clean_project(self) -> str:
        value = self.cleaned_data["project"].strip()
        if value and (ADO_PROJECT_FORBIDDEN.search(value) or value.startswith(("_", ".")) or value.endswith(".")):
            raise forms.ValidationError("That is not an Azure DevOps project name: it has a character they refuse.")
        return value

    def clean(self) -> dict:
        data = super().clean()
        kind = data.get("kind")
        if kind:
            for name in FIELDS_BY_KIND[TrackerKind(kind)]:
                if not data.get(name) and name not in self.errors:
                    self.add_error(name, f"{TrackerKind(kind).label} needs this.")
        return data

    def details(self) -> dict[str, str]:
        """The fields of the chosen tracker; the others are left blank."""
        kind = TrackerKind(self.cleaned_data["kind"])
        return {name: self.cleaned_data[name] for name in FIELDS_BY_KIND[kind]}
