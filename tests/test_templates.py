"""Template source checks that rendering tests would only catch page by page."""

import re
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


def test_every_template_the_code_names_is_among_those_checked():
    """Catches a template folder the list above misses, and a template name that points at nothing."""
    named = set()
    for folder in ("assessments", "config", "playbook", "workshops"):
        for path in (ROOT / folder).rglob("*.py"):
            named |= set(re.findall(r"[\"']([a-z_/]+\.html)(?:#[a-z-]+)?[\"']", path.read_text()))
    checked = {str(path.relative_to(ROOT / "templates")) for path in TEMPLATES if "templates" in path.parts}
    assert "assessments/questionnaire.html" in named
    assert named - checked == set()
