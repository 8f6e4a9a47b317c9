from django.urls import path

from integrations import views

app_name = "integrations"

urlpatterns = [
    path("teams/<int:team_id>/tracker/", views.tracker, name="tracker"),
    path("teams/<int:team_id>/tracker/disconnect/", views.disconnect, name="disconnect"),
    path("teams/<int:team_id>/tracker/sync/", views.sync, name="sync"),
    path("teams/<int:team_id>/actions/<int:action_id>/push/", views.push_action, name="push_action"),
    path("assessments/<int:pk>/plan/<slug:practice_slug>/push/", views.push_plan_item, name="push_plan_item"),
]
