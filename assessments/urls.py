from django.urls import path

from assessments import views

app_name = "assessments"
urlpatterns = [
    path("", views.home, name="home"),
    path("teams/<int:team_id>/", views.team_detail, name="team"),
    path("assessments/<int:pk>/", views.overview, name="overview"),
    path("assessments/<int:pk>/challenges/<slug:challenge_slug>/", views.questionnaire, name="questionnaire"),
    path("assessments/<int:pk>/submit/", views.submit, name="submit"),
    path("assessments/<int:pk>/reopen/", views.reopen, name="reopen"),
    path("assessments/<int:pk>/results/", views.results, name="results"),
    path("assessments/<int:pk>/report.pdf", views.report_pdf, name="report_pdf"),
]
