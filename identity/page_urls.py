from django.urls import path

from identity import account_views, rule_views

app_name = "identity"

urlpatterns = [
    path("account/", account_views.account, name="account"),
    path("organisations/<slug:slug>/sign-in-rules/", rule_views.sign_in_rules, name="sign_in_rules"),
    path(
        "organisations/<slug:slug>/sign-in-rules/<int:pk>/remove/",
        rule_views.remove_sign_in_rule,
        name="remove_sign_in_rule",
    ),
]
