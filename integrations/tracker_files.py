"""The plan as files each tracker imports without a connection: a Jira CSV, an Azure DevOps CSV, and a
GitHub-flavoured Markdown checklist to paste into an issue.

Every row or line carries the same facts as a pushed issue (step, challenge, practice, levels, guidance link).
Text cells that a spreadsheet would run as a formula are neutralised as the assessment exports do, because these
files are often opened in one before the import. They have no byte order mark: they are for the trackers' importers,
which read UTF-8 as it is.
"""

import csv
import io
from collections.abc import Iterable

from assessments.exports import spreadsheet_safe
from assessments.results import AssessmentResults
from integrations.trackers.azure_devops import TAGS
from integrations.trackers.descriptions import (
    escape_markdown,
    html_description,
    markdown_link_target,
    short_title,
    text_description,
)
from integrations.trackers.types import TrackerItem, item_for_plan_step

JIRA_COLUMNS = ("Summary", "Issue Type", "Description", "Labels")
AZURE_DEVOPS_COLUMNS = ("Work Item Type", "Title", "Description", "Tags")
ISSUE_TYPE = "Task"


def jira_csv(items: Iterable[TrackerItem]) -> str:
    # Jira's CSV importer maps these columns by name; a label may hold no spaces, and slugs have none.
    return _csv(
        JIRA_COLUMNS,
        ([short_title(item), ISSUE_TYPE, text_description(item), item.practice_slug] for item in items),
    )


def azure_devops_csv(items: Iterable[TrackerItem]) -> str:
    # Azure Boards reads Description as HTML and Tags separated by semicolons.
    return _csv(
        AZURE_DEVOPS_COLUMNS,
        ([ISSUE_TYPE, short_title(item), html_description(item), f"{TAGS}; {item.practice_slug}"] for item in items),
    )


def github_markdown(items: Iterable[TrackerItem]) -> str:
    lines = []
    for item in items:
        title = escape_markdown(short_title(item))
        challenge = escape_markdown(item.challenge_title)
        link = markdown_link_target(item.guidance_url)
        lines.append(f"- [ ] **{title}** ({challenge}, level {item.level_from} to {item.level_to}): [guidance]({link})")
    return "\n".join(lines) + "\n" if lines else ""


def _csv(columns: tuple[str, ...], rows: Iterable[list[str]]) -> str:
    buffer = io.StringIO()
    writer = csv.writer(buffer)
    writer.writerow(columns)
    writer.writerows([spreadsheet_safe(cell) for cell in row] for row in rows)
    return buffer.getvalue()


def plan_items(results: AssessmentResults, *, site_url: str) -> list[TrackerItem]:
    """An assessment's plan, in its order, as tracker items with absolute guidance links."""
    titles = {item.challenge.slug: item.challenge.title for item in results.challenges}
    return [
        item_for_plan_step(step, challenge_title=titles[step.challenge_slug], site_url=site_url)
        for step in results.plan
    ]
