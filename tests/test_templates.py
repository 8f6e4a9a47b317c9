"""Template source checks that rendering tests would only catch page by page."""

from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent
TEMPLATES = sorted(
    path for folder in ("templates", "assessments", "playbook", "workshops") for path in (ROOT / folder).rglob("*.html")
)


@pytest.mark.parametrize("path", TEMPLATES, ids=lambda path: str(path.relative_to(ROOT)))
def test_comments_close_on_the_line_they_open(path):
    # Django's {# #} comment is single-line: one that spans lines is printed into the page (it once opened the PDF).
    for number, line in enumerate(path.read_text().splitlines(), start=1):
        assert line.count("{#") == line.count("#}"), f"{path.name}:{number} opens a {{# comment it does not close"


def test_there_are_templates_to_check():
    assert len(TEMPLATES) > 30
