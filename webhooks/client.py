"""Sending one webhook request: the one place the app posts to a URL a user typed.

The URL is checked (addresses.check_url) just before sending, and the request connects to an address that check
allowed, with the URL's host name in the Host header and in TLS (server name and certificate check), so what is
checked is what is reached. Redirects are not followed: a 3xx is a failed delivery, as following one would reach an
address nobody checked. Proxy settings from the environment are ignored for the same reason.
"""

import ipaddress
import logging
from collections.abc import Mapping

import httpx

from webhooks.addresses import RefusedURL, check_url

logger = logging.getLogger(__name__)

TIMEOUT = 10.0  # seconds for each of connecting, sending and the first byte of the answer


class DeliveryFailed(Exception):
    """No answer to show: the address was refused, could not be reached, or did not answer in time."""

    def __init__(self, message: str, *, lasting: bool = False):
        super().__init__(message)
        self.message = message
        self.lasting = lasting  # True when trying again cannot help (the address is refused)


def post(url: str, body: bytes, headers: Mapping[str, str], *, allow_private: bool) -> int:
    """POST `body` to `url` and return the answer's status code, or raise DeliveryFailed.

    The answer's body is never read: a receiver has nothing to say but its status.
    """
    timeout = TIMEOUT
    try:
        target = check_url(url, allow_private=allow_private)
    except RefusedURL as refused:
        raise DeliveryFailed(refused.message, lasting=refused.lasting) from None
    original = httpx.URL(url)
    headers = {**headers, "Host": original.netloc.decode("ascii")}
    # TLS must check the certificate against the name, not the address connected to.
    extensions = {} if _is_address(target.host) else {"sni_hostname": original.raw_host.decode("ascii")}
    error: Exception | None = None
    with httpx.Client(timeout=timeout, follow_redirects=False, trust_env=False) as client:
        for address in target.addresses:
            try:
                request = client.build_request(
                    "POST", original.copy_with(host=address), content=body, headers=headers, extensions=extensions
                )
                response = client.send(request, stream=True)
                response.close()
                return response.status_code
            except httpx.ConnectError as failure:
                error = failure  # try the name's next address
            except httpx.TimeoutException:
                raise DeliveryFailed(f"{target.host} did not answer within {timeout:g} seconds.") from None
            except httpx.TransportError as failure:
                raise DeliveryFailed(f"The connection to {target.host} failed: {_reason(failure)}") from None
    logger.info("webhook to %s: could not connect: %s", target.host, error)
    raise DeliveryFailed(f"Could not connect to {target.host}: {_reason(error)}")


def _is_address(host: str) -> bool:
    try:
        ipaddress.ip_address(host)
    except ValueError:
        return False
    return True


def _reason(error: Exception | None) -> str:
    return (str(error) or type(error).__name__)[:200]
