"""Forms for shared answer sets: naming a set and its maintainer, inheriting one into an assessment."""

from django import forms
from django.contrib.auth import get_user_model
from django.db.models import Q, QuerySet

from assessments.fields import CountedCharField
from assessments.models import (
    NOTES_MAX_LENGTH,
    Assessment,
    Organisation,
    OrganisationRole,
    Role,
    SharedAnswerSet,
    person_name,
)
from assessments.shared_answers import inheritable_sets


class PersonChoiceField(forms.ModelChoiceField):
    def label_from_instance(self, obj) -> str:
        return person_name(obj)


def people_of(organisation: Organisation) -> QuerySet:
    """Who can maintain one of the organisation's sets: its team leads and members, consultants and admins."""
    return (
        get_user_model()
        .objects.filter(
            Q(memberships__team__organisation=organisation, memberships__role__in=[Role.LEAD, Role.MEMBER])
            | Q(consulting_organisations=organisation)
            | Q(
                organisation_memberships__organisation=organisation,
                organisation_memberships__role=OrganisationRole.ADMIN,
            )
        )
        .distinct()
        .order_by("first_name", "last_name", "username")
    )


class SharedAnswerSetForm(forms.Form):
    name = CountedCharField(max_length=100, help_text="What the answers describe, for example “ML platform”.")
    description = CountedCharField(
        max_length=300, required=False, help_text="Which controls the set covers and who owns them."
    )
    maintainer = PersonChoiceField(
        queryset=get_user_model().objects.none(), help_text="Keeps the shared answers true and changes them."
    )

    def __init__(self, *args, organisation: Organisation, answer_set: SharedAnswerSet | None = None, **kwargs):
        super().__init__(*args, **kwargs)
        self.organisation, self.answer_set = organisation, answer_set
        self.fields["maintainer"].queryset = people_of(organisation)

    def clean_name(self) -> str:
        name = self.cleaned_data["name"].strip()
        taken = SharedAnswerSet.objects.filter(organisation=self.organisation, name__iexact=name)
        if self.answer_set is not None:
            taken = taken.exclude(pk=self.answer_set.pk)
        if taken.exists():
            raise forms.ValidationError("The organisation already has a shared answer set of that name.")
        return name


class InheritForm(forms.Form):
    answer_set = forms.ModelChoiceField(
        queryset=SharedAnswerSet.objects.none(), label="Shared answers", empty_label="Choose a set"
    )

    def __init__(self, *args, assessment: Assessment, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["answer_set"].queryset = inheritable_sets(assessment)


class DifferForm(forms.Form):
    reason = CountedCharField(
        label="Why does the team answer this itself?",
        max_length=NOTES_MAX_LENGTH,
        widget=forms.Textarea(attrs={"rows": 3}),
        error_messages={"required": "Say why the team answers this practice itself."},
    )
