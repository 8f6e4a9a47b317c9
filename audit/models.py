"""The security event log: an append-only record of who did what to access and data.

Events hold plain ids and names copied at the time, never foreign keys: an event outlives the user, team and
assessment it names, and deleting any of those must neither fail on nor rewrite the log.
"""

from django.db import models
from django.utils import timezone


class EventKind(models.TextChoices):
    SIGNED_IN = "signed_in", "Signed in"
    SIGN_IN_FAILED = "sign_in_failed", "Sign-in failed"
    MEMBER_ADDED = "member_added", "Member added"
    ROLE_CHANGED = "role_changed", "Role changed"
    MEMBER_REMOVED = "member_removed", "Member removed"
    INVITATION_SENT = "invitation_sent", "Invitation sent"
    INVITATION_ACCEPTED = "invitation_accepted", "Invitation accepted"
    INVITATION_REVOKED = "invitation_revoked", "Invitation revoked"
    SHARE_LINK_CREATED = "share_link_created", "Share link created"
    SHARE_LINK_USED = "share_link_used", "Share link used"
    SHARE_LINK_REVOKED = "share_link_revoked", "Share link revoked"
    EXPORT_DOWNLOADED = "export_downloaded", "Export downloaded"
    REPORT_DOWNLOADED = "report_downloaded", "Report downloaded"
    ASSESSMENT_REOPENED = "assessment_reopened", "Assessment reopened"
    ASSESSMENT_DELETED = "assessment_deleted", "Assessment deleted"
    ASSESSMENT_RESTORED = "assessment_restored", "Assessment restored"
    ASSESSMENT_PURGED = "assessment_purged", "Assessment purged"
    TOKEN_CREATED = "token_created", "API token created"
    TOKEN_REVOKED = "token_revoked", "API token revoked"
    ASSESSMENT_IMPORTED = "assessment_imported", "Assessment imported"
    WEBHOOK_ADDED = "webhook_added", "Webhook added"
    WEBHOOK_REMOVED = "webhook_removed", "Webhook removed"
    TRACKER_CONNECTED = "tracker_connected", "Tracker connected"
    TRACKER_DISCONNECTED = "tracker_disconnected", "Tracker disconnected"
    ORGANISATION_CREATED = "organisation_created", "Organisation created"
    ORGANISATION_CHANGED = "organisation_changed", "Organisation settings changed"
    ORGANISATION_ROLE_GRANTED = "organisation_role_granted", "Organisation role granted"
    ORGANISATION_ROLE_REVOKED = "organisation_role_revoked", "Organisation role revoked"
    TEAM_CREATED = "team_created", "Team created"
    TEAM_CHANGED = "team_changed", "Team renamed or tagged"
    TEAM_ARCHIVED = "team_archived", "Team archived"
    TEAM_RESTORED = "team_restored", "Team restored"
    EVIDENCE_DELETED = "evidence_deleted", "Evidence file deleted"


class AppendOnly(Exception):
    """Security events are written once and never changed or deleted through the app."""


class SecurityEvent(models.Model):
    at = models.DateTimeField(default=timezone.now, db_index=True)
    kind = models.CharField(max_length=32, choices=EventKind.choices)
    actor_id = models.IntegerField(null=True, blank=True, help_text="The user who acted, if signed in")
    actor_name = models.CharField(max_length=150, blank=True, help_text="Their username then, or who else acted")
    organisation_id = models.IntegerField(null=True, blank=True, db_index=True)
    team_id = models.IntegerField(null=True, blank=True, db_index=True)
    summary = models.CharField(max_length=400)
    address = models.CharField(max_length=45, blank=True, help_text="The client's address, read as for throttling")
    request_id = models.CharField(max_length=64, blank=True, help_text="Finds the request in the logs")

    class Meta:
        ordering = ["-at", "-pk"]
        indexes = [models.Index(fields=["actor_id", "-at"], name="audit_event_actor_at")]

    def __str__(self) -> str:
        return f"{self.at:%Y-%m-%d %H:%M} {self.get_kind_display()}: {self.summary}"

    def save(self, *args, **kwargs) -> None:
        if not self._state.adding:
            raise AppendOnly("security events cannot be changed")
        super().save(*args, **kwargs)

    def delete(self, *args, **kwargs):
        raise AppendOnly("security events cannot be deleted")
