from django.urls import path

from audit import views

app_name = "audit"
urlpatterns = [
    path("teams/<int:team_id>/security-events/", views.team_events, name="team_events"),
    path("organisations/<slug:slug>/security-events/", views.organisation_events, name="organisation_events"),
]
