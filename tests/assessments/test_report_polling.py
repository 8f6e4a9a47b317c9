"""A waiting page's polls name the report it asked for (a header): the poll reads the stored row, it does not build
the results and the report's HTML again (which takes a second for a long report)."""

import html
import json
import re

import pytest
from django.test import Client
from django.urls import reverse

from assessments.models import RenderedReport, ReportStatus
from tests.factories import PASSWORD, submitted_assessment

pytestmark = pytest.mark.django_db
HTMX = {"HTTP_HX_REQUEST": "true"}


@pytest.fixture
def queued(settings):
    """Reports wait in the database queue, as in production, instead of rendering at once."""
    settings.TASKS = {"default": {"BACKEND": "django_tasks_db.DatabaseBackend"}}


def signed_in(user) -> Client:
    client = Client()
    assert client.login(username=user.username, password=PASSWORD)
    return client


def poll(client: Client, page: str, **extra):
    """What htmx sends for the waiting page's poll: its URL, with its headers."""
    found = re.search(r'hx-get="([^"]+)" hx-trigger="every 1s" hx-swap="outerHTML" hx-headers="([^"]+)"', page)
    headers = json.loads(html.unescape(found.group(2)))
    return client.get(html.unescape(found.group(1)), headers=headers, **extra)


def test_the_waiting_page_polls_its_report_without_building_it_again(queued, team, lead, monkeypatch):
    assessment = submitted_assessment(team, lead)
    client = signed_in(lead)
    waiting = client.get(reverse("assessments:report_pdf", args=[assessment.pk]))
    assert waiting.status_code == 202
    report = RenderedReport.objects.get(assessment=assessment)

    monkeypatch.setattr("assessments.views.build_results", lambda assessment: pytest.fail("built again"))
    polled = poll(client, waiting.text, **HTMX)
    assert polled.status_code == 202 and "Waiting for the report worker" in polled.text

    RenderedReport.objects.filter(pk=report.pk).update(status=ReportStatus.READY, pdf=b"%PDF-stored")
    ready = poll(client, waiting.text, **HTMX)
    assert ready.status_code == 200 and "The report is ready" in ready.text
    assert poll(client, waiting.text).content == b"%PDF-stored"


def test_a_poll_for_a_replaced_report_asks_for_the_report_afresh(queued, team, lead):
    assessment = submitted_assessment(team, lead)
    client = signed_in(lead)
    waiting = client.get(reverse("assessments:report_pdf", args=[assessment.pk]))
    RenderedReport.objects.all().delete()  # as when a newer revision replaces it
    polled = poll(client, waiting.text, **HTMX)
    assert polled.status_code == 202
    assert RenderedReport.objects.filter(assessment=assessment).count() == 1


def test_a_report_id_of_another_audience_is_not_served(queued, team, lead, org_viewer):
    """An organisation viewer who does not read notes cannot reach the team's report (with notes) by its id."""
    assessment = submitted_assessment(team, lead, notes_for=lambda p: "Team-only notes")
    team_report = RenderedReport.objects.filter(assessment=assessment)
    signed_in(lead).get(reverse("assessments:report_pdf", args=[assessment.pk]))
    mine = team_report.get()
    RenderedReport.objects.filter(pk=mine.pk).update(status=ReportStatus.READY, pdf=b"%PDF-with-notes")
    url = reverse("assessments:report_pdf", args=[assessment.pk])
    response = signed_in(org_viewer).get(url, headers={"X-Report-Id": str(mine.pk)})
    assert response.status_code == 202 and b"%PDF-with-notes" not in response.content
    viewers = RenderedReport.objects.filter(assessment=assessment).exclude(pk=mine.pk).get()
    assert viewers.audience != mine.audience


def test_a_failed_report_is_queued_again_by_its_poll(queued, team, lead):
    assessment = submitted_assessment(team, lead)
    client = signed_in(lead)
    waiting = client.get(reverse("assessments:report_pdf", args=[assessment.pk]))
    RenderedReport.objects.update(status=ReportStatus.FAILED)
    polled = poll(client, waiting.text, **HTMX)
    assert polled.status_code == 202
    assert RenderedReport.objects.get().status == ReportStatus.QUEUED


@pytest.mark.parametrize("report", ["99999999999999999999", "²", "-1", "abc"])
def test_a_report_id_that_is_no_id_asks_for_the_report_afresh(queued, team, lead, report):
    assessment = submitted_assessment(team, lead)
    url = reverse("assessments:report_pdf", args=[assessment.pk])
    assert signed_in(lead).get(url, headers={"X-Report-Id": report}).status_code == 202
