from django.urls import path

from workshops import views

app_name = "workshops"
urlpatterns = [
    path("assessments/<int:pk>/workshops/new/", views.create, name="create"),
    path("workshops/<int:pk>/", views.facilitate, name="facilitate"),
    path("workshops/<int:pk>/projector/", views.projector, name="projector"),
    path("workshops/<int:pk>/move/", views.move, name="move"),
    path("workshops/<int:pk>/places/", views.places, name="places"),
    path("workshops/<int:pk>/practices/<slug:practice_slug>/decide/", views.decide, name="decide"),
    path("workshops/<int:pk>/close/", views.close, name="close"),
    path("join/", views.join, name="join"),
    path("join/<str:code>/", views.join, name="join_code"),
    path("w/<str:code>/", views.ballot, name="ballot"),
    path("w/<str:code>/practices/<slug:practice_slug>/", views.vote, name="vote"),
]
