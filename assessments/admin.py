from django.contrib import admin

from assessments.models import Answer, Assessment, Membership, Organisation, Team
from assessments.services import submissions_changed


class TeamInline(admin.TabularInline):
    model = Team
    prepopulated_fields = {"slug": ["name"]}
    extra = 0


class MembershipInline(admin.TabularInline):
    model = Membership
    autocomplete_fields = ["user"]
    extra = 0


@admin.register(Organisation)
class OrganisationAdmin(admin.ModelAdmin):
    list_display = ["name", "slug"]
    prepopulated_fields = {"slug": ["name"]}
    filter_horizontal = ["consultants"]
    inlines = [TeamInline]


@admin.register(Team)
class TeamAdmin(admin.ModelAdmin):
    list_display = ["name", "organisation"]
    list_filter = ["organisation"]
    search_fields = ["name"]
    prepopulated_fields = {"slug": ["name"]}
    inlines = [MembershipInline]


class AnswerInline(admin.TabularInline):
    model = Answer
    fields = ["practice", "option", "not_applicable_reason", "notes", "updated_by", "updated_at"]
    readonly_fields = fields
    extra = 0
    can_delete = False

    def has_add_permission(self, request, obj=None):
        return False


@admin.register(Assessment)
class AssessmentAdmin(admin.ModelAdmin):
    list_display = ["title", "team", "status", "playbook", "created_at", "submitted_at"]
    list_filter = ["status", "team__organisation", "playbook"]
    search_fields = ["title", "team__name"]
    readonly_fields = ["playbook", "created_by", "created_at", "submitted_at", "submitted_by"]
    inlines = [AnswerInline]

    # An operator's edit (status, targets, modules, team) may change what the portfolio and benchmark show.
    def save_model(self, request, obj, form, change):
        super().save_model(request, obj, form, change)
        for team_id in {obj.team_id, form.initial.get("team")} - {None}:
            submissions_changed(team_id)

    def delete_model(self, request, obj):
        super().delete_model(request, obj)
        submissions_changed(obj.team_id)

    def delete_queryset(self, request, queryset):
        team_ids = set(queryset.values_list("team", flat=True))
        super().delete_queryset(request, queryset)
        for team_id in team_ids:
            submissions_changed(team_id)
