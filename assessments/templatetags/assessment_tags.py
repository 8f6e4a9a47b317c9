from django import template

register = template.Library()


@register.simple_tag
def level_label(playbook, level: int | None) -> str:
    if level is None:
        return "Not enough answers"
    return f"{level} · {playbook.level_names[level]}"


@register.filter
def score_display(score: float | None) -> str:
    return "–" if score is None else f"{score:.1f}"
