from django.apps import AppConfig


class AuditConfig(AppConfig):
    name = "audit"
    verbose_name = "Security events"
    default_auto_field = "django.db.models.BigAutoField"

    def ready(self) -> None:
        from django.contrib.auth.signals import user_logged_in, user_login_failed

        from audit.receivers import record_failed_sign_in, record_sign_in

        user_logged_in.connect(record_sign_in, dispatch_uid="audit_sign_in")
        user_login_failed.connect(record_failed_sign_in, dispatch_uid="audit_sign_in_failed")
