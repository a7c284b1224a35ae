"""What each network would refuse, checked before calling it: text length, and the format, size, count and
shape of images. Pure; the worker turns a problem into ``PostFailed(content_rejected)`` with the reason.

Figures are the networks' documented limits for the upload flows the adapters use:

- VK (``photos.getWallUploadServer`` → ``saveWallPhoto``): JPG, PNG or GIF, up to 50 MB, width + height at
  most 14,000 px, sides at most 1:20; ten attachments per post.
- X (``POST /2/media/upload``): JPG, PNG, WEBP up to 5 MB, GIF up to 15 MB; four images per post.
- Telegram (``sendPhoto``): JPG, PNG or WEBP up to 10 MB, width + height at most 10,000 px, sides at most
  1:20; the adapter sends one photo per post, and a caption is at most 1,024 characters.
- Facebook Pages (``/{page-id}/photos``): JPG, PNG, GIF, BMP or TIFF up to 4 MB; ten images per post.

Only images are supported. The stored bytes must be the format their ``content_type`` names (a PNG
labelled ``image/jpeg`` is refused: the label and the file disagree, so one of them is wrong).
"""
from __future__ import annotations

import struct
from dataclasses import dataclass

from chorus.events.values import Network
from chorus.networks.base import Media
from chorus.networks.limits import TextKind, check

MB = 1024 * 1024


@dataclass(frozen=True)
class ImageRules:
    formats: frozenset[str]
    max_bytes: int
    max_count: int
    max_bytes_gif: int | None = None
    max_side_sum: int | None = None
    max_ratio: float | None = None


RULES: dict[Network, ImageRules] = {
    Network.VK: ImageRules(frozenset({"jpeg", "png", "gif"}), 50 * MB, 10, max_side_sum=14000, max_ratio=20),
    Network.X: ImageRules(frozenset({"jpeg", "png", "gif", "webp"}), 5 * MB, 4, max_bytes_gif=15 * MB),
    Network.TELEGRAM: ImageRules(frozenset({"jpeg", "png", "webp"}), 10 * MB, 1, max_side_sum=10000, max_ratio=20),
    Network.FACEBOOK: ImageRules(frozenset({"jpeg", "png", "gif", "bmp", "tiff"}), 4 * MB, 10),
}
#: The largest file any network takes: bigger ones are refused before they are even downloaded.
LARGEST = max(max(r.max_bytes, r.max_bytes_gif or 0) for r in RULES.values())

_TYPES = {"image/jpeg": "jpeg", "image/jpg": "jpeg", "image/pjpeg": "jpeg", "image/png": "png",
          "image/gif": "gif", "image/webp": "webp", "image/bmp": "bmp", "image/tiff": "tiff"}


def sniff(data: bytes) -> str | None:
    """The image format the bytes are, from their signature."""
    if data.startswith(b"\xff\xd8\xff"):
        return "jpeg"
    if data.startswith(b"\x89PNG\r\n\x1a\n"):
        return "png"
    if data[:6] in (b"GIF87a", b"GIF89a"):
        return "gif"
    if data[:4] == b"RIFF" and data[8:12] == b"WEBP":
        return "webp"
    if data[:2] == b"BM":
        return "bmp"
    if data[:4] in (b"II*\x00", b"MM\x00*"):
        return "tiff"
    return None


def dimensions(data: bytes, kind: str) -> tuple[int, int] | None:
    """(width, height) of a PNG, GIF or JPEG from its header; ``None`` when it cannot be read."""
    try:
        if kind == "png" and len(data) >= 24:
            return struct.unpack(">II", data[16:24])
        if kind == "gif" and len(data) >= 10:
            return struct.unpack("<HH", data[6:10])
        if kind == "jpeg":
            return _jpeg_size(data)
    except struct.error:
        return None
    return None


def _jpeg_size(data: bytes) -> tuple[int, int] | None:
    i = 2
    while i + 9 < len(data):
        if data[i] != 0xFF:
            return None
        marker = data[i + 1]
        if marker in (0xD8, 0x01) or 0xD0 <= marker <= 0xD7:
            i += 2
            continue
        length = struct.unpack(">H", data[i + 2:i + 4])[0]
        if 0xC0 <= marker <= 0xCF and marker not in (0xC4, 0xC8, 0xCC):
            height, width = struct.unpack(">HH", data[i + 5:i + 9])
            return width, height
        i += 2 + length
    return None


def media_problem(network: Network, media: list[Media]) -> str | None:
    """Why ``network`` would refuse these images, or ``None``."""
    rules = RULES[network]
    if len(media) > rules.max_count:
        return f"{network.value} takes at most {rules.max_count} image{'s' if rules.max_count > 1 else ''} per post"
    for item in media:
        name = item.name or "an image"
        declared = _TYPES.get(item.content_type.lower().split(";")[0].strip())
        if declared is None:
            return f"{name}: {item.content_type} is not an image Chorus can post (use JPG, PNG, GIF or WEBP)"
        actual = sniff(item.data)
        if actual is None:
            return f"{name}: the file is not a readable image"
        if actual != declared:
            return f"{name}: the file is a {actual.upper()} but is labelled {item.content_type}"
        if actual not in rules.formats:
            allowed = ", ".join(sorted(f.upper() for f in rules.formats))
            return f"{name}: {network.value} does not take {actual.upper()} images ({allowed} only)"
        limit = rules.max_bytes_gif if actual == "gif" and rules.max_bytes_gif else rules.max_bytes
        if len(item.data) > limit:
            return f"{name}: {len(item.data) / MB:.1f} MB is over {network.value}'s limit of {limit // MB} MB"
        size = dimensions(item.data, actual)
        if size is not None:
            width, height = size
            if width < 1 or height < 1:
                return f"{name}: the image has no pixels ({width}x{height})"
            if rules.max_side_sum and width + height > rules.max_side_sum:
                return (f"{name}: {width}x{height} px is too large for {network.value} "
                        f"(width + height at most {rules.max_side_sum})")
            if rules.max_ratio and max(width, height) / min(width, height) > rules.max_ratio:
                return f"{name}: {width}x{height} px is too narrow for {network.value} (sides at most 1:20)"
    return None


def text_problem(network: Network, text: str, has_media: bool) -> str | None:
    """Why ``network`` would refuse this post text, or ``None``."""
    if not text.strip() and not has_media:
        return "the post has neither text nor an image"
    if network == Network.TELEGRAM and has_media:
        kind = TextKind.CAPTION
    else:
        kind = TextKind.POST
    length, limit = check(text, network, kind)
    if length > limit.maximum:
        what = "a caption" if kind == TextKind.CAPTION else "a post"
        unit = "weighted characters" if limit.counting == "weighted" else "characters"
        return f"the text is {length} {unit}; {network.value} takes at most {limit.maximum} for {what}"
    return None


def reply_problem(network: Network, text: str, kind: TextKind) -> str | None:
    if not text.strip():
        return "the reply text is empty"
    length, limit = check(text, network, kind)
    if length > limit.maximum:
        return f"the reply is {length} characters; {network.value} takes at most {limit.maximum}"
    return None
