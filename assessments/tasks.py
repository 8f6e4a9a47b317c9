"""Background tasks, run by `manage.py db_worker` (Django's tasks framework, database backend)."""

from django.tasks import task

from assessments import report


@task()
def render_report(report_id: int) -> None:
    report.render_queued_report(report_id)
