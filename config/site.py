from django.conf import settings


def absolute_url(path: str) -> str:
    """A link meant for someone outside this request (an email, a share link, a QR code): on SITE_URL, never on
    the Host header the request happened to carry."""
    return settings.SITE_URL + path
