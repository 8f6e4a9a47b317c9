"""The address a request came from, trusting X-Forwarded-For only as far as the operator's own proxies."""

import contextvars
import ipaddress

from django.conf import settings
from django.http import HttpRequest

# The current request's client address, for records written deep in services (the security event log).
client_address_var: contextvars.ContextVar[str] = contextvars.ContextVar("client_address", default="")


def client_ip(request: HttpRequest) -> str:
    """The client's address: with TRUSTED_PROXY_COUNT proxies in front, each appending the address it heard from,
    it is that many entries from the right of X-Forwarded-For; anything further left was written by the client.

    Without trusted proxies the header is ignored and the socket's address is used, so nobody can choose the
    address their failed logins or workshop joins are counted against.
    """
    address = request.META.get("REMOTE_ADDR", "")
    if count := settings.TRUSTED_PROXY_COUNT:
        hops = [hop.strip() for hop in request.META.get("HTTP_X_FORWARDED_FOR", "").split(",") if hop.strip()]
        if len(hops) >= count:
            address = hops[-count]
    try:
        return str(ipaddress.ip_address(address))
    except ValueError:
        return "unknown"
