"""Images of posts, read from the JetStream Object Store bucket ``chorus_media`` (the inbox stores uploads there).

The contract with the inbox: each upload is one object whose name is ``MediaRef.media_id``; the object's
bytes are the file as uploaded; ``MediaRef.content_type`` and ``MediaRef.size`` describe it. The publisher
refuses a missing object, one whose size differs from its reference, and one larger than any network takes
(checked from the object's info, before downloading it); the format checks are in ``chorus.networks.media``.
"""
from __future__ import annotations

from collections.abc import Sequence

from nats.js import JetStreamContext
from nats.js.errors import NotFoundError, ObjectNotFoundError

from chorus.backbone.jetstream import MEDIA_BUCKET, media_bucket
from chorus.events.values import MediaRef
from chorus.networks.base import Media
from chorus.networks.media import LARGEST, MB
from chorus.publisher.ports import MediaProblem, MediaSource


class ObjectStoreMedia(MediaSource):
    def __init__(self, js: JetStreamContext, bucket: str = MEDIA_BUCKET, max_bytes: int = LARGEST) -> None:
        self._js, self._bucket, self._max = js, bucket, max_bytes
        self._store = None

    async def store(self):
        """The bucket, created with the settings the inbox uses when it does not exist yet."""
        if self._store is None:
            self._store = await media_bucket(self._js, self._bucket)
        return self._store

    async def load(self, refs: Sequence[MediaRef]) -> list[Media]:
        if not refs:
            return []
        store = await self.store()
        found = []
        for ref in refs:
            label = ref.name or ref.media_id
            try:
                info = await store.get_info(ref.media_id)
            except (ObjectNotFoundError, NotFoundError):
                raise MediaProblem(f"{label}: the file {ref.media_id!r} is not in the media store "
                                   "(deleted, or never uploaded)") from None
            if info.size > self._max:
                raise MediaProblem(f"{label}: {info.size / MB:.1f} MB is larger than any network takes")
            if info.size != ref.size:
                raise MediaProblem(f"{label}: the stored file has {info.size} bytes, the post says {ref.size}")
            result = await store.get(ref.media_id)
            found.append(Media(name=ref.name or ref.media_id, content_type=ref.content_type,
                               data=bytes(result.data or b"")))
        return found
