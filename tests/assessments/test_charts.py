"""SVG charts, checked by parsing their markup. No database: any query would fail these tests."""

import math
import re
import xml.etree.ElementTree as ET

import pytest

from assessments.charts import BarCategory, RadarAxis, StackedBar, TrendSeries, radar_svg, stacked_bars_svg, trend_svg

NS = "{http://www.w3.org/2000/svg}"
DATES = ("2024-01", "2024-04", "2024-07", "2024-10", "2025-01")


def parse(markup: str) -> ET.Element:
    return ET.fromstring(str(markup))  # noqa: S314 - our own markup, not untrusted input


def find_all(root: ET.Element, tag: str, css_class: str | None = None) -> list[ET.Element]:
    return [element for element in root.iter(NS + tag) if css_class is None or element.get("class") == css_class]


def points_of(element: ET.Element) -> list[tuple[float, float]]:
    return [tuple(map(float, pair.split(","))) for pair in element.get("points").split()]


def axes_valued(*values, targets=None):
    targets = targets or [None] * len(values)
    return [
        RadarAxis(f"Challenge {i}", value, target)
        for i, (value, target) in enumerate(zip(values, targets, strict=True))
    ]


def radar_labels(root: ET.Element) -> list[str]:
    group = find_all(root, "g", "radar-labels")[0]
    return [" ".join(text.itertext()) for text in find_all(group, "text")]


def radar_centre_and_radius(root: ET.Element) -> tuple[float, float, float]:
    spoke = find_all(find_all(root, "g", "radar-grid")[0], "line")[0]
    x1, y1, x2, y2 = (float(spoke.get(name)) for name in ("x1", "y1", "x2", "y2"))
    return x1, y1, math.dist((x1, y1), (x2, y2))


def some_radar() -> str:
    return radar_svg(axes_valued(1.9, 2, None, 3, targets=[3, 3, 2, None]))


def some_trend() -> str:
    return trend_svg([TrendSeries("Team A", (1, 2, None, 3, 4)), TrendSeries("Team B", (0, 1, 1, 2, 2))], DATES)


CHARTS = pytest.mark.parametrize("draw", [some_radar, some_trend], ids=["radar", "trend"])


@CHARTS
def test_the_chart_is_an_svg_image(draw):
    root = parse(draw())
    assert root.tag == NS + "svg"
    assert root.get("role") == "img"
    assert re.fullmatch(r"0 0 [\d.]+ [\d.]+", root.get("viewBox"))


@CHARTS
def test_the_chart_is_labelled_by_its_title_and_description(draw):
    root = parse(draw())
    title_id, desc_id = root.get("aria-labelledby").split()
    assert root.find(f"{NS}title[@id='{title_id}']") is not None
    assert root.find(f"{NS}desc[@id='{desc_id}']") is not None


@CHARTS
def test_the_chart_has_no_inline_styles(draw):
    root = parse(draw())
    assert not [element for element in root.iter() if "style" in element.attrib]
    assert not find_all(root, "style")


@CHARTS
def test_coordinates_are_rounded_to_one_decimal(draw):
    markup = str(draw())
    numbers = re.findall(r' (?:x|y|x1|y1|x2|y2|cx|cy)="([^"]*)"', markup) + re.findall(r'points="([^"]*)"', markup)
    assert numbers
    assert all(re.fullmatch(r"[\d., ]*", number) for number in numbers)
    assert not re.search(r"\.\d\d", " ".join(numbers))


def test_each_call_can_have_its_own_ids():
    root = parse(radar_svg(axes_valued(1, 2, 3), id_prefix="team-7-radar"))
    assert root.get("aria-labelledby") == "team-7-radar-title team-7-radar-desc"


@pytest.mark.parametrize("count", range(3, 11))
def test_there_is_one_label_per_axis(count):
    root = parse(radar_svg(axes_valued(*[2] * count)))
    assert radar_labels(root) == [f"Challenge {i}" for i in range(count)]


@pytest.mark.parametrize("count", range(3, 11))
def test_the_value_polygon_has_one_point_per_axis(count):
    root = parse(radar_svg(axes_valued(*[2] * count)))
    assert len(points_of(find_all(root, "polygon", "radar-values")[0])) == count


@pytest.mark.parametrize("count", [2, 11])
def test_a_radar_needs_three_to_ten_axes(count):
    with pytest.raises(ValueError, match="3 to 10 axes"):
        radar_svg(axes_valued(*[2] * count))


def test_a_value_of_two_sits_at_half_the_radius():
    root = parse(radar_svg(axes_valued(2, 2, 2, 2, 2), max_level=4))
    cx, cy, radius = radar_centre_and_radius(root)
    for point in points_of(find_all(root, "polygon", "radar-values")[0]):
        assert math.dist((cx, cy), point) == pytest.approx(radius / 2, abs=0.15)


def test_a_value_above_the_scale_stays_on_the_outer_ring():
    root = parse(radar_svg(axes_valued(9, 4, 4)))
    cx, cy, radius = radar_centre_and_radius(root)
    top = points_of(find_all(root, "polygon", "radar-values")[0])[0]
    assert math.dist((cx, cy), top) == pytest.approx(radius, abs=0.15)


def test_a_missing_value_is_labelled_as_not_enough_answers():
    root = parse(radar_svg(axes_valued(1, None, 3)))
    assert radar_labels(root)[1] == "Challenge 1 (not enough answers)"
    assert "(not enough answers)" not in radar_labels(root)[0]


def test_a_missing_value_is_drawn_at_the_centre():
    root = parse(radar_svg(axes_valued(1, None, 3)))
    cx, cy, _ = radar_centre_and_radius(root)
    assert points_of(find_all(root, "polygon", "radar-values")[0])[1] == pytest.approx((cx, cy), abs=0.1)


def test_a_long_label_wraps_onto_two_lines():
    root = parse(radar_svg([RadarAxis("The downstream application", 2), RadarAxis("Security", 1), RadarAxis("Ops", 3)]))
    texts = find_all(find_all(root, "g", "radar-labels")[0], "text")
    assert [tspan.text for tspan in find_all(texts[0], "tspan")] == ["The downstream", "application"]
    assert [tspan.text for tspan in find_all(texts[1], "tspan")] == ["Security"]


def test_labels_are_anchored_by_their_side_of_the_circle():
    root = parse(radar_svg(axes_valued(1, 2, 3, 4)))
    texts = find_all(find_all(root, "g", "radar-labels")[0], "text")
    assert [text.get("text-anchor") for text in texts] == ["middle", "start", "middle", "end"]


def test_labels_with_markup_characters_are_escaped():
    label = 'Data <model> & "ops"'
    root = parse(radar_svg([RadarAxis(label, 2), RadarAxis("B", 1), RadarAxis("C", 3)], title="A < B"))
    assert " ".join(radar_labels(root)[0].split()) == label
    assert root.find(f"{NS}title").text == "A < B"
    assert label in root.find(f"{NS}desc").text


def test_the_description_gives_every_axis_in_words():
    axes = [RadarAxis("User engagement", 1.94), RadarAxis("Notebooks", None), RadarAxis("Security", 3, target=4)]
    desc = parse(radar_svg(axes)).find(f"{NS}desc").text
    assert "User engagement: 1.9 of 4" in desc
    assert "Notebooks: not enough answers" in desc
    assert "Security: 3.0 of 4, target 4" in desc  # read the way the table beside it reads


def test_the_targets_polygon_is_dashed_when_a_target_is_given():
    root = parse(radar_svg(axes_valued(1, 2, 3, targets=[None, 3, None])))
    (targets,) = find_all(root, "polygon", "radar-targets")
    assert targets.get("stroke-dasharray")
    assert len(points_of(targets)) == 3


def test_there_is_no_targets_polygon_without_targets():
    root = parse(radar_svg(axes_valued(1, 2, 3)))
    assert not find_all(root, "polygon", "radar-targets")


def series_group(root: ET.Element, index: int = 0) -> ET.Element:
    return find_all(root, "g", "trend-series")[index]


def test_a_trend_line_breaks_at_a_missing_value():
    root = parse(trend_svg([TrendSeries("Team A", (1, 2, None, 3, 4))], DATES))
    polylines = find_all(series_group(root), "polyline")
    assert [len(points_of(polyline)) for polyline in polylines] == [2, 2]
    assert len(find_all(series_group(root), "circle")) == 4


def test_a_single_point_has_a_marker_and_no_line():
    root = parse(trend_svg([TrendSeries("Team A", (2.5,))], ["2024-01"]))
    assert not find_all(series_group(root), "polyline")
    assert len(find_all(series_group(root), "circle")) == 1


def test_a_higher_level_is_drawn_higher_up():
    root = parse(trend_svg([TrendSeries("Team A", (1, 3))], ["2024-01", "2024-06"]))
    (first, second) = points_of(find_all(series_group(root), "polyline")[0])
    assert second[1] < first[1]
    assert second[0] > first[0]


def test_the_trend_description_mentions_each_series():
    series = [TrendSeries("Team A", (1, 2, None, 3, None)), TrendSeries("Team B", (None, None, 2, None, None))]
    desc = parse(trend_svg(series, DATES)).find(f"{NS}desc").text
    assert "Team A: from 1.0 (2024-01) to 3.0 (2024-10)." in desc
    assert "Team B: 2.0 (2024-07)." in desc


def test_the_legend_names_each_series():
    series = [TrendSeries("Team <A> & co", (1,)), TrendSeries("Team B", (2,))]
    legend = find_all(parse(trend_svg(series, ["2024-01"])), "g", "trend-legend")[0]
    assert [text.text for text in find_all(legend, "text")] == ["Team <A> & co", "Team B"]


def test_series_differ_in_dash_pattern_as_well_as_colour():
    series = [TrendSeries(f"Team {i}", (1, 2)) for i in range(8)]
    root = parse(trend_svg(series, ["2024-01", "2024-06"]))
    lines = [find_all(series_group(root, i), "polyline")[0] for i in range(8)]
    assert len({line.get("stroke") for line in lines}) == 8
    assert len({line.get("stroke-dasharray") for line in lines}) == 8


def test_an_empty_trend_still_has_its_title():
    root = parse(trend_svg([], [], title="Levels over time"))
    assert root.find(f"{NS}title").text == "Levels over time"
    assert not find_all(root, "g", "trend-series")


def test_a_series_with_the_wrong_number_of_values_is_an_error():
    with pytest.raises(ValueError, match="2 values for 3 labels"):
        trend_svg([TrendSeries("Team A", (1, 2))], ["a", "b", "c"])


def test_a_chart_never_reads_a_score_as_rounded_up_past_its_level():
    svg = radar_svg([RadarAxis("A", 2.96, None), RadarAxis("B", 1.0, None), RadarAxis("C", 0.0, None)])
    description = svg.split("<desc", 1)[1].split("</desc>", 1)[0]
    assert "A: 2.9 of 4" in description and "3.0" not in description


# Stacked bars (the portfolio's level distribution)

CATEGORIES = [BarCategory("Low", "#b02a37", "#ffffff"), BarCategory("High", "#146c43", "#ffffff")]


def bar_segments(root: ET.Element) -> list[ET.Element]:
    return find_all(find_all(root, "g", "bars")[0], "rect")


def test_each_bar_is_split_in_proportion_to_its_counts():
    root = parse(stacked_bars_svg([StackedBar("Security", (1, 3))], CATEGORIES))
    low, high = bar_segments(root)
    assert float(high.get("width")) == pytest.approx(3 * float(low.get("width")), abs=0.2)
    assert float(high.get("x")) == pytest.approx(float(low.get("x")) + float(low.get("width")), abs=0.1)
    assert [text.text for text in find_all(find_all(root, "g", "bars")[0], "text")][-2:] == ["1", "3"]


def test_every_bar_spans_the_same_width_whatever_its_total():
    root = parse(stacked_bars_svg([StackedBar("A", (1, 1)), StackedBar("B", (5, 15))], CATEGORIES))
    segments = bar_segments(root)
    widths = [sum(float(s.get("width")) for s in segments[:2]), sum(float(s.get("width")) for s in segments[2:])]
    assert widths[0] == pytest.approx(widths[1], abs=0.2)


def test_empty_categories_and_empty_bars_draw_nothing():
    root = parse(stacked_bars_svg([StackedBar("A", (0, 2)), StackedBar("B", (0, 0))], CATEGORIES))
    assert [segment.get("fill") for segment in bar_segments(root)] == ["#146c43"]


def test_the_description_gives_every_count_and_the_legend_every_category():
    root = parse(stacked_bars_svg([StackedBar("Security <x>", (2, 0))], CATEGORIES, title="Teams by level"))
    assert root.find(f"{NS}desc").text == "Security <x>: Low 2."
    legend = find_all(root, "g", "bars-legend")[0]
    assert [text.text for text in find_all(legend, "text")] == ["Low", "High"]


def test_a_bar_with_the_wrong_number_of_counts_is_an_error():
    with pytest.raises(ValueError, match="1 counts for 2 categories"):
        stacked_bars_svg([StackedBar("A", (1,))], CATEGORIES)
