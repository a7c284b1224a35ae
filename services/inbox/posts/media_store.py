"""Images uploaded for posts, in the JetStream Object Store bucket ``chorus_media`` (shared with the publisher).

The contract (``docs/publisher.md``, Media): one object per upload, named by ``MediaRef.media_id``, holding
the file's bytes as uploaded; ``MediaRef.content_type`` and ``size`` describe it. The bucket is created
(file storage) by whichever service opens it first (``chorus.backbone.jetstream.media_bucket``).
"""
from __future__ import annotations

from nats.js import JetStreamContext
from nats.js.errors import NotFoundError, ObjectNotFoundError

from chorus.backbone.jetstream import MEDIA_BUCKET, media_bucket


class MediaMissing(LookupError):
    pass


class MediaStore:
    def __init__(self, js: JetStreamContext, bucket: str = MEDIA_BUCKET) -> None:
        self._js, self._bucket = js, bucket
        self._store = None

    async def store(self):
        """The bucket, created when it does not exist yet."""
        if self._store is None:
            self._store = await media_bucket(self._js, self._bucket)
        return self._store

    async def put(self, media_id: str, data: bytes) -> None:
        await (await self.store()).put(media_id, data)

    async def get(self, media_id: str) -> bytes:
        try:
            result = await (await self.store()).get(media_id)
        except (ObjectNotFoundError, NotFoundError):
            raise MediaMissing(media_id) from None
        return bytes(result.data or b"")

    async def size(self, media_id: str) -> int:
        try:
            return (await (await self.store()).get_info(media_id)).size
        except (ObjectNotFoundError, NotFoundError):
            raise MediaMissing(media_id) from None
