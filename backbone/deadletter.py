"""The dead-letter stream: where a message goes when its consumer cannot handle it, and how it comes back.

A dead letter is a copy of the original message's bytes on ``chorus.deadletter.dead.<consumer>`` with
headers saying where it came from and why it failed. ``replay`` republishes one on
``chorus.deadletter.retry.<consumer>``, which that consumer also reads, so a fixed consumer can take it
again without the event being written to the log a second time.
"""
from __future__ import annotations

import json
from dataclasses import dataclass
from datetime import UTC, datetime

from nats.aio.msg import Msg
from nats.js import JetStreamContext
from nats.js.api import ConsumerConfig, DeliverPolicy, Header
from nats.js.errors import NotFoundError

from chorus.events.streams import DEAD_LETTER

DEAD = f"{DEAD_LETTER.subject_prefix}.dead"
RETRY = f"{DEAD_LETTER.subject_prefix}.retry"

H_CONSUMER = "Chorus-Consumer"
H_STREAM = "Chorus-Stream"
H_SEQ = "Chorus-Stream-Seq"
H_SUBJECT = "Chorus-Subject"
H_REASON = "Chorus-Reason"
H_ERROR = "Chorus-Error"
H_DELIVERIES = "Chorus-Deliveries"
H_FAILED_AT = "Chorus-Failed-At"
H_REPLAY_OF = "Chorus-Replay-Of"


def dead_subject(consumer: str) -> str:
    return f"{DEAD}.{consumer}"


def retry_subject(consumer: str) -> str:
    return f"{RETRY}.{consumer}"


@dataclass(frozen=True)
class Origin:
    """Where a message came from: the event stream and sequence, or the dead letter it replays."""

    stream: str
    seq: int
    subject: str
    deliveries: int
    replay_of: int | None = None

    @classmethod
    def of(cls, msg: Msg) -> Origin:
        headers = msg.headers or {}
        if msg.subject.startswith(RETRY + "."):
            return cls(headers.get(H_STREAM, "?"), int(headers.get(H_SEQ, "0")), headers.get(H_SUBJECT, "?"),
                       msg.metadata.num_delivered, int(headers.get(H_REPLAY_OF, "0")) or None)
        meta = msg.metadata
        return cls(meta.stream, meta.sequence.stream, msg.subject, meta.num_delivered)


async def dead_letter(js: JetStreamContext, msg: Msg, consumer: str, origin: Origin, reason: str,
                      error: str) -> None:
    """Copy ``msg`` to the dead-letter stream and wait for the ack. Re-sending is deduplicated."""
    headers = {
        Header.MSG_ID: f"dead:{consumer}:{origin.stream}:{origin.seq}:{origin.replay_of or 0}",
        H_CONSUMER: consumer,
        H_STREAM: origin.stream,
        H_SEQ: str(origin.seq),
        H_SUBJECT: origin.subject,
        H_REASON: reason,
        H_ERROR: _one_line(error)[:2000],
        H_DELIVERIES: str(origin.deliveries),
        H_FAILED_AT: datetime.now(UTC).isoformat(),
    }
    if origin.replay_of:
        headers[H_REPLAY_OF] = str(origin.replay_of)
    await js.publish(dead_subject(consumer), msg.data, stream=DEAD_LETTER.name, headers=headers, timeout=5)


def _one_line(text: str) -> str:
    # NATS headers cannot hold line breaks.
    return " | ".join(line.strip() for line in text.splitlines() if line.strip())


@dataclass(frozen=True)
class DeadLetter:
    seq: int
    consumer: str
    stream: str
    stream_seq: int
    subject: str
    reason: str
    error: str
    deliveries: int
    failed_at: str
    data: bytes
    replays: int = 0

    def summary(self) -> dict[str, object]:
        preview = self.data[:200].decode("utf-8", "replace")
        return {"seq": self.seq, "consumer": self.consumer, "stream": self.stream, "stream_seq": self.stream_seq,
                "subject": self.subject, "reason": self.reason, "error": self.error,
                "deliveries": self.deliveries, "failed_at": self.failed_at, "replays": self.replays,
                "preview": preview}


async def list_dead_letters(js: JetStreamContext, consumer: str | None = None,
                            limit: int = 1000) -> list[DeadLetter]:
    """Read the dead-letter stream (without consuming it) and count how often each entry was replayed."""
    entries: dict[int, DeadLetter] = {}
    replays: dict[int, int] = {}
    filter_ = f"{DEAD_LETTER.subject_prefix}.*.{consumer}" if consumer else f"{DEAD_LETTER.subject_prefix}.>"
    async for msg in _scan(js, filter_):
        headers = msg.headers or {}
        if msg.subject.startswith(RETRY + "."):
            of = int(headers.get(H_REPLAY_OF, "0"))
            replays[of] = replays.get(of, 0) + 1
            continue
        seq = msg.metadata.sequence.stream
        entries[seq] = DeadLetter(
            seq=seq, consumer=headers.get(H_CONSUMER, "?"), stream=headers.get(H_STREAM, "?"),
            stream_seq=int(headers.get(H_SEQ, "0")), subject=headers.get(H_SUBJECT, "?"),
            reason=headers.get(H_REASON, "?"), error=headers.get(H_ERROR, ""),
            deliveries=int(headers.get(H_DELIVERIES, "0")), failed_at=headers.get(H_FAILED_AT, ""),
            data=msg.data,
        )
    result = [DeadLetter(**{**e.__dict__, "replays": replays.get(s, 0)}) for s, e in sorted(entries.items())]
    return result[-limit:]


async def replay_dead_letter(js: JetStreamContext, seq: int) -> DeadLetter:
    """Hand dead letter ``seq`` back to its consumer. Raises LookupError if there is no such entry."""
    try:
        raw = await js.get_msg(DEAD_LETTER.name, seq)
    except NotFoundError:
        raise LookupError(f"no dead letter with sequence {seq}") from None
    if not raw.subject.startswith(DEAD + "."):
        raise LookupError(f"message {seq} of {DEAD_LETTER.name} is a replay request, not a dead letter")
    headers = dict(raw.headers or {})
    consumer = headers[H_CONSUMER]
    try:
        await js.consumer_info(DEAD_LETTER.name, f"{consumer}-replays")
    except NotFoundError:
        raise LookupError(f"dead letter {seq} belongs to {consumer!r}, which reads no replays: it never ran "
                          "here, or it keeps dead letters for diagnosis only (such as unreadable network "
                          "payloads)") from None
    out = {k: headers[k] for k in (H_CONSUMER, H_STREAM, H_SEQ, H_SUBJECT) if k in headers}
    out[H_REPLAY_OF] = str(seq)
    await js.publish(retry_subject(consumer), raw.data or b"", stream=DEAD_LETTER.name, headers=out, timeout=5)
    return DeadLetter(seq=seq, consumer=consumer, stream=headers.get(H_STREAM, "?"),
                      stream_seq=int(headers.get(H_SEQ, "0")), subject=headers.get(H_SUBJECT, "?"),
                      reason=headers.get(H_REASON, "?"), error=headers.get(H_ERROR, ""),
                      deliveries=int(headers.get(H_DELIVERIES, "0")), failed_at=headers.get(H_FAILED_AT, ""),
                      data=raw.data or b"")


async def _scan(js: JetStreamContext, subject: str):
    """Iterate over a stream's messages on ``subject`` with a throw-away ordered consumer."""
    info = await js.stream_info(DEAD_LETTER.name)
    if info.state.messages == 0:
        return
    sub = await js.subscribe(subject, stream=DEAD_LETTER.name, ordered_consumer=True,
                             deliver_policy=DeliverPolicy.ALL, config=ConsumerConfig(headers_only=False))
    last = info.state.last_seq
    try:
        while True:
            try:
                msg = await sub.next_msg(timeout=1.0)
            except TimeoutError:
                return
            yield msg
            if msg.metadata.sequence.stream >= last:
                return
    finally:
        await sub.unsubscribe()


def describe(entry: DeadLetter) -> str:
    return json.dumps(entry.summary(), ensure_ascii=False)

