"""The PDF report read back: sections, outline, links, numbers, escaping, pagination, caching and the worker."""

import io
import re
from datetime import timedelta

import pytest
from django.conf import settings
from django.core.management import call_command
from django.urls import reverse
from django.utils import timezone
from django_tasks_db.models import DBTaskResult
from pypdf import PdfReader

from assessments import services, tracking
from assessments.models import RenderedReport, ReportStatus
from assessments.report import StaticFileFetcher, lay_out, render_pdf, render_report_html
from assessments.report_queue import request_report
from assessments.results import build_results
from assessments.templatetags.assessment_tags import score_display
from playbook.published import load_practices
from playbook.rules import ScoringRules
from tests import factories
from tests.factories import publish_synthetic_playbook
from tests.pdf import pdf_links, pdf_text

pytestmark = pytest.mark.django_db
SECTIONS = ["Executive summary", "Remediation plan", "Challenges in detail", "Appendix: scoring method"]


def submitted_assessment(team, lead, *, notes_for=lambda p: f"Evidence for {p.title}", level_for=lambda p: 1):
    return factories.submitted_assessment(
        team, lead, title="Quarterly review", notes_for=notes_for, level_for=level_for
    )


def download(client, assessment) -> bytes:
    response = client.get(reverse("assessments:report_pdf", args=[assessment.pk]))
    assert response.status_code == 200
    assert response["Content-Type"] == "application/pdf"
    return response.content


def outline_titles(pdf: bytes) -> list[str]:
    def walk(items):
        for item in items:
            if isinstance(item, list):
                yield from walk(item)
            else:
                yield item.title

    return list(walk(PdfReader(io.BytesIO(pdf)).outline))


@pytest.fixture
def pdf_and_results(client_for, team, lead):
    assessment = submitted_assessment(team, lead, level_for=lambda p: 0 if p.is_critical else 2)
    return download(client_for(lead), assessment), build_results(assessment), assessment


def test_every_section_is_present_and_in_the_outline(pdf_and_results, team):
    pdf, results, _ = pdf_and_results
    text = pdf_text(pdf)
    outline = outline_titles(pdf)
    for section in SECTIONS:
        assert section in text
        assert section in outline
    assert team.name in outline
    for item in results.challenges:
        assert any(title.startswith(item.challenge.title) for title in outline)


def test_the_cover_names_team_organisation_version_and_who_took_part(pdf_and_results, team, lead):
    pdf, results, _ = pdf_and_results
    first_page = PdfReader(io.BytesIO(pdf)).pages[0].extract_text()
    assert team.name in first_page and team.organisation.name in first_page
    assert f"version {results.playbook.version}" in first_page
    assert lead.username in first_page
    assert first_page.lstrip().startswith("MLOPS MATURITY REPORT"), "something is printed above the cover's kicker"


def test_the_numbers_in_the_pdf_match_the_results_page(pdf_and_results, client_for, lead):
    pdf, results, assessment = pdf_and_results
    text = pdf_text(pdf)
    page = client_for(lead).get(reverse("assessments:results", args=[assessment.pk])).text
    for item in results.challenges:
        level_name = results.playbook.level_names[item.score.level]
        row = f"{item.challenge.title} {item.score.level} · {level_name} {score_display(item.score.score)}"
        assert row in text.replace(" High risk", "")
        assert f"<td>{score_display(item.score.score)}</td>" in page
    overall = f"Overall maturity: {results.score.level} · {results.playbook.level_names[results.score.level]}"
    assert overall in text
    assert f"overall {results.score.level} · {results.playbook.level_names[results.score.level]}" in page
    for item in results.plan:
        assert item.step.text[:60] in text


def test_every_link_is_an_absolute_guidance_url_that_exists(pdf_and_results, client):
    pdf, results, _ = pdf_and_results
    # Besides the guidance, the appendix links to the published source of each framework it estimates.
    sources = {result.framework.url for result in results.frameworks}
    links = [link for link in pdf_links(pdf) if link not in sources]
    assert len(links) >= len(results.plan)
    for link in set(links):
        assert link.startswith(f"{settings.SITE_URL}/playbook/{results.playbook.version}/")
        path, anchor = link.removeprefix(settings.SITE_URL).split("#")
        page = client.get(path)
        assert page.status_code == 200 and f'id="{anchor}"' in page.text


def test_the_pdf_is_tagged_with_a_title_and_the_embedded_package_font(pdf_and_results):
    pdf, _, _ = pdf_and_results
    reader = PdfReader(io.BytesIO(pdf))
    assert "/StructTreeRoot" in reader.trailer["/Root"]
    assert reader.metadata.title.startswith("MLOps maturity report")
    fonts = {
        str(font.get_object()["/BaseFont"]) for page in reader.pages for font in page["/Resources"]["/Font"].values()
    }
    assert any("Source-Sans-3" in font for font in fonts)


def test_html_typed_into_notes_appears_as_text(client_for, team, lead):
    assessment = submitted_assessment(team, lead, notes_for=lambda p: "<b>bold</b> <script>alert(1)</script>")
    text = pdf_text(download(client_for(lead), assessment))
    # Compared without whitespace: lines may wrap after the slash of a closing tag.
    assert "<b>bold</b><script>alert(1)</script>" in re.sub(r"\s", "", text)


def test_forty_practices_with_long_notes_paginate_without_losing_text(client_for, team, lead):
    publish_synthetic_playbook(version="long-notes", challenges=5, practices=8)
    long_note = "Evidence: " + " ".join(f"word{i}" for i in range(120))
    unbroken = "x" * 400
    assessment = submitted_assessment(
        team, lead, notes_for=lambda p: f"{long_note} ENDMARK{p.pk}" if p.slug != "practice-3-3" else unbroken
    )
    pdf = download(client_for(lead), assessment)
    reader = PdfReader(io.BytesIO(pdf))
    assert len(reader.pages) > 10
    text = pdf_text(pdf)
    for practice in load_practices(assessment.playbook):
        if practice.slug != "practice-3-3":
            assert f"word119 ENDMARK{practice.pk}" in text
    assert len(re.sub(r"\s", "", text).split("x" * 50)) > 1
    assert re.sub(r"\s", "", text).count("x" * 400) == 1


def boxes_past_the_right_margin(html: str) -> list[str]:
    """Elements drawn beyond the page's content area: text extraction still finds them, a reader does not."""
    overflowing = []
    for number, page in enumerate(lay_out(html).pages, start=1):
        page_box = page._page_box  # WeasyPrint's laid-out boxes have no public accessor
        right_edge = page_box.margin_width() - page_box.margin_right
        for box in page_box.descendants():
            if getattr(box, "element_tag", "") in ("html", "body") or not hasattr(box, "border_width"):
                continue
            if box.position_x + box.border_width() > right_edge + 0.5:
                overflowing.append(f"page {number}: <{box.element_tag}> {type(box).__name__}")
    return overflowing


@pytest.mark.parametrize("playbook_version", [None, "wide"])
def test_nothing_is_drawn_past_the_right_margin(team, lead, playbook_version):
    if playbook_version:
        publish_synthetic_playbook(version=playbook_version, challenges=5, practices=8)
    assessment = submitted_assessment(team, lead, notes_for=lambda p: f"{'x' * 300} {p.title} " * 3)
    assert boxes_past_the_right_margin(render_report_html(build_results(assessment))) == []


def test_a_report_is_rendered_once_per_revision(team, lead):
    assessment = submitted_assessment(team, lead)
    first = request_report(build_results(assessment))
    assert first.status == ReportStatus.READY and first.pages > 1
    again = request_report(build_results(assessment))
    assert again.pk == first.pk
    services.reopen_assessment(assessment=assessment, user=lead)
    assessment.refresh_from_db()
    practice = load_practices(assessment.playbook)[0]
    services.save_answers(
        assessment=assessment, user=lead, answers=[services.AnswerInput(practice, practice.options.all()[4])]
    )
    changed = request_report(build_results(assessment))
    assert changed.pk != first.pk
    assert list(RenderedReport.objects.filter(assessment=assessment)) == [changed]


def test_the_background_worker_renders_queued_reports(settings, monkeypatch, client_for, team, lead):
    settings.TASKS = {"default": {"BACKEND": "django_tasks_db.DatabaseBackend"}}
    assessment = submitted_assessment(team, lead)
    client = client_for(lead)
    url = reverse("assessments:report_pdf", args=[assessment.pk])
    waiting = client.get(url)
    assert waiting.status_code == 202
    assert "Preparing the PDF report" in waiting.text
    assert 'hx-trigger="every 1s"' in waiting.text
    polled = client.get(url, HTTP_HX_REQUEST="true")
    assert polled.status_code == 202 and "<html" not in polled.text

    # The worker drops connections it thinks stale, which would end this test's transaction.
    monkeypatch.setattr("django_tasks_db.management.commands.db_worker.close_old_connections", lambda: None)
    call_command("db_worker", "--batch", "--no-startup-delay", verbosity=0)

    # The last poll stops polling and asks once for the download; polling on would download it every second.
    ready = client.get(url, HTTP_HX_REQUEST="true")
    assert ready.status_code == 200 and "The report is ready" in ready.text
    # The heading changes with it: "Preparing…" must not stay above a report that has downloaded.
    assert "The PDF report is ready</h1>" in ready.text and "Preparing the PDF report" not in ready.text
    assert "every 1s" not in ready.text and 'hx-trigger="load"' in ready.text
    download = client.get(f"{url}?download=1", HTTP_HX_REQUEST="true")
    assert download.status_code == 204 and download["HX-Redirect"] == url
    assert client.get(url)["Content-Type"] == "application/pdf"


def test_the_fetcher_refuses_remote_urls_and_paths_outside_static():
    fetcher = StaticFileFetcher()
    for url in [
        "https://example.org/evil.css",
        "file:///etc/passwd",
        f"{settings.SITE_URL}/admin/",
        f"{settings.SITE_URL}/static/../../config/settings.py",
        f"{settings.SITE_URL}/static/css/../../../manage.py",
    ]:
        with pytest.raises(ValueError):
            fetcher.fetch(url)
    assert fetcher.fetch(f"{settings.SITE_URL}/static/css/report.css").read().startswith(b"/*")


def test_only_the_team_and_its_consultants_can_download(client_for, team, lead, viewer, consultant, outsider):
    assessment = submitted_assessment(team, lead)
    url = reverse("assessments:report_pdf", args=[assessment.pk])
    assert client_for(viewer).get(url).status_code == 200
    assert client_for(consultant).get(url).status_code == 200
    assert client_for(outsider).get(url).status_code == 404


def test_the_pdf_is_styled_with_production_static_files(settings, tmp_path, team, lead):
    # Production names static files by content hash (manifest storage); the report must still find its CSS.
    settings.STATIC_ROOT = tmp_path / "static"
    settings.STORAGES = {
        **settings.STORAGES,
        "staticfiles": {"BACKEND": "django.contrib.staticfiles.storage.ManifestStaticFilesStorage"},
    }
    call_command("collectstatic", "--no-input", verbosity=0)
    assessment = submitted_assessment(team, lead)
    html = render_report_html(build_results(assessment))
    assert re.search(r"css/report\.[0-9a-f]{12}\.css", html)
    report = request_report(build_results(assessment))
    reader = PdfReader(io.BytesIO(bytes(report.pdf)))
    fonts = {str(f.get_object()["/BaseFont"]) for page in reader.pages for f in page["/Resources"]["/Font"].values()}
    assert any("Source-Sans-3" in font for font in fonts)


@pytest.fixture
def database_queue(settings, monkeypatch):
    """Reports go through the real database queue; `run_worker()` runs whatever a worker would pick up now."""
    settings.TASKS = {"default": {"BACKEND": "django_tasks_db.DatabaseBackend"}}
    # The worker drops connections it thinks stale, which would end this test's transaction.
    monkeypatch.setattr("django_tasks_db.management.commands.db_worker.close_old_connections", lambda: None)
    return lambda: call_command("db_worker", "--batch", "--no-startup-delay", verbosity=0)


def age(report: RenderedReport, **fields) -> None:
    """Move a report's timestamps back by `REPORT_STALE_SECONDS` plus a minute, as if that time had passed."""
    past = timezone.now() - timedelta(seconds=settings.REPORT_STALE_SECONDS + 60)
    RenderedReport.objects.filter(pk=report.pk).update(queued_at=past, **fields)


def test_a_report_whose_task_was_lost_is_queued_again_once_stale(database_queue, team, lead):
    assessment = submitted_assessment(team, lead)
    report = request_report(build_results(assessment))
    DBTaskResult.objects.all().delete()  # the task never reached a worker
    database_queue()
    assert request_report(build_results(assessment)).status == ReportStatus.QUEUED  # not stale yet: left alone
    assert not DBTaskResult.objects.exists()

    age(report)
    request_report(build_results(assessment))
    database_queue()
    report.refresh_from_db()
    assert (report.status, report.attempt) == (ReportStatus.READY, 1)


def test_a_report_abandoned_by_a_dead_worker_is_rendered_again_and_the_old_attempt_cannot_finish_it(
    database_queue, team, lead
):
    assessment = submitted_assessment(team, lead)
    report = request_report(build_results(assessment))
    DBTaskResult.objects.all().delete()
    age(report, status=ReportStatus.RENDERING, started_at=timezone.now() - timedelta(hours=1), attempt=1)

    request_report(build_results(assessment))
    database_queue()
    report.refresh_from_db()
    assert (report.status, report.attempt) == (ReportStatus.READY, 2)
    # The dead worker's attempt finishing late writes nothing.
    assert RenderedReport.objects.filter(pk=report.pk, attempt=1).update(status=ReportStatus.FAILED) == 0


def test_the_waiting_page_says_when_no_worker_has_picked_the_report_up(database_queue, client_for, team, lead):
    assessment = submitted_assessment(team, lead)
    client = client_for(lead)
    url = reverse("assessments:report_pdf", args=[assessment.pk])
    assert "does not seem to be running" not in client.get(url).text
    RenderedReport.objects.update(
        queued_at=timezone.now() - timedelta(seconds=settings.TASK_QUEUE_MAX_WAIT_SECONDS + 5)
    )
    polled = client.get(url, HTTP_HX_REQUEST="true")
    assert polled.status_code == 202
    assert "The report worker does not seem to be running" in polled.text and "manage.py db_worker" in polled.text


def test_the_health_check_reports_a_task_queue_nobody_is_working_on(database_queue, client, team, lead):
    request_report(build_results(submitted_assessment(team, lead)))
    assert client.get("/healthz").json()["task_queue"] == "ok"
    DBTaskResult.objects.update(
        enqueued_at=timezone.now() - timedelta(seconds=settings.TASK_QUEUE_MAX_WAIT_SECONDS + 5)
    )
    response = client.get("/healthz")
    assert response.status_code == 200
    body = response.json()
    assert (body["status"], body["task_queue"], body["failed"]) == ("degraded", "late", ["task_queue"])
    assert body["oldest_task_wait_seconds"] > settings.TASK_QUEUE_MAX_WAIT_SECONDS


def test_the_summary_states_the_scale_and_the_overall_rule_of_the_playbook_it_was_assessed_against(team, lead):
    playbook = publish_synthetic_playbook(
        version="wide-margin", scoring=ScoringRules(overall_max_above_weakest=2), challenges=3
    )
    assessment = factories.submitted_assessment(team, lead)
    assert assessment.playbook == playbook
    text = " ".join(render_report_html(build_results(assessment)).split())
    assert "never more than 2 levels above the weakest challenge" in text
    assert "rated from 0 (absent) to 4 (optimised)" in text and "of 4)" in text


def page_fill(html: str) -> list[float]:
    """How much of each page's content area is used, from 0 (empty) to 1 (full), by the laid-out boxes."""
    fills = []
    for page in lay_out(html).pages:
        page_box = page._page_box  # WeasyPrint's laid-out boxes have no public accessor
        top = page_box.margin_top
        height = page_box.margin_height() - page_box.margin_top - page_box.margin_bottom
        bottoms = [
            box.position_y + box.border_height()
            for box in page_box.descendants()
            if getattr(box, "element_tag", "") not in ("html", "body", "")
            and hasattr(box, "border_height")
            and top <= box.position_y < top + height
        ]
        fills.append((max(bottoms, default=top) - top) / height)
    return fills


def test_the_summary_shows_the_trend_and_the_actions_by_name_without_a_near_empty_page(team, lead, member):
    for user, first, last in ((member, "Mia", "Okafor"), (lead, "Lea", "Ng")):
        user.first_name, user.last_name = first, last
        user.save()
    earlier = factories.submitted_assessment(team, lead, title="Winter baseline", level_for=lambda p: 1)
    item = build_results(earlier).plan[0]
    action = tracking.track_action(assessment=earlier, item=item, user=lead)
    tracking.update_action(action=action, owner=member, due_date=None, status="doing")
    later = factories.submitted_assessment(team, lead, title="Spring review", level_for=lambda p: 2)
    html = render_report_html(build_results(later))
    pdf, _ = render_pdf(html)
    pages = [" ".join(page.extract_text().split()) for page in PdfReader(io.BytesIO(pdf)).pages]
    summary = next(i for i, text in enumerate(pages) if "Executive summary" in text)
    plan = next(i for i, text in enumerate(pages) if "Remediation plan" in text and i >= summary)
    text = " ".join(pages[summary : plan + 1])
    assert "Since the last assessment" in text and "Winter baseline" in text and "▲ up" in text
    assert "Tracked actions" in text and "1 doing" in text and "Mia Okafor" in text
    assert "Who took part Lea Ng" in pages[0] and lead.username not in pages[0]
    fills = page_fill(html)
    assert all(fill > 0.5 for fill in fills[summary:plan]), fills[summary : plan + 1]


def test_greek_and_cyrillic_notes_print_with_a_glyph_for_every_letter(team, lead, caplog):
    assessment = factories.submitted_assessment(team, lead, notes_for=lambda p: "Ελληνικά και Русский текст")
    pdf, _ = render_pdf(render_report_html(build_results(assessment)))
    assert ".notdef" not in caplog.text  # WeasyPrint warns when a character has no glyph in any font
    fonts = {
        str(font.get_object()["/BaseFont"]).split("+", 1)[1]
        for page in PdfReader(io.BytesIO(pdf)).pages
        for font in page["/Resources"].get("/Font", {}).values()
    }
    assert "Source-Sans-3," in fonts
