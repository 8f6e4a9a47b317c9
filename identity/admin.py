from django.contrib import admin

from identity.models import SignInRule


@admin.register(SignInRule)
class SignInRuleAdmin(admin.ModelAdmin):
    list_display = ["team", "email_domain", "group", "role"]
    list_filter = ["team__organisation", "role"]
    autocomplete_fields = ["team"]
