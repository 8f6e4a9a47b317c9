import sys

from django.contrib.auth.decorators import login_required
from django.db import DatabaseError, InterfaceError, OperationalError, connection
from django.http import HttpRequest, HttpResponse, JsonResponse
from django.shortcuts import render
from django.views.decorators.cache import never_cache


@never_cache
def healthz(request: HttpRequest) -> JsonResponse:
    """200 when the database answers, 503 when it does not (for load balancers and orchestrators)."""
    try:
        with connection.cursor() as cursor:
            cursor.execute("SELECT 1")
    except DatabaseError:
        connection.close()  # so the next check opens a fresh connection
        return JsonResponse({"status": "unavailable", "database": "down"}, status=503)
    return JsonResponse({"status": "ok", "database": "up"})


def server_error(request: HttpRequest) -> HttpResponse:
    """Django's last-resort error page; a lost database connection gets the calmer 'come back soon' page."""
    exception = sys.exc_info()[1]
    if isinstance(exception, OperationalError | InterfaceError):
        return render(request, "503.html", status=503)
    return render(request, "500.html", status=500)


@login_required
@never_cache
def session_status(request: HttpRequest) -> JsonResponse:
    """Who is signed in and when the session ends; pages use it to warn before a long form times out."""
    return JsonResponse(
        {"username": request.user.get_username(), "expires_at": request.session.get_expiry_date().isoformat()}
    )
