"""Attachments: type and size checks, binding to records, downloads only for readers."""

from __future__ import annotations

from typing import Any

import pytest

from api.formdefs import create_form
from harness import Caller

PNG = b"\x89PNG\r\n\x1a\n" + b"\x00" * 64
CLAIM = {
    "type": "object",
    "properties": {
        "title": {"type": "string"},
        "receipts": {"type": "array", "x-type": "attachments"},
    },
    "required": ["title"],
}


def upload(caller: Caller, content: bytes, name: str) -> Any:
    """POST a multipart body built in memory (werkzeug's builder spools big bodies to a
    temporary file that it does not close when the app stops reading early)."""
    boundary = "formflowtestboundary"
    body = (
        (
            f'--{boundary}\r\nContent-Disposition: form-data; name="file"; '
            f'filename="{name}"\r\nContent-Type: application/octet-stream\r\n\r\n'
        ).encode()
        + content
        + f"\r\n--{boundary}--\r\n".encode()
    )
    return caller.request(
        "POST",
        "/api/attachments",
        data=body,
        headers={"Content-Type": f"multipart/form-data; boundary={boundary}"},
    )


def test_an_image_upload_is_stored_and_described(api_as: Any) -> None:
    user: Caller = api_as("zhang.wei")
    response = upload(user, PNG, "../../收据.png")
    assert response.status_code == 201
    assert response.payload["name"] == "收据.png"
    assert response.payload["content_type"] == "image/png"
    assert response.payload["size"] == len(PNG)


@pytest.mark.parametrize(
    ("content", "name"),
    [
        (b"MZ\x90\x00 this is a program", "invoice.png"),
        (b"<script>alert(1)</script>", "page.html"),
        (b"PK\x03\x04 zip but called", "photo.jpg"),
    ],
)
def test_files_whose_content_is_not_an_allowed_type_are_refused(
    api_as: Any, content: bytes, name: str
) -> None:
    user: Caller = api_as("zhang.wei")
    response = upload(user, content, name)
    assert response.status_code == 400
    assert name in response.payload["detail"]


def test_a_file_over_the_limit_is_a_413(api_as: Any, app: Any) -> None:
    limit = app.extensions["formflow"].settings.max_upload_bytes
    user: Caller = api_as("zhang.wei")
    response = upload(user, PNG + b"\x00" * limit, "big.png")
    assert response.status_code == 413


def test_an_upload_without_multipart_is_a_415(api_as: Any) -> None:
    user: Caller = api_as("zhang.wei")
    response = user.post("/api/attachments", {"file": "x"})
    assert response.status_code == 415


def test_attached_files_are_readable_by_record_readers_only(admin_api: Caller, api_as: Any) -> None:
    create_form(admin_api, key="claim", schema=CLAIM)
    owner: Caller = api_as("zhang.wei")
    stranger: Caller = api_as("sun.li")
    file_id = upload(owner, PNG, "r.png").payload["id"]
    assert stranger.get(f"/api/attachments/{file_id}").status_code == 404
    stolen = stranger.post(
        "/api/forms/claim/records", {"data": {"title": "mine now", "receipts": [{"id": file_id}]}}
    )
    assert stolen.status_code == 422
    assert stolen.payload["errors"][0]["code"] == "unknown_file"
    record = owner.post(
        "/api/forms/claim/records", {"data": {"title": "taxi", "receipts": [{"id": file_id}]}}
    )
    assert record.status_code == 201, record.payload
    assert record.payload["data"]["receipts"] == [
        {"id": file_id, "name": "r.png", "size": len(PNG), "content_type": "image/png"}
    ]
    download = owner.get(f"/api/attachments/{file_id}")
    assert download.status_code == 200
    assert download.data == PNG
    assert download.headers["Content-Disposition"].startswith("attachment;")
    assert download.headers["X-Content-Type-Options"] == "nosniff"
    assert stranger.get(f"/api/attachments/{file_id}").status_code == 404
    assert admin_api.get(f"/api/attachments/{file_id}").status_code == 200
