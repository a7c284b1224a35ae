"""Attachment strings of wall.post / wall.createComment (``photo-123_456``, a link) as attachment objects."""
from __future__ import annotations

from typing import Any

from chorus.emulators.vk.errors import param_error
from chorus.emulators.vk.objects import photo_attachment
from chorus.emulators.vk.world import World


def parse_attachments(world: World, raw: str) -> list[dict[str, Any]]:
    found: list[dict[str, Any]] = []
    for part in (p.strip() for p in raw.split(",")):
        if not part:
            continue
        if part.startswith(("http://", "https://")):
            found.append({"type": "link", "link": {"url": part, "title": part, "description": ""}})
            continue
        if not part.startswith("photo"):
            raise param_error("attachments", "is invalid")
        owner, _, photo_id = part.removeprefix("photo").partition("_")
        try:
            photo = world.photos.get(int(photo_id))
            owner_id = int(owner)
        except ValueError:
            raise param_error("attachments", "is invalid") from None
        if photo is None or photo.owner_id != owner_id:
            raise param_error("attachments", "is invalid")
        found.append(photo_attachment(photo))
    return found
