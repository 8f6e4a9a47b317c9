"""Playbook guidance pages. Public: the guidance is general advice with no team
data in it, and stakeholders who receive a PDF report follow its links without
an account."""

from django.db.models import Prefetch
from django.http import HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, render
from django.views.decorators.cache import cache_control

from playbook.models import Challenge, GuidanceSection, PlaybookVersion, Practice, Reference

# The only pages a browser may keep for a while: published guidance never changes. Private, because every page
# carries the visitor's CSRF token.
public_guidance = cache_control(private=True, max_age=600)


@public_guidance
def index(request: HttpRequest, version: str | None = None) -> HttpResponse:
    if version is None:
        playbook = get_object_or_404(PlaybookVersion, is_current=True)
    else:
        playbook = get_object_or_404(PlaybookVersion, version=version)
    challenges = playbook.challenges.prefetch_related(
        Prefetch("practices", queryset=Practice.objects.order_by("order"))
    )
    return render(
        request,
        "playbook/playbook_index.html",
        {
            "playbook": playbook,
            "challenges": challenges,
            "versions": PlaybookVersion.objects.only("version", "is_current", "loaded_at"),
        },
    )


@public_guidance
def challenge_detail(request: HttpRequest, version: str, slug: str) -> HttpResponse:
    challenge = get_object_or_404(
        Challenge.objects.select_related("playbook").prefetch_related(
            "references",
            Prefetch(
                "practices",
                queryset=Practice.objects.prefetch_related("options", "guidance").order_by("order"),
            ),
            Prefetch(
                "guidance_sections",
                queryset=GuidanceSection.objects.prefetch_related(
                    Prefetch("references", queryset=Reference.objects.order_by("title")),
                    Prefetch("practices", queryset=Practice.objects.prefetch_related("options")),
                ),
            ),
        ),
        playbook__version=version,
        slug=slug,
    )
    siblings = Challenge.objects.filter(playbook=challenge.playbook).only("slug", "title", "order")
    return render(
        request,
        "playbook/challenge_detail.html",
        {"challenge": challenge, "playbook": challenge.playbook, "siblings": siblings},
    )
