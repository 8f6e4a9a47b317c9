from django.urls import path

from api import token_views

app_name = "tokens"
urlpatterns = [
    path("account/tokens/", token_views.tokens, name="list"),
    path("account/tokens/<int:pk>/revoke/", token_views.revoke, name="revoke"),
]
