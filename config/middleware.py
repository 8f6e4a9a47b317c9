"""Project-wide middleware: request ids, no caching of private pages, signed-out htmx requests, and a calm
answer when the database is down."""

import logging
import re
import uuid

from django.conf import settings
from django.db import DatabaseError, InterfaceError, OperationalError
from django.http import HttpResponse
from django.shortcuts import render, resolve_url
from django.utils.cache import patch_cache_control

from config.client_ip import client_address_var, client_ip
from config.logging import request_id_var

logger = logging.getLogger("config.database")
VALID_REQUEST_ID = re.compile(r"^[A-Za-z0-9._-]{8,64}$")


class RequestIdMiddleware:
    """Tag each request with an id (a proxy's X-Request-ID if it looks sane) for logs and the response, and note the
    client's address for the security event log."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        incoming = request.headers.get("X-Request-ID", "")
        request.id = incoming if VALID_REQUEST_ID.match(incoming) else uuid.uuid4().hex
        token = request_id_var.set(request.id)
        address_token = client_address_var.set(client_ip(request))
        try:
            response = self.get_response(request)
        finally:
            request_id_var.reset(token)
            client_address_var.reset(address_token)
        response["X-Request-ID"] = request.id
        return response


class PermissionsPolicyMiddleware:
    """Sends PERMISSIONS_POLICY with every response (Django's SecurityMiddleware has no setting for it)."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        response = self.get_response(request)
        response.headers.setdefault("Permissions-Policy", settings.PERMISSIONS_POLICY)
        return response


class NoStoreMiddleware:
    """The one place that decides caching: nothing is stored by browsers or proxies, so team data, share-link and
    workshop pages never linger, unless a view sets its own caching (the playbook's guidance) for a visitor who
    is not signed in."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        response = self.get_response(request)
        cacheable = response.has_header("Cache-Control") and not response.has_header("Content-Disposition")
        if not cacheable or self._is_signed_in(request):
            patch_cache_control(response, no_store=True, private=True)
        return response

    @staticmethod
    def _is_signed_in(request) -> bool:
        try:
            return request.user.is_authenticated
        except DatabaseError:
            return True  # cannot tell while the database is down: treat the page as private


class HtmxSignedOutMiddleware:
    """A 401 instead of a redirect to the login page for htmx requests.

    The browser follows the redirect inside the request, and htmx would then swap the whole login page into the
    card that was saving; a 401 lets the page keep what was typed and say why it was not saved.
    """

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        response = self.get_response(request)
        if (
            getattr(request, "htmx", False)
            and response.status_code == 302
            and response["Location"].startswith(resolve_url(settings.LOGIN_URL))
        ):
            return HttpResponse("Signed out", status=401, content_type="text/plain")
        return response


class DatabaseUnavailableMiddleware:
    """A friendly 503 instead of a stack trace while PostgreSQL is unreachable; health checks reconnect later."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        return self.get_response(request)

    def process_exception(self, request, exception):
        if isinstance(exception, OperationalError | InterfaceError):
            logger.error("database unavailable: %s", type(exception).__name__)
            return render(request, "503.html", status=503)
        return None
