"""The portfolio's charts and numbers, drawn the same on its page and in its PDF."""

from django import template

from assessments.charts import BarCategory, StackedBar, TrendSeries, stacked_bars_svg, trend_svg
from assessments.portfolio import Portfolio, median_text

register = template.Library()

# Red to green, as on the heatmap, but strong enough to tell apart; text on each fill reads at 4.5:1 or more.
LEVEL_FILLS = (
    ("#b02a37", "#ffffff"),
    ("#fd7e14", "#212529"),
    ("#ffc107", "#212529"),
    ("#75b798", "#212529"),
    ("#146c43", "#ffffff"),
)
NO_LEVEL = BarCategory("No level", "#adb5bd")
NOT_ASSESSED = BarCategory("Not assessed", "#e9ecef")


def level_heading(level: int, level_names) -> str:
    return f"{level} {level_names[level]}" if level < len(level_names) else f"Level {level}"


@register.simple_tag
def level_name(level: int, level_names) -> str:
    return level_heading(level, level_names)


@register.simple_tag
def distribution_chart(portfolio: Portfolio, level_names) -> str:
    categories = [
        *(
            BarCategory(level_heading(level, level_names), *LEVEL_FILLS[min(level, len(LEVEL_FILLS) - 1)])
            for level in portfolio.levels
        ),
        NO_LEVEL,
        NOT_ASSESSED,
    ]
    bars = [
        StackedBar(counts.column.title, (*counts.by_level, counts.no_level, counts.not_assessed))
        for counts in portfolio.distribution
    ]
    return stacked_bars_svg(bars, categories, title="Teams by level, per challenge", id_prefix="distribution")


@register.simple_tag
def median_chart(portfolio: Portfolio, modules: bool) -> str:
    """The quarterly medians of the core challenges, or of the lifecycle modules: ten lines would be unreadable."""
    medians = portfolio.medians
    series = [
        TrendSeries(row.column.title, tuple(cell.median for cell in row.cells))
        for row in medians.rows
        if row.column.is_module == modules
    ]
    kind = "lifecycle modules" if modules else "core challenges"
    return trend_svg(
        series,
        [quarter.label for quarter in medians.quarters],
        max_level=portfolio.top_level,
        title=f"Median level per quarter: {kind}",
        id_prefix=f"medians-{'modules' if modules else 'core'}",
    )


@register.filter
def median_display(median: float | None) -> str:
    return median_text(median)


@register.filter
def percent_of(count: int, total: int) -> str:
    """A bar's length in a 0-100 viewBox."""
    return f"{100 * count / total:.1f}" if total else "0"
