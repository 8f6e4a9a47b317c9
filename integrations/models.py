"""A team's connection to one issue tracker, and which tracked action is which issue there."""

from django.conf import settings
from django.db import models

from assessments.models import Action, Team


class TrackerKind(models.TextChoices):
    GITHUB = "github", "GitHub Issues"
    JIRA = "jira", "Jira Cloud"
    AZURE_DEVOPS = "azure_devops", "Azure DevOps Boards"


class TrackerConnection(models.Model):
    """Where a team's plan goes. Only the fields of its `kind` are set; the token is in `secret`, encrypted."""

    team = models.OneToOneField(Team, on_delete=models.CASCADE, related_name="tracker")
    kind = models.CharField(max_length=20, choices=TrackerKind.choices)
    repository = models.CharField(max_length=200, blank=True, help_text="GitHub: owner/name")
    site = models.CharField(max_length=100, blank=True, help_text="Jira Cloud: the name before .atlassian.net")
    project_key = models.CharField(max_length=20, blank=True, help_text="Jira: the project's key, like OPS")
    email = models.EmailField(blank=True, help_text="Jira: the account the API token belongs to")
    organization = models.CharField(max_length=100, blank=True, help_text="Azure DevOps: the organisation")
    project = models.CharField(max_length=100, blank=True, help_text="Azure DevOps: the project")
    secret = models.TextField(help_text="The token, encrypted with CREDENTIALS_KEY")
    connected_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, related_name="+")
    connected_at = models.DateTimeField(auto_now_add=True)
    last_synced_at = models.DateTimeField(null=True, blank=True)
    last_problem = models.CharField(max_length=400, blank=True, help_text="Why the last push or sync stopped")
    last_problem_at = models.DateTimeField(null=True, blank=True)

    def __str__(self) -> str:
        return f"{self.get_kind_display()} ({self.place})"

    def __repr__(self) -> str:
        return f"<TrackerConnection {self.pk} {self.kind} {self.place}>"  # never the secret

    @property
    def place(self) -> str:
        """Where items go, as people write it."""
        match self.kind:
            case TrackerKind.GITHUB:
                return self.repository
            case TrackerKind.JIRA:
                return f"project {self.project_key} on {self.site}.atlassian.net"
            case _:
                return f"{self.organization}/{self.project}"


class TrackerLink(models.Model):
    """A tracked action pushed to the team's tracker: pushing again updates `external_key` instead of adding one."""

    action = models.OneToOneField(Action, on_delete=models.CASCADE, related_name="tracker_link")
    connection = models.ForeignKey(TrackerConnection, on_delete=models.CASCADE, related_name="links")
    external_key = models.CharField(max_length=100)
    url = models.URLField(max_length=500)
    pushed_at = models.DateTimeField()
    synced_at = models.DateTimeField(null=True, blank=True)
    problem = models.CharField(max_length=400, blank=True, help_text="Why the last sync could not read this item")

    def __str__(self) -> str:
        return self.external_key
