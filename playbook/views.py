"""Playbook guidance pages. Public: the guidance is general advice with no team
data in it, and stakeholders who receive a PDF report follow its links without
an account."""

from django.conf import settings
from django.db.models import Prefetch
from django.http import Http404, HttpRequest, HttpResponse, HttpResponseBadRequest
from django.shortcuts import get_object_or_404, render
from django.views.decorators.cache import cache_control

from playbook.aws_lens import custom_lens, lens_json
from playbook.models import Challenge, FrameworkItem, GuidanceSection, PlaybookVersion, Practice, Reference
from playbook.published import load_frameworks, load_practices, practice_url, published_content

# The only pages a browser may keep for a while: published guidance never changes. Private, because every page
# carries the visitor's CSRF token.
public_guidance = cache_control(private=True, max_age=600)


COVERS = Prefetch("covers", queryset=FrameworkItem.objects.select_related("framework"))


@public_guidance
def index(request: HttpRequest, version: str | None = None) -> HttpResponse:
    if version is None:
        playbook = get_object_or_404(PlaybookVersion, is_current=True)
    else:
        playbook = get_object_or_404(PlaybookVersion, version=version)
    challenges = list(
        playbook.challenges.prefetch_related(Prefetch("practices", queryset=Practice.objects.order_by("order")))
    )
    return render(
        request,
        "playbook/playbook_index.html",
        {
            "playbook": playbook,
            "challenges": [challenge for challenge in challenges if not challenge.is_module],
            "modules": [challenge for challenge in challenges if challenge.is_module],
            "has_frameworks": playbook.frameworks.exists(),
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
                queryset=Practice.objects.prefetch_related(
                    "options",
                    "guidance",
                    Prefetch("covers", queryset=FrameworkItem.objects.select_related("framework")),
                ).order_by("order"),
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
    siblings = Challenge.objects.filter(playbook=challenge.playbook).only("slug", "title", "order", "is_module")
    core = {p.slug: p for p in load_practices(challenge.playbook) if p.slug in challenge.builds_on}
    builds_on = [(core[slug], practice_url(version, core[slug])) for slug in challenge.builds_on if slug in core]
    return render(
        request,
        "playbook/challenge_detail.html",
        {"challenge": challenge, "playbook": challenge.playbook, "siblings": siblings, "builds_on": builds_on},
    )


@public_guidance
def coverage(request: HttpRequest, version: str) -> HttpResponse:
    """Per framework, each item and the practices that cover it, or why it is out of scope."""
    playbook = get_object_or_404(PlaybookVersion, version=version)
    frameworks = [
        {
            "framework": framework,
            "items": [
                (item, [(practice, practice_url(version, practice)) for practice in item.practices.all()])
                for item in framework.items.all()
            ],
            "covered": sum(1 for item in framework.items.all() if item.practices.all()),
            "out_of_scope": sum(1 for item in framework.items.all() if item.out_of_scope),
        }
        for framework in load_frameworks(playbook)
    ]
    modules = ",".join(playbook.challenges.filter(is_module=True).values_list("slug", flat=True))
    context = {"playbook": playbook, "frameworks": frameworks, "modules": modules}
    return render(request, "playbook/coverage.html", context)


def aws_lens(request: HttpRequest, version: str) -> HttpResponse:
    """A version as an AWS Well-Architected custom lens: the core challenges, and the modules named in `?modules=`."""
    playbook = get_object_or_404(PlaybookVersion, version=version)
    content = published_content(playbook)
    if content is None:
        raise Http404(f"This server no longer has the content files of playbook {version} to build its lens from.")
    modules = [slug for slug in request.GET.get("modules", "").split(",") if slug]
    try:
        lens = custom_lens(content, site_url=settings.SITE_URL, modules=modules)
    except ValueError as problem:
        return HttpResponseBadRequest(f"No lens: {problem}", content_type="text/plain; charset=utf-8")
    response = HttpResponse(lens_json(lens), content_type="application/json")
    suffix = "-with-modules" if modules else ""
    response["Content-Disposition"] = f'attachment; filename="mlops-maturity-{version}{suffix}-aws-lens.json"'
    return response
