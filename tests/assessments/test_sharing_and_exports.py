"""Share links for stakeholders, and export downloads."""

import csv
import io
import json
import re
from datetime import timedelta

import pytest
from django.urls import reverse
from django.utils import timezone

from assessments import access, services, sharing
from assessments.models import RenderedReport, ShareLink
from assessments.results import build_results
from tests.factories import submitted_assessment
from tests.pdf import pdf_text

pytestmark = pytest.mark.django_db


@pytest.fixture
def submitted(team, lead):
    return submitted_assessment(team, lead, title="Shared review")


def share_url(link, name="assessments:shared_results"):
    return reverse(name, args=[sharing.share_token(link)])


def test_a_lead_creates_a_share_link_listed_on_the_assessment_page(client_for, lead, submitted):
    client = client_for(lead)
    client.post(reverse("assessments:share_create", args=[submitted.pk]), {"label": "Head of data", "days": 14})
    link = ShareLink.objects.get(assessment=submitted)
    assert (link.label, link.is_active) == ("Head of data", True)
    page = client.get(submitted.get_absolute_url())
    # Tokens carry a timestamp, so the page's token is checked by what it opens, not compared as text.
    [token] = re.findall(r"/shared/([^/\"]+)/", page.text)
    assert access.get_shared_assessment(token) == (link, submitted)


def test_a_draft_cannot_be_shared(client_for, lead, team):
    draft = services.create_assessment(team=team, user=lead, title="Draft")
    response = client_for(lead).post(reverse("assessments:share_create", args=[draft.pk]), {"label": "X", "days": 3})
    assert response.status_code == 302
    assert not ShareLink.objects.exists()


def test_a_stakeholder_without_an_account_reads_results_and_the_pdf_and_nothing_else(client, lead, submitted):
    link = sharing.create_share_link(assessment=submitted, label="Board", days=7, user=lead)
    page = client.get(share_url(link))
    assert page.status_code == 200
    assert "Remediation plan" in page.text and submitted.team.name in page.text
    assert "Track as an action" not in page.text and "<form" not in page.text.split("</nav>", 1)[1]
    assert client.get(share_url(link, "assessments:shared_report"))["Content-Type"] == "application/pdf"
    # The link is no session: the team's own pages still need a login.
    assert client.get(submitted.get_absolute_url()).status_code == 302
    assert client.get(reverse("assessments:export_json", args=[submitted.pk])).status_code == 302


def test_revoked_expired_and_forged_links_open_nothing(client, lead, submitted):
    revoked = sharing.create_share_link(assessment=submitted, label="A", days=7, user=lead)
    sharing.revoke_share_link(link=revoked, by=lead)
    expired = sharing.create_share_link(assessment=submitted, label="B", days=7, user=lead)
    ShareLink.objects.filter(pk=expired.pk).update(expires_at=timezone.now() - timedelta(seconds=1))
    valid = sharing.create_share_link(assessment=submitted, label="C", days=7, user=lead)
    forged = sharing.share_token(valid)[:-2] + "xx"
    for url in [share_url(revoked), share_url(expired), reverse("assessments:shared_results", args=[forged])]:
        assert client.get(url).status_code == 404
    assert client.get(reverse("assessments:shared_results", args=[str(valid.pk)])).status_code == 404


def test_a_suspended_link_says_the_results_are_being_revised_and_works_again_once_resubmitted(client, lead, submitted):
    link = sharing.create_share_link(assessment=submitted, label="A", days=7, user=lead)
    services.reopen_assessment(assessment=submitted, user=lead)
    for name in ("assessments:shared_results", "assessments:shared_report"):
        page = client.get(share_url(link, name))
        assert page.status_code == 200 and f"<bdi>{submitted.title}</bdi> is being revised" in page.text
        assert "Remediation plan" not in page.text and "application/pdf" not in page["Content-Type"]
    services.submit_assessment(assessment=submitted, user=lead)
    assert "Remediation plan" in client.get(share_url(link)).text


def test_reopening_asks_first_and_names_the_share_links_it_suspends(client_for, lead, submitted):
    sharing.create_share_link(assessment=submitted, label="Board", days=7, user=lead)
    client = client_for(lead)
    url = reverse("assessments:reopen", args=[submitted.pk])
    confirm = client.get(url)
    assert "1 share link stops showing results" in confirm.text and "Board" in confirm.text
    submitted.refresh_from_db()
    assert submitted.is_submitted
    client.post(url)
    submitted.refresh_from_db()
    assert not submitted.is_submitted


def test_the_stakeholders_page_names_the_assessment(client, lead, submitted):
    link = sharing.create_share_link(assessment=submitted, label="A", days=7, user=lead)
    assert f'<h1 class="h3"><bdi>{submitted.title}</bdi>: overall' in client.get(share_url(link)).text


def test_exports_are_attachments_that_agree_with_the_results(client_for, viewer, submitted):
    client = client_for(viewer)
    results = build_results(submitted)
    response = client.get(reverse("assessments:export_json", args=[submitted.pk]))
    assert response["Content-Disposition"].startswith("attachment;")
    assert "no-store" in response["Cache-Control"]
    data = json.loads(response.content)
    assert data["overall"]["level"] == results.score.level
    assert [c["score"] for c in data["challenges"]] == [round(c.score.score, 2) for c in results.challenges]

    response = client.get(reverse("assessments:export_csv", args=[submitted.pk]))
    assert response["Content-Type"] == "text/csv; charset=utf-8"
    rows = list(csv.DictReader(io.StringIO(response.content.decode("utf-8-sig"))))
    assert len(rows) == sum(len(c.rows) for c in results.challenges)


def test_exports_are_not_for_other_teams(client_for, outsider, submitted):
    for name in ("assessments:export_json", "assessments:export_csv"):
        assert client_for(outsider).get(reverse(name, args=[submitted.pk])).status_code == 404


def test_a_share_link_form_with_bad_input_comes_back_with_the_errors_beside_the_fields_and_the_input_kept(
    client_for, lead, submitted
):
    response = client_for(lead).post(
        reverse("assessments:share_create", args=[submitted.pk]), {"label": "Head of data", "days": 200}
    )
    assert response.status_code == 200
    assert 'value="Head of data"' in response.text and 'value="200"' in response.text
    assert "Ensure this value is less than or equal to 90." in response.text
    assert '<div id="id_days_error" class="invalid-feedback">' in response.text
    assert not ShareLink.objects.exists()


def test_a_share_link_without_a_label_says_which_field_is_missing(client_for, lead, submitted):
    response = client_for(lead).post(reverse("assessments:share_create", args=[submitted.pk]), {"days": 30})
    assert response.status_code == 200
    assert "This field is required." in response.text and 'value="30"' in response.text


def test_the_overview_marks_links_of_a_reopened_assessment_as_suspended(client_for, lead, submitted):
    sharing.create_share_link(assessment=submitted, label="Board", days=7, user=lead)
    revoked = sharing.create_share_link(assessment=submitted, label="Old", days=7, user=lead)
    sharing.revoke_share_link(link=revoked, by=lead)
    services.reopen_assessment(assessment=submitted, user=lead)
    page = client_for(lead).get(submitted.get_absolute_url()).text
    assert "suspended while the assessment is reopened; works again once resubmitted" in page
    assert "1 share link is suspended while the assessment is reopened" in page


def test_the_overview_warns_that_reopening_suspends_working_share_links(client_for, lead, submitted):
    sharing.create_share_link(assessment=submitted, label="Board", days=7, user=lead)
    sharing.create_share_link(assessment=submitted, label="Auditor", days=7, user=lead)
    page = client_for(lead).get(submitted.get_absolute_url()).text
    assert "Reopening this assessment suspends its 2 working share links until it is submitted again." in page
    assert "suspended while" not in page


def _shared_pdf_text(client, link) -> str:
    response = client.get(share_url(link, "assessments:shared_report"))
    assert response["Content-Type"] == "application/pdf"
    return " ".join(pdf_text(response.content).split())


def test_a_share_link_leaves_out_names_by_default_and_notes_when_asked(client, team, lead):
    lead.first_name, lead.last_name = "Lea", "Ng"
    lead.save()
    submitted = submitted_assessment(
        team, lead, title="Noted review", notes_for=lambda practice: "Evidence: wiki/page-7"
    )
    default = sharing.create_share_link(assessment=submitted, label="Board", days=7, user=lead)
    assert (default.shows_names, default.shows_notes) == (False, True)
    assert "Evidence: wiki/page-7" in client.get(share_url(default)).text
    text = _shared_pdf_text(client, default)
    assert "Who took part" not in text and "Lea Ng" not in text and "Evidence: wiki/page-7" in text

    quiet = sharing.create_share_link(
        assessment=submitted, label="Auditor", days=7, user=lead, shows_names=False, shows_notes=False
    )
    assert "Evidence: wiki/page-7" not in client.get(share_url(quiet)).text
    assert "Evidence: wiki/page-7" not in _shared_pdf_text(client, quiet)

    named = sharing.create_share_link(assessment=submitted, label="Sponsor", days=7, user=lead, shows_names=True)
    assert "Who took part Lea Ng" in _shared_pdf_text(client, named)
    # Each audience keeps its own rendered PDF: asking for one does not throw away the others.
    audiences = set(RenderedReport.objects.filter(assessment=submitted).values_list("audience", flat=True))
    assert audiences == {"notes", "none", "names,notes"}


def test_the_share_form_offers_both_choices_and_records_them(client_for, lead, submitted):
    client = client_for(lead)
    page = client.get(submitted.get_absolute_url()).text
    assert 'name="shows_names"' in page and 'name="shows_notes"' in page
    client.post(
        reverse("assessments:share_create", args=[submitted.pk]),
        {"label": "Auditor", "days": 7, "shows_names": "on"},
    )
    link = ShareLink.objects.get(assessment=submitted)
    assert (link.shows_names, link.shows_notes) == (True, False)
    assert "names, no notes" in client.get(submitted.get_absolute_url()).text
