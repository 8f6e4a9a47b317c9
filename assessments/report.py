"""The PDF report, rendered by WeasyPrint from the same partials and numbers as the results page.

This module only renders: HTML from the results, then pages and PDF bytes. Queueing a
render and storing it is `assessments.report_queue`; the worker's task is in
`assessments.tasks`.
"""

import base64
import mimetypes
from collections import Counter
from functools import cache, lru_cache
from pathlib import Path
from urllib.parse import urlsplit

from django.conf import settings
from django.contrib.auth import get_user_model
from django.contrib.staticfiles import finders
from django.db.models import Q
from django.template.loader import render_to_string
from django.templatetags.static import static
from weasyprint import CSS, HTML, Document
from weasyprint.text.fonts import FontConfiguration
from weasyprint.urls import URLFetcher, URLFetcherResponse

from assessments.benchmark_data import benchmark_for
from assessments.comparison import challenge_trends
from assessments.evidence import evidence_rows
from assessments.models import SHOW_EVERYTHING, Action, AnswerChange, Disclosure, person_name
from assessments.organisations import organisation_brand
from assessments.results import AssessmentResults, previous_submitted, score_many

INLINE_LOGO_PREFIXES = ("data:image/png;base64,", "data:image/svg+xml;base64,")


class StaticFileFetcher(URLFetcher):
    """Give WeasyPrint the app's own static files from disk and nothing else.

    No network access and no path that user input could name: only URLs under
    `SITE_URL + STATIC_URL` that resolve to a collected static file (production,
    where names carry a content hash) or to a source file a finder knows (development),
    and the organisation's logo inlined as a PNG or SVG data: URI.
    """

    def fetch(self, url: str, headers=None) -> URLFetcherResponse:
        if url.startswith(INLINE_LOGO_PREFIXES):
            return self._inline_logo(url)
        static_prefix = f"{settings.SITE_URL}/{settings.STATIC_URL.lstrip('/')}"
        if not url.startswith(static_prefix):
            raise ValueError(f"report may only load the app's static files, not {url}")
        relative = urlsplit(url).path.removeprefix(urlsplit(static_prefix).path)
        found = self._find(relative) if ".." not in Path(relative).parts else None
        if not found:
            raise ValueError(f"static file not found: {relative}")
        content_type = mimetypes.guess_type(found)[0] or "application/octet-stream"
        return URLFetcherResponse(url, Path(found).read_bytes(), headers={"Content-Type": content_type})

    @staticmethod
    def _inline_logo(url: str) -> URLFetcherResponse:
        # The organisation's logo, sanitised when uploaded and inlined by the template (assessments/branding.py).
        header, _, payload = url.partition(",")
        content_type = header.removeprefix("data:").removesuffix(";base64")
        return URLFetcherResponse(url, base64.b64decode(payload, validate=True), headers={"Content-Type": content_type})

    @staticmethod
    def _find(relative: str) -> str | None:
        root = Path(settings.STATIC_ROOT)
        collected = root / relative
        if settings.STATIC_ROOT and collected.resolve().is_relative_to(root.resolve()) and collected.is_file():
            return str(collected)
        return finders.find(relative)


def participants(results: AssessmentResults) -> list[str]:
    """Everyone who changed an answer, and whoever submitted it, by name."""
    assessment = results.assessment
    changed_by = AnswerChange.objects.filter(assessment=assessment).values("changed_by")
    people = get_user_model().objects.filter(Q(pk__in=changed_by) | Q(pk=assessment.submitted_by_id))
    return sorted({person_name(user) for user in people}, key=str.casefold)


def render_report_html(
    results: AssessmentResults,
    disclosure: Disclosure = SHOW_EVERYTHING,
    *,
    prepared_by: str = "",
    prepared_for: str = "",
) -> str:
    """The report's HTML: everything that makes one report differ from another is in it, as it is the cache key."""
    assessment = results.assessment
    previous = previous_submitted(assessment)
    actions = list(
        Action.objects.filter(team_id=assessment.team_id, assessment__created_at__lte=assessment.created_at)
        .select_related("owner")
        .order_by("status", "due_date", "pk")
    )
    return render_to_string(
        "assessments/report_pdf.html",
        {
            "results": results,
            "assessment": assessment,
            "site_url": settings.SITE_URL,
            "participants": participants(results) if disclosure.names else [],
            "disclosure": disclosure,
            "hide_notes": not disclosure.notes,
            "evidence_rows": evidence_rows(results) if disclosure.files else [],
            "previous": previous,
            "trends": challenge_trends(score_many([previous])[previous.pk] if previous else None, results.score),
            "actions": actions,
            "action_counts": list(Counter(action.get_status_display() for action in actions).items()),
            "benchmark": benchmark_for(assessment, results.score),
            "brand": organisation_brand(assessment.team.organisation),
            "prepared_by": prepared_by,
            "prepared_for": prepared_for,
        },
    )


@cache
def _fonts() -> FontConfiguration:
    # One font configuration per process: a warm worker skips reloading the embedded fonts.
    return FontConfiguration()


@cache
def _fetcher() -> StaticFileFetcher:
    # Building a fetcher builds an HTTPS context (about 20 ms) that this one never uses: make it once.
    return StaticFileFetcher()


@lru_cache(maxsize=8)
def _stylesheet(url: str) -> CSS:
    return CSS(url=url, url_fetcher=_fetcher(), font_config=_fonts())


def lay_out(html: str) -> Document:
    """The report laid out in pages. The stylesheet is parsed once per process, not once per report."""
    stylesheet_url = settings.SITE_URL + static("css/report.css")
    # In development the stylesheet is re-read on every render, so edits show without a restart.
    stylesheet = _stylesheet.__wrapped__(stylesheet_url) if settings.DEBUG else _stylesheet(stylesheet_url)
    return HTML(string=html, base_url=settings.SITE_URL + "/", url_fetcher=_fetcher()).render(
        stylesheets=[stylesheet], font_config=_fonts()
    )


def render_pdf(html: str) -> tuple[bytes, int]:
    """The PDF and its page count."""
    document = lay_out(html)
    return document.write_pdf(pdf_variant="pdf/ua-1"), len(document.pages)
