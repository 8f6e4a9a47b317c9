"""A team's webhooks, for its leads and consultants: add one (its secret shown once), remove one, read the delivery
log and send a delivery again. Another team's webhook or delivery is a 404, like the team itself."""

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.paginator import Paginator
from django.db.models import Prefetch
from django.http import HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.views.decorators.http import require_POST

from assessments import access
from assessments.access import Capability
from webhooks import services
from webhooks.forms import WebhookForm
from webhooks.models import Attempt, Delivery, Webhook

PAGE_SIZE = 25


def _team_webhook(request: HttpRequest, team_id: int, pk: int) -> tuple[Webhook, access.TeamAccess]:
    team, team_access = access.get_team(request.user, team_id, Capability.MANAGE)
    webhook = get_object_or_404(Webhook, team=team, pk=pk)
    webhook.team = team
    return webhook, team_access


@login_required
def webhooks(request: HttpRequest, team_id: int) -> HttpResponse:
    team, team_access = access.get_team(request.user, team_id, Capability.MANAGE)
    form = WebhookForm(request.POST or None)
    added = None
    if request.method == "POST" and form.is_valid():
        added = services.create_webhook(team=team, user=request.user, **form.cleaned_data)
        form = WebhookForm()
    context = {"team": team, "access": team_access, "form": form, "added": added, "webhooks": team.webhooks.all()}
    return render(request, "webhooks/webhook_list.html", context)


@login_required
@require_POST
def remove(request: HttpRequest, team_id: int, pk: int) -> HttpResponse:
    webhook, _ = _team_webhook(request, team_id, pk)
    services.remove_webhook(webhook=webhook, user=request.user)
    messages.success(request, f"The webhook to {webhook.url} is removed; nothing more is sent to it.")
    return redirect("webhooks:list", team_id)


@login_required
def deliveries(request: HttpRequest, team_id: int, pk: int) -> HttpResponse:
    webhook, team_access = _team_webhook(request, team_id, pk)
    logged = webhook.deliveries.prefetch_related(Prefetch("attempt_log", queryset=Attempt.objects.order_by("number")))
    page = Paginator(logged, PAGE_SIZE).get_page(request.GET.get("page"))
    context = {"team": webhook.team, "access": team_access, "webhook": webhook, "page": page}
    return render(request, "webhooks/webhook_deliveries.html", context)


@login_required
@require_POST
def redeliver(request: HttpRequest, team_id: int, pk: int) -> HttpResponse:
    team, _ = access.get_team(request.user, team_id, Capability.MANAGE)
    delivery = get_object_or_404(Delivery.objects.select_related("webhook"), webhook__team=team, pk=pk)
    services.redeliver(delivery=delivery)
    messages.success(request, f"The {delivery.get_event_type_display().lower()} event is queued to be sent again.")
    return redirect("webhooks:deliveries", team_id, delivery.webhook_id)
