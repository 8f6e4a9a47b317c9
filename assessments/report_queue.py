"""The PDF report's lifecycle: requested by a page, rendered once per revision on the background worker.

A report is rendered once per revision of what it shows: the hash of its HTML is
the cache key, so any changed answer, target or wording makes a new one. A row
that nothing has picked up, or whose render has run for longer than
`REPORT_STALE_SECONDS` (a lost task, a worker that died mid-render), is queued
again by the next request for it.
"""

import hashlib
import logging
from functools import partial

from django.db import transaction
from django.utils import timezone

from assessments import tasks
from assessments.models import SHOW_EVERYTHING, Assessment, Disclosure, RenderedReport, ReportStatus
from assessments.report import render_report_html
from assessments.results import AssessmentResults
from config.tasks import is_outside_the_transaction

logger = logging.getLogger(__name__)


@transaction.atomic
def request_report(
    results: AssessmentResults,
    disclosure: Disclosure = SHOW_EVERYTHING,
    *,
    prepared_by: str = "",
    prepared_for: str = "",
) -> RenderedReport:
    """The report of what `results` shows now to an audience (the team, or a share link's disclosure): the one
    already made, or a newly queued render. The branding and the "prepared by/for" lines are in the HTML, so they
    are part of the cache key too.

    With an immediate task backend (tests) the render happens before this returns.
    """
    html = render_report_html(results, disclosure, prepared_by=prepared_by, prepared_for=prepared_for)
    content_hash = hashlib.sha256(html.encode()).hexdigest()
    assessment = results.assessment
    report, created = RenderedReport.objects.select_for_update().get_or_create(
        assessment=assessment, content_hash=content_hash, defaults={"html": html, "audience": disclosure.key}
    )
    if created:
        # Older revisions for the same audience are never shown again.
        older = RenderedReport.objects.filter(assessment=assessment, audience=disclosure.key).exclude(pk=report.pk)
        older.delete()
    elif report.status == ReportStatus.FAILED or report.is_stuck(timezone.now()):
        RenderedReport.objects.filter(pk=report.pk).update(
            status=ReportStatus.QUEUED, queued_at=timezone.now(), started_at=None
        )
    else:
        return report
    _enqueue(report)
    report.refresh_from_db()
    return report


def _enqueue(report: RenderedReport) -> None:
    """Queue the render so that no worker sees the task before the row. The database backend stores the task in
    this transaction; RQ's Redis is outside it, so there the task goes once the transaction commits. If queueing
    fails the row stays queued and a later request queues it again once it is stale."""
    if is_outside_the_transaction(tasks.render_report.get_backend()):
        transaction.on_commit(partial(_queue_render, report.pk))
    else:
        _queue_render(report.pk)


def _queue_render(report_id: int) -> None:
    try:
        with transaction.atomic():
            tasks.render_report.enqueue(report_id)
    except Exception:
        logger.exception("could not queue report %s", report_id)


def poll_report(assessment: Assessment, report_id: int, disclosure: Disclosure) -> RenderedReport | None:
    """The report a waiting page asked for and now polls, read from its row: no results or HTML are built again.
    Only a report of this assessment for this audience; None when there is none (a newer revision replaced it), and
    the page asks for the report afresh. A failed or stuck render is queued again, as `request_report` would."""
    report = (
        RenderedReport.objects.filter(pk=report_id, assessment=assessment, audience=disclosure.key)
        .defer("html")
        .first()
    )
    if report is None:
        return None
    if report.status == ReportStatus.FAILED or report.is_stuck(timezone.now()):
        with transaction.atomic():
            # Only the poll that changes the row queues it: two polls at once must not render it twice.
            requeued = RenderedReport.objects.filter(pk=report.pk, status=report.status, attempt=report.attempt)
            if requeued.update(status=ReportStatus.QUEUED, queued_at=timezone.now(), started_at=None):
                _enqueue(report)
        report.refresh_from_db(fields=["status", "queued_at", "started_at", "pdf"])
    return report
