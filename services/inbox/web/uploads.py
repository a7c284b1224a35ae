"""Reading an uploaded image from a request body, capped, and judging it with ``chorus.networks.media``.

The body is the file itself (``Content-Type`` its type, ``X-File-Name`` its name, percent-encoded). It is
read up to the largest size any network takes and refused beyond, before it is stored. The stored label is
the format read from the bytes (a PNG sent as ``image/jpeg`` is stored as ``image/png``), so the label and
the file never disagree later.
"""
from __future__ import annotations

from urllib.parse import unquote

from starlette.requests import Request

from chorus.inbox.domain import InboxError
from chorus.networks.media import CONTENT_TYPES, LARGEST, MB, ImageFacts, sniff, upload_problem


def _too_big(name: str) -> InboxError:
    return InboxError("upload_too_big", f"{name} is larger than any network takes ({LARGEST // MB} MB)", name=name,
                      size=f"> {LARGEST // MB}", maximum=LARGEST // MB)


async def read_upload(request: Request) -> tuple[ImageFacts, bytes]:
    name = unquote(request.headers.get("x-file-name", "") or "image")[:200].strip() or "image"
    declared = request.headers.get("content-length", "")
    if declared.isdigit() and int(declared) > LARGEST:
        raise _too_big(name)
    body = bytearray()
    async for chunk in request.stream():
        body += chunk
        if len(body) > LARGEST:
            raise _too_big(name)
    data = bytes(body)
    if not data:
        raise InboxError("upload_empty", "the file is empty", name=name)
    kind = sniff(data)
    content_type = CONTENT_TYPES.get(kind or "", request.headers.get("content-type", "application/octet-stream"))
    facts = ImageFacts.of(name, content_type, data)
    problem = upload_problem(facts)
    if problem is not None:
        raise InboxError(problem.code, problem.message, **problem.params)
    return facts, data
