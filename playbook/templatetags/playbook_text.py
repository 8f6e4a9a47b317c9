from functools import lru_cache

import markdown as markdown_lib
import nh3
from django import template
from django.utils.safestring import mark_safe

register = template.Library()

ALLOWED_TAGS = {"p", "ul", "ol", "li", "strong", "em", "code", "pre", "a", "blockquote", "h3", "h4", "br"}


@register.filter
def markdown(text: str) -> str:
    """Render playbook Markdown to HTML that cannot carry script, whatever the file holds."""
    return _render(text or "")


@lru_cache(maxsize=1024)
def _render(text: str) -> str:
    # Playbook text is immutable per version, so each distinct text is rendered once per process.
    html = markdown_lib.markdown(text, extensions=["sane_lists"])
    # Safe: nh3 has removed every tag and attribute outside the allow-list above.
    return mark_safe(nh3.clean(html, tags=ALLOWED_TAGS, attributes={"a": {"href", "title"}}, link_rel="noopener"))  # noqa: S308
