"""API v1: thin views over access.py (who may see what) and the services (every write)."""

from datetime import date

from django.conf import settings
from django.core.exceptions import PermissionDenied
from django.shortcuts import get_object_or_404
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import OpenApiParameter, OpenApiResponse, extend_schema
from rest_framework import generics, status
from rest_framework.exceptions import ValidationError
from rest_framework.permissions import AllowAny
from rest_framework.response import Response
from rest_framework.views import APIView

from api import serializers as s
from api.errors import error_response
from assessments import access, services, tracking
from assessments.access import Capability
from assessments.answering import not_applicable_problem
from assessments.exports import export_json
from assessments.models import Action, ActionStatus, Answer, Assessment, Status
from assessments.results import build_results, scoped_practices
from config.site import absolute_url
from playbook.models import PlaybookVersion
from playbook.published import load_practices, practice_url

ERRORS = {code: OpenApiResponse(s.ErrorSerializer) for code in (400, 401, 403, 404, 429)}
CONFLICT = OpenApiResponse(s.ErrorSerializer, description="Not possible in the assessment's present state")


def _date_filter(queryset, request, field: str):
    for param, lookup in (("created_after", "gte"), ("created_before", "lt")):
        if value := request.query_params.get(param):
            try:
                day = date.fromisoformat(value)
            except ValueError:
                raise ValidationError({param: ["Give a date as YYYY-MM-DD."]}) from None
            queryset = queryset.filter(**{f"{field}__date__{lookup}": day})
    return queryset


@extend_schema(tags=["teams"], responses={200: s.TeamSerializer(many=True), **ERRORS})
class TeamList(generics.ListAPIView):
    """The teams you belong to, and those of the organisations you consult for."""

    serializer_class = s.TeamSerializer

    def get_queryset(self):
        return access.visible_teams(self.request.user).order_by("organisation__name", "name")


@extend_schema(tags=["teams"], responses={200: s.TeamSerializer, **ERRORS})
class TeamDetail(generics.RetrieveAPIView):
    serializer_class = s.TeamSerializer

    def get_object(self):
        return get_object_or_404(access.visible_teams(self.request.user), pk=self.kwargs["pk"])


DATE_FILTERS = [
    OpenApiParameter("created_after", OpenApiTypes.DATE, description="Started on or after this date"),
    OpenApiParameter("created_before", OpenApiTypes.DATE, description="Started before this date"),
]


class AssessmentList(generics.ListCreateAPIView):
    """Assessments of the teams you can see, newest first; filter by team, status and start date."""

    serializer_class = s.AssessmentSerializer

    def get_queryset(self):
        # Only what an item shows, with its playbook version and its submitter's name annotated (else each would
        # cost a query, and a joined playbook would cost a model per row). Without the teams' and organisations' rows
        # and each row's roles, a page costs about a quarter less.
        assessments = (
            Assessment.objects.filter(team__in=access.visible_team_id_list(self.request.user))
            .only(*s.ASSESSMENT_ITEM_FIELDS)
            .annotate(**s.playbook_version_of(), **s.username_of("submitted_by"))
            .order_by("-created_at", "-pk")
        )
        params = self.request.query_params
        if team := params.get("team"):
            assessments = assessments.filter(team_id=int(team) if team.isdigit() else -1)
        if (wanted := params.get("status")) in Status.values:
            assessments = assessments.filter(status=wanted)
        return _date_filter(assessments, self.request, "created_at")

    @extend_schema(
        tags=["assessments"],
        parameters=[
            OpenApiParameter("team", OpenApiTypes.INT),
            OpenApiParameter("status", OpenApiTypes.STR, enum=Status.values),
            *DATE_FILTERS,
        ],
        responses={200: s.AssessmentSerializer(many=True), **ERRORS},
    )
    def get(self, request, *args, **kwargs):
        return super().get(request, *args, **kwargs)

    @extend_schema(
        tags=["assessments"], request=s.NewAssessmentSerializer, responses={201: s.AssessmentSerializer, **ERRORS}
    )
    def post(self, request, *args, **kwargs):
        data = _valid(s.NewAssessmentSerializer, request)
        team, _ = access.get_team(request.user, data["team"], Capability.MANAGE)
        assessment = services.create_assessment(
            team=team, user=request.user, title=data["title"], subject=data["subject"], modules=data["modules"]
        )
        return Response(s.AssessmentSerializer(assessment).data, status=status.HTTP_201_CREATED)


def _valid(serializer_class, request):
    serializer = serializer_class(data=request.data)
    serializer.is_valid(raise_exception=True)
    return serializer.validated_data


@extend_schema(tags=["assessments"], responses={200: s.AssessmentSerializer, **ERRORS})
class AssessmentDetail(APIView):
    def get(self, request, pk: int):
        assessment, _ = access.get_assessment(request.user, pk)
        return Response(s.AssessmentSerializer(assessment).data)


@extend_schema(
    tags=["assessments"], request=None, responses={200: s.AssessmentSerializer, 409: s.ErrorSerializer, **ERRORS}
)
class SubmitAssessment(APIView):
    """Lock the answers; refused with 409 while a challenge has no level or an answer waits for review."""

    def post(self, request, pk: int):
        assessment, _ = access.get_assessment(request.user, pk, Capability.MANAGE)
        if assessment.is_submitted:
            return error_response("already_submitted", "This assessment is already submitted.", 409)
        try:
            services.submit_assessment(assessment=assessment, user=request.user)
        except services.IncompleteAssessment as incomplete:
            details = {
                "challenges_without_level": list(incomplete.challenges),
                "answers_to_review": incomplete.to_review,
            }
            return error_response("incomplete", "Not submitted: some challenges have no level yet.", 409, details)
        assessment.refresh_from_db()
        return Response(s.AssessmentSerializer(assessment).data)


@extend_schema(
    tags=["assessments"], request=None, responses={200: s.AssessmentSerializer, 409: s.ErrorSerializer, **ERRORS}
)
class ReopenAssessment(APIView):
    """Back to a draft; share links are suspended until it is submitted again."""

    def post(self, request, pk: int):
        assessment, _ = access.get_assessment(request.user, pk, Capability.MANAGE)
        if not assessment.is_submitted:
            return error_response("not_submitted", "Only a submitted assessment can be reopened.", 409)
        services.reopen_assessment(assessment=assessment, user=request.user)
        assessment.refresh_from_db()
        return Response(s.AssessmentSerializer(assessment).data)


@extend_schema(tags=["answers"], responses={200: s.AnswerSerializer(many=True), **ERRORS})
class AnswerList(generics.ListAPIView):
    serializer_class = s.AnswerSerializer
    pagination_class = None  # one assessment's answers: at most one per practice

    def get_queryset(self):
        assessment, _ = access.get_assessment(self.request.user, self.kwargs["pk"], Capability.NOTES)
        return (
            Answer.objects.filter(assessment=assessment)
            .select_related("practice__challenge", "option", "updated_by")
            .order_by("practice__challenge__order", "practice__order")
        )


class AnswerDetail(APIView):
    @extend_schema(
        tags=["answers"],
        request=s.AnswerWriteSerializer,
        responses={200: s.AnswerSerializer, 409: s.ConflictSerializer, **ERRORS},
    )
    def put(self, request, pk: int, practice: str):
        """Answer one practice. Send the `revision` you read: if someone changed the answer since, nothing is
        written and the reply is 409 with the current answer; so is a write to an answer inherited from a shared set."""
        assessment, _ = access.get_assessment(request.user, pk, Capability.ANSWER)
        target = next((p for p in scoped_practices(assessment) if p.slug == practice), None)
        if target is None:
            return error_response("not_found", f"No practice '{practice}' in this assessment.", 404)
        data = _valid(s.AnswerWriteSerializer, request)
        reason = data["not_applicable_reason"]
        if reason and (problem := not_applicable_problem(target, reason, data["not_applicable_detail"])):
            field, message = problem
            return error_response("invalid", message, 400, {field: [message]})
        option = next((o for o in target.options.all() if o.level == data["level"]), None)
        answer = services.AnswerInput(
            target,
            option,
            not_applicable_reason=reason,
            not_applicable_detail=data["not_applicable_detail"],
            notes=data["notes"],
            seen_revision=data["revision"],
        )
        try:
            saved = services.save_practice(assessment=assessment, user=request.user, practice=target, answer=answer)
        except services.AssessmentLocked:
            return error_response("submitted", "The assessment is submitted: reopen it to change answers.", 409)
        body = s.AnswerSerializer(saved.answer).data if saved.answer else None
        if saved.outcome == services.SaveOutcome.INHERITED:
            message = (
                f"This answer is inherited from the shared set “{saved.answer.shared_source}”: "
                "the team says it differs on the questionnaire before answering it itself."
            )
            return Response({"error": {"code": "inherited", "message": message, "details": {}}, "current": body}, 409)
        if saved.outcome == services.SaveOutcome.CONFLICT:
            return Response(
                {
                    "error": {
                        "code": "conflict",
                        "message": "Someone changed this answer since you read it.",
                        "details": {},
                    },
                    "current": body,
                },
                status=409,
            )
        return Response(body)


@extend_schema(tags=["results"], responses={200: OpenApiTypes.OBJECT, **ERRORS})
class Results(APIView):
    """Levels per challenge and overall, high-risk flags and the plan with guidance links: the JSON export's
    document (schema in docs/EXPORTS.md). It holds notes, so an organisation viewer needs their organisation to
    share notes."""

    def get(self, request, pk: int):
        assessment, _ = access.get_assessment(request.user, pk, Capability.NOTES)
        return Response(export_json(build_results(assessment), site_url=settings.SITE_URL))


class ActionList(generics.ListAPIView):
    """Tracked actions of the teams you can see; filter by team and status."""

    serializer_class = s.ActionSerializer

    def get_queryset(self):
        actions = (
            Action.objects.filter(team__in=access.visible_team_id_list(self.request.user))
            .annotate(**s.username_of("owner"))
            .order_by("-created_at", "-pk")
        )
        params = self.request.query_params
        if team := params.get("team"):
            actions = actions.filter(team_id=int(team) if team.isdigit() else -1)
        if (wanted := params.get("status")) in ActionStatus.values:
            actions = actions.filter(status=wanted)
        return actions

    @extend_schema(
        tags=["actions"],
        parameters=[
            OpenApiParameter("team", OpenApiTypes.INT),
            OpenApiParameter("status", OpenApiTypes.STR, enum=ActionStatus.values),
        ],
        responses={200: s.ActionSerializer(many=True), **ERRORS},
    )
    def get(self, request, *args, **kwargs):
        return super().get(request, *args, **kwargs)


@extend_schema(tags=["actions"], request=s.NewActionSerializer, responses={201: s.ActionSerializer, **ERRORS})
class TrackAction(APIView):
    """Track an item of the assessment's plan as an action (tracking it again returns the same action)."""

    def post(self, request, pk: int):
        assessment, _ = access.get_assessment(request.user, pk, Capability.MANAGE)
        practice = _valid(s.NewActionSerializer, request)["practice"]
        item = build_results(assessment).plan_item(practice)
        if item is None:
            return error_response("not_found", f"The plan has no item for practice '{practice}'.", 404)
        action = tracking.track_action(assessment=assessment, item=item, user=request.user)
        return Response(s.ActionSerializer(action).data, status=status.HTTP_201_CREATED)


@extend_schema(tags=["actions"], request=s.ActionUpdateSerializer, responses={200: s.ActionSerializer, **ERRORS})
class UpdateAction(APIView):
    """Set an action's status: leads for any action, members for the actions they own."""

    def patch(self, request, pk: int):
        action = get_object_or_404(Action.objects.select_related("owner"), pk=pk)
        _, team_access = access.get_team(request.user, action.team_id)
        if not access.may_update_action(request.user, team_access, action):
            raise PermissionDenied("Only a team lead or the action's owner may update it.")
        new_status = _valid(s.ActionUpdateSerializer, request)["status"]
        tracking.update_action(action=action, owner=action.owner, due_date=action.due_date, status=new_status)
        return Response(s.ActionSerializer(action).data)


class PlaybookVersions(APIView):
    """The published playbook versions, newest first (public, like the playbook's pages)."""

    permission_classes = [AllowAny]

    @extend_schema(
        tags=["playbook"], operation_id="playbook_versions", responses={200: s.PlaybookVersionSerializer(many=True)}
    )
    def get(self, request):
        versions = PlaybookVersion.objects.order_by("-loaded_at")
        return Response(
            [
                {"version": v.version, "title": v.title, "current": v.is_current, "loaded_at": v.loaded_at}
                for v in versions
            ]
        )


class PlaybookVersionDetail(APIView):
    """One version's challenges, practices and levels, with a link to each practice's guidance (public)."""

    permission_classes = [AllowAny]

    @extend_schema(
        tags=["playbook"],
        operation_id="playbook_version",
        responses={200: s.PlaybookOutlineSerializer, 404: ERRORS[404]},
    )
    def get(self, request, version: str):
        playbook = get_object_or_404(PlaybookVersion, version=version)
        challenges: dict[str, dict] = {}
        for practice in load_practices(playbook):
            challenge = challenges.setdefault(
                practice.challenge.slug,
                {
                    "slug": practice.challenge.slug,
                    "title": practice.challenge.title,
                    "module": practice.challenge.is_module,
                    "practices": [],
                },
            )
            challenge["practices"].append(
                {
                    "slug": practice.slug,
                    "title": practice.title,
                    "question": practice.question,
                    "critical": practice.is_critical,
                    "levels": [{"level": o.level, "statement": o.description} for o in practice.options.all()],
                    "guidance_url": absolute_url(practice_url(playbook.version, practice)),
                }
            )
        return Response({"version": playbook.version, "title": playbook.title, "challenges": list(challenges.values())})
