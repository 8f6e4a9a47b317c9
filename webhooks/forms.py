from django import forms
from django.conf import settings

from webhooks.addresses import RefusedURL, check_url
from webhooks.models import EventType


class WebhookForm(forms.Form):
    url = forms.URLField(
        max_length=500,
        label="Payload URL",
        assume_scheme="https",
        help_text="An https address on the public internet that accepts POST requests.",
    )
    events = forms.MultipleChoiceField(
        choices=EventType.choices,
        initial=EventType.values,
        widget=forms.CheckboxSelectMultiple,
        label="Send it these events",
    )

    def clean_url(self) -> str:
        url = self.cleaned_data["url"]
        try:
            check_url(url, allow_private=settings.WEBHOOK_ALLOW_PRIVATE_ADDRESSES)
        except RefusedURL as refused:
            raise forms.ValidationError(refused.message) from None
        return url
