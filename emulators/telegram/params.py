"""Bot API request parameters from any of the forms Telegram accepts.

Query string, ``application/x-www-form-urlencoded``, ``multipart/form-data`` (files included) and
``application/json`` bodies all work. Objects and arrays in form fields are JSON strings (aiogram sends
``reply_parameters={"message_id": 77}``); they are decoded for the fields whose type is an object or array.
"""
from __future__ import annotations

import json
from dataclasses import dataclass, field
from typing import Any

from starlette.requests import Request

from chorus.emulators.telegram.errors import bad_request

JSON_FIELDS = {"reply_parameters", "reply_markup", "entities", "caption_entities", "link_preview_options",
               "allowed_updates"}


@dataclass
class Upload:
    filename: str
    content_type: str
    data: bytes = field(repr=False)


async def read_params(request: Request) -> dict[str, Any]:
    params: dict[str, Any] = dict(request.query_params)
    content_type = request.headers.get("content-type", "")
    if request.method == "POST":
        if content_type.startswith("application/json"):
            try:
                body = json.loads(await request.body() or b"{}")
            except ValueError:
                raise bad_request("can't parse JSON request body") from None
            if not isinstance(body, dict):
                raise bad_request("request body must be a JSON object")
            params.update(body)
        elif content_type.startswith(("multipart/form-data", "application/x-www-form-urlencoded")):
            async with request.form() as form:
                for key, value in form.multi_items():
                    if isinstance(value, str):
                        params[key] = value
                    else:
                        params[key] = Upload(value.filename or key, value.content_type or "application/octet-stream",
                                             await value.read())
    for key in JSON_FIELDS & params.keys():
        if isinstance(params[key], str):
            try:
                params[key] = json.loads(params[key])
            except ValueError:
                raise bad_request(f"can't parse {key} JSON object") from None
    return params


class Params:
    def __init__(self, raw: dict[str, Any]) -> None:
        self.raw = raw

    def has(self, name: str) -> bool:
        return self.raw.get(name) not in (None, "")

    def int(self, name: str, default: int | None = None) -> int:
        value = self.raw.get(name)
        if value in (None, ""):
            if default is None:
                raise bad_request(f"parameter \"{name}\" is required")
            return default
        if isinstance(value, bool):
            raise bad_request(f"field \"{name}\" must be of type Integer")
        try:
            return int(value)
        except (TypeError, ValueError):
            raise bad_request(f"field \"{name}\" must be of type Integer") from None

    def text(self, name: str, default: str | None = None) -> str:
        value = self.raw.get(name)
        if value in (None, ""):
            if default is None:
                raise bad_request(f"parameter \"{name}\" is required")
            return default
        return str(value)

    def obj(self, name: str) -> dict[str, Any] | None:
        value = self.raw.get(name)
        if value is None:
            return None
        if not isinstance(value, dict):
            raise bad_request(f"field \"{name}\" must be a JSON object")
        return value
