from django.urls import path

from playbook import views

app_name = "playbook"
urlpatterns = [
    path("", views.index, name="index"),
    path("<str:version>/", views.index, name="version"),
    path("<str:version>/coverage/", views.coverage, name="coverage"),
    path("<str:version>/aws-lens.json", views.aws_lens, name="aws_lens"),
    path("<str:version>/<slug:slug>/", views.challenge_detail, name="challenge"),
]
