from dataclasses import dataclass
from datetime import datetime, timedelta

from django.conf import settings
from django.db import models
from django.db.models import F, Q
from django.urls import reverse
from django.utils import timezone

from playbook.models import AnswerOption, PlaybookVersion, Practice

NOTES_MAX_LENGTH = 2000


def isolated(text: str) -> str:
    """Text someone typed, isolated for plain-text places where <bdi> cannot go (a list option, a chart label):
    a right-to-left override inside it then cannot reorder what surrounds it."""
    return f"\u2068{text}\u2069"


def person_name(user) -> str:
    """How people are named on pages and in reports: their full name, or their username if they gave none."""
    return (user.get_full_name() or user.get_username()) if user is not None else ""


class Organisation(models.Model):
    name = models.CharField(max_length=200)
    slug = models.SlugField(max_length=100, unique=True)
    consultants = models.ManyToManyField(
        settings.AUTH_USER_MODEL,
        blank=True,
        related_name="consulting_organisations",
        help_text="Staff facilitators who may see and run every team of this organisation.",
    )
    viewers_see_notes = models.BooleanField(
        default=False, help_text="Organisation viewers also read the teams' notes (off: levels and plans only)."
    )
    benchmark_opt_in = models.BooleanField(
        default=False,
        help_text="Contribute the teams' latest levels, anonymously, to the benchmark across organisations.",
    )
    # Branding of what the client sees (assessments/branding.py): empty fields take the installation's default.
    brand_name = models.CharField(max_length=100, blank=True, help_text="Display name on reports and shared pages")
    brand_accent = models.CharField(max_length=7, blank=True, help_text="#rrggbb, checked for contrast")
    created_at = models.DateTimeField(default=timezone.now)

    class Meta:
        ordering = ["name"]

    def __str__(self) -> str:
        return self.name


class OrganisationLogo(models.Model):
    """An organisation's logo, sanitised (assessments/branding.py), for its reports and shared pages.

    The bytes themselves: a logo is small and the database keeps it with no file storage to run. A row of its own,
    so that the organisation, which nearly every page loads with its team, does not bring up to BRAND_LOGO_MAX_KB
    of image along with it.
    """

    organisation = models.OneToOneField(Organisation, on_delete=models.CASCADE, primary_key=True, related_name="logo")
    content = models.BinaryField()
    content_type = models.CharField(max_length=20, help_text="image/png or image/svg+xml")

    def __str__(self) -> str:
        return f"Logo of organisation {self.organisation_id}"


class OrganisationRole(models.TextChoices):
    ADMIN = "admin", "Organisation admin"
    VIEWER = "viewer", "Organisation viewer"


class OrganisationMembership(models.Model):
    """A role across every team of one organisation: admins set up and run teams, viewers read the portfolio."""

    organisation = models.ForeignKey(Organisation, on_delete=models.CASCADE, related_name="memberships")
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="organisation_memberships"
    )
    role = models.CharField(max_length=10, choices=OrganisationRole.choices)

    class Meta:
        ordering = ["organisation", "role", "user__username"]
        constraints = [models.UniqueConstraint(fields=["organisation", "user"], name="one_organisation_role")]

    def __str__(self) -> str:
        return f"{self.user} ({self.get_role_display()}) of {self.organisation}"


class Team(models.Model):
    organisation = models.ForeignKey(Organisation, on_delete=models.CASCADE, related_name="teams")
    name = models.CharField(max_length=200)
    slug = models.SlugField(max_length=100)
    business_unit = models.CharField(max_length=100, blank=True)
    product_area = models.CharField(max_length=100, blank=True)
    tags = models.JSONField(default=list, blank=True, help_text="Free tags, lower case, for portfolio filters")
    archived_at = models.DateTimeField(null=True, blank=True, help_text="Archived teams keep their data, read-only")
    # Counts changes to the team's submitted assessments (services.submissions_changed), so that pages summing up
    # many teams' submissions (the portfolio, the benchmark) can name them by the teams' rows alone.
    submissions_revision = models.PositiveBigIntegerField(default=0, editable=False)

    class Meta:
        ordering = ["organisation__name", "name"]
        constraints = [models.UniqueConstraint(fields=["organisation", "slug"], name="unique_team_slug")]

    def __str__(self) -> str:
        return self.name

    def save(self, *args, **kwargs):
        # The revision is only counted up in the database: saving a team read earlier must not write back its count.
        if not self._state.adding and kwargs.get("update_fields") is None:
            kept = [f.name for f in self._meta.concrete_fields if not f.primary_key]
            kwargs["update_fields"] = [name for name in kept if name != "submissions_revision"]
        super().save(*args, **kwargs)

    def get_absolute_url(self) -> str:
        return reverse("assessments:team", args=[self.pk])


class Role(models.TextChoices):
    LEAD = "lead", "Team lead"
    MEMBER = "member", "Member"
    VIEWER = "viewer", "Viewer"


class Membership(models.Model):
    team = models.ForeignKey(Team, on_delete=models.CASCADE, related_name="memberships")
    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="memberships")
    role = models.CharField(max_length=10, choices=Role.choices, default=Role.MEMBER)

    class Meta:
        ordering = ["team", "role", "user__username"]
        constraints = [models.UniqueConstraint(fields=["team", "user"], name="unique_membership")]

    def __str__(self) -> str:
        return f"{self.user} ({self.get_role_display()}) in {self.team}"


class Status(models.TextChoices):
    DRAFT = "draft", "In progress"
    SUBMITTED = "submitted", "Submitted"


class LiveAssessments(models.Manager):
    """Assessments that are not deleted: the default, so every page, count and related lookup leaves deleted ones
    out without remembering to. `Assessment.with_deleted` reaches the others, for restoring and purging."""

    def get_queryset(self) -> models.QuerySet:
        return super().get_queryset().filter(deleted_at__isnull=True)

    def latest_submitted_per_team(self) -> models.QuerySet:
        """Each team's newest submitted assessment, one row per team, chosen by the database (the heatmap and the
        benchmark read only these, however many earlier submissions a team has)."""
        newest = (
            self.filter(team=models.OuterRef("team"), status=Status.SUBMITTED)
            .order_by("-submitted_at", "-pk")
            .values("pk")[:1]
        )
        return self.filter(status=Status.SUBMITTED, pk=models.Subquery(newest))


class Assessment(models.Model):
    team = models.ForeignKey(Team, on_delete=models.CASCADE, related_name="assessments")
    playbook = models.ForeignKey(PlaybookVersion, on_delete=models.PROTECT, related_name="assessments")
    title = models.CharField(max_length=200)
    subject = models.CharField(
        max_length=200, blank=True, help_text="The ML product or service assessed; every question speaks of it"
    )
    modules = models.JSONField(
        default=list, blank=True, help_text="Slugs of the lifecycle modules chosen besides the core challenges"
    )
    status = models.CharField(max_length=10, choices=Status.choices, default=Status.DRAFT)
    created_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, related_name="+")
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)
    submitted_at = models.DateTimeField(null=True, blank=True)
    submitted_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    targets = models.JSONField(default=dict, blank=True, help_text="Target level per challenge slug set by the lead")
    deleted_at = models.DateTimeField(
        null=True, blank=True, help_text="Set by deleting; purged after the restore window"
    )
    deleted_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )

    with_deleted = models.Manager()
    objects = LiveAssessments()

    class Meta:
        ordering = ["-created_at"]
        default_manager_name = "objects"
        base_manager_name = "with_deleted"
        indexes = [
            # The few deleted assessments, which LiveActions leaves out, without reading the rest.
            models.Index(fields=["deleted_at"], condition=Q(deleted_at__isnull=False), name="deleted_assessments"),
            # The API's list, newest first: a page is the first fifty of the visible teams' rows met in this order,
            # not all of them sorted (a consultant's estate has thousands).
            models.Index(
                F("created_at").desc(), F("id").desc(), condition=Q(deleted_at__isnull=True), name="assessments_newest"
            ),
            # Each team's newest submission (latest_submitted_per_team, the heatmap, the benchmark's pool) is the first
            # entry of its team here: no sort of the team's assessments, which an estate runs for hundreds of teams.
            models.Index(
                fields=["team", "-submitted_at", "-id"],
                condition=Q(status=Status.SUBMITTED, deleted_at__isnull=True),
                name="latest_submitted",
            ),
        ]

    def __str__(self) -> str:
        return self.title

    def get_absolute_url(self) -> str:
        return reverse("assessments:overview", args=[self.pk])

    @property
    def is_submitted(self) -> bool:
        return self.status == Status.SUBMITTED

    def includes(self, challenge) -> bool:
        """The five core challenges are in every assessment; a module only when the team chose it."""
        return not challenge.is_module or challenge.slug in self.modules

    @property
    def report_date(self):
        """The date reports and exports carry: the submission, or today for a draft."""
        return timezone.localdate(self.submitted_at) if self.submitted_at else timezone.localdate()


class NotApplicableReason(models.TextChoices):
    # The practice's own rule (shown beside the choice) applies: the only reason a critical practice accepts.
    PLAYBOOK_RULE = "playbook_rule", "Its rule applies"
    OUT_OF_SCOPE = "out_of_scope", "Out of scope"
    BUSINESS_PRIORITY = "business_priority", "Business priority"
    ARCHITECTURE = "architecture", "Architecture constraint"
    OTHER = "other", "Other"


def not_applicable_accepted(reason: str, practice: Practice) -> bool:
    """A critical practice is not applicable only under its own rule; others also for the general reasons."""
    if not practice.allows_not_applicable:
        return False
    return not practice.is_critical or reason == NotApplicableReason.PLAYBOOK_RULE


class AnswerValues(models.Model):
    """What an answer to a practice says: a scored option, or 'not applicable' with a reason, and notes. A team's
    answer and a shared answer set's answer both say it."""

    option = models.ForeignKey(AnswerOption, on_delete=models.PROTECT, null=True, blank=True, related_name="+")
    not_applicable_reason = models.CharField(max_length=20, choices=NotApplicableReason.choices, blank=True)
    not_applicable_detail = models.CharField(max_length=200, blank=True)
    notes = models.TextField(max_length=NOTES_MAX_LENGTH, blank=True)

    class Meta:
        abstract = True
        constraints = [
            models.CheckConstraint(
                condition=models.Q(option__isnull=True) | models.Q(not_applicable_reason=""),
                name="%(class)s_is_level_or_not_applicable",
            ),
        ]

    @property
    def is_not_applicable(self) -> bool:
        return bool(self.not_applicable_reason)


class Answer(AnswerValues):
    """A team's answer to one practice."""

    assessment = models.ForeignKey(Assessment, on_delete=models.CASCADE, related_name="answers")
    practice = models.ForeignKey(Practice, on_delete=models.PROTECT, related_name="+")
    # Carried from an assessment on an older playbook version whose wording for this practice changed: shown as a
    # suggestion with the old wording, and not counted until someone on the team confirms or changes it.
    to_confirm = models.BooleanField(default=False)
    suggested_option = models.ForeignKey(
        AnswerOption, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    carried_from = models.JSONField(
        null=True, blank=True, help_text="The earlier answer or answers this one was carried from, with their wording"
    )
    # Inherited from a shared answer set: the shared answer it copies (or, when the team differs, the one it departs
    # from), the set's name and the time of the shared answer copied, kept as text so a submitted assessment still
    # says where its answer came from after the set changes or goes. See assessments.shared_answers.
    shared_answer = models.ForeignKey(
        "SharedAnswer", on_delete=models.SET_NULL, null=True, blank=True, related_name="inherited_by"
    )
    shared_source = models.CharField(max_length=100, blank=True)
    shared_at = models.DateTimeField(null=True, blank=True)
    shared_revision = models.PositiveIntegerField(null=True, blank=True)
    differs_reason = models.TextField(
        max_length=NOTES_MAX_LENGTH, blank=True, help_text="Why the team answers this differently from the shared set"
    )
    revision = models.PositiveIntegerField(default=1, help_text="Raised on every change, to detect conflicting edits")
    updated_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, related_name="+")
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["assessment", "practice"], name="one_answer_per_practice"),
            *AnswerValues.Meta.constraints,
        ]

    def __str__(self) -> str:
        return f"{self.assessment}: {self.practice.slug}"

    @property
    def is_inherited(self) -> bool:
        """The shared set's answer, read-only here until the team says it differs."""
        return bool(self.shared_source) and not self.differs_reason

    @property
    def team_differs(self) -> bool:
        return bool(self.differs_reason)

    @property
    def needs_review(self) -> bool:
        """Stored but not counted: an unconfirmed carried answer, or a 'not applicable' its practice does not accept."""
        return self.to_confirm or (
            self.is_not_applicable and not not_applicable_accepted(self.not_applicable_reason, self.practice)
        )


class AnswerChange(models.Model):
    """Audit trail: who changed which answer, when, from what to what."""

    # PROTECT: the audit trail goes only when purge_deleted removes it on purpose, never as a side effect.
    assessment = models.ForeignKey(Assessment, on_delete=models.PROTECT, related_name="answer_changes")
    practice = models.ForeignKey(Practice, on_delete=models.PROTECT, related_name="+")
    changed_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, related_name="+")
    changed_at = models.DateTimeField(auto_now_add=True)
    before = models.JSONField(null=True, help_text="level, not_applicable_reason and notes before; null if new")
    after = models.JSONField()

    class Meta:
        ordering = ["-changed_at", "-pk"]

    def __str__(self) -> str:
        return f"{self.practice} changed by {self.changed_by} at {self.changed_at:%Y-%m-%d %H:%M}"


class Submission(models.Model):
    """One submission of an assessment, kept when it is reopened: who submitted it and when, and who reopened it."""

    assessment = models.ForeignKey(Assessment, on_delete=models.PROTECT, related_name="submissions")
    submitted_at = models.DateTimeField()
    submitted_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, related_name="+")
    submitted_by_name = models.CharField(max_length=150, blank=True, help_text="The username then; it outlives them")
    reopened_at = models.DateTimeField(null=True, blank=True)
    reopened_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    reopened_by_name = models.CharField(max_length=150, blank=True)

    class Meta:
        ordering = ["-submitted_at", "-pk"]

    def __str__(self) -> str:
        return f"{self.assessment} submitted at {self.submitted_at:%Y-%m-%d %H:%M}"


class Invitation(models.Model):
    team = models.ForeignKey(Team, on_delete=models.CASCADE, related_name="invitations")
    email = models.EmailField()
    role = models.CharField(max_length=10, choices=Role.choices, default=Role.MEMBER)
    token = models.CharField(max_length=64, unique=True)
    invited_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, related_name="+")
    created_at = models.DateTimeField(auto_now_add=True)
    expires_at = models.DateTimeField()
    accepted_at = models.DateTimeField(null=True, blank=True)
    accepted_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )

    class Meta:
        ordering = ["-created_at"]

    def __str__(self) -> str:
        return f"{self.email} to {self.team}"

    @property
    def is_expired(self) -> bool:
        return self.expires_at < timezone.now()


class ActionStatus(models.TextChoices):
    TODO = "todo", "To do"
    DOING = "doing", "Doing"
    DONE = "done", "Done"
    WONT_DO = "wont_do", "Won't do"


class LiveActions(models.Manager):
    """Actions of assessments that are not deleted: a deleted assessment's actions leave the team's lists with it."""

    def get_queryset(self) -> models.QuerySet:
        # Not a join with the assessments: on a large estate that read the whole assessment table for every list of
        # actions. The few deleted assessments are found through their partial index instead.
        deleted = Assessment.with_deleted.filter(deleted_at__isnull=False).values("pk")
        return super().get_queryset().exclude(assessment__in=deleted)


class Action(models.Model):
    """A plan item the team has taken on. Practices are matched by slug across playbook versions."""

    team = models.ForeignKey(Team, on_delete=models.CASCADE, related_name="actions")
    assessment = models.ForeignKey(Assessment, on_delete=models.CASCADE, related_name="actions")
    challenge_slug = models.SlugField(max_length=100)
    practice_slug = models.SlugField(max_length=100)
    title = models.CharField(max_length=300)
    from_level = models.PositiveSmallIntegerField()
    owner = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="owned_actions"
    )
    due_date = models.DateField(null=True, blank=True)
    status = models.CharField(max_length=10, choices=ActionStatus.choices, default=ActionStatus.TODO)
    created_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, related_name="+")
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    with_deleted = models.Manager()
    objects = LiveActions()

    class Meta:
        ordering = ["status", "due_date", "pk"]
        default_manager_name = "objects"
        base_manager_name = "with_deleted"
        constraints = [
            models.UniqueConstraint(fields=["assessment", "practice_slug"], name="one_action_per_plan_item"),
        ]
        # The API's list, newest first, as for assessments.
        indexes = [models.Index(F("created_at").desc(), F("id").desc(), name="actions_newest")]

    def __str__(self) -> str:
        return self.title

    @property
    def is_overdue(self) -> bool:
        return (
            self.due_date is not None
            and self.due_date < timezone.localdate()
            and self.status in (ActionStatus.TODO, ActionStatus.DOING)
        )


@dataclass(frozen=True)
class Disclosure:
    """What results and reports show about people and their words: the team sees everything; a share link may
    leave out names (it does by default) and notes."""

    names: bool = True
    notes: bool = True
    files: bool = True  # the evidence files' names, sizes and checksums (never their content)

    @property
    def key(self) -> str:
        """Names a report's audience: the same revision is rendered once per distinct disclosure."""
        parts = (("names", self.names), ("notes", self.notes), ("files", self.files))
        return ",".join(part for part, shown in parts if shown) or "none"


SHOW_EVERYTHING = Disclosure()  # what the team itself sees


class ReportStatus(models.TextChoices):
    QUEUED = "queued", "Queued"
    RENDERING = "rendering", "Rendering"
    READY = "ready", "Ready"
    FAILED = "failed", "Failed"


class RenderedReport(models.Model):
    """The PDF of one assessment revision, keyed by a hash of the HTML it is made from.

    The HTML is stored with the job so the background worker renders exactly
    what was hashed, even if answers change while it waits.
    """

    assessment = models.ForeignKey(Assessment, on_delete=models.CASCADE, related_name="rendered_reports")
    content_hash = models.CharField(max_length=64)
    audience = models.CharField(max_length=32, default="names,notes", help_text="Disclosure.key of what it shows")
    status = models.CharField(max_length=10, choices=ReportStatus.choices, default=ReportStatus.QUEUED)
    html = models.TextField(blank=True)
    pdf = models.BinaryField(null=True)
    pages = models.PositiveIntegerField(null=True)
    render_seconds = models.FloatField(null=True)
    created_at = models.DateTimeField(auto_now_add=True)
    queued_at = models.DateTimeField(default=timezone.now, help_text="When the render was last queued")
    started_at = models.DateTimeField(null=True, help_text="When a worker claimed the render")
    attempt = models.PositiveIntegerField(default=0, help_text="Raised by each claim, so a late finish is ignored")
    finished_at = models.DateTimeField(null=True)

    class Meta:
        constraints = [models.UniqueConstraint(fields=["assessment", "content_hash"], name="one_report_per_revision")]

    def __str__(self) -> str:
        return f"Report of {self.assessment} ({self.content_hash[:8]}, {self.status})"

    def waited(self, now: datetime) -> timedelta:
        """How long the render has gone without progress: queued and unclaimed, or claimed and unfinished."""
        if self.status == ReportStatus.QUEUED:
            return now - self.queued_at
        if self.status == ReportStatus.RENDERING:
            return now - (self.started_at or self.queued_at)
        return timedelta(0)

    def is_stuck(self, now: datetime) -> bool:
        """Lost from the queue or abandoned by a dead worker: the next request queues it again."""
        return self.waited(now) > timedelta(seconds=settings.REPORT_STALE_SECONDS)

    def is_unclaimed_too_long(self, now: datetime) -> bool:
        """Queued for longer than a running worker would leave it: the page says the worker seems to be down."""
        return self.status == ReportStatus.QUEUED and self.waited(now) > timedelta(
            seconds=settings.TASK_QUEUE_MAX_WAIT_SECONDS
        )


class ShareLink(models.Model):
    """A read-only link to one submitted assessment's results and PDF, for people without an account."""

    assessment = models.ForeignKey(Assessment, on_delete=models.CASCADE, related_name="share_links")
    label = models.CharField(max_length=100, help_text="Who the link is for, e.g. 'Head of data'")
    created_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, related_name="+")
    created_at = models.DateTimeField(auto_now_add=True)
    expires_at = models.DateTimeField()
    revoked_at = models.DateTimeField(null=True, blank=True)
    shows_names = models.BooleanField(default=False, help_text="Names of who took part and who owns each action")
    shows_notes = models.BooleanField(default=True, help_text="The notes and evidence written with each answer")
    shows_files = models.BooleanField(
        default=False, help_text="The evidence files attached to answers: listed, and downloadable through the link"
    )

    class Meta:
        ordering = ["-created_at"]

    def __str__(self) -> str:
        return f"Share of {self.assessment} for {self.label}"

    @property
    def disclosure(self) -> "Disclosure":
        return Disclosure(names=self.shows_names, notes=self.shows_notes, files=self.shows_files)

    @property
    def is_active(self) -> bool:
        return self.revoked_at is None and self.expires_at > timezone.now()


class EvidenceFile(models.Model):
    """A file attached to a team's answer to one practice: a runbook, a dashboard screenshot, a threat model.

    The content lives in the "evidence" storage under `stored_name`, a random name with nothing of the uploader's
    in it; `name` is the uploader's file name, cleaned, shown and offered on download. Rows go with their assessment
    only when it is purged (assessments.services.erase_assessment), which removes the stored content too.
    """

    # Attached to a team's answer (assessment) or to a shared answer (answer_set); exactly one of the two.
    assessment = models.ForeignKey(
        Assessment, on_delete=models.CASCADE, null=True, blank=True, related_name="evidence_files"
    )
    # PROTECT: deleting a set goes through shared_answers.delete_answer_set, which removes the stored content first.
    answer_set = models.ForeignKey(
        "SharedAnswerSet", on_delete=models.PROTECT, null=True, blank=True, related_name="evidence_files"
    )
    practice = models.ForeignKey(Practice, on_delete=models.PROTECT, related_name="+")
    name = models.CharField(max_length=200)
    stored_name = models.CharField(max_length=100, unique=True)
    size = models.PositiveBigIntegerField()
    sha256 = models.CharField(max_length=64)
    content_type = models.CharField(max_length=100, help_text="The type its content was recognised as")
    uploaded_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, related_name="+")
    uploaded_at = models.DateTimeField(default=timezone.now)

    class Meta:
        ordering = ["uploaded_at", "pk"]
        indexes = [models.Index(fields=["assessment", "practice"], name="evidence_assessment_practice")]
        constraints = [
            models.CheckConstraint(
                condition=models.Q(assessment__isnull=True) ^ models.Q(answer_set__isnull=True),
                name="evidence_of_an_answer_or_a_shared_answer",
            )
        ]

    def __str__(self) -> str:
        return f"{self.name} ({self.assessment or self.answer_set}: {self.practice.slug})"


class SharedAnswerSet(models.Model):
    """Answers a central platform gives once for every team that builds on it (the secrets manager, the gateway,
    the CI templates): teams' assessments inherit them instead of answering the same fact twenty times."""

    organisation = models.ForeignKey(Organisation, on_delete=models.CASCADE, related_name="shared_answer_sets")
    playbook = models.ForeignKey(PlaybookVersion, on_delete=models.PROTECT, related_name="+")
    name = models.CharField(max_length=100, help_text="For example “ML platform”")
    description = models.CharField(max_length=300, blank=True)
    maintainer = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        related_name="+",
        help_text="Keeps the shared answers true",
    )
    created_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, related_name="+")
    created_at = models.DateTimeField(auto_now_add=True)
    inheriting = models.ManyToManyField(Assessment, through="Inheritance", related_name="shared_answer_sets")

    class Meta:
        ordering = ["name"]
        constraints = [models.UniqueConstraint(fields=["organisation", "name"], name="unique_shared_set_name")]

    def __str__(self) -> str:
        return self.name

    def get_absolute_url(self) -> str:
        return reverse("assessments:shared_answer_set", args=[self.pk])


class SharedAnswer(AnswerValues):
    """The shared set's answer to one practice."""

    answer_set = models.ForeignKey(SharedAnswerSet, on_delete=models.CASCADE, related_name="answers")
    practice = models.ForeignKey(Practice, on_delete=models.PROTECT, related_name="+")
    revision = models.PositiveIntegerField(default=1)
    updated_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, related_name="+")
    updated_at = models.DateTimeField(default=timezone.now)

    # Shaped like a team's Answer, so the questionnaire's cards edit it: a shared answer is never a carried
    # suggestion, and is nobody else's.
    to_confirm, suggested_option, carried_from, shared_source = False, None, None, ""

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["answer_set", "practice"], name="one_shared_answer_per_practice"),
            *AnswerValues.Meta.constraints,
        ]

    def __str__(self) -> str:
        return f"{self.answer_set}: {self.practice.slug}"


class Inheritance(models.Model):
    """An assessment inheriting a shared set; where two sets answer one practice, the one inherited first gives it."""

    assessment = models.ForeignKey(Assessment, on_delete=models.CASCADE, related_name="inheritances")
    answer_set = models.ForeignKey(SharedAnswerSet, on_delete=models.CASCADE, related_name="inheritances")
    added_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, related_name="+")
    added_at = models.DateTimeField(default=timezone.now)

    class Meta:
        ordering = ["added_at", "pk"]
        constraints = [models.UniqueConstraint(fields=["assessment", "answer_set"], name="inherit_a_set_once")]

    def __str__(self) -> str:
        return f"{self.assessment} inherits {self.answer_set}"


class SharedAnswerNotice(models.Model):
    """A change to a shared answer, as an open assessment inheriting it received it: taken on (`applied`), or not
    where the team differs. Shown on the assessment's overview until someone on the team dismisses it."""

    assessment = models.ForeignKey(Assessment, on_delete=models.CASCADE, related_name="shared_answer_notices")
    practice = models.ForeignKey(Practice, on_delete=models.PROTECT, related_name="+")
    source = models.CharField(max_length=100)
    before = models.JSONField(null=True, help_text="The inherited answer before the change; null if there was none")
    after = models.JSONField(null=True, help_text="The shared answer now; null if the set no longer answers it")
    applied = models.BooleanField(help_text="False where the team differs and kept its own answer")
    changed_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, related_name="+")
    changed_at = models.DateTimeField(default=timezone.now)
    dismissed_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["-changed_at", "-pk"]

    def __str__(self) -> str:
        return f"{self.source} changed {self.practice.slug} for {self.assessment}"
