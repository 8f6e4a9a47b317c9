"""Template source checks that rendering tests would only catch page by page."""

import re
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent
JINJA2 = ROOT / "templates" / "jinja2"
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
            named |= set(re.findall(r"[\"']([a-z_/-]+\.html)(?:#[a-z-]+)?[\"']", path.read_text()))
    checked = {str(path.relative_to(ROOT / "templates")) for path in TEMPLATES if "templates" in path.parts}
    # The Jinja2 engine looks in templates/jinja2/ (config/jinja_env.py), so its templates are named from there.
    checked |= {str(path.relative_to(JINJA2)) for path in TEMPLATES if path.is_relative_to(JINJA2)}
    assert {"assessments/questionnaire.html", "assessments/practice-card.html"} <= named
    assert named - checked == set()


def test_every_jinja2_template_a_template_names_exists():
    """A Django template reaches a Jinja2 one by the `jinja` tag, and a Jinja2 one includes or imports another: none
    may name a file that is not there (the engine would only say so on the page that draws it)."""
    named = set()
    for path in TEMPLATES:
        source = path.read_text()
        named |= set(re.findall(r'{% jinja "([^"]+)"', source))
        if path.is_relative_to(JINJA2):
            named |= set(re.findall(r'{% (?:include|import) "([^"]+)"', source))
    assert {"includes/level-field.html", "includes/fields.html"} <= named
    assert {name for name in named if not (JINJA2 / name).is_file()} == set()


RLO = "\u202e"


@pytest.mark.django_db
def test_text_people_type_is_isolated_wherever_it_is_shown(client_for, team, lead, consultant, playbook):
    """A right-to-left override in a title must not scramble the page text around it (<bdi> isolates it)."""
    from assessments import services
    from assessments.report import render_report_html
    from assessments.results import build_results

    title = f"Q3 {RLO}weiver"
    team.name = f"Fraud {RLO}mat"
    team.save()
    assessment = services.create_assessment(team=team, user=lead, title=title)
    challenge = playbook.challenges.first()
    pages = {
        "overview": client_for(lead).get(assessment.get_absolute_url()).text,
        "questionnaire": client_for(lead).get(f"/assessments/{assessment.pk}/challenges/{challenge.slug}/").text,
        "consultant home": client_for(consultant).get("/").text,
        "team": client_for(consultant).get(team.get_absolute_url()).text,
        "report": render_report_html(build_results(assessment)),
    }
    for name, html in pages.items():
        body = html.split("<body", 1)[1]
        for text in (title, team.name):
            shown = [m.start() for m in re.finditer(re.escape(text), body)]
            assert shown, (name, text)
            for at in shown:
                inside_tag = body.rfind("<", 0, at) > body.rfind(">", 0, at)
                isolated = body[:at].endswith(("<bdi>", "\u2068"))  # an element, or isolate marks in plain text
                assert inside_tag or isolated, (name, body[at - 80 : at + 40])
