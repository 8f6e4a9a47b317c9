import sys
from datetime import timedelta

from django.conf import settings
from django.contrib.auth.decorators import login_required
from django.db import DatabaseError, InterfaceError, OperationalError, connection
from django.http import HttpRequest, HttpResponse, JsonResponse
from django.shortcuts import render
from django.utils import timezone

from config.site import absolute_url
from config.tasks import TaskQueueUnavailable, oldest_task_wait


def healthz(request: HttpRequest) -> JsonResponse:
    """For load balancers and monitoring; `failed` names the checks that failed.

    503 when the database does not answer (take this web process out of rotation). 200 with status "degraded"
    when the task queue's oldest task has waited longer than TASK_QUEUE_MAX_WAIT_SECONDS, or the queue's Redis does
    not answer (TASKS_BACKEND=django_tasks_rq.RQBackend): the pages still work, but no tasks are run, so an
    operator should be alerted without the load balancer dropping the web.
    """
    try:
        with connection.cursor() as cursor:
            cursor.execute("SELECT 1")
    except DatabaseError:
        connection.close()  # so the next check opens a fresh connection
        return JsonResponse({"status": "unavailable", "database": "down", "failed": ["database"]}, status=503)
    try:
        waited = oldest_task_wait()
    except TaskQueueUnavailable:
        return JsonResponse({"status": "degraded", "database": "up", "task_queue": "down", "failed": ["task_queue"]})
    late = waited is not None and waited.total_seconds() > settings.TASK_QUEUE_MAX_WAIT_SECONDS
    return JsonResponse(
        {
            "status": "degraded" if late else "ok",
            "database": "up",
            "task_queue": "not measured" if waited is None else "late" if late else "ok",
            "oldest_task_wait_seconds": None if waited is None else round(waited.total_seconds()),
            "failed": ["task_queue"] if late else [],
        }
    )


def _api_error(code: str, message: str, status: int) -> JsonResponse:
    """The API's error shape (api/errors.py), for errors Django answers before any API view runs."""
    return JsonResponse({"error": {"code": code, "message": message, "details": {}}}, status=status)


def page_not_found(request: HttpRequest, exception: Exception) -> HttpResponse:
    if request.path.startswith("/api/"):
        return _api_error("not_found", "No such API route or object.", 404)
    return render(request, "404.html", status=404)


def server_error(request: HttpRequest) -> HttpResponse:
    """Django's last-resort error page; a lost database connection gets the calmer 'come back soon' page."""
    exception = sys.exc_info()[1]
    unavailable = isinstance(exception, OperationalError | InterfaceError)
    if request.path.startswith("/api/"):
        return (
            _api_error("unavailable", "Try again shortly.", 503)
            if unavailable
            else _api_error("server_error", "Something went wrong on our side; it has been logged.", 500)
        )
    if unavailable:
        return render(request, "503.html", status=503)
    return render(request, "500.html", status=500)


@login_required
def session_status(request: HttpRequest) -> JsonResponse:
    """Who is signed in and when the session ends; pages use it to warn before a long form times out."""
    return JsonResponse(
        {"username": request.user.get_username(), "expires_at": request.session.get_expiry_date().isoformat()}
    )


def security_txt(request: HttpRequest) -> HttpResponse:
    """RFC 9116: where to report a vulnerability. It expires after a year, so it is written fresh on each request."""
    expires = (timezone.now() + timedelta(days=365)).replace(microsecond=0)
    lines = [
        f"Contact: {settings.SECURITY_CONTACT}",
        f"Expires: {expires.isoformat().replace('+00:00', 'Z')}",
        "Preferred-Languages: en",
        f"Canonical: {absolute_url(request.path)}",
    ]
    return HttpResponse("\n".join(lines) + "\n", content_type="text/plain; charset=utf-8")
