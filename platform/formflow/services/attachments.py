"""Attachments: uploaded files kept under the instance folder, served only as downloads.

An upload is streamed to disk in chunks (never whole in memory), refused past the size limit,
and its type is taken from its first bytes, not from what the browser claims: a file whose
content does not match an allowed type is refused. Files are stored by content hash
(``uploads/ab/abcdef...``), so the same file uploaded twice is kept once.

An attachment belongs to its uploader until a record refers to it; from then on, whoever may
read the record may download it, and nobody else.
"""

from __future__ import annotations

import hashlib
import os
import re
import tempfile
import unicodedata
import weakref
from collections.abc import Iterator, Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import IO, Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from formflow.errors import InvalidInput, Issue, NotFound, PayloadTooLarge
from formflow.forms import CompiledForm
from formflow.i18n import _
from formflow.services.actor import Actor
from formflow.services.authz import can_read_record
from formflow.storage.models import Attachment, Form, Record

CHUNK = 64 * 1024
FILE_FIELD_TYPES = frozenset({"attachments", "images", "signature"})

#: Allowed types, recognised by their first bytes ("magic numbers").
_SIGNATURES: tuple[tuple[bytes, int, str], ...] = (
    (b"\x89PNG\r\n\x1a\n", 0, "image/png"),
    (b"\xff\xd8\xff", 0, "image/jpeg"),
    (b"GIF87a", 0, "image/gif"),
    (b"GIF89a", 0, "image/gif"),
    (b"WEBP", 8, "image/webp"),
    (b"%PDF-", 0, "application/pdf"),
    (b"PK\x03\x04", 0, "application/zip"),
    (b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1", 0, "application/x-ole-storage"),
)
#: Office files are zip (docx/xlsx/pptx) or OLE (doc/xls/ppt) containers; the extension names
#: which kind, and the container type must agree with it.
_CONTAINERS = {
    ".docx": (
        "application/zip",
        "application/vnd.openxmlformats-officedocument.wordprocessingml.document",
    ),
    ".xlsx": (
        "application/zip",
        "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
    ),
    ".pptx": (
        "application/zip",
        "application/vnd.openxmlformats-officedocument.presentationml.presentation",
    ),
    ".zip": ("application/zip", "application/zip"),
    ".doc": ("application/x-ole-storage", "application/msword"),
    ".xls": ("application/x-ole-storage", "application/vnd.ms-excel"),
    ".ppt": ("application/x-ole-storage", "application/vnd.ms-powerpoint"),
}
_TEXT_TYPES = {".txt": "text/plain", ".csv": "text/csv", ".md": "text/markdown"}
IMAGE_TYPES = frozenset({"image/png", "image/jpeg", "image/gif", "image/webp"})


@dataclass(frozen=True)
class StoredFile:
    attachment: Attachment
    path: Path


def clean_filename(name: str) -> str:
    """A safe display name: no path, no control characters, at most 200 characters."""
    base = re.split(r"[\\/]", name or "")[-1]
    base = "".join(
        ch for ch in unicodedata.normalize("NFC", base) if unicodedata.category(ch)[0] != "C"
    )
    base = base.strip().strip(".") or "file"
    if len(base) > 200:
        stem, dot, ext = base.rpartition(".")
        base = (stem[:190] + dot + ext[:9]) if dot else base[:200]
    return base


def detect_type(head: bytes, filename: str) -> str | None:
    """The content type of a file from its first bytes and name; None when not allowed."""
    extension = os.path.splitext(filename.lower())[1]
    sniffed = next(
        (
            kind
            for magic, offset, kind in _SIGNATURES
            if head[offset : offset + len(magic)] == magic
        ),
        None,
    )
    if sniffed in IMAGE_TYPES or sniffed == "application/pdf":
        return sniffed
    if sniffed is not None:
        container = _CONTAINERS.get(extension)
        return container[1] if container is not None and container[0] == sniffed else None
    if extension in _TEXT_TYPES:
        try:
            head.decode("utf-8")
        except UnicodeDecodeError as exc:
            if exc.start < len(head) - 4:  # a cut multi-byte character at the end is fine
                return None
        return _TEXT_TYPES[extension] if b"\x00" not in head else None
    return None


def _store_path(uploads: Path, digest: str) -> Path:
    return uploads / digest[:2] / digest


def store_upload(
    session: Session,
    actor: Actor,
    uploads: Path,
    stream: IO[bytes],
    filename: str,
    *,
    max_bytes: int,
) -> Attachment:
    """Stream an upload to disk, check its size and type, and record it for ``actor``."""
    name = clean_filename(filename)
    uploads.mkdir(parents=True, exist_ok=True)
    digest = hashlib.sha256()
    size = 0
    head = b""
    fd, temp_name = tempfile.mkstemp(dir=uploads, prefix=".upload-")
    try:
        with os.fdopen(fd, "wb") as out:
            while chunk := stream.read(CHUNK):
                size += len(chunk)
                if size > max_bytes:
                    raise PayloadTooLarge(
                        _(
                            "The file {name} is larger than the limit of {limit} MB.",
                            name=name,
                            limit=round(max_bytes / 1024 / 1024, 1),
                        )
                    )
                if len(head) < 512:
                    head += chunk[: 512 - len(head)]
                digest.update(chunk)
                out.write(chunk)
        if size == 0:
            raise InvalidInput(_("The file {name} is empty.", name=name))
        content_type = detect_type(head, name)
        if content_type is None:
            raise InvalidInput(
                _(
                    "The file {name} is not of an allowed type (images, PDF, Office documents, "
                    "text, CSV, zip), or its content does not match its name.",
                    name=name,
                )
            )
        target = _store_path(uploads, digest.hexdigest())
        target.parent.mkdir(parents=True, exist_ok=True)
        if target.exists():
            os.unlink(temp_name)
        else:
            os.replace(temp_name, target)
    except BaseException:
        if os.path.exists(temp_name):
            os.unlink(temp_name)
        raise
    attachment = Attachment(
        uploaded_by=actor.id,
        filename=name,
        content_type=content_type,
        size=size,
        sha256=digest.hexdigest(),
    )
    session.add(attachment)
    session.flush()
    return attachment


def attachment_json(attachment: Attachment) -> dict[str, Any]:
    """How a record's data refers to a file (the platform fills in name, size and type)."""
    return {
        "id": attachment.id,
        "name": attachment.filename,
        "size": attachment.size,
        "content_type": attachment.content_type,
    }


def open_attachment(
    session: Session, actor: Actor, uploads: Path, attachment_id: int
) -> StoredFile:
    """An attachment ``actor`` may download, with its file; NotFound otherwise."""
    attachment = session.get(Attachment, attachment_id)
    if attachment is None or not _may_read(session, actor, attachment):
        raise NotFound(_("Attachment {id} not found.", id=attachment_id))
    path = _store_path(uploads, attachment.sha256)
    if not path.is_file():
        raise NotFound(_("The file of attachment {id} is missing.", id=attachment_id))
    return StoredFile(attachment, path)


def _may_read(session: Session, actor: Actor, attachment: Attachment) -> bool:
    if actor.is_admin:
        return True
    if attachment.record_id is None:
        return attachment.uploaded_by == actor.id
    record = session.get(Record, attachment.record_id)
    if record is None:
        return False
    form = session.get(Form, record.form_id)
    return form is not None and can_read_record(session, actor, form, record)


#: Whether a compiled form has a file field anywhere (most have none: skip walking the data).
_HAS_FILES: weakref.WeakKeyDictionary[CompiledForm, bool] = weakref.WeakKeyDictionary()


def _has_file_fields(fields: Mapping[str, Any]) -> bool:
    return any(
        spec.type_name in FILE_FIELD_TYPES or (spec.is_subtable and _has_file_fields(spec.children))
        for spec in fields.values()
    )


def has_files(form: CompiledForm) -> bool:
    """True when ``form`` has a file field anywhere (remembered per compiled form)."""
    found = _HAS_FILES.get(form)
    if found is None:
        found = _HAS_FILES[form] = _has_file_fields(form.fields)
    return found


def _file_refs(form: CompiledForm, data: Mapping[str, Any]) -> Iterator[tuple[str, Any, str]]:
    """(JSON path, value, field type) of every file value in ``data``, sub-tables included."""
    if not has_files(form):
        return iter(())

    def walk(fields: Mapping[str, Any], values: Mapping[str, Any], path: str) -> Iterator[Any]:
        for name, spec in fields.items():
            value = values.get(name)
            if value is None:
                continue
            if spec.type_name in FILE_FIELD_TYPES:
                items = value if isinstance(value, list) else [value]
                for index, item in enumerate(items):
                    where = (
                        f"{path}.{name}[{index}]" if isinstance(value, list) else f"{path}.{name}"
                    )
                    yield where, item, spec.type_name
            elif spec.is_subtable and isinstance(value, list):
                for index, row in enumerate(value):
                    if isinstance(row, Mapping):
                        yield from walk(spec.children, row, f"{path}.{name}[{index}]")

    return walk(form.fields, data, "$")


def bind_attachments(
    session: Session,
    actor: Actor,
    form: CompiledForm,
    data: dict[str, Any],
    record_id: int | None,
) -> list[Issue]:
    """Check the files a record's data names and fill in their stored name, size and type.

    The file values in ``data`` are updated in place; pass a copy the caller may change.

    A file must exist and be the actor's own upload, or already belong to this record.
    Returns issues for the others. Call :func:`claim_attachments` once the record has its id.
    """
    issues: list[Issue] = []
    for path, item, type_name in _file_refs(form, data):
        ident = item.get("id") if isinstance(item, Mapping) else None
        attachment = session.get(Attachment, ident) if isinstance(ident, int) else None
        mine = attachment is not None and (
            (attachment.record_id is None and attachment.uploaded_by == actor.id)
            or (record_id is not None and attachment.record_id == record_id)
        )
        if attachment is None or not mine:
            issues.append(
                Issue(
                    path,
                    _("The file {id} was not found among your uploads.", id=ident),
                    "unknown_file",
                )
            )
            continue
        if type_name == "images" and attachment.content_type not in IMAGE_TYPES:
            issues.append(Issue(path, _("Only images may be added here."), "not_an_image"))
            continue
        item.update(attachment_json(attachment))
    return issues


def claim_attachments(session: Session, form: CompiledForm, record: Record) -> None:
    """Make the files named in ``record.data`` belong to the record."""
    ids = [
        item["id"]
        for _path, item, _type in _file_refs(form, record.data)
        if isinstance(item, Mapping) and isinstance(item.get("id"), int)
    ]
    if not ids:
        return
    for attachment in session.scalars(select(Attachment).where(Attachment.id.in_(ids))):
        if attachment.record_id is None:
            attachment.record_id = record.id
    session.flush()
