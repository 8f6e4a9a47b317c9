"""The PDF remediation report, rendered by WeasyPrint from the same partials as the results page."""

import mimetypes
from pathlib import Path
from urllib.parse import urlsplit

from django.conf import settings
from django.contrib.staticfiles import finders
from django.template.loader import render_to_string
from weasyprint import HTML
from weasyprint.urls import URLFetcher, URLFetcherResponse

from assessments.results import AssessmentResults


class StaticFileFetcher(URLFetcher):
    """Give WeasyPrint the app's own static files from disk and nothing else.

    No network access and no path that user input could name: only URLs under
    `SITE_URL + STATIC_URL` that a staticfiles finder resolves are served.
    """

    def fetch(self, url: str, headers=None) -> URLFetcherResponse:
        static_prefix = f"{settings.SITE_URL}/{settings.STATIC_URL.lstrip('/')}"
        if not url.startswith(static_prefix):
            raise ValueError(f"report may only load the app's static files, not {url}")
        relative = urlsplit(url).path.removeprefix(urlsplit(static_prefix).path)
        found = finders.find(relative) if ".." not in Path(relative).parts else None
        if not found:
            raise ValueError(f"static file not found: {relative}")
        content_type = mimetypes.guess_type(found)[0] or "application/octet-stream"
        return URLFetcherResponse(url, Path(found).read_bytes(), headers={"Content-Type": content_type})


def render_report_html(results: AssessmentResults) -> str:
    return render_to_string(
        "assessments/report_pdf.html",
        {"results": results, "assessment": results.assessment, "site_url": settings.SITE_URL},
    )


def render_report_pdf(results: AssessmentResults) -> bytes:
    html = HTML(string=render_report_html(results), base_url=settings.SITE_URL + "/", url_fetcher=StaticFileFetcher())
    return html.write_pdf(pdf_variant="pdf/ua-1")
