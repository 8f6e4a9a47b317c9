"""The files each tracker imports without a connection."""

import csv
import dataclasses
import io

import pytest

from integrations.tracker_files import AZURE_DEVOPS_COLUMNS, JIRA_COLUMNS, azure_devops_csv, github_markdown, jira_csv

FORMULA_TITLE = '=HYPERLINK("https://evil.example","click")'


def rows(text: str) -> list[dict]:
    return list(csv.DictReader(io.StringIO(text)))


def test_the_jira_csv_has_the_columns_jiras_importer_maps(item):
    text = jira_csv([item])

    assert next(csv.reader(io.StringIO(text))) == list(JIRA_COLUMNS)
    [row] = rows(text)
    assert row["Summary"] == item.title
    assert row["Issue Type"] == "Task"
    assert row["Labels"] == "experiment-tracking"


def test_the_jira_description_carries_the_step_the_facts_and_the_guidance_link(item):
    [row] = rows(jira_csv([item]))

    assert row["Description"].startswith(item.body)
    assert "Challenge: Reliance on notebooks" in row["Description"]
    assert "Level: 1 to 2" in row["Description"]
    assert f"Guidance: {item.guidance_url}" in row["Description"]


def test_the_azure_devops_csv_has_its_columns_and_an_html_description_with_the_link(item):
    text = azure_devops_csv([item])

    assert next(csv.reader(io.StringIO(text))) == list(AZURE_DEVOPS_COLUMNS)
    [row] = rows(text)
    assert row["Work Item Type"] == "Task"
    assert row["Title"] == item.title
    assert f'<a href="{item.guidance_url}"' in row["Description"]
    assert row["Tags"] == "mlops-assessment; experiment-tracking"


def test_the_azure_devops_description_cannot_carry_script(item):
    [row] = rows(azure_devops_csv([dataclasses.replace(item, body="<script>alert(1)</script> Log runs.")]))

    assert "<script" not in row["Description"]


@pytest.mark.parametrize("export", [jira_csv, azure_devops_csv])
@pytest.mark.parametrize("title", [FORMULA_TITLE, "+1", "-1", "@SUM(A1)"])
def test_a_title_a_spreadsheet_would_run_is_neutralised(export, title, item):
    [row] = rows(export([dataclasses.replace(item, title=title)]))

    shown = row.get("Summary") or row["Title"]
    assert shown == "'" + title


@pytest.mark.parametrize("export", [jira_csv, azure_devops_csv])
def test_commas_quotes_and_line_breaks_survive_the_csv(export, item):
    body = 'First line, with "quotes".\n\nSecond paragraph.'
    [row] = rows(export([dataclasses.replace(item, title='Tracking, "all" of it', body=body)]))

    assert (row.get("Summary") or row["Title"]) == 'Tracking, "all" of it'
    assert "Second paragraph." in row["Description"]


@pytest.mark.parametrize("export", [jira_csv, azure_devops_csv])
def test_no_items_give_just_the_header(export):
    assert len(list(csv.reader(io.StringIO(export([]))))) == 1


def test_the_github_checklist_has_one_unchecked_box_per_item_with_its_guidance_link(item):
    other = dataclasses.replace(item, title="Model registry: level 0 to 1", guidance_url="https://x.example/g/#reg")

    lines = github_markdown([item, other]).splitlines()

    assert len(lines) == 2
    assert all(line.startswith("- [ ] ") for line in lines)
    assert lines[0].endswith(f"[guidance]({item.guidance_url})")
    assert "(Reliance on notebooks, level 1 to 2)" in lines[0]


def test_a_title_cannot_add_a_link_or_a_line_to_the_checklist(item):
    sneaky = dataclasses.replace(item, title="[Click me](https://evil.example)\n- [x] Done already")

    [line] = github_markdown([sneaky]).splitlines()

    assert "\\[Click me\\]\\(https://evil.example\\)" in line
    assert "[x]" not in line


def test_a_guidance_link_with_parentheses_or_spaces_keeps_its_target_whole(item):
    odd = dataclasses.replace(item, guidance_url="https://x.example/a b/(c)#d")

    assert "[guidance](https://x.example/a%20b/%28c%29#d)" in github_markdown([odd])


def test_no_items_give_an_empty_checklist():
    assert github_markdown([]) == ""


@pytest.mark.django_db
@pytest.mark.parametrize(
    ("tracker", "first_line"),
    [("jira", "Summary,Issue Type,Description,Labels"), ("azure-devops", "Work Item Type,Title,Description,Tags")],
)
def test_the_results_page_downloads_the_plan_for_each_tracker(client_for, team, lead, viewer, tracker, first_line):
    from django.urls import reverse

    from audit.models import EventKind, SecurityEvent
    from tests.factories import submitted_assessment

    assessment = submitted_assessment(team, lead, level_for=lambda practice: 1)
    client = client_for(viewer)
    assert (
        reverse("assessments:plan_file", args=[assessment.pk, tracker])
        in client.get(reverse("assessments:results", args=[assessment.pk])).text
    )
    response = client.get(reverse("assessments:plan_file", args=[assessment.pk, tracker]))
    assert response["Content-Disposition"].endswith(f'plan.{tracker}.csv"')
    lines = response.content.decode().splitlines()
    assert lines[0] == first_line and len(lines) > 2
    assert SecurityEvent.objects.filter(kind=EventKind.EXPORT_DOWNLOADED, actor_id=viewer.pk).exists()


@pytest.mark.django_db
def test_the_plan_as_a_github_checklist_and_an_unknown_format(client_for, team, lead, outsider):
    from django.urls import reverse

    from tests.factories import submitted_assessment

    assessment = submitted_assessment(team, lead, level_for=lambda practice: 1)
    text = client_for(lead).get(reverse("assessments:plan_file", args=[assessment.pk, "github"])).content.decode()
    assert text.count("- [ ] ") >= 3 and "/playbook/" in text
    assert client_for(lead).get(reverse("assessments:plan_file", args=[assessment.pk, "trello"])).status_code == 404
    assert client_for(outsider).get(reverse("assessments:plan_file", args=[assessment.pk, "jira"])).status_code == 404
