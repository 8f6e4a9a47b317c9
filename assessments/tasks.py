"""Background tasks (Django's tasks framework), run by `manage.py db_worker` on the database queue, or by
`manage.py rqworker` when the queue is on Redis (TASKS_BACKEND=django_tasks_rq.RQBackend)."""

import logging
import time

from django.db.models import F
from django.tasks import task
from django.utils import timezone

from assessments.models import RenderedReport, ReportStatus
from assessments.report import render_pdf

logger = logging.getLogger(__name__)


@task()
def render_report(report_id: int) -> None:
    """Render a queued report. A row re-queued after a worker died gets a new attempt number, so a late finish
    of the old attempt cannot overwrite the new one."""
    now = timezone.now()
    claimed = RenderedReport.objects.filter(pk=report_id, status=ReportStatus.QUEUED).update(
        status=ReportStatus.RENDERING, started_at=now, attempt=F("attempt") + 1
    )
    if not claimed:
        return  # already rendered, or deleted because a newer revision replaced it
    report = RenderedReport.objects.only("html", "attempt").get(pk=report_id)
    this_attempt = RenderedReport.objects.filter(pk=report_id, attempt=report.attempt)
    started = time.perf_counter()
    try:
        pdf, pages = render_pdf(report.html)
    except Exception:
        logger.exception("report %s failed to render", report_id)
        this_attempt.update(status=ReportStatus.FAILED, finished_at=timezone.now())
        raise
    this_attempt.update(
        status=ReportStatus.READY,
        pdf=pdf,
        pages=pages,
        html="",
        render_seconds=round(time.perf_counter() - started, 3),
        finished_at=timezone.now(),
    )
