"""Evidence files (assessments/evidence.py, evidence_views.py): what is accepted, who may do what, where they show."""

import hashlib
import json
from datetime import timedelta
from pathlib import Path

import pytest
from django.core.files.base import ContentFile
from django.core.files.storage import storages
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse
from django.utils import timezone

from assessments import evidence, services, sharing
from assessments.evidence import CSV, DOCX, PDF, PNG, TEXT, Refused, clean_name, detect_type
from assessments.models import Assessment, EvidenceFile, OrganisationMembership, OrganisationRole
from audit.models import EventKind, SecurityEvent
from playbook.published import load_practices
from tests.factories import UserFactory, answer_every_practice
from tests.pdf import pdf_text

PDF_BYTES = b"%PDF-1.7\n%\xe2\xe3\xcf\xd3\n1 0 obj\n<<>>\nendobj\n"
RUNBOOK = b"# Rollback runbook\n\n1. Pin the previous model version.\n"


# Pure rules: no database.


def test_a_pdf_named_pdf_is_a_pdf():
    assert detect_type(PDF_BYTES, "threat-model.pdf") == PDF


def test_a_png_is_recognised_by_its_signature():
    assert detect_type(b"\x89PNG\r\n\x1a\n\x00\x00", "dashboard.PNG") == PNG


def test_a_word_document_is_a_zip_named_docx():
    assert detect_type(b"PK\x03\x04\x14\x00", "design.docx") == DOCX


def test_markdown_and_csv_are_text_by_content_and_name():
    assert detect_type(RUNBOOK, "runbook.md") == TEXT
    assert detect_type(b"metric,value\nlatency,120\n", "slo.csv") == CSV


def test_an_executable_renamed_pdf_is_refused_by_its_content():
    result = detect_type(b"MZ\x90\x00\x03\x00\x00\x00", "threat-model.pdf")
    assert isinstance(result, Refused) and "not a PDF document" in result.reason


def test_binary_content_named_as_text_is_refused():
    assert isinstance(detect_type(b"\x7fELF\x02\x01\x01\x00", "notes.txt"), Refused)


def test_html_and_svg_are_refused_even_named_as_text():
    assert isinstance(detect_type(b"<!DOCTYPE html><script>alert(1)</script>", "page.txt"), Refused)
    assert isinstance(detect_type(b"\n<svg xmlns='http://www.w3.org/2000/svg' onload='x()'>", "chart.md"), Refused)
    assert isinstance(detect_type(b"<svg/>", "chart.svg"), Refused)


def test_a_name_without_an_allowed_extension_is_refused():
    assert "not accepted" in detect_type(b"hello", "script.sh").reason
    assert isinstance(detect_type(b"hello", "README"), Refused)


def test_a_utf8_character_cut_at_the_end_of_the_sample_is_still_text():
    sample = "é".encode() * 10 + "é".encode()[:1]
    assert detect_type(sample, "notes.txt") == TEXT


@pytest.mark.parametrize(
    "name", ["../../etc/passwd.txt", "reports\\q3.pdf", "run\x00book.md", "bell\x07.txt", "evil\u202etxt.exe.md"]
)
def test_names_with_path_separators_or_control_characters_are_refused(name):
    assert isinstance(clean_name(name), Refused)


def test_an_ordinary_name_is_kept_as_it_is():
    assert clean_name(" Threat model (v2) – café.pdf ") == "Threat model (v2) – café.pdf"


# Uploads through the questionnaire.


@pytest.fixture
def draft(team, lead):
    return services.create_assessment(team=team, user=lead, title="Spring review")


@pytest.fixture
def practice(draft):
    return load_practices(draft.playbook, draft.playbook.challenges.first())[0]


def _upload_url(assessment, practice):
    return reverse("assessments:evidence_upload", args=[assessment.pk, practice.challenge.slug, practice.slug])


def _upload(client, assessment, practice, name="runbook.md", content=RUNBOOK):
    return client.post(_upload_url(assessment, practice), {"file": SimpleUploadedFile(name, content)}, follow=True)


def _attach(assessment, practice, user, name="runbook.md", content=RUNBOOK):
    upload = SimpleUploadedFile(name, content)
    return evidence.attach_evidence(assessment=assessment, practice=practice, user=user, upload=upload)


def test_a_member_attaches_a_file_and_the_card_lists_it(client_for, member, draft, practice):
    response = _upload(client_for(member), draft, practice)
    assert response.redirect_chain[-1][0].endswith(f"#practice-{practice.slug}")
    [stored] = EvidenceFile.objects.filter(assessment=draft, practice=practice)
    assert (stored.name, stored.size, stored.sha256) == (
        "runbook.md",
        len(RUNBOOK),
        hashlib.sha256(RUNBOOK).hexdigest(),
    )
    assert "Attached “runbook.md”" in response.text
    assert reverse("assessments:evidence_download", args=[draft.pk, stored.pk]) in response.text


def test_the_stored_name_holds_nothing_the_uploader_chose(client_for, member, draft, practice):
    _upload(client_for(member), draft, practice, name="..\\..\\secret-plan.md")
    stored = EvidenceFile.objects.get(assessment=draft)
    # Django's upload parser keeps only the last part of a path; the storage path is random.
    assert stored.name == "secret-plan.md"
    assert "secret" not in stored.stored_name and stored.stored_name.startswith(f"assessment-{draft.pk}/")
    assert storages["evidence"].open(stored.stored_name).read() == RUNBOOK


def test_an_upload_changes_the_cached_card(client_for, member, draft, practice):
    client = client_for(member)
    page = reverse("assessments:questionnaire", args=[draft.pk, practice.challenge.slug])
    assert "runbook.md" not in client.get(page).text
    _upload(client, draft, practice)
    assert "runbook.md" in client.get(page).text


def _refusal(client, draft, practice, **file):
    response = _upload(client, draft, practice, **file)
    assert not EvidenceFile.objects.filter(assessment=draft).exists()
    return response.text


def test_an_oversized_file_is_refused_with_the_limit(client_for, member, draft, practice, settings):
    settings.EVIDENCE_MAX_FILE_MB = 1
    text = _refusal(client_for(member), draft, practice, content=b"a" * (1024 * 1024 + 1))
    assert "larger than 1 MB, the limit per file" in text


def test_a_disallowed_type_is_refused(client_for, member, draft, practice):
    text = _refusal(client_for(member), draft, practice, name="threat-model.pdf", content=b"MZ\x90\x00" * 20)
    assert "was not attached: its content is not a PDF document" in text


def test_an_empty_file_is_refused(client_for, member, draft, practice):
    assert "the file is empty" in _refusal(client_for(member), draft, practice, content=b"")


def test_a_name_with_path_separators_is_refused_by_the_service(draft, practice, member):
    # ContentFile keeps the name whole, as a caller other than the browser's upload parser might pass it.
    with pytest.raises(evidence.EvidenceRefused, match="path separator"):
        evidence.attach_evidence(
            assessment=draft, practice=practice, user=member, upload=ContentFile(RUNBOOK, name="../b.md")
        )
    with pytest.raises(evidence.EvidenceRefused, match="control characters"):
        evidence.attach_evidence(
            assessment=draft, practice=practice, user=member, upload=ContentFile(RUNBOOK, name="run\x1bbook.md")
        )
    assert not EvidenceFile.objects.exists()


def test_the_assessment_total_is_limited(client_for, member, draft, practice, settings):
    settings.EVIDENCE_MAX_ASSESSMENT_MB = 1
    _attach(draft, practice, member, content=b"a" * (700 * 1024))
    response = _upload(client_for(member), draft, practice, name="second.txt", content=b"b" * (400 * 1024))
    assert "would pass 1 MB, the limit per assessment" in response.text
    assert EvidenceFile.objects.filter(assessment=draft).count() == 1


def test_a_storage_outage_keeps_the_answer_and_notes_and_says_the_file_was_not_saved(
    client_for, member, draft, practice, settings, tmp_path
):
    services.save_answers(
        assessment=draft,
        user=member,
        answers=[services.AnswerInput(practice, practice.options.all()[1], notes="See the runbook")],
    )
    # A real storage failure, not a patched function: the folder it should write under is a file.
    blocker = tmp_path / "not-a-folder"
    blocker.write_text("")
    settings.STORAGES = settings.STORAGES | {
        "evidence": {"BACKEND": "django.core.files.storage.FileSystemStorage", "OPTIONS": {"location": blocker}}
    }
    response = _upload(client_for(member), draft, practice)
    assert "The file was not saved: storage unavailable" in response.text
    assert not EvidenceFile.objects.exists()
    answer = draft.answers.get(practice=practice)
    assert (answer.notes, answer.option.level) == ("See the runbook", practice.options.all()[1].level)


def test_files_of_a_submitted_assessment_cannot_change(client_for, lead, team):
    submitted = Assessment.objects.get(pk=_submitted_with_file(team, lead).pk)
    practice = submitted.evidence_files.first().practice
    text = _upload(client_for(lead), submitted, practice, name="late.md").text
    assert "Not attached: this assessment is submitted" in text
    assert submitted.evidence_files.count() == 1


# Downloads and who may make them.


def _submitted_with_file(team, lead):
    assessment = services.create_assessment(team=team, user=lead, title="Shared review")
    answer_every_practice(assessment, lead)
    practice = load_practices(assessment.playbook, assessment.playbook.challenges.first())[0]
    _attach(assessment, practice, lead)
    services.submit_assessment(assessment=assessment, user=lead)
    assessment.refresh_from_db()
    return assessment


def test_a_download_is_an_attachment_that_is_never_sniffed_or_cached(client_for, viewer, lead, draft, practice):
    stored = _attach(draft, practice, lead, name="Runbook – café.md")
    response = client_for(viewer).get(reverse("assessments:evidence_download", args=[draft.pk, stored.pk]))
    assert response.status_code == 200
    assert b"".join(response.streaming_content) == RUNBOOK
    assert response["Content-Disposition"].startswith("attachment;")
    assert "filename*=UTF-8''Runbook%20%E2%80%93%20caf%C3%A9.md" in response["Content-Disposition"]
    assert response["X-Content-Type-Options"] == "nosniff"
    assert response["Cache-Control"] == "private, no-store"
    assert response["Content-Type"] == "text/plain; charset=utf-8"
    assert SecurityEvent.objects.filter(kind=EventKind.EXPORT_DOWNLOADED, summary__contains="Runbook").exists()


def test_another_teams_file_is_not_found_by_guessing_its_id(client_for, outsider, lead, draft, practice):
    stored = _attach(draft, practice, lead)
    client = client_for(outsider)
    assert client.get(reverse("assessments:evidence_download", args=[draft.pk, stored.pk])).status_code == 404
    own = services.create_assessment(team=outsider.memberships.get().team, user=outsider, title="Mine")
    # Their own assessment's id with our file's id: the file is looked up within the assessment.
    assert client.get(reverse("assessments:evidence_download", args=[own.pk, stored.pk])).status_code == 404


@pytest.mark.parametrize(("shares_notes", "status"), [(False, 403), (True, 200)])
def test_organisation_viewers_download_only_where_the_organisation_shares_notes(
    client, lead, draft, practice, shares_notes, status
):
    draft.team.organisation.viewers_see_notes = shares_notes
    draft.team.organisation.save()
    viewer = UserFactory()
    OrganisationMembership.objects.create(
        organisation=draft.team.organisation, user=viewer, role=OrganisationRole.VIEWER
    )
    stored = _attach(draft, practice, lead)
    client.force_login(viewer)
    assert client.get(reverse("assessments:evidence_download", args=[draft.pk, stored.pk])).status_code == status


def test_viewers_may_download_but_not_attach_or_remove(client_for, viewer, lead, draft, practice):
    stored = _attach(draft, practice, lead)
    client = client_for(viewer)
    assert client.post(_upload_url(draft, practice), {"file": SimpleUploadedFile("x.md", RUNBOOK)}).status_code == 403
    assert client.post(reverse("assessments:evidence_delete", args=[draft.pk, stored.pk])).status_code == 403
    assert EvidenceFile.objects.filter(pk=stored.pk).exists()


def test_removing_a_file_is_recorded_and_removes_it_from_storage(client_for, member, lead, draft, practice):
    stored = _attach(draft, practice, lead)
    response = client_for(member).post(reverse("assessments:evidence_delete", args=[draft.pk, stored.pk]))
    assert response.url.endswith(f"#practice-{practice.slug}")
    assert not EvidenceFile.objects.filter(pk=stored.pk).exists()
    assert not storages["evidence"].exists(stored.stored_name)
    event = SecurityEvent.objects.get(kind=EventKind.EVIDENCE_DELETED)
    assert "runbook.md" in event.summary and event.actor_id == member.pk and event.team_id == draft.team_id


# Share links.


def _share(assessment, lead, **shows):
    link = sharing.create_share_link(assessment=assessment, label="Board", days=7, user=lead, **shows)
    return sharing.share_token(link)


def test_a_share_link_shows_no_files_unless_the_lead_ticks_the_box(client, team, lead):
    submitted = _submitted_with_file(team, lead)
    stored = submitted.evidence_files.get()
    token = _share(submitted, lead)
    assert "runbook.md" not in client.get(reverse("assessments:shared_results", args=[token])).text
    assert client.get(reverse("assessments:shared_evidence", args=[token, stored.pk])).status_code == 404
    assert "runbook.md" not in pdf_text(client.get(reverse("assessments:shared_report", args=[token])).content)


def test_a_share_link_with_files_lists_and_downloads_them(client, team, lead):
    submitted = _submitted_with_file(team, lead)
    stored = submitted.evidence_files.get()
    token = _share(submitted, lead, shows_files=True)
    page = client.get(reverse("assessments:shared_results", args=[token])).text
    download_url = reverse("assessments:shared_evidence", args=[token, stored.pk])
    assert "runbook.md" in page and download_url in page and stored.sha256 in page
    response = client.get(download_url)
    assert b"".join(response.streaming_content) == RUNBOOK and response["X-Content-Type-Options"] == "nosniff"
    assert "runbook.md" in pdf_text(client.get(reverse("assessments:shared_report", args=[token])).content)


def test_the_share_form_has_the_files_box_off_by_default(client_for, team, lead):
    submitted = _submitted_with_file(team, lead)
    client = client_for(lead)
    client.post(reverse("assessments:share_create", args=[submitted.pk]), {"label": "Risk", "days": 7})
    client.post(
        reverse("assessments:share_create", args=[submitted.pk]), {"label": "Audit", "days": 7, "shows_files": "on"}
    )
    assert dict(submitted.share_links.values_list("label", "shows_files")) == {"Risk": False, "Audit": True}


# Exports, the report, deletion and purge.


def test_the_json_export_lists_files_by_name_size_and_checksum(client_for, lead, draft, practice):
    stored = _attach(draft, practice, lead)
    data = json.loads(client_for(lead).get(reverse("assessments:export_json", args=[draft.pk])).content)
    entry = next(p for c in data["challenges"] for p in c["practices"] if p["slug"] == practice.slug)
    assert entry["files"] == [
        {"name": "runbook.md", "size": len(RUNBOOK), "sha256": stored.sha256, "content_type": "text/plain"}
    ]
    assert "Pin the previous model" not in json.dumps(data)  # listed, not embedded


def test_the_pdf_appendix_lists_the_files(client_for, lead, draft, practice):
    stored = _attach(draft, practice, lead, name="threat-model.pdf", content=PDF_BYTES)
    text = pdf_text(client_for(lead).get(reverse("assessments:report_pdf", args=[draft.pk])).content)
    assert "Appendix: evidence files" in text and "threat-model.pdf" in text
    assert stored.sha256[:16] in text.replace("\n", "")


def test_a_deleted_assessment_keeps_its_files_until_it_is_purged(lead, draft, practice, settings):
    stored = _attach(draft, practice, lead)
    services.delete_assessment(assessment=draft, user=lead)
    assert storages["evidence"].exists(stored.stored_name)
    services.restore_assessment(assessment=draft, user=lead)
    assert EvidenceFile.objects.filter(pk=stored.pk).exists()

    services.delete_assessment(assessment=draft, user=lead)
    Assessment.with_deleted.filter(pk=draft.pk).update(deleted_at=timezone.now() - timedelta(days=400))
    assert services.purge_deleted() == ["Spring review"]
    assert not EvidenceFile.objects.filter(pk=stored.pk).exists()
    assert not storages["evidence"].exists(stored.stored_name)
    assert not Path(storages["evidence"].path(stored.stored_name)).exists()
