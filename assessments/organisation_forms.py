"""Forms for setting up an organisation: its name and what it shares, its teams, and roles across it."""

import re

from django import forms
from django.conf import settings

from assessments import branding
from assessments.models import OrganisationRole

TAG = re.compile(r"[a-z0-9][a-z0-9 _-]{0,39}")
MAX_TAGS = 10


class OrganisationForm(forms.Form):
    name = forms.CharField(max_length=200)
    viewers_see_notes = forms.BooleanField(
        required=False,
        label="Organisation viewers may read notes",
        help_text="Off: they see levels, flags and plans, but not the notes and evidence teams wrote.",
    )
    benchmark_opt_in = forms.BooleanField(
        required=False,
        label="Take part in the benchmark across organisations",
        help_text="Each team's latest levels join an anonymous pool; figures show only when five or more "
        "organisations contribute, and nothing names yours.",
    )


class TeamForm(forms.Form):
    name = forms.CharField(max_length=200)
    business_unit = forms.CharField(max_length=100, required=False)
    product_area = forms.CharField(max_length=100, required=False)
    tags = forms.CharField(
        max_length=500, required=False, help_text="Comma-separated, for portfolio filters: for example payments, eu"
    )

    def clean_tags(self) -> list[str]:
        tags = []
        for raw in self.cleaned_data["tags"].split(","):
            tag = " ".join(raw.split()).lower()
            if not tag:
                continue
            if not TAG.fullmatch(tag):
                raise forms.ValidationError(
                    f"“{tag}” is not a tag: use letters, digits, spaces, hyphens or underscores, up to 40 characters."
                )
            if tag not in tags:
                tags.append(tag)
        if len(tags) > MAX_TAGS:
            raise forms.ValidationError(f"At most {MAX_TAGS} tags per team.")
        return tags


class NewTeamForm(TeamForm):
    lead_email = forms.EmailField(
        required=False, label="Team lead's email", help_text="They get an invitation to lead the team (optional)."
    )


class OrganisationRoleForm(forms.Form):
    username = forms.CharField(
        max_length=150, help_text="Someone already in one of the organisation's teams: invite others to a team first."
    )
    role = forms.ChoiceField(choices=OrganisationRole.choices)


class FirstRunForm(forms.Form):
    organisation = forms.CharField(max_length=200, label="Organisation name")
    team = forms.CharField(max_length=200, label="First team's name")
    lead_email = forms.EmailField(label="Team lead's email", help_text="They get an invitation to lead the team.")


class BrandingForm(forms.Form):
    """What the client sees on reports, shared pages and the projector; the app's own pages keep their design."""

    brand_name = forms.CharField(
        max_length=100, required=False, label="Display name", help_text="Empty: the installation's default, if any."
    )
    brand_accent = forms.CharField(
        max_length=7,
        required=False,
        label="Accent colour",
        help_text="Like #0b5ed7: dark enough for text on white (4.5:1), and apart from the text colour.",
    )
    logo = forms.FileField(
        required=False,
        label="Logo",
        help_text="PNG or SVG. Scripts, links and metadata are removed before it is stored.",
        widget=forms.FileInput(attrs={"accept": "image/png,image/svg+xml,.png,.svg"}),
    )
    remove_logo = forms.BooleanField(required=False, label="Remove the logo")

    def clean_brand_accent(self) -> str:
        accent = self.cleaned_data["brand_accent"].strip()
        if not accent:
            return ""
        if problem := branding.accent_problem(accent):
            raise forms.ValidationError(problem)
        return branding.normalise_hex(accent)

    def clean_logo(self) -> branding.Logo | None:
        upload = self.cleaned_data["logo"]
        if not upload:
            return None
        max_bytes = settings.BRAND_LOGO_MAX_KB * 1024
        if upload.size > max_bytes:
            raise forms.ValidationError(
                f"The file is {-(-upload.size // 1024)} KB; a logo may be at most {settings.BRAND_LOGO_MAX_KB} KB."
            )
        try:
            return branding.sanitise_logo(upload.read(), max_bytes=max_bytes)
        except branding.LogoRefused as refused:
            raise forms.ValidationError(f"{refused} Choose the file again once it is fixed.") from None
