"""The security event log, read by a team's leads (their team) and an organisation's consultants (all its teams)."""

import csv

from django.contrib.auth.decorators import login_required
from django.core.paginator import Paginator
from django.db.models import QuerySet
from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.utils.timezone import localtime

from assessments import access
from assessments.access import Capability
from assessments.exports import spreadsheet_safe
from audit.models import SecurityEvent

PAGE_SIZE = 50
CSV_COLUMNS = ["time", "event", "who", "summary", "address", "request_id"]


def _page_or_csv(request: HttpRequest, events: QuerySet, filename: str, context: dict) -> HttpResponse:
    if request.GET.get("format") == "csv":
        response = HttpResponse(content_type="text/csv; charset=utf-8")
        response["Content-Disposition"] = f'attachment; filename="{filename}.csv"'
        writer = csv.writer(response)
        writer.writerow(CSV_COLUMNS)
        for event in events.iterator():
            writer.writerow(
                [
                    localtime(event.at).isoformat(),
                    event.kind,
                    *map(spreadsheet_safe, (event.actor_name, event.summary)),
                    event.address,
                    event.request_id,
                ]
            )
        return response
    page = Paginator(events, PAGE_SIZE).get_page(request.GET.get("page"))
    return render(request, "audit/events.html", context | {"page": page})


@login_required
def team_events(request: HttpRequest, team_id: int) -> HttpResponse:
    team, team_access = access.get_team(request.user, team_id, Capability.MANAGE)
    events = SecurityEvent.objects.filter(team_id=team.pk)
    context = {"team": team, "access": team_access, "scope": team.name}
    return _page_or_csv(request, events, f"security-events-{team.pk}", context)


@login_required
def organisation_events(request: HttpRequest, slug: str) -> HttpResponse:
    organisation = access.get_organisation(request.user, slug, Capability.MANAGE)[0]
    events = SecurityEvent.objects.filter(organisation_id=organisation.pk)
    context = {"organisation": organisation, "scope": organisation.name}
    return _page_or_csv(request, events, f"security-events-{organisation.slug}", context)
