"""Evidence files attached to answers: what is accepted, and the writes that store and remove them.

Rules, in the order an upload meets them:
- a name of its own: no path separators, control or formatting characters (browsers' paths are already cut off by
  Django's upload parser; other callers are refused), at most 200 characters;
- not empty, and at most EVIDENCE_MAX_FILE_MB; with the assessment's other files at most EVIDENCE_MAX_ASSESSMENT_MB;
- one of the allowed types, recognised by its first bytes *and* its extension: a PDF named .pdf, a PNG named .png,
  a Word document (a zip) named .docx, UTF-8 text named .txt/.md/.csv. Anything that could run script when opened
  in a browser (HTML, SVG, XML) is refused even when named as text.

For example `runbook.md` holding "# Rollback\\n…" is Markdown; an executable renamed `threat-model.pdf` starts with
"MZ", not "%PDF-", and is refused as "not a PDF document".

Content is stored through the "evidence" storage (settings.STORAGES) under a random name; the database row keeps
the cleaned original name, size, SHA-256 and recognised type. A storage failure is `StorageUnavailable`: nothing
is written to the database, and the answer and its notes are untouched (they are saved separately).
"""

import hashlib
import logging
import secrets
import unicodedata
from collections import defaultdict
from collections.abc import Collection
from dataclasses import dataclass
from pathlib import PurePosixPath

from botocore.exceptions import BotoCoreError, ClientError
from django.conf import settings
from django.contrib.auth.models import AbstractBaseUser
from django.core.files import File
from django.core.files.storage import Storage, storages
from django.db import transaction
from django.db.models import Exists, OuterRef, Q, QuerySet, Sum

from assessments.models import Answer, Assessment, EvidenceFile, SharedAnswerSet
from audit.models import EventKind
from audit.services import record
from config.compiled_query import CompiledQuery, columns_of, instance_of
from playbook.models import Practice

logger = logging.getLogger(__name__)
MB = 1024 * 1024
NAME_MAX_LENGTH = 200
SNIFF_BYTES = 2048


@dataclass(frozen=True)
class EvidenceType:
    label: str
    content_type: str
    extensions: tuple[str, ...]


PDF = EvidenceType("PDF document", "application/pdf", (".pdf",))
PNG = EvidenceType("PNG image", "image/png", (".png",))
JPEG = EvidenceType("JPEG image", "image/jpeg", (".jpg", ".jpeg"))
DOCX = EvidenceType(
    "Word document", "application/vnd.openxmlformats-officedocument.wordprocessingml.document", (".docx",)
)
XLSX = EvidenceType("Excel workbook", "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet", (".xlsx",))
TEXT = EvidenceType("text", "text/plain; charset=utf-8", (".txt", ".md", ".markdown", ".log"))
CSV = EvidenceType("CSV table", "text/csv; charset=utf-8", (".csv",))
ALLOWED_TYPES = (PDF, PNG, JPEG, DOCX, XLSX, TEXT, CSV)
# First bytes of the binary types. DOCX and XLSX are zip archives: the extension tells them apart.
SIGNATURES = {PDF: b"%PDF-", PNG: b"\x89PNG\r\n\x1a\n", JPEG: b"\xff\xd8\xff", DOCX: b"PK\x03\x04", XLSX: b"PK\x03\x04"}
# Text that a browser would run as a page or image with script in it.
ACTIVE_MARKUP = (b"<!doctype", b"<html", b"<svg", b"<script", b"<?xml", b"<body", b"<iframe")


@dataclass(frozen=True)
class Refused:
    reason: str


def allowed_types_text() -> str:
    return ", ".join(f"{t.label} ({'/'.join(t.extensions)})" for t in ALLOWED_TYPES)


def detect_type(first_bytes: bytes, filename: str) -> EvidenceType | Refused:
    """The allowed type a file is, judged by its first bytes and its name together, or why it is refused."""
    extension = PurePosixPath(filename).suffix.lower()
    claimed = next((t for t in ALLOWED_TYPES if extension in t.extensions), None)
    if claimed is None:
        return Refused(f"files named “{extension or 'without an extension'}” are not accepted")
    if claimed in SIGNATURES:
        if not first_bytes.startswith(SIGNATURES[claimed]):
            return Refused(f"its content is not a {claimed.label}, whatever its name says")
        return claimed
    if not _is_plain_text(first_bytes):
        return Refused("its content is not plain UTF-8 text, whatever its name says")
    if first_bytes.lstrip(b"\xef\xbb\xbf \t\r\n").lower().startswith(ACTIVE_MARKUP):
        return Refused("it holds HTML, SVG or XML, which could run script when opened")
    return claimed


def _is_plain_text(sample: bytes) -> bool:
    if b"\x00" in sample:
        return False
    try:
        sample.decode("utf-8")
    except UnicodeDecodeError as error:
        # The sample may cut a character in two at its end; anything earlier is not UTF-8.
        return error.start >= len(sample) - 3 and error.reason == "unexpected end of data"
    return True


def clean_name(name: str) -> str | Refused:
    """The uploader's file name as shown and offered on download, or why it cannot be used."""
    name = unicodedata.normalize("NFC", name).strip()
    if not name or name in {".", ".."}:
        return Refused("the file has no name")
    if "/" in name or "\\" in name:
        return Refused("its name contains a path separator (/ or \\)")
    # Cc: control characters; Cf: formatting ones such as a right-to-left override that disguises an extension.
    if any(unicodedata.category(char) in {"Cc", "Cf"} for char in name):
        return Refused("its name contains control characters")
    if len(name) > NAME_MAX_LENGTH:
        return Refused(f"its name is longer than {NAME_MAX_LENGTH} characters")
    return name


class EvidenceRefused(Exception):
    """The file is not accepted; `reason` says why in words for the person who chose it."""

    def __init__(self, name: str, reason: str):
        super().__init__(f"{name}: {reason}")
        self.name, self.reason = name, reason


class StorageUnavailable(Exception):
    """The evidence storage (disk or bucket) could not be reached or refused the operation."""


class EvidenceLocked(Exception):
    """Files of a submitted assessment cannot change until a lead reopens it."""


# What a storage backend raises when it cannot do its job: the disk (OSError) or the S3 client.
STORAGE_ERRORS = (OSError, BotoCoreError, ClientError)


def evidence_storage() -> Storage:
    return storages["evidence"]


def _checked_upload(upload: File, owner_files: QuerySet, owner: str = "assessment") -> tuple[str, EvidenceType]:
    name = clean_name(upload.name or "")
    if isinstance(name, Refused):
        raise EvidenceRefused(upload.name or "", name.reason)
    max_bytes = settings.EVIDENCE_MAX_FILE_MB * MB
    if not upload.size:
        raise EvidenceRefused(name, "the file is empty")
    if upload.size > max_bytes:
        raise EvidenceRefused(name, f"it is larger than {settings.EVIDENCE_MAX_FILE_MB} MB, the limit per file")
    upload.seek(0)
    detected = detect_type(upload.read(SNIFF_BYTES), name)
    if isinstance(detected, Refused):
        raise EvidenceRefused(name, f"{detected.reason}. Accepted: {allowed_types_text()}")
    stored = owner_files.aggregate(total=Sum("size"))["total"] or 0
    if stored + upload.size > settings.EVIDENCE_MAX_ASSESSMENT_MB * MB:
        raise EvidenceRefused(
            name, f"the {owner}'s files would pass {settings.EVIDENCE_MAX_ASSESSMENT_MB} MB, the limit per {owner}"
        )
    return name, detected


def _sha256(upload: File) -> str:
    digest = hashlib.sha256()
    upload.seek(0)
    for chunk in upload.chunks():
        digest.update(chunk)
    upload.seek(0)
    return digest.hexdigest()


@transaction.atomic
def attach_evidence(
    *, assessment: Assessment, practice: Practice, user: AbstractBaseUser, upload: File
) -> EvidenceFile:
    """Store `upload` as evidence for the assessment's answer to `practice`.

    Raises EvidenceRefused for a file that breaks a rule above, EvidenceLocked once the assessment is submitted,
    and StorageUnavailable when the storage fails (then nothing is recorded).
    """
    # Uploads to one assessment queue here, so two at once cannot both pass the per-assessment limit.
    locked = Assessment.objects.select_for_update().only("status").get(pk=assessment.pk)
    if locked.is_submitted:
        raise EvidenceLocked()
    checked = _checked_upload(upload, EvidenceFile.objects.filter(assessment=assessment))
    return _store(upload, checked, f"assessment-{assessment.pk}", practice, user, assessment=assessment)


@transaction.atomic
def attach_shared_evidence(
    *, answer_set: SharedAnswerSet, practice: Practice, user: AbstractBaseUser, upload: File
) -> EvidenceFile:
    """Store `upload` as evidence for a shared set's answer to `practice`: teams inheriting that answer see it on
    their card, in their exports and in their report. The same rules and errors as attach_evidence."""
    SharedAnswerSet.objects.select_for_update().filter(pk=answer_set.pk).exists()  # one upload per set at a time
    checked = _checked_upload(upload, EvidenceFile.objects.filter(answer_set=answer_set), owner="set")
    return _store(upload, checked, f"shared-set-{answer_set.pk}", practice, user, answer_set=answer_set)


def _store(upload: File, checked: tuple[str, EvidenceType], folder: str, practice, user, **owner) -> EvidenceFile:
    name, detected = checked
    sha256 = _sha256(upload)
    # Nothing the uploader chose reaches the storage path.
    try:
        saved_as = evidence_storage().save(f"{folder}/{secrets.token_hex(16)}", upload)
    except STORAGE_ERRORS as error:
        logger.warning("evidence storage failed saving for %s: %s", folder, type(error).__name__)
        raise StorageUnavailable() from error
    try:
        with transaction.atomic():
            return EvidenceFile.objects.create(
                practice=practice,
                name=name,
                stored_name=saved_as,
                size=upload.size,
                sha256=sha256,
                content_type=detected.content_type,
                uploaded_by=user,
                **owner,
            )
    except Exception:
        _remove_quietly(saved_as)
        raise


@transaction.atomic
def delete_evidence(*, evidence: EvidenceFile, user: AbstractBaseUser) -> None:
    """Remove a file from its answer and from storage, recorded in the security event log.

    The row and the event go only if the storage removed the content (StorageUnavailable otherwise)."""
    assessment = Assessment.objects.select_for_update().only("status", "title").get(pk=evidence.assessment_id)
    if assessment.is_submitted:
        raise EvidenceLocked()
    EvidenceFile.objects.filter(pk=evidence.pk).delete()
    record(
        EventKind.EVIDENCE_DELETED,
        _deleted(evidence, user, f"“{assessment.title}”"),
        actor=user,
        team=evidence.assessment.team,
    )
    _delete_stored(evidence)


@transaction.atomic
def delete_shared_evidence(*, evidence: EvidenceFile, user: AbstractBaseUser) -> None:
    """Remove a file from a shared answer and from storage, recorded in the organisation's security event log."""
    answer_set = evidence.answer_set
    EvidenceFile.objects.filter(pk=evidence.pk).delete()
    record(
        EventKind.EVIDENCE_DELETED,
        _deleted(evidence, user, f"the shared answers “{answer_set.name}”"),
        actor=user,
        organisation_id=answer_set.organisation_id,
    )
    _delete_stored(evidence)


def _deleted(evidence: EvidenceFile, user: AbstractBaseUser, owner: str) -> str:
    """The security event's summary of a removed file: enough to recognise it, by size and checksum."""
    return (
        f"{user.get_username()} deleted the evidence file “{evidence.name}” ({evidence.size} bytes, sha256 "
        f"{evidence.sha256[:12]}…) from {evidence.practice.slug} of {owner}"
    )


def _delete_stored(evidence: EvidenceFile) -> None:
    try:
        evidence_storage().delete(evidence.stored_name)
    except STORAGE_ERRORS as error:
        raise StorageUnavailable() from error


def erase_evidence(owner: Assessment | SharedAnswerSet) -> None:
    """Remove every stored file of an assessment being purged or a set being deleted, and their rows."""
    files = EvidenceFile.objects.filter(**{"assessment" if isinstance(owner, Assessment) else "answer_set": owner})
    for stored_name in files.values_list("stored_name", flat=True):
        evidence_storage().delete(stored_name)
    files.delete()


def open_evidence(evidence: EvidenceFile) -> File:
    try:
        return evidence_storage().open(evidence.stored_name, "rb")
    except STORAGE_ERRORS as error:
        raise StorageUnavailable() from error


def files_of(assessment: Assessment) -> QuerySet[EvidenceFile]:
    """The files of the assessment's answers: its own, and a shared set's where the answer is inherited from it."""
    inherited = Answer.objects.filter(
        assessment=assessment,
        practice=OuterRef("practice"),
        shared_answer__answer_set=OuterRef("answer_set"),
        differs_reason="",
    )
    return EvidenceFile.objects.alias(inherited=Exists(inherited)).filter(
        Q(assessment=assessment) | Q(answer_set__isnull=False, inherited=True)
    )


def files_by_practice(assessment: Assessment, practice_ids=None) -> dict[int, list[EvidenceFile]]:
    """The files of the assessment's answers (files_of) per practice id, oldest first, in one query."""
    files = files_of(assessment)
    if practice_ids is not None:
        files = files.filter(practice_id__in=practice_ids)
    return files_by_owner(files)


def files_of_answer(assessment: Assessment, practice: Practice, answer: Answer | None) -> list[EvidenceFile]:
    """files_of's files of one practice whose answer is at hand (an autosaved card): the assessment's own, and the
    set's when the answer is inherited from it. With the answer known, no join is needed to tell."""
    card = {"assessment_id": assessment.pk, "practice_id": practice.pk}
    if answer is not None and answer.is_inherited and answer.shared_answer_id is not None:
        card["shared_answer_id"] = answer.shared_answer_id
    return [instance_of(EvidenceFile, iter(row)) for row in _CARD_FILES.rows(**card)]


def _card_files(assessment_id: int, practice_id: int, shared_answer_id: int | None = None) -> QuerySet:
    owners = Q(assessment_id=assessment_id)
    if shared_answer_id is not None:
        owners |= Q(answer_set__answers=shared_answer_id)
    return EvidenceFile.objects.filter(owners, practice_id=practice_id).values_list(*columns_of(EvidenceFile))


# Every autosave lists its card's files: compiled once per process and per shape, with or without the shared answer
# (config/compiled_query.py).
_CARD_FILES = CompiledQuery(_card_files)


def files_naming_cards(
    assessment_id: int, practice_ids: Collection[int], copied_sets: QuerySet
) -> QuerySet[EvidenceFile]:
    """The files whose ids name each practice's card, without files_of's join: the assessment's own files and every
    file of the sets its answers copy (`copied_sets`, a query of the sets' ids).

    Where a team differs from its set, or copies another practice from it, this names more files than the card
    lists. That only changes the name more often than needed: the answer's revision follows the rest."""
    return EvidenceFile.objects.filter(
        Q(assessment_id=assessment_id) | Q(answer_set__in=copied_sets), practice_id__in=practice_ids
    )


def files_by_owner(files: QuerySet[EvidenceFile]) -> dict[int, list[EvidenceFile]]:
    grouped = defaultdict(list)
    for evidence in files:
        grouped[evidence.practice_id].append(evidence)
    return dict(grouped)


def _remove_quietly(stored_name: str) -> None:
    try:
        evidence_storage().delete(stored_name)
    except STORAGE_ERRORS:
        logger.warning("could not remove the unrecorded evidence object %s", stored_name)


def evidence_rows(results) -> list[tuple[Practice, list[EvidenceFile]]]:
    """The practices of `results` (an AssessmentResults) that have files, in the report's order, with their files."""
    files = files_by_practice(results.assessment)
    return [
        (row.practice, files[row.practice.pk])
        for item in results.challenges
        for row in item.rows
        if row.practice.pk in files
    ]
