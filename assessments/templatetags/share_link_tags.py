"""Template filters for the share-link list on the overview and share pages."""

from django import template

from assessments.models import ShareLink

register = template.Library()


@register.filter
def live_links(rows: list[tuple[ShareLink, str]]) -> list[ShareLink]:
    """The links neither revoked nor expired: those a reopened assessment suspends and a resubmission restores."""
    return [link for link, _ in rows if link.is_active]
