from django.contrib.auth.decorators import login_required
from django.urls import path
from drf_spectacular.renderers import OpenApiJsonRenderer, OpenApiYamlRenderer
from drf_spectacular.views import SpectacularAPIView, SpectacularSwaggerSplitView

from api import views

app_name = "api"
urlpatterns = [
    path("teams/", views.TeamList.as_view(), name="teams"),
    path("teams/<int:pk>/", views.TeamDetail.as_view(), name="team"),
    path("assessments/", views.AssessmentList.as_view(), name="assessments"),
    path("assessments/<int:pk>/", views.AssessmentDetail.as_view(), name="assessment"),
    path("assessments/<int:pk>/submit/", views.SubmitAssessment.as_view(), name="submit"),
    path("assessments/<int:pk>/reopen/", views.ReopenAssessment.as_view(), name="reopen"),
    path("assessments/<int:pk>/answers/", views.AnswerList.as_view(), name="answers"),
    path("assessments/<int:pk>/answers/<slug:practice>/", views.AnswerDetail.as_view(), name="answer"),
    path("assessments/<int:pk>/results/", views.Results.as_view(), name="results"),
    path("assessments/<int:pk>/actions/", views.TrackAction.as_view(), name="track_action"),
    path("actions/", views.ActionList.as_view(), name="actions"),
    path("actions/<int:pk>/", views.UpdateAction.as_view(), name="action"),
    path("playbook/", views.PlaybookVersions.as_view(), name="playbook_versions"),
    path("playbook/<str:version>/", views.PlaybookVersionDetail.as_view(), name="playbook_version"),
    # JSON first, so the schema's own errors (401) are JSON like every other API error; ?format=yaml for YAML.
    path(
        "schema/",
        SpectacularAPIView.as_view(renderer_classes=[OpenApiJsonRenderer, OpenApiYamlRenderer]),
        name="schema",
    ),
    # The browsable documentation is a page for people: signing in first, like every other page.
    path("docs/", login_required(SpectacularSwaggerSplitView.as_view(url_name="api:schema")), name="docs"),
]
