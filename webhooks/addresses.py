"""Which URLs webhooks may be sent to: a guard against server-side request forgery.

A lead types the URL, but the server sends the request, from inside the network it runs in. Unchecked, a webhook
could make it post to its own admin ports, a cloud metadata service (169.254.169.254) or a database on the private
network. So a URL is refused when its host resolves to any address that is not globally routable: loopback,
link-local, private, shared (carrier-grade NAT), reserved, documentation, multicast or unspecified. Plain http is
refused too, as a payload says what a team's assessment found. An operator who runs receivers inside the company
network allows both with WEBHOOK_ALLOW_PRIVATE_ADDRESSES.

The check runs when a lead registers the URL and again before every delivery (DNS can change in between), and the
delivery then connects to one of the very addresses checked, so a name that resolves elsewhere a moment later
(DNS rebinding) cannot slip past. Example: https://hooks.example.com/x resolving to 10.0.0.5 is refused;
http://192.168.1.20:8080/x is accepted only with the setting on.
"""

import ipaddress
import socket
from dataclasses import dataclass
from urllib.parse import urlsplit


class RefusedURL(Exception):
    """A URL webhooks may not be sent to; the message says why, fit to show the lead."""

    def __init__(self, message: str, *, lasting: bool = True):
        super().__init__(message)
        self.message = message
        self.lasting = lasting  # False when trying again later may succeed (a name that did not resolve)


@dataclass(frozen=True)
class Target:
    host: str  # as in the URL, without brackets
    addresses: tuple[str, ...]  # every address it resolved to, each allowed


def is_public(address: str) -> bool:
    ip = ipaddress.ip_address(address)
    if isinstance(ip, ipaddress.IPv6Address) and ip.ipv4_mapped is not None:
        ip = ip.ipv4_mapped  # ::ffff:127.0.0.1 is loopback too
    return ip.is_global and not ip.is_multicast


def resolve(host: str, port: int) -> list[str]:
    """Every address `host` resolves to, in the resolver's order of preference."""
    try:
        found = socket.getaddrinfo(host, port, type=socket.SOCK_STREAM)
    except (socket.gaierror, UnicodeError):
        raise RefusedURL(f"The name {host} could not be found.", lasting=False) from None
    return list(dict.fromkeys(str(info[4][0]) for info in found))


def check_url(url: str, *, allow_private: bool) -> Target:
    """The URL's host and the addresses a delivery may connect to, or RefusedURL saying why not."""
    parts = urlsplit(url)
    allowed_schemes = ("https", "http") if allow_private else ("https",)
    if parts.scheme not in allowed_schemes:
        raise RefusedURL("The address must start with https://.")
    try:
        host, port = parts.hostname, parts.port or (443 if parts.scheme == "https" else 80)
    except ValueError:
        raise RefusedURL("The port in the address is not a number between 0 and 65535.") from None
    if not host:
        raise RefusedURL("The address has no host name.")
    addresses = resolve(host, port)
    if not addresses:
        raise RefusedURL(f"The name {host} could not be found.", lasting=False)
    if not allow_private:
        refused = [address for address in addresses if not is_public(address)]
        if refused:
            where = host if refused[0] == host else f"{host} leads to {refused[0]}, which"
            raise RefusedURL(
                f"{where} is a private, loopback or reserved address: webhooks go only to addresses on the public "
                "internet."
            )
    return Target(host=host, addresses=tuple(addresses))
