import re

from django import forms
from django.core.exceptions import ValidationError

from assessments.fields import CountedCharField
from assessments.models import Role

DOMAIN_RE = re.compile(r"^(?=.{1,253}$)([a-z0-9](?:[a-z0-9-]{0,61}[a-z0-9])?\.)+[a-z]{2,63}$")


class SignInRuleForm(forms.Form):
    team = forms.ModelChoiceField(queryset=None, empty_label=None)
    matches = forms.ChoiceField(
        choices=[("email_domain", "Email domain"), ("group", "Group")], initial="email_domain", label="Match by"
    )
    value = CountedCharField(
        max_length=200,
        label="Domain or group",
        help_text="For example example.com, or a group name exactly as your provider sends it.",
    )
    role = forms.ChoiceField(choices=Role.choices, initial=Role.MEMBER)

    def __init__(self, *args, organisation, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["team"].queryset = organisation.teams.all()

    def clean(self):
        cleaned = super().clean()
        value = (cleaned.get("value") or "").strip()
        if cleaned.get("matches") == "email_domain":
            value = value.lower().removeprefix("@")
            if value and not DOMAIN_RE.match(value):
                self.add_error("value", ValidationError("Give a domain such as example.com, without the @ or a path."))
        cleaned["value"] = value
        return cleaned
