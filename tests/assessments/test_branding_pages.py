"""Reports in the client's colours: the branding form on the organisation's settings, and the branding on the PDF
cover, the shared-results page and the workshop projector, with the cover's "prepared by/for" lines."""

import io
import random
import re
import struct
import zlib

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from pypdf import PdfReader

from assessments import access, organisations, services, sharing
from assessments.models import OrganisationLogo, RenderedReport
from assessments.report import _stylesheet, render_report_html
from assessments.report_queue import request_report
from assessments.results import build_results
from audit.models import EventKind, SecurityEvent
from tests.assessments.test_report import boxes_past_the_right_margin
from tests.factories import submitted_assessment
from tests.pdf import pdf_text
from workshops import services as workshop_services

pytestmark = pytest.mark.django_db

ACCENT = "#b02a37"
LOGO_SVG = (
    b'<svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 120 40" onload="alert(1)">'
    b'<rect width="120" height="40" fill="#b02a37"/><script>alert(2)</script></svg>'
)


def png(width: int, height: int, *, noisy: bool = False) -> bytes:
    def chunk(kind: bytes, body: bytes) -> bytes:
        return struct.pack(">I", len(body)) + kind + body + struct.pack(">I", zlib.crc32(kind + body))

    noise = random.Random(0)  # noise does not compress: a file of a known, large size
    rows = b"".join(b"\x00" + (noise.randbytes(3 * width) if noisy else b"\xb0\x2a\x37" * width) for _ in range(height))
    header = struct.pack(">IIBBBBB", width, height, 8, 2, 0, 0, 0)
    return b"\x89PNG\r\n\x1a\n" + chunk(b"IHDR", header) + chunk(b"IDAT", zlib.compress(rows)) + chunk(b"IEND", b"")


def upload(name: str, content: bytes):
    from django.core.files.uploadedfile import SimpleUploadedFile

    return SimpleUploadedFile(name, content, content_type="application/octet-stream")


@pytest.fixture(autouse=True)
def _source_stylesheet(settings, tmp_path):
    # A collectstatic run left in var/ would otherwise give the report an older copy of report.css.
    settings.STATIC_ROOT = tmp_path / "no-collected-static"
    _stylesheet.cache_clear()
    yield
    _stylesheet.cache_clear()


@pytest.fixture
def branded(team):
    organisation = team.organisation
    organisation.brand_name, organisation.brand_accent = "Acme Analytics", ACCENT
    organisation.save()
    OrganisationLogo.objects.create(organisation=organisation, content=png(300, 100), content_type="image/png")
    return organisation


def settings_url(team) -> str:
    return reverse("assessments:organisation_settings", args=[team.organisation.slug])


def save_branding(client, team, **data):
    return client.post(settings_url(team), {"save-branding": "", "brand_name": "", "brand_accent": "", **data})


# The settings form


def test_loading_an_assessment_leaves_the_organisations_logo_in_its_own_table(branded, team, lead):
    """Nearly every page loads the organisation with its team: the logo's bytes stay behind unless a page needs them."""
    assessment = services.create_assessment(team=team, user=lead, title="Light")
    with CaptureQueriesContext(connection) as queries:
        access.get_assessment(lead, assessment.pk)
    assert not any("organisationlogo" in query["sql"] for query in queries.captured_queries)
    assert organisations.organisation_brand(branded).logo.content_type == "image/png"


def test_an_organisation_admin_sets_the_branding_and_it_is_recorded(client_for, team, org_admin):
    response = save_branding(
        client_for(org_admin), team, brand_name="Acme Analytics", brand_accent="#B02A37", logo=upload("l.svg", LOGO_SVG)
    )
    assert response.status_code == 302
    team.organisation.refresh_from_db()
    organisation = team.organisation
    assert (organisation.brand_name, organisation.brand_accent) == ("Acme Analytics", ACCENT)
    logo = OrganisationLogo.objects.get(organisation=organisation)
    assert logo.content_type == "image/svg+xml"
    assert b"<rect" in bytes(logo.content) and b"alert" not in bytes(logo.content)
    event = SecurityEvent.objects.get(kind=EventKind.ORGANISATION_CHANGED, organisation_id=organisation.pk)
    assert "uploaded a logo" in event.summary and ACCENT in event.summary


def test_a_consultant_may_set_the_branding_and_the_others_may_not(
    client_for, client, team, consultant, org_viewer, lead, outsider
):
    assert save_branding(client_for(consultant), team, brand_name="By consultant").status_code == 302
    for user in (org_viewer, lead, outsider):
        client.force_login(user)
        assert save_branding(client, team, brand_name="Not allowed").status_code in (403, 404)
    team.organisation.refresh_from_db()
    assert team.organisation.brand_name == "By consultant"


def test_a_colour_without_contrast_is_refused_and_what_was_typed_stays(client_for, team, org_admin):
    response = save_branding(
        client_for(org_admin), team, brand_name="Acme Yellow", brand_accent="#ffd400", logo=upload("l.png", png(4, 4))
    )
    page = response.content.decode()
    assert response.status_code == 400
    assert "Too light" in page and 'value="#ffd400"' in page and 'value="Acme Yellow"' in page
    assert "choose the logo file again" in page
    team.organisation.refresh_from_db()
    assert team.organisation.brand_name == "" and not OrganisationLogo.objects.filter(organisation=team.organisation)


def test_an_oversized_logo_is_refused(client_for, settings, team, org_admin):
    settings.BRAND_LOGO_MAX_KB = 1
    response = save_branding(client_for(org_admin), team, logo=upload("big.png", png(200, 200, noisy=True)))
    assert response.status_code == 400
    assert "a logo may be at most 1 KB" in response.content.decode()


def test_a_file_that_is_not_a_logo_is_refused(client_for, team, org_admin):
    response = save_branding(client_for(org_admin), team, logo=upload("x.svg", b"<!DOCTYPE svg><svg/>"))
    assert response.status_code == 400 and "may not declare a DOCTYPE" in response.content.decode()


def test_the_logo_can_be_removed(client_for, team, org_admin, branded):
    response = save_branding(client_for(org_admin), team, brand_name="Acme Analytics", remove_logo="on")
    assert response.status_code == 302
    branded.refresh_from_db()
    assert not OrganisationLogo.objects.filter(organisation=branded) and branded.brand_accent == ""


# The PDF


@pytest.fixture
def branded_report(client_for, team, lead, branded):
    assessment = submitted_assessment(team, lead, title="Quarterly review")
    response = client_for(lead).get(
        reverse("assessments:report_pdf", args=[assessment.pk]),
        {"prepared_by": "Dana Consultant", "prepared_for": "The steering group"},
    )
    assert response.status_code == 200 and response["Content-Type"] == "application/pdf"
    return response.content, assessment


def drawn_colours(page) -> set[tuple[float, float, float]]:
    stream = page.get_contents().get_data().decode("latin-1")
    return {
        tuple(round(float(n), 2) for n in match)
        for match in re.findall(r"([\d.]+) ([\d.]+) ([\d.]+) (?:rg|RG)\b", stream)
    }


def test_the_cover_carries_the_brand_name_and_the_prepared_lines(branded_report):
    pdf, _ = branded_report
    cover = PdfReader(io.BytesIO(pdf)).pages[0].extract_text()
    assert "Acme Analytics" in cover
    assert "Prepared for" in cover and "The steering group" in cover
    assert "Prepared by" in cover and "Dana Consultant" in cover


def test_the_cover_shows_the_logo_and_draws_in_the_accent_colour(branded_report):
    pdf, _ = branded_report
    cover = PdfReader(io.BytesIO(pdf)).pages[0]
    assert [image.image.size for image in cover.images] == [(300, 100)]
    assert (0.69, 0.16, 0.22) in drawn_colours(cover)  # #b02a37


def test_the_running_header_names_the_brand(branded_report):
    pdf, _ = branded_report
    second = PdfReader(io.BytesIO(pdf)).pages[1].extract_text()
    assert "Acme Analytics · " in second


def test_the_cover_still_fits_its_page(branded_report):
    pdf, _ = branded_report
    pages = PdfReader(io.BytesIO(pdf)).pages
    assert "Executive summary" not in pages[0].extract_text()
    assert "Executive summary" in pages[1].extract_text()


def test_the_branded_report_draws_nothing_past_the_margins(team, lead, branded):
    assessment = submitted_assessment(team, lead, notes_for=lambda p: f"{'x' * 300} {p.title} " * 3)
    html = render_report_html(build_results(assessment), prepared_by="A" * 120, prepared_for="Steering group " * 8)
    assert ACCENT in html and "data:image/png;base64," in html
    assert boxes_past_the_right_margin(html) == []


def test_the_chart_in_the_report_is_in_the_accent_colour(team, lead, branded):
    html = render_report_html(build_results(submitted_assessment(team, lead)))
    assert re.search(rf'class="radar-values"[^>]*stroke="{ACCENT}"', html)


def test_an_unbranded_report_keeps_the_apps_colours(team, lead):
    html = render_report_html(build_results(submitted_assessment(team, lead)))
    assert 'stroke="#0b5ed7"' in html and "brand-logo" not in html and "<style>" not in html


def test_different_prepared_lines_make_different_reports(team, lead):
    results = build_results(submitted_assessment(team, lead))
    first = request_report(results, prepared_for="Board")
    second = request_report(results, prepared_for="Auditors")
    again = request_report(results, prepared_for="Auditors")
    assert first.content_hash != second.content_hash and again.pk == second.pk
    assert "Auditors" in pdf_text(bytes(RenderedReport.objects.get(pk=second.pk).pdf))


def test_the_waiting_page_keeps_the_lines_while_it_polls(settings, client_for, team, lead):
    settings.TASKS = {"default": {"BACKEND": "django.tasks.backends.dummy.DummyBackend"}}
    assessment = submitted_assessment(team, lead)
    response = client_for(lead).get(
        reverse("assessments:report_pdf", args=[assessment.pk]), {"prepared_for": "Board & co"}
    )
    assert response.status_code == 202
    assert f'hx-get="/assessments/{assessment.pk}/report.pdf?prepared_for=Board+%26+co"' in response.text


@pytest.mark.parametrize("lines", [{"prepared_for": "two\nlines"}, {"prepared_by": "x" * 121}])
def test_cover_lines_with_control_characters_or_too_long_are_refused(client_for, team, lead, lines):
    assessment = submitted_assessment(team, lead)
    response = client_for(lead).get(reverse("assessments:report_pdf", args=[assessment.pk]), lines)
    assert response.status_code == 400
    assert not RenderedReport.objects.filter(assessment=assessment).exists()


def test_a_consultant_is_offered_their_own_name_as_prepared_by(client_for, team, lead, consultant):
    consultant.first_name, consultant.last_name = "Dana", "Consultant"
    consultant.save()
    assessment = submitted_assessment(team, lead)
    page = client_for(consultant).get(reverse("assessments:results", args=[assessment.pk])).text
    assert 'name="prepared_by" value="Dana Consultant"' in page


# The client's pages


def test_the_shared_results_page_shows_the_branding(client, team, lead, branded):
    assessment = submitted_assessment(team, lead)
    link = sharing.create_share_link(assessment=assessment, label="Board", days=7, user=lead)
    page = client.get(reverse("assessments:shared_results", args=[sharing.share_token(link)])).text
    assert 'class="brand-logo" src="data:image/png;base64,' in page
    assert "Acme Analytics" in page and f'fill="{ACCENT}"' in page
    assert re.search(rf'class="radar-values"[^>]*stroke="{ACCENT}"', page)


def test_the_apps_own_results_page_keeps_its_design(client_for, team, lead, branded):
    assessment = submitted_assessment(team, lead)
    page = client_for(lead).get(reverse("assessments:results", args=[assessment.pk])).text
    assert "brand-logo" not in page and ACCENT not in page


def test_the_projector_shows_the_branding(client_for, team, lead, branded, playbook):
    assessment = submitted_assessment(team, lead)
    slugs = [c.slug for c in playbook.challenges.all()[:1]]
    workshop = workshop_services.create_workshop(
        assessment=assessment, user=lead, title="Kick-off", challenge_slugs=slugs, hours=1
    )
    page = client_for(lead).get(reverse("workshops:projector", args=[workshop.pk])).text
    assert 'class="brand-logo"' in page and "Acme Analytics" in page and f'fill="{ACCENT}"' in page
