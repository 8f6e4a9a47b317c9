"""One tracker item written the way each tracker reads text: Markdown (GitHub), HTML (Azure DevOps), the
Atlassian Document Format (Jira's REST API) and plain text (Jira's CSV import).

Every form carries the same facts: the step, the challenge, the practice, the levels from and to, and the
guidance link. The step is the playbook's Markdown; the other facts are escaped wherever the form needs it.
"""

import re

import markdown as markdown_lib
import nh3

from integrations.trackers.types import TrackerItem

TITLE_LIMIT = 255  # Jira's summary and Azure DevOps's title stop at 255 characters; GitHub's at 256
HTML_TAGS = {"p", "ul", "ol", "li", "strong", "em", "code", "pre", "a", "br"}
MARKDOWN_SPECIAL = re.compile(r"([\\`*_{}\[\]()<>#!|~])")


def short_title(item: TrackerItem) -> str:
    title = " ".join(item.title.split())
    return title if len(title) <= TITLE_LIMIT else title[: TITLE_LIMIT - 1] + "…"


def escape_markdown(text: str) -> str:
    """Text shown as itself in Markdown, on one line: no link, emphasis or HTML it could smuggle in."""
    return MARKDOWN_SPECIAL.sub(r"\\\1", " ".join(text.split()))


def markdown_link_target(url: str) -> str:
    return url.replace(" ", "%20").replace("(", "%28").replace(")", "%29").replace("<", "%3C").replace(">", "%3E")


def facts(item: TrackerItem) -> list[tuple[str, str]]:
    return [
        ("Challenge", item.challenge_title),
        ("Practice", item.practice_slug),
        ("Level", f"{item.level_from} to {item.level_to}"),
    ]


def markdown_description(item: TrackerItem) -> str:
    lines = [item.body.strip(), ""]
    lines += [f"- **{label}:** {escape_markdown(value)}" for label, value in facts(item)]
    lines.append(f"- **Guidance:** [{escape_markdown(item.guidance_url)}]({markdown_link_target(item.guidance_url)})")
    return "\n".join(lines) + "\n"


def html_description(item: TrackerItem) -> str:
    html = markdown_lib.markdown(markdown_description(item), extensions=["sane_lists"])
    return nh3.clean(html, tags=HTML_TAGS, attributes={"a": {"href"}}, link_rel="noopener")


def text_description(item: TrackerItem) -> str:
    lines = [item.body.strip(), ""]
    lines += [f"{label}: {' '.join(value.split())}" for label, value in facts(item)]
    lines.append(f"Guidance: {item.guidance_url}")
    return "\n".join(lines)


def adf_description(item: TrackerItem) -> dict:
    """An Atlassian Document: the step's paragraphs as text, then the facts as a bullet list with a real link."""
    paragraphs = [part for part in re.split(r"\n\s*\n", item.body.strip()) if part.strip()]
    content: list[dict] = [_adf_paragraph([_adf_text(" ".join(part.split()))]) for part in paragraphs]
    bullets = [
        [_adf_text(f"{label}: ", strong=True), _adf_text(" ".join(value.split()))] for label, value in facts(item)
    ]
    bullets.append([_adf_text("Guidance: ", strong=True), _adf_text(item.guidance_url, href=item.guidance_url)])
    content.append(
        {"type": "bulletList", "content": [{"type": "listItem", "content": [_adf_paragraph(b)]} for b in bullets]}
    )
    return {"type": "doc", "version": 1, "content": content}


def _adf_paragraph(nodes: list[dict]) -> dict:
    return {"type": "paragraph", "content": [node for node in nodes if node["text"]]}


def _adf_text(text: str, *, strong: bool = False, href: str | None = None) -> dict:
    node: dict = {"type": "text", "text": text}
    marks = ([{"type": "strong"}] if strong else []) + ([{"type": "link", "attrs": {"href": href}}] if href else [])
    if marks:
        node["marks"] = marks
    return node
