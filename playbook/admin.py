"""The playbook in the admin is read-only: the files in playbook/content/ are the source of truth."""

from django.contrib import admin

from playbook.models import AnswerOption, Challenge, GuidanceSection, PlaybookVersion, Practice, Reference

EDIT_HINT = "Read-only. Edit the YAML files in playbook/content/, bump the version and run `manage.py load_playbook`."


class ReadOnlyAdmin(admin.ModelAdmin):
    def has_add_permission(self, request, obj=None):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False

    def changelist_view(self, request, extra_context=None):
        self.message_user(request, EDIT_HINT)
        return super().changelist_view(request, extra_context)


class AnswerOptionInline(admin.TabularInline):
    model = AnswerOption
    fields = ["level", "description", "next_step", "next_step_effort", "next_step_impact"]
    readonly_fields = fields
    extra = 0
    can_delete = False

    def has_add_permission(self, request, obj=None):
        return False


@admin.register(PlaybookVersion)
class PlaybookVersionAdmin(ReadOnlyAdmin):
    list_display = ["version", "title", "is_current", "loaded_at"]


@admin.register(Challenge)
class ChallengeAdmin(ReadOnlyAdmin):
    list_display = ["title", "order", "playbook"]
    list_filter = ["playbook"]


@admin.register(Practice)
class PracticeAdmin(ReadOnlyAdmin):
    list_display = ["title", "challenge", "weight", "is_critical"]
    list_filter = ["challenge__playbook", "challenge", "is_critical"]
    search_fields = ["title", "slug", "question"]
    inlines = [AnswerOptionInline]


@admin.register(GuidanceSection)
class GuidanceSectionAdmin(ReadOnlyAdmin):
    list_display = ["title", "challenge"]
    list_filter = ["challenge__playbook"]


@admin.register(Reference)
class ReferenceAdmin(ReadOnlyAdmin):
    list_display = ["title", "publisher", "url", "playbook"]
    list_filter = ["playbook"]
