from django.contrib import admin

from audit.models import SecurityEvent


@admin.register(SecurityEvent)
class SecurityEventAdmin(admin.ModelAdmin):
    """Operators read the whole log; nobody edits it."""

    list_display = ["at", "kind", "actor_name", "summary", "address"]
    list_filter = ["kind"]
    search_fields = ["actor_name", "summary", "address", "request_id"]
    date_hierarchy = "at"

    def has_add_permission(self, request) -> bool:
        return False

    def has_change_permission(self, request, obj=None) -> bool:
        return False

    def has_delete_permission(self, request, obj=None) -> bool:
        return False
