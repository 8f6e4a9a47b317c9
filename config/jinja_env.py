"""The Jinja2 environment of the templates drawn once per practice (templates/jinja2/).

A questionnaire card is drawn forty times on a first view of a forty-practice page, and Django's template engine
spent about 0.7 ms on each; Jinja2 compiles a template to Python and draws the same card in about 0.25 ms.
Everything else stays in Django templates, which include these through the `jinja` tag
(assessments/templatetags/assessment_tags.py). The filters below are those the cards use: Django's, with Django's
behaviour (dates in the current time zone, sizes in Django's words), and the app's `person`.
"""

from collections.abc import Callable

from django.template import defaultfilters
from django.template.loader import render_to_string
from django.urls import reverse
from django.utils import dateformat
from django.utils.safestring import SafeString, mark_safe
from django.utils.timezone import template_localtime
from jinja2 import ChainableUndefined, Environment

from assessments.models import person_name


def render(template_name: str, context: dict) -> SafeString:
    """A template of templates/jinja2/ drawn with `context`, as markup to place in a page."""
    return mark_safe(render_to_string(template_name, context, using="jinja2"))  # noqa: S308 - our own template


def url(name: str, *args) -> str:
    return reverse(name, args=args)


# Reversed in place of a practice's slug (a valid slug), which then takes its place.
SLUG_STAND_IN = "practice-slug-stand-in"


def practice_urls(name: str, *args) -> Callable[[str], str]:
    """The URL `name` names for each practice, by the practice's slug (its last argument).

    A page of forty practices needs two such URLs per practice; reversing one costs about 45 µs, so a page reverses
    each name once and puts every slug in the place of the last stand-in.
    """
    head, _, tail = reverse(name, args=(*args, SLUG_STAND_IN)).rpartition(SLUG_STAND_IN)
    return lambda slug: f"{head}{slug}{tail}"


def time(value, format_string: str) -> str:
    return dateformat.time_format(template_localtime(value), format_string) if value else ""


def date(value, format_string: str) -> str:
    return dateformat.format(template_localtime(value), format_string) if value else ""


def environment(**options) -> Environment:
    # As in Django templates, text is escaped and a missing attribute draws nothing (with DEBUG on or off). Quotes
    # come out as &#34; and &#39; where Django writes &quot; and &#x27;: the same characters, and escaping them
    # Django's way here cost 4 ms on a forty-card page.
    others = {name: value for name, value in options.items() if name not in ("autoescape", "undefined")}
    env = Environment(autoescape=True, undefined=ChainableUndefined, **others)
    env.globals |= {"url": url, "practice_urls": practice_urls}
    env.filters |= {
        "person": person_name,
        "time": time,
        "date": date,
        "filesizeformat": defaultfilters.filesizeformat,
        "linebreaksbr": defaultfilters.linebreaksbr,
    }
    return env
