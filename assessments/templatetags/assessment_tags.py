from django import template
from django.utils.safestring import SafeString

from assessments.charts import VALUE_COLOUR, RadarAxis, radar_svg
from assessments.models import NotApplicableReason, isolated, person_name
from assessments.planning import Horizon
from assessments.scoring import score_text, shortfall_text
from config import jinja_env

register = template.Library()


@register.filter
def person(user) -> str:
    return person_name(user)


@register.simple_tag
def level_label(playbook, level: int | None) -> str:
    if level is None:
        return "Not enough answers"
    return f"{level} · {playbook.level_names[level]}"


@register.filter
def score_display(score: float | None) -> str:
    return "–" if score is None else score_text(score)


@register.filter
def shortfall_display(gap: float) -> str:
    return shortfall_text(gap)


@register.simple_tag
def radar_chart(results, accent: str = "") -> str:
    """The challenge radar of an assessment; the results page and the PDF show the same SVG, the client's pages
    in the client's accent colour."""
    axes = [RadarAxis(c.challenge.title, c.score.shown_score, c.target) for c in results.challenges]
    title = f"Maturity by challenge: {isolated(results.assessment.title)}"
    return radar_svg(axes, max_level=results.playbook.top_level, title=title, accent=accent or VALUE_COLOUR)


HORIZONS = {
    Horizon.NOW: ("Now", "High-risk items and quick wins (low effort, high impact)."),
    Horizon.NEXT: ("Next", "Essential practices and other high-impact steps."),
    Horizon.LATER: ("Later", "Everything else that stands between the team and its targets."),
}


@register.simple_tag
def horizon_title(horizon: Horizon) -> str:
    return HORIZONS[horizon][0]


@register.simple_tag
def horizon_rule(horizon: Horizon) -> str:
    return HORIZONS[horizon][1]


@register.filter
def challenge_title(slug: str, results) -> str:
    return next((c.challenge.title for c in results.challenges if c.challenge.slug == slug), slug)


@register.simple_tag
def jinja(template_name: str, **context) -> SafeString:
    """A template of templates/jinja2/, those drawn once per practice (config/jinja_env.py), with the given names."""
    return jinja_env.render(template_name, context)


@register.filter
def get_item(mapping, key):
    return mapping.get(key, "")


@register.filter
def not_applicable_label(reason: str) -> str:
    """ "Out of scope" for "out_of_scope"; a reason code no longer offered is shown as stored."""
    return NotApplicableReason(reason).label if reason in NotApplicableReason.values else reason
