"""Live workshops: a facilitator runs an assessment with a room of participants who vote on their own devices."""

from django.conf import settings
from django.db import models
from django.urls import reverse
from django.utils import timezone

from assessments.models import NOTES_MAX_LENGTH, Assessment
from playbook.models import AnswerOption, Practice


class Workshop(models.Model):
    assessment = models.ForeignKey(Assessment, on_delete=models.CASCADE, related_name="workshops")
    title = models.CharField(max_length=200)
    challenge_slugs = models.JSONField(help_text="The challenges this workshop covers, in playbook order")
    join_code = models.CharField(max_length=9, unique=True, help_text="Shown to the room, e.g. 'KDTR-7XPM'")
    current_practice = models.ForeignKey(Practice, on_delete=models.SET_NULL, null=True, blank=True, related_name="+")
    created_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, related_name="+")
    created_at = models.DateTimeField(auto_now_add=True)
    expires_at = models.DateTimeField()
    closed_at = models.DateTimeField(null=True, blank=True)
    max_participants = models.PositiveIntegerField(
        default=60, help_text="Places in the room, guests and team members together; the facilitator can change it"
    )

    class Meta:
        ordering = ["-created_at"]

    def __str__(self) -> str:
        return self.title

    def get_absolute_url(self) -> str:
        return reverse("workshops:facilitate", args=[self.pk])

    @property
    def is_open(self) -> bool:
        return self.state == "open"

    @property
    def state(self) -> str:
        """'open', 'closed' (by the facilitator) or 'expired' (the join code ran out first)."""
        if self.closed_at is not None:
            return "closed"
        return "open" if self.expires_at > timezone.now() else "expired"


class Participant(models.Model):
    """Someone in the room: a team member by login, or a guest known only by a display name."""

    workshop = models.ForeignKey(Workshop, on_delete=models.CASCADE, related_name="participants")
    # A deleted account leaves its votes in the tallies, as an anonymous participant.
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    display_name = models.CharField(max_length=40)
    # A keyed hash of the address a guest joined from (never the address itself): the facilitator sees how many
    # addresses the guests came from, and joins are limited per address.
    joined_from = models.CharField(max_length=64, blank=True, db_index=True)
    joined_at = models.DateTimeField(auto_now_add=True)
    # Refreshed (at most once a minute) while their ballot page polls or they vote, so the board can tell
    # people still in the room from abandoned phones and cleared cookies.
    last_seen_at = models.DateTimeField(default=timezone.now)

    class Meta:
        constraints = [
            models.UniqueConstraint(
                fields=["workshop", "user"], condition=models.Q(user__isnull=False), name="one_participant_per_user"
            )
        ]

    def __str__(self) -> str:
        return self.display_name


class Ballot(models.Model):
    """One participant's vote on one practice. Kept, but only ever shown as anonymous counts."""

    participant = models.ForeignKey(Participant, on_delete=models.CASCADE, related_name="ballots")
    workshop = models.ForeignKey(Workshop, on_delete=models.CASCADE, related_name="ballots")
    practice = models.ForeignKey(Practice, on_delete=models.PROTECT, related_name="+")
    level = models.PositiveSmallIntegerField(null=True, blank=True)
    not_applicable = models.BooleanField(default=False)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["participant", "practice"], name="one_ballot_per_practice"),
            models.CheckConstraint(
                condition=models.Q(level__isnull=True, not_applicable=True)
                | models.Q(level__lte=4, not_applicable=False),
                name="ballot_is_level_or_not_applicable",
            ),
        ]
        indexes = [models.Index(fields=["workshop", "practice"])]

    def __str__(self) -> str:
        return f"Ballot on {self.practice_id}"


class Decision(models.Model):
    """The answer the room agreed on for a practice; it is also written into the assessment."""

    workshop = models.ForeignKey(Workshop, on_delete=models.CASCADE, related_name="decisions")
    practice = models.ForeignKey(Practice, on_delete=models.PROTECT, related_name="+")
    option = models.ForeignKey(AnswerOption, on_delete=models.PROTECT, null=True, blank=True, related_name="+")
    not_applicable = models.BooleanField(default=False)
    note = models.TextField(max_length=NOTES_MAX_LENGTH, blank=True)
    recorded_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, related_name="+")
    recorded_at = models.DateTimeField(auto_now=True)

    class Meta:
        constraints = [models.UniqueConstraint(fields=["workshop", "practice"], name="one_decision_per_practice")]

    def __str__(self) -> str:
        return f"Decision on {self.practice_id}"


class JoinAttempt(models.Model):
    """A join code tried from an address (a keyed hash of it) that led nowhere: unknown, ended, or refused.

    Counted to slow down anyone guessing codes; rows older than the counting window are deleted as new ones come.
    """

    address = models.CharField(max_length=64, db_index=True)
    at = models.DateTimeField(default=timezone.now, db_index=True)

    def __str__(self) -> str:
        return f"Join code that led nowhere at {self.at:%Y-%m-%d %H:%M}"
