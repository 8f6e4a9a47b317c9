"""The Jinja2 environment draws what the Django filters it stands in for would draw."""

from datetime import UTC, date, datetime

from django.template import engines
from django.urls import reverse
from django.utils import timezone

from config.jinja_env import SLUG_STAND_IN, practice_urls


def draw(source: str, **context) -> str:
    return engines["jinja2"].from_string(source).render(context)


def test_times_and_dates_are_shown_in_the_current_time_zone():
    summer_noon_utc = datetime(2026, 7, 1, 12, 5, tzinfo=UTC)
    with timezone.override("Europe/London"):
        assert draw('{{ at|time("H:i") }} {{ at|date("j F Y") }}', at=summer_noon_utc) == "13:05 1 July 2026"
    with timezone.override("Asia/Tokyo"):
        assert draw('{{ at|date("j F Y H:i") }}', at=datetime(2026, 7, 1, 20, 0, tzinfo=UTC)) == "2 July 2026 05:00"


def test_a_plain_date_and_a_missing_one_are_drawn_as_they_are():
    assert (
        draw('{{ day|date("j F Y") }}|{{ none|date("j F Y") }}|{{ none|time("H:i") }}', day=date(2026, 3, 9), none=None)
        == "9 March 2026||"
    )


def test_url_reverses_a_named_route_with_its_arguments():
    assert draw("{{ url('assessments:questionnaire', 7, 'security-practice') }}") == (
        "/assessments/7/challenges/security-practice/"
    )


def test_practice_urls_give_each_practice_the_url_reverse_gives_it():
    save_url_of = practice_urls("assessments:save_practice", 7, SLUG_STAND_IN)  # the stand-in elsewhere, too
    for slug in ("model-cards", "a", "practice_2-b"):
        assert save_url_of(slug) == reverse("assessments:save_practice", args=(7, SLUG_STAND_IN, slug))
    assert draw(
        "{% set upload = practice_urls('assessments:evidence_upload', 7, 'security') %}{{ upload('secrets') }}"
    ) == reverse("assessments:evidence_upload", args=(7, "security", "secrets"))


def test_text_is_escaped_and_a_missing_attribute_draws_nothing():
    assert draw("<p>{{ text }}{{ form.conflict.updated_by.username }}</p>", text="<b>&") == "<p>&lt;b&gt;&amp;</p>"


def test_line_breaks_and_sizes_read_as_django_draws_them():
    assert draw("{{ notes|linebreaksbr }}", notes="a <b>\nc") == "a &lt;b&gt;<br>c"
    assert draw("{{ size|filesizeformat }}", size=2048) == "2.0\xa0KB"
