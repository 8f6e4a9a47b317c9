from django import forms

from api.models import DEFAULT_LIFETIME, LONGEST_LIFETIME, TokenScope
from assessments.fields import CountedCharField


class NewTokenForm(forms.Form):
    name = CountedCharField(max_length=100, label="What is it for?", help_text="e.g. “Backstage plugin”")
    scope = forms.ChoiceField(
        choices=TokenScope.choices,
        initial=TokenScope.READ,
        widget=forms.RadioSelect,
        label="Access",
        help_text="Never more than your own roles in each team allow.",
    )
    days = forms.IntegerField(
        min_value=1,
        max_value=LONGEST_LIFETIME.days,
        initial=DEFAULT_LIFETIME.days,
        label="Expires after (days)",
    )
