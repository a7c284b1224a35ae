"""The X emulator's write endpoints: ``POST /2/tweets`` and the one-shot ``POST /2/media/upload``.

A post is checked as X checks it: 280 *weighted* characters, existing media of the author, a reply
target that is visible (else X's 403), and no duplicate of the author's last 24 hours (X's 403 duplicate
content). What was created is listed by ``/_control/x/sent``.
"""
from __future__ import annotations

import base64
import binascii
import json
import re

from starlette.requests import Request
from starlette.responses import JSONResponse, Response

from chorus.emulators.x import wire
from chorus.emulators.x.wire import ID, Invalid
from chorus.emulators.x.world import Token, World

TEXT_LIMIT = 280
MEDIA_LIMIT = 5 * 1024 * 1024


class Writes:
    def __init__(self, world: World) -> None:
        self.world = world


    async def create(self, request: Request, principal: Token) -> Response:
        try:
            body = json.loads(await request.body())
        except ValueError:
            raise Invalid("Request body is not valid JSON") from None
        if not isinstance(body, dict):
            raise Invalid("Request body must be a JSON object")
        allowed = {"text", "reply", "media", "quote_tweet_id", "reply_settings", "poll", "geo",
                   "for_super_followers_only", "direct_message_deep_link", "nullcast"}
        for key in body:
            if key not in allowed:
                raise Invalid(f"$.{key}: is not defined in the schema and the schema does not allow additional "
                              "properties", key)
        author = self.world.users[principal.user_id or ""]
        text = body.get("text")
        media = body.get("media") if isinstance(body.get("media"), dict) else {}
        media_ids = media.get("media_ids") or []
        if text is None and not media_ids:
            raise Invalid("$.text: is missing but it is required", "text")
        if text is not None and not isinstance(text, str):
            raise Invalid("$.text: string found, but expected", "text")
        text = text or ""
        if weighted_length(text) > TEXT_LIMIT:
            raise Invalid(f"Post text is too long ({weighted_length(text)} > {TEXT_LIMIT} weighted characters)",
                          "text")
        keys = []
        for media_id in media_ids:
            item = self.world.media.get(str(media_id))
            if item is None or item.owner_id != author.id:
                raise Invalid("Your media IDs are invalid.", "media.media_ids", str(media_id))
            keys.append(item.media_key)
        target = None
        reply = body.get("reply")
        if reply is not None:
            target_id = reply.get("in_reply_to_tweet_id") if isinstance(reply, dict) else None
            if not isinstance(target_id, str) or not ID.match(target_id):
                raise Invalid("$.reply.in_reply_to_tweet_id: string expected", "reply.in_reply_to_tweet_id")
            target = self.world.tweets.get(target_id)
            if target is None or target.deleted or target.raw is not None:
                return wire.problem(403, "Forbidden",
                                    "You attempted to reply to a Tweet that is deleted or not visible to you.")
        final = text if target is None else self.world.reply_text(target, author, text)
        if text and self.world.duplicate_of(author, final):
            return wire.problem(403, "Forbidden", "You are not allowed to create a Tweet with duplicate content.")
        tweet = self.world.post(author, text, in_reply_to=target, media_keys=keys, via_api=True)
        self.world.sent.append({"id": tweet.id, "text": tweet.text, "requested_text": text,
                                "in_reply_to_tweet_id": target.id if target else None,
                                "media_ids": [str(m) for m in media_ids], "author_id": author.id,
                                "at": wire.iso(tweet.created_at)})
        return JSONResponse({"data": {"id": tweet.id, "text": tweet.text, "edit_history_tweet_ids": [tweet.id]}},
                            status_code=201)

    async def upload(self, request: Request, principal: Token) -> Response:
        owner = self.world.users[principal.user_id or ""]
        content_type = request.headers.get("content-type", "")
        if content_type.startswith("application/json"):
            try:
                body = json.loads(await request.body())
                data = base64.b64decode(body["media"], validate=True)
                media_type = body.get("media_type") or "application/octet-stream"
            except (ValueError, KeyError, TypeError, binascii.Error):
                raise Invalid("$.media: base64-encoded media is required", "media") from None
        else:
            async with request.form() as form:
                upload = form.get("media")
                if upload is None or isinstance(upload, str):
                    raise Invalid("media: a file part named 'media' is required", "media")
                data = await upload.read()
                media_type = str(form.get("media_type") or upload.content_type or "application/octet-stream")
        if not media_type.startswith("image/"):
            raise Invalid(f"media_type {media_type} is not supported by the one-shot upload", "media_type")
        if not data or len(data) > MEDIA_LIMIT:
            raise Invalid("media must be between 1 byte and 5 MB", "media")
        media = self.world.add_media(owner, media_type, len(data))
        return JSONResponse({"data": {"id": media.id, "media_key": media.media_key, "size": media.size,
                                      "expires_after_secs": 86400,
                                      "image": {"image_type": media_type, "w": 1200, "h": 675}}})


_URL = re.compile(r"https?://\S+")
_LIGHT = ((0x0000, 0x10FF), (0x2000, 0x200D), (0x2010, 0x201F), (0x2032, 0x2037))


def weighted_length(text: str) -> int:
    """X's count: most Latin and Cyrillic characters weigh 1, CJK and emoji 2, any link 23 (twitter-text v3)."""
    links = _URL.findall(text)
    rest = _URL.sub("", text)
    return 23 * len(links) + sum(1 if any(lo <= ord(c) <= hi for lo, hi in _LIGHT) else 2 for c in rest)

