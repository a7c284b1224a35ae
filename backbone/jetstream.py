"""Connecting to NATS and creating Chorus's streams with explicit, idempotent settings."""
from __future__ import annotations

import asyncio
import logging
from dataclasses import dataclass

import nats
from nats.aio.client import Client
from nats.js import JetStreamContext
from nats.js.api import DiscardPolicy, ObjectStoreConfig, RetentionPolicy, StorageType, StreamConfig
from nats.js.errors import BadRequestError, BucketNotFoundError, NotFoundError

from chorus.events.streams import DEAD_LETTER, EVENT_STREAMS, Stream

log = logging.getLogger(__name__)

#: JetStream's error code for "stream name already in use with a different configuration".
_STREAM_NAME_IN_USE = 10058


@dataclass(frozen=True)
class StreamLimits:
    duplicate_window_s: float = 7200.0
    max_bytes: int = -1
    max_msg_size: int = 1024 * 1024
    replicas: int = 1


async def connect(urls: list[str], name: str, *, attempts: int = 0) -> Client:
    """Connect, retrying while the server is not up yet (``attempts=0`` retries forever).

    Once connected, the client reconnects on its own for ever; the service's readiness reflects it.
    """
    tries = 0
    while True:
        tries += 1
        try:
            # nats-py retries a first connection for ever when reconnects are unlimited; bound each try.
            return await asyncio.wait_for(nats.connect(
                servers=urls, name=name, connect_timeout=2, max_reconnect_attempts=-1,
                reconnect_time_wait=0.5, ping_interval=10, error_cb=_log_error,
                disconnected_cb=_log_event(f"{name}: disconnected from NATS"),
                reconnected_cb=_log_event(f"{name}: reconnected to NATS"),
            ), timeout=5)
        except (TimeoutError, OSError, nats.errors.NoServersError) as exc:
            reason = str(exc) or "no answer within 5 s"
            if attempts and tries >= attempts:
                raise ConnectionError(f"cannot reach NATS at {', '.join(urls)} ({reason})") from exc
            if not attempts and (tries in (1, 10) or tries % 60 == 0):
                log.warning("waiting for NATS at %s (%s)", ", ".join(urls), reason)
            await asyncio.sleep(min(0.2 * tries, 2.0))


async def _log_error(exc: Exception) -> None:
    # Connection errors are reported by connect() and by readiness; this only adds detail.
    log.debug("NATS: %s", exc)


def _log_event(text: str):
    async def callback() -> None:
        log.info(text)

    return callback


def stream_config(stream: Stream, limits: StreamLimits) -> StreamConfig:
    # The event log is the source of truth: nothing ages out, and when a size limit is reached new
    # writes are refused (DiscardPolicy.NEW) rather than old history silently dropped.
    return StreamConfig(
        name=stream.name,
        description=stream.description,
        subjects=stream.subjects,
        retention=RetentionPolicy.LIMITS,
        storage=StorageType.FILE,
        discard=DiscardPolicy.NEW,
        max_age=0,
        max_msgs=-1,
        max_bytes=limits.max_bytes,
        max_msg_size=limits.max_msg_size,
        duplicate_window=limits.duplicate_window_s,
        num_replicas=limits.replicas,
        allow_direct=True,
    )


async def ensure_streams(js: JetStreamContext, limits: StreamLimits | None = None,
                         streams: tuple[Stream, ...] = (*EVENT_STREAMS, DEAD_LETTER)) -> None:
    """Create every stream, or bring an existing one's settings up to date. Safe to run at every start."""
    limits = limits or StreamLimits()
    for stream in streams:
        config = stream_config(stream, limits)
        try:
            await js.add_stream(config)
        except BadRequestError as exc:
            if exc.err_code != _STREAM_NAME_IN_USE:
                raise
            await js.update_stream(config)
            log.info("updated settings of stream %s", stream.name)


async def stream_exists(js: JetStreamContext, name: str) -> bool:
    try:
        await js.stream_info(name)
    except NotFoundError:
        return False
    return True


#: The Object Store bucket of images uploaded for posts: the inbox stores them, the publisher reads them.
#: Each object is one upload named by ``MediaRef.media_id`` (see ``docs/publisher.md``, Media).
MEDIA_BUCKET = "chorus_media"


async def media_bucket(js: JetStreamContext, name: str = MEDIA_BUCKET):
    """The media bucket, created (file storage) by whichever service opens it first."""
    try:
        return await js.object_store(name)
    except BucketNotFoundError:
        return await js.create_object_store(name, ObjectStoreConfig(
            description="Images uploaded in the inbox for posts", storage=StorageType.FILE))
