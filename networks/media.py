"""What each network would refuse in a post: text length, and the format, size, count and shape of images.

Pure, and shared: the inbox's composer refuses a post with these rules before it is scheduled, and the
publisher checks again before calling the network (turning a problem into ``PostFailed(content_rejected)``).
One implementation, so the page and the publisher never disagree.

Figures are the networks' documented limits for the upload flows the adapters use:

- VK (``photos.getWallUploadServer`` → ``saveWallPhoto``): JPG, PNG or GIF, up to 50 MB, width + height at
  most 14,000 px, sides at most 1:20; ten attachments per post.
- X (``POST /2/media/upload``): JPG, PNG, WEBP up to 5 MB, GIF up to 15 MB; four images per post.
- Telegram (``sendPhoto``): JPG, PNG or WEBP up to 10 MB, width + height at most 10,000 px, sides at most
  1:20; the adapter sends one photo per post, and a caption is at most 1,024 characters.
- Facebook Pages (``/{page-id}/photos``): JPG, PNG, GIF, BMP or TIFF up to 4 MB; ten images per post.

Only images are supported. The stored bytes must be the format their ``content_type`` names (a PNG
labelled ``image/jpeg`` is refused: the label and the file disagree, so one of them is wrong).

A refusal is a ``Problem``: a stable ``code`` with its ``params`` (for a translated message) and an English
``message``. The publisher records the message as the reason; the inbox shows the code's translation.
Images are judged from ``ImageFacts`` (format read from the bytes, size, pixel dimensions), which the inbox
keeps for each upload, so checking a post does not need the files again.
"""
from __future__ import annotations

import struct
from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import Any

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
#: Every format at least one network takes.
ANY_FORMAT = frozenset().union(*(r.formats for r in RULES.values()))

_TYPES = {"image/jpeg": "jpeg", "image/jpg": "jpeg", "image/pjpeg": "jpeg", "image/png": "png",
          "image/gif": "gif", "image/webp": "webp", "image/bmp": "bmp", "image/tiff": "tiff"}
#: The content type to label each format with.
CONTENT_TYPES = {"jpeg": "image/jpeg", "png": "image/png", "gif": "image/gif", "webp": "image/webp",
                 "bmp": "image/bmp", "tiff": "image/tiff"}


@dataclass(frozen=True)
class Problem:
    """Why a network would refuse something: ``code`` and ``params`` for translation, ``message`` in English."""

    code: str
    message: str
    params: dict[str, Any] = field(default_factory=dict)

    def __str__(self) -> str:
        return self.message


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


@dataclass(frozen=True)
class ImageFacts:
    """What the rules need to know about one image file."""

    name: str
    content_type: str
    size: int
    format: str | None  # read from the bytes; None when they are no image we know
    width: int | None = None
    height: int | None = None

    @classmethod
    def of(cls, name: str, content_type: str, data: bytes) -> ImageFacts:
        kind = sniff(data)
        size = dimensions(data, kind) if kind else None
        return cls(name=name, content_type=content_type, size=len(data), format=kind,
                   width=size[0] if size else None, height=size[1] if size else None)

    @property
    def declared(self) -> str | None:
        return _TYPES.get(self.content_type.lower().split(";")[0].strip())


def _problem(code: str, message: str, **params: Any) -> Problem:
    return Problem(code, message, params)


def image_problem(network: Network | str, image: ImageFacts) -> Problem | None:
    """Why ``network`` would refuse this one image, or ``None``."""
    network = Network(network)
    rules = RULES[network]
    name = image.name or "an image"
    net = network.value
    if image.declared is None:
        return _problem("image_type", f"{name}: {image.content_type} is not an image Chorus can post (use JPG, PNG, "
                        "GIF or WEBP)", name=name, content_type=image.content_type)
    actual = image.format
    if actual is None:
        return _problem("image_unreadable", f"{name}: the file is not a readable image", name=name)
    if actual != image.declared:
        return _problem("image_mislabelled", f"{name}: the file is a {actual.upper()} but is labelled "
                        f"{image.content_type}", name=name, actual=actual.upper(), content_type=image.content_type)
    if actual not in rules.formats:
        allowed = ", ".join(sorted(f.upper() for f in rules.formats))
        return _problem("image_format", f"{name}: {net} does not take {actual.upper()} images ({allowed} only)",
                        name=name, network=net, format=actual.upper(), allowed=allowed)
    limit = rules.max_bytes_gif if actual == "gif" and rules.max_bytes_gif else rules.max_bytes
    if image.size > limit:
        size_mb = f"{image.size / MB:.1f}"
        return _problem("image_size", f"{name}: {size_mb} MB is over {net}'s limit of {limit // MB} MB",
                        name=name, network=net, size=size_mb, maximum=limit // MB)
    if image.width is not None and image.height is not None:
        width, height = image.width, image.height
        if width < 1 or height < 1:
            return _problem("image_empty", f"{name}: the image has no pixels ({width}x{height})", name=name,
                            width=width, height=height)
        if rules.max_side_sum and width + height > rules.max_side_sum:
            return _problem("image_pixels", f"{name}: {width}x{height} px is too large for {net} "
                            f"(width + height at most {rules.max_side_sum})", name=name, network=net, width=width,
                            height=height, maximum=rules.max_side_sum)
        if rules.max_ratio and max(width, height) / min(width, height) > rules.max_ratio:
            return _problem("image_ratio", f"{name}: {width}x{height} px is too narrow for {net} (sides at most "
                            "1:20)", name=name, network=net, width=width, height=height)
    return None


def images_problem(network: Network | str, images: Sequence[ImageFacts]) -> Problem | None:
    """Why ``network`` would refuse these images on one post (their count, then each), or ``None``."""
    network = Network(network)
    rules = RULES[network]
    if len(images) > rules.max_count:
        plural = "s" if rules.max_count > 1 else ""
        return _problem("image_count", f"{network.value} takes at most {rules.max_count} image{plural} per post",
                        network=network.value, maximum=rules.max_count, count=len(images))
    for image in images:
        found = image_problem(network, image)
        if found is not None:
            return found
    return None


def upload_problem(image: ImageFacts) -> Problem | None:
    """Why no network would take this file at all (checked when it is uploaded), or ``None``."""
    name = image.name or "the file"
    if image.format is None:
        return _problem("upload_not_image", f"{name} is not a JPG, PNG, GIF, WEBP, BMP or TIFF image", name=name)
    if image.size > LARGEST:
        return _problem("upload_too_big", f"{name}: {image.size / MB:.1f} MB is larger than any network takes "
                        f"({LARGEST // MB} MB)", name=name, size=f"{image.size / MB:.1f}", maximum=LARGEST // MB)
    return None


def media_problem(network: Network, media: list[Media]) -> str | None:
    """Why ``network`` would refuse these images, or ``None`` (the publisher's check, on the files themselves)."""
    found = images_problem(network, [ImageFacts.of(m.name, m.content_type, m.data) for m in media])
    return found.message if found else None


def post_text_problem(network: Network | str, text: str, has_media: bool) -> Problem | None:
    """Why ``network`` would refuse this post text, or ``None``."""
    network = Network(network)
    if not text.strip() and not has_media:
        return _problem("post_empty", "the post has neither text nor an image", network=network.value)
    kind = TextKind.CAPTION if network == Network.TELEGRAM and has_media else TextKind.POST
    length, limit = check(text, network, kind)
    if length > limit.maximum:
        what = "a caption" if kind == TextKind.CAPTION else "a post"
        unit = "weighted characters" if limit.counting == "weighted" else "characters"
        return _problem("post_too_long", f"the text is {length} {unit}; {network.value} takes at most "
                        f"{limit.maximum} for {what}", network=network.value, length=length, maximum=limit.maximum,
                        caption=kind == TextKind.CAPTION, weighted=limit.counting == "weighted")
    return None


def text_problem(network: Network, text: str, has_media: bool) -> str | None:
    """Why ``network`` would refuse this post text, or ``None`` (as an English reason)."""
    found = post_text_problem(network, text, has_media)
    return found.message if found else None


def reply_problem(network: Network, text: str, kind: TextKind) -> str | None:
    if not text.strip():
        return "the reply text is empty"
    length, limit = check(text, network, kind)
    if length > limit.maximum:
        return f"the reply is {length} characters; {network.value} takes at most {limit.maximum}"
    return None
