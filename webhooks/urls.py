from django.urls import path

from webhooks import views

app_name = "webhooks"
urlpatterns = [
    path("teams/<int:team_id>/webhooks/", views.webhooks, name="list"),
    path("teams/<int:team_id>/webhooks/<int:pk>/remove/", views.remove, name="remove"),
    path("teams/<int:team_id>/webhooks/<int:pk>/deliveries/", views.deliveries, name="deliveries"),
    path("teams/<int:team_id>/webhooks/deliveries/<int:pk>/redeliver/", views.redeliver, name="redeliver"),
]
