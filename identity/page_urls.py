from django.urls import path

from identity import account_views

app_name = "identity"

urlpatterns = [
    path("", account_views.account, name="account"),
]
