"""What the API reads and writes. Writes go through the same services as the pages."""

from collections.abc import Callable
from functools import cached_property
from operator import attrgetter
from typing import Any

from django.contrib.auth import get_user_model
from django.core.validators import RegexValidator
from django.db.models import F, OuterRef, Subquery
from drf_spectacular.utils import extend_schema_field
from rest_framework import serializers

from assessments import access
from assessments.models import NOTES_MAX_LENGTH, Action, ActionStatus, Answer, Assessment, NotApplicableReason, Team
from playbook.models import Challenge, PlaybookVersion

# Stated as a pattern so the schema says what DRF already refuses: text with NUL characters.
NO_NUL = RegexValidator(r"^[^\x00]*$", "Text may not contain NUL characters.")


def text(**kwargs) -> serializers.CharField:
    return serializers.CharField(validators=[NO_NUL], **kwargs)


class Annotated(serializers.ReadOnlyField):
    """A value read across a relation (`source`, such as "playbook.version"). A list annotates it as `annotation`
    (as AssessmentList does), so that its page's one query reads it instead of loading each row's related object;
    one item follows the relation."""

    def __init__(self, *, annotation: str, **kwargs):
        self.annotation = annotation
        super().__init__(**kwargs)

    def get_attribute(self, instance):
        if hasattr(instance, self.annotation):
            return getattr(instance, self.annotation)
        return self.read_related(instance)

    def read_related(self, instance):
        return super().get_attribute(instance)


@extend_schema_field({"type": "string", "nullable": True})
class Username(Annotated):
    """A related user's username, or null. A list annotates it (username_of), so that the database looks up only
    the page's users once the page is cut; one item reads its related user."""

    def __init__(self, **kwargs):
        super().__init__(annotation="", **kwargs)

    def bind(self, field_name, parent):
        super().bind(field_name, parent)
        self.annotation = f"{self.source}_username"

    def read_related(self, instance):
        user = getattr(instance, self.source)
        return user.get_username() if user is not None else None


def username_of(user_field: str) -> dict[str, Subquery]:
    """The annotation Username reads: a subquery, which PostgreSQL runs after sorting and cutting the page, where a
    join reads every user (thousands on an estate) first."""
    users = get_user_model().objects.filter(pk=OuterRef(user_field)).values(get_user_model().USERNAME_FIELD)
    return {f"{user_field}_username": Subquery(users)}


def playbook_version_of() -> dict[str, F]:
    """The annotation AssessmentSerializer's playbook_version reads."""
    return {"playbook_version": F("playbook__version")}


# A read-only item whose representation skips DRF's per-field machinery, which on a page of fifty items took longer
# than the page's query. Each field is read as DRF reads it (a related key by its column, any other value through its
# own field's to_representation, so formats stay DRF's); tests/api/test_list_items.py checks the result equals DRF's.
# (A comment, not a docstring: the API schema would show a docstring as each item's description.)
class FlatRepresentation(serializers.ModelSerializer):
    def to_representation(self, instance) -> dict:
        return {name: read(instance) for name, read in self._readers}

    @cached_property
    def _readers(self) -> list[tuple[str, Callable[[Any], Any]]]:
        return [(name, _reader(field)) for name, field in self.fields.items()]


def _reader(field: serializers.Field) -> Callable[[Any], Any]:
    on_the_row = len(field.source_attrs) == 1  # not across a relation, nor the whole item ("*")
    if isinstance(field, serializers.PrimaryKeyRelatedField) and on_the_row:
        return attrgetter(f"{field.source}_id")  # the foreign key's column, as DRF reads it
    if isinstance(field, serializers.ReadOnlyField):  # passes its value through, as Annotated does
        return field.get_attribute
    plain = on_the_row and type(field).get_attribute is serializers.Field.get_attribute
    read = attrgetter(field.source) if plain else field.get_attribute

    def represented(instance):
        value = read(instance)
        return None if value is None else field.to_representation(value)

    return represented


class TeamSerializer(serializers.ModelSerializer):
    organisation = serializers.CharField(source="organisation.name")
    role = serializers.SerializerMethodField(
        help_text="Your role: lead, member, viewer, consultant, organisation_admin or organisation_viewer"
    )

    class Meta:
        model = Team
        fields = ["id", "name", "slug", "organisation", "role"]

    def get_role(self, team) -> str:
        return access.access_to(team).role


class AssessmentSerializer(FlatRepresentation):
    team = serializers.PrimaryKeyRelatedField(read_only=True)
    playbook_version = Annotated(source="playbook.version", annotation="playbook_version")
    submitted_by = Username(help_text="Who submitted it: a username, or null for a draft")

    class Meta:
        model = Assessment
        fields = [
            "id",
            "team",
            "title",
            "subject",
            "modules",
            "status",
            "playbook_version",
            "created_at",
            "submitted_at",
            "submitted_by",
            "targets",
        ]
        read_only_fields = fields


# What an item of the list reads of its assessment (api.views.AssessmentList): the fields above, with the playbook
# version and the submitter's username annotated. A field missing here would cost a query per item.
ASSESSMENT_ITEM_FIELDS = tuple(
    name for name in AssessmentSerializer.Meta.fields if name not in {"playbook_version", "submitted_by"}
)


class NewAssessmentSerializer(serializers.Serializer):
    team = serializers.IntegerField(help_text="A team you lead (or consult for)")
    title = text(max_length=200)
    subject = text(max_length=200, required=False, default="", allow_blank=True)
    modules = serializers.ListField(
        child=serializers.ChoiceField(choices=[]),
        required=False,
        default=list,
        help_text="Lifecycle modules of the current playbook to cover besides the five core challenges",
    )

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        # The current playbook's modules, so the schema lists them and anything else is refused by name.
        current = Challenge.objects.filter(playbook__in=PlaybookVersion.objects.filter(is_current=True), is_module=True)
        self.fields["modules"].child.choices = list(current.values_list("slug", flat=True))


class AnswerSerializer(serializers.ModelSerializer):
    practice = serializers.SlugRelatedField(slug_field="slug", read_only=True)
    challenge = serializers.CharField(source="practice.challenge.slug", read_only=True)
    level = serializers.IntegerField(source="option.level", allow_null=True, read_only=True)
    # Declared so the schema says what a level's answer carries here: an empty reason.
    not_applicable_reason = serializers.ChoiceField(
        choices=NotApplicableReason.choices, allow_blank=True, read_only=True
    )
    updated_by = serializers.SlugRelatedField(slug_field="username", read_only=True, allow_null=True)
    inherited_from = serializers.SerializerMethodField(
        help_text="The shared answer set this answer is inherited from (read-only here), or null"
    )
    differs_from = serializers.SerializerMethodField(
        help_text="The shared answer set the team departs from on this practice, or null"
    )

    class Meta:
        model = Answer
        fields = [
            "practice",
            "challenge",
            "level",
            "not_applicable_reason",
            "not_applicable_detail",
            "notes",
            "revision",
            "to_confirm",
            "updated_at",
            "updated_by",
            "inherited_from",
            "differs_from",
            "differs_reason",
        ]
        read_only_fields = fields

    def get_inherited_from(self, answer: Answer) -> str | None:
        return answer.shared_source if answer.is_inherited else None

    def get_differs_from(self, answer: Answer) -> str | None:
        return answer.shared_source if answer.team_differs else None


class AnswerWriteSerializer(serializers.Serializer):
    level = serializers.IntegerField(min_value=0, max_value=4, allow_null=True, required=False, default=None)
    not_applicable_reason = serializers.ChoiceField(
        choices=NotApplicableReason.choices, required=False, default="", allow_blank=True
    )
    not_applicable_detail = text(max_length=200, required=False, default="", allow_blank=True)
    notes = text(max_length=NOTES_MAX_LENGTH, required=False, default="", allow_blank=True)
    revision = serializers.IntegerField(
        min_value=0,
        required=False,
        allow_null=True,
        default=None,
        help_text="The revision you read; if the answer changed since, nothing is written and you get 409",
    )

    def validate(self, data):
        if data["level"] is not None and data["not_applicable_reason"]:
            raise serializers.ValidationError("Give a level or a not-applicable reason, not both.")
        return data


class ActionSerializer(FlatRepresentation):
    assessment = serializers.PrimaryKeyRelatedField(read_only=True)
    team = serializers.PrimaryKeyRelatedField(read_only=True)
    owner = Username(help_text="The owner's username, or null")

    class Meta:
        model = Action
        fields = [
            "id",
            "team",
            "assessment",
            "challenge_slug",
            "practice_slug",
            "title",
            "from_level",
            "status",
            "owner",
            "due_date",
            "created_at",
        ]
        read_only_fields = fields


class NewActionSerializer(serializers.Serializer):
    practice = serializers.SlugField(help_text="The practice of an item in the assessment's plan")


class ActionUpdateSerializer(serializers.Serializer):
    status = serializers.ChoiceField(choices=ActionStatus.choices)


class ErrorDetailSerializer(serializers.Serializer):
    code = serializers.CharField()
    message = serializers.CharField()
    details = serializers.DictField()


class ErrorSerializer(serializers.Serializer):
    error = ErrorDetailSerializer()


class ConflictSerializer(serializers.Serializer):
    error = ErrorDetailSerializer()
    current = AnswerSerializer(help_text="The answer as it is stored now")


class PlaybookVersionSerializer(serializers.Serializer):
    version = serializers.CharField()
    title = serializers.CharField()
    current = serializers.BooleanField()
    loaded_at = serializers.DateTimeField()


class LevelSerializer(serializers.Serializer):
    level = serializers.IntegerField()
    statement = serializers.CharField()


class PracticeOutlineSerializer(serializers.Serializer):
    slug = serializers.CharField()
    title = serializers.CharField()
    question = serializers.CharField()
    critical = serializers.BooleanField()
    levels = LevelSerializer(many=True)
    guidance_url = serializers.URLField()


class ChallengeOutlineSerializer(serializers.Serializer):
    slug = serializers.CharField()
    title = serializers.CharField()
    module = serializers.BooleanField()
    practices = PracticeOutlineSerializer(many=True)


class PlaybookOutlineSerializer(serializers.Serializer):
    version = serializers.CharField()
    title = serializers.CharField()
    challenges = ChallengeOutlineSerializer(many=True)
