from django import template

register = template.Library()


@register.filter
def share_of(tally, level: int) -> int:
    return tally.share(level)


@register.filter
def index(sequence, position: int):
    return sequence[position]


@register.filter
def index_by(mapping, key):
    return mapping[key]
