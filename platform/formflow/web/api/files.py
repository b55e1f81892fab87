"""API: uploading attachments and downloading them (always as a download)."""

from __future__ import annotations

from typing import Any
from urllib.parse import quote

from flask import Response, request, send_file

from formflow.services import attachments
from formflow.web.api import schemas
from formflow.web.api.registry import Api, ApiCall


def register(api: Api) -> None:
    @api.operation(
        "POST",
        "/attachments",
        summary="Upload a file",
        tag="attachments",
        upload=True,
        response=schemas.AttachmentOut,
        status=201,
        description="Send multipart/form-data with a field `file`. Put the returned object "
        "(or just its id) into an attachments field of a record to attach it.",
    )
    def upload_attachment(call: ApiCall) -> Any:
        upload = call.upload
        attachment = attachments.store_upload(
            call.session,
            call.actor,
            call.runtime.settings.uploads_dir,
            upload.stream,
            upload.filename or "file",
            max_bytes=call.runtime.settings.max_upload_bytes,
        )
        return attachments.attachment_json(attachment)

    @api.operation(
        "GET",
        "/attachments/<int:attachment_id>",
        summary="Download a file",
        tag="attachments",
        errors=(404,),
        binary=True,
        description="Answers the file as a download (images with ?inline=1 may be shown).",
    )
    def download_attachment(call: ApiCall, attachment_id: int) -> Any:
        stored = attachments.open_attachment(
            call.session, call.actor, call.runtime.settings.uploads_dir, attachment_id
        )
        item = stored.attachment
        inline = request.args.get("inline") == "1" and item.content_type in attachments.IMAGE_TYPES
        response: Response = send_file(
            stored.path, mimetype=item.content_type, as_attachment=False, max_age=0
        )
        disposition = "inline" if inline else "attachment"
        response.headers["Content-Disposition"] = (
            f"{disposition}; filename*=UTF-8''{quote(item.filename)}"
        )
        response.headers["Content-Security-Policy"] = "default-src 'none'; sandbox"
        return response
