"""Time the PDF report of the 40-practice assessment, cold and cached, and its peak memory; print one JSON line.

Run by bench/run.py in a process of its own, with the seed's JSON as the only
argument and TASKS_BACKEND set to the immediate backend, so `request_report`
renders before it returns. One warm-up render of the 8-practice assessment loads
fonts and CSS first: "cold" means a new report in a warm process. WeasyPrint keeps
nothing of a document between renders, so the same HTML is rendered COLD_RENDERS
times and the median taken: on a shared 2-core machine one render varies by ±15 %. WeasyPrint's
warnings (a stylesheet or font it could not load) are counted, since it renders
on without them and the timings would then describe a different document.
"""

# ruff: noqa: E402 (Django is set up before the app's modules are imported)

import json
import logging
import os
import resource
import statistics
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings")

import django

django.setup()

from assessments.models import Assessment, ReportStatus
from assessments.report import render_pdf, render_report_html
from assessments.report_queue import request_report
from assessments.results import build_results

COLD_RENDERS = 5


class Collect(logging.Handler):
    def __init__(self) -> None:
        super().__init__(logging.WARNING)
        self.messages: list[str] = []

    def emit(self, record: logging.LogRecord) -> None:
        self.messages.append(record.getMessage())


def main(seeded: dict) -> None:
    warnings = Collect()
    logging.getLogger("weasyprint").addHandler(warnings)
    warm_up = Assessment.objects.get(pk=seeded["sizes"]["8"]["submitted"])
    render_pdf(render_report_html(build_results(warm_up)))

    assessment = Assessment.objects.get(pk=seeded["sizes"]["40"]["submitted"])
    started = time.perf_counter()
    results = build_results(assessment)
    built = time.perf_counter()
    html = render_report_html(results)
    templated = time.perf_counter()
    renders = []
    for _ in range(COLD_RENDERS):
        render_started = time.perf_counter()
        _, pages = render_pdf(html)
        renders.append(time.perf_counter() - render_started)
    render_s = statistics.median(renders)

    request_report(results)  # renders and stores the report
    before_cached = time.perf_counter()
    report = request_report(results)
    cached = time.perf_counter()
    if report.status != ReportStatus.READY:
        raise SystemExit(f"the second request_report found the report {report.status}, not ready")
    request_report(build_results(assessment))
    cached_with_results = time.perf_counter() - cached

    print(
        json.dumps(
            {
                "pdf_cold_s": round(templated - started + render_s, 3),
                "pdf_cold_results_s": round(built - started, 3),
                "pdf_cold_html_s": round(templated - built, 3),
                "pdf_cold_render_s": round(render_s, 3),
                "pdf_cold_renders_s": [round(seconds, 3) for seconds in renders],
                "pdf_pages": pages,
                "pdf_cached_s": round(cached - before_cached, 4),
                "pdf_cached_with_results_s": round(cached_with_results, 4),
                "pdf_peak_mb": round(resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024, 1),
                "pdf_warnings": len(warnings.messages),
                "pdf_first_warning": warnings.messages[0] if warnings.messages else "",
            }
        )
    )


if __name__ == "__main__":
    main(json.loads(sys.argv[1]))
