from django.db import models
from django.db.models import Q

from assessments.models import Role, Team


class SignInRule(models.Model):
    """People who sign in with the company's identity provider and match this rule join `team` with `role`.

    A rule matches an email domain or a group the provider lists in the groups claim, never both.
    """

    team = models.ForeignKey(Team, on_delete=models.CASCADE, related_name="sign_in_rules")
    email_domain = models.CharField(max_length=253, blank=True, help_text="e.g. example.com; lower case")
    group = models.CharField(max_length=200, blank=True, help_text="a group name as the provider sends it")
    role = models.CharField(max_length=10, choices=Role.choices, default=Role.MEMBER)

    class Meta:
        ordering = ["team", "email_domain", "group"]
        constraints = [
            models.CheckConstraint(
                condition=(Q(email_domain="") & ~Q(group="")) | (~Q(email_domain="") & Q(group="")),
                name="sign_in_rule_matches_a_domain_or_a_group",
            ),
            models.UniqueConstraint(fields=["team", "email_domain", "group"], name="unique_sign_in_rule"),
        ]

    def __str__(self) -> str:
        what = f"email @{self.email_domain}" if self.email_domain else f"group {self.group}"
        return f"{what} → {self.team} ({self.get_role_display()})"
