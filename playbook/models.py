"""The maturity model as loaded from `playbook/content/`.

Every row belongs to one published `PlaybookVersion` and is never updated after
loading, so an assessment taken against a version keeps its questions, wording
and scoring for ever. Edit the content files, not these rows.
"""

from functools import cached_property

from django.db import models
from django.urls import reverse

EFFORT_CHOICES = [("low", "Low"), ("medium", "Medium"), ("high", "High")]


class PlaybookVersion(models.Model):
    version = models.CharField(max_length=32, unique=True)
    title = models.CharField(max_length=200)
    content_hash = models.CharField(max_length=64)
    level_names = models.JSONField()
    scoring = models.JSONField(help_text="Numbers of the scoring rules, see playbook.yaml")
    scoring_method = models.TextField(help_text="Markdown shown on results pages and in the PDF appendix")
    is_current = models.BooleanField(default=False)
    loaded_at = models.DateTimeField(auto_now_add=True)
    previous = models.ForeignKey(
        "self",
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        help_text="The version this one revises; its practices say where each came from",
    )

    class Meta:
        ordering = ["-loaded_at"]
        constraints = [
            models.UniqueConstraint(
                fields=["is_current"], condition=models.Q(is_current=True), name="one_current_playbook"
            )
        ]

    def __str__(self) -> str:
        return f"{self.title} {self.version}"

    def get_absolute_url(self) -> str:
        return reverse("playbook:version", args=[self.version])

    @property
    def top_level(self) -> int:
        return len(self.level_names) - 1


class Reference(models.Model):
    playbook = models.ForeignKey(PlaybookVersion, on_delete=models.CASCADE, related_name="references")
    key = models.SlugField(max_length=100)
    title = models.CharField(max_length=300)
    url = models.URLField(max_length=500)
    publisher = models.CharField(max_length=200, blank=True)

    class Meta:
        ordering = ["title"]
        constraints = [models.UniqueConstraint(fields=["playbook", "key"], name="unique_reference_key")]

    def __str__(self) -> str:
        return self.title


class Challenge(models.Model):
    playbook = models.ForeignKey(PlaybookVersion, on_delete=models.CASCADE, related_name="challenges")
    slug = models.SlugField(max_length=100)
    order = models.PositiveSmallIntegerField()
    title = models.CharField(max_length=200)
    summary = models.TextField()
    why_it_matters = models.TextField()
    level_descriptions = models.JSONField(help_text="What the whole challenge looks like at levels 0-4")
    references = models.ManyToManyField(Reference, blank=True, related_name="challenges")
    is_module = models.BooleanField(
        default=False, help_text="A lifecycle module a team chooses; the core challenges are in every assessment"
    )
    builds_on = models.JSONField(
        default=list, blank=True, help_text="Slugs of core practices the module relies on and does not score again"
    )

    class Meta:
        ordering = ["order"]
        constraints = [models.UniqueConstraint(fields=["playbook", "slug"], name="unique_challenge_slug")]

    def __str__(self) -> str:
        return self.title

    def get_absolute_url(self) -> str:
        return reverse("playbook:challenge", args=[self.playbook.version, self.slug])


class GuidanceSection(models.Model):
    challenge = models.ForeignKey(Challenge, on_delete=models.CASCADE, related_name="guidance_sections")
    slug = models.SlugField(max_length=100)
    order = models.PositiveSmallIntegerField()
    title = models.CharField(max_length=200)
    body = models.TextField(help_text="Markdown")
    pitfalls = models.JSONField(default=list)
    references = models.ManyToManyField(Reference, related_name="guidance_sections")

    class Meta:
        ordering = ["challenge__order", "order"]
        constraints = [models.UniqueConstraint(fields=["challenge", "slug"], name="unique_guidance_slug")]

    def __str__(self) -> str:
        return self.title


class Practice(models.Model):
    challenge = models.ForeignKey(Challenge, on_delete=models.CASCADE, related_name="practices")
    slug = models.SlugField(max_length=100)
    order = models.PositiveSmallIntegerField()
    title = models.CharField(max_length=200)
    question = models.TextField()
    weight = models.PositiveSmallIntegerField()
    is_critical = models.BooleanField(default=False)
    not_applicable_rule = models.TextField(
        blank=True, help_text="When set, the practice may be answered 'not applicable'"
    )
    guidance = models.ManyToManyField(GuidanceSection, related_name="practices")
    origin = models.JSONField(
        default=dict,
        blank=True,
        help_text="Where the practice came from in the previous version: {kind, from: [slugs], levels: [changed]}",
    )
    is_organisation_wide = models.BooleanField(
        default=False, help_text="About the organisation around the product, not the product itself"
    )
    covers = models.ManyToManyField("FrameworkItem", blank=True, related_name="practices")

    class Meta:
        ordering = ["challenge__order", "order"]
        constraints = [
            models.UniqueConstraint(fields=["challenge", "slug"], name="unique_practice_slug"),
            models.CheckConstraint(condition=models.Q(weight__gte=1, weight__lte=3), name="practice_weight_1_to_3"),
        ]

    def __str__(self) -> str:
        return self.title

    @property
    def allows_not_applicable(self) -> bool:
        return bool(self.not_applicable_rule)

    @cached_property
    def explained_in(self) -> GuidanceSection:
        """Where the practice is explained: its first guidance section. Kept on the instance, as a published version
        never changes and a questionnaire page asks forty practices each time it draws their cards."""
        return self.guidance.all()[0]


class AnswerOption(models.Model):
    """One level of a practice, with the step that leads from it to the next level."""

    practice = models.ForeignKey(Practice, on_delete=models.CASCADE, related_name="options")
    level = models.PositiveSmallIntegerField()
    description = models.TextField()
    next_step = models.TextField(blank=True)
    next_step_effort = models.CharField(max_length=6, choices=EFFORT_CHOICES, blank=True)
    next_step_impact = models.CharField(max_length=6, choices=EFFORT_CHOICES, blank=True)

    class Meta:
        ordering = ["practice", "level"]
        constraints = [
            models.UniqueConstraint(fields=["practice", "level"], name="unique_option_level"),
            models.CheckConstraint(condition=models.Q(level__lte=4), name="option_level_0_to_4"),
        ]

    def __str__(self) -> str:
        return f"{self.practice.slug} level {self.level}"


class Framework(models.Model):
    """An external framework buyers know (ML Test Score, MLOps maturity models, OWASP, NIST, EU AI Act)."""

    playbook = models.ForeignKey(PlaybookVersion, on_delete=models.CASCADE, related_name="frameworks")
    slug = models.SlugField(max_length=100)
    order = models.PositiveSmallIntegerField()
    title = models.CharField(max_length=200)
    publisher = models.CharField(max_length=200, blank=True)
    url = models.URLField(max_length=500)
    summary = models.TextField()
    sections = models.JSONField(default=list, help_text="[{id, title}] in order")
    scoring = models.JSONField(
        default=dict, blank=True, help_text="How a team's answers estimate its score, if they do"
    )

    class Meta:
        ordering = ["order"]
        constraints = [models.UniqueConstraint(fields=["playbook", "slug"], name="unique_framework_slug")]

    def __str__(self) -> str:
        return self.title


class FrameworkItem(models.Model):
    framework = models.ForeignKey(Framework, on_delete=models.CASCADE, related_name="items")
    slug = models.SlugField(max_length=100)
    order = models.PositiveSmallIntegerField()
    section = models.SlugField(max_length=100)
    title = models.CharField(max_length=300)
    out_of_scope = models.TextField(blank=True, help_text="Why no practice covers it, when none does")

    class Meta:
        ordering = ["framework", "order"]
        constraints = [models.UniqueConstraint(fields=["framework", "slug"], name="unique_framework_item")]

    def __str__(self) -> str:
        return f"{self.framework.slug} {self.slug}"
