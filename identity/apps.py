from django.apps import AppConfig


class IdentityConfig(AppConfig):
    name = "identity"
    verbose_name = "Sign-in"
    default_auto_field = "django.db.models.BigAutoField"

    def ready(self) -> None:
        from allauth.account.signals import user_logged_in

        from identity.receivers import apply_rules_on_company_sign_in

        user_logged_in.connect(apply_rules_on_company_sign_in, dispatch_uid="identity_sign_in_rules")
