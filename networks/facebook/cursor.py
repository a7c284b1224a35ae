"""The feed reader's cursor: per recent post, where its comments were read up to, and what they said.

Serialised as compact JSON (opaque to ingest)::

    {"v": 1, "s": <sweep counter>,
     "p": {"<post id>": {"u": "<post updated_time when fully read>",
                         "a": "<Graph 'after' cursor of the last comment read>",
                         "t": <created unix of the last comment read>, "i": "<its id>",
                         "h": {"<comment id>": ["<message hash>", <created unix>], ...}}}}

Only posts inside the reader's window are kept, and ``h`` holds the newest ``SEEN_CAP`` comments of a
post, so the cursor stays a few kilobytes (20 posts × 30 comments ≈ 20 KB at most).
"""
from __future__ import annotations

import json
import logging
from dataclasses import dataclass, field
from typing import Any

log = logging.getLogger(__name__)

SEEN_CAP = 30


@dataclass
class PostState:
    updated: str | None = None
    after: str | None = None
    last_time: int | None = None
    last_id: str | None = None
    #: comment id -> [message hash, created unix], the newest SEEN_CAP comments seen
    seen: dict[str, list[Any]] = field(default_factory=dict)

    def watermark(self) -> tuple[int, int, str] | None:
        if self.last_time is None or self.last_id is None:
            return None
        return self.last_time, len(self.last_id), self.last_id

    def saw(self, comment_id: str, message_hash: str, created: int) -> None:
        self.seen[comment_id] = [message_hash, created]
        if len(self.seen) > SEEN_CAP:
            oldest = sorted(self.seen.items(), key=lambda kv: (kv[1][1], len(kv[0]), kv[0]))
            for cid, _ in oldest[:len(self.seen) - SEEN_CAP]:
                del self.seen[cid]

    def to_json(self) -> dict[str, Any]:
        return {"u": self.updated, "a": self.after, "t": self.last_time, "i": self.last_id, "h": self.seen}

    @classmethod
    def from_json(cls, raw: Any) -> PostState:
        if not isinstance(raw, dict):
            raise ValueError("post state must be an object")
        seen = raw.get("h") or {}
        if not isinstance(seen, dict) or not all(
                isinstance(v, list) and len(v) == 2 and isinstance(v[0], str) and isinstance(v[1], int)
                for v in seen.values()):
            raise ValueError("bad seen comments")
        state = cls(updated=raw.get("u"), after=raw.get("a"), last_time=raw.get("t"), last_id=raw.get("i"),
                    seen=dict(seen))
        if not all(v is None or isinstance(v, str) for v in (state.updated, state.after, state.last_id)):
            raise ValueError("bad post state strings")
        if state.last_time is not None and not isinstance(state.last_time, int):
            raise ValueError("bad post state time")
        return state


@dataclass
class FeedCursor:
    posts: dict[str, PostState] = field(default_factory=dict)
    sweep: int = 0

    @classmethod
    def parse(cls, text: str | None) -> FeedCursor:
        if not text:
            return cls()
        try:
            raw = json.loads(text)
            if not isinstance(raw, dict) or raw.get("v") != 1 or not isinstance(raw.get("p"), dict):
                raise ValueError("not a v1 feed cursor")
            sweep = raw.get("s", 0)
            if not isinstance(sweep, int):
                raise ValueError("bad sweep counter")
            return cls(posts={str(k): PostState.from_json(v) for k, v in raw["p"].items()}, sweep=sweep)
        except ValueError:
            log.warning("unreadable Facebook feed cursor; reading the recent window again")
            return cls()

    def dump(self) -> str:
        return json.dumps({"v": 1, "s": self.sweep, "p": {k: v.to_json() for k, v in self.posts.items()}},
                          separators=(",", ":"), ensure_ascii=False)
