"""Client-side rate limiting per token, below VK's limits (community tokens 20 requests/s, user tokens 3/s).

One limiter per token for the whole process, whatever number of clients use that token, so two readers of
one account cannot together exceed the limit. Calls are spaced evenly (no bursts), which also keeps VK's
flood control quiet. Waiting happens on the event loop, before the blocking call is handed to a thread.
"""
from __future__ import annotations

import asyncio
import hashlib
import time

#: Requests per second we allow ourselves, by token kind: under VK's 20/s and 3/s.
DEFAULT_RATES = {"community": 18.0, "user": 2.5}


class Limiter:
    def __init__(self, per_second: float) -> None:
        self.interval = 1.0 / per_second
        self._next = 0.0

    async def wait(self) -> None:
        now = time.monotonic()
        slot = max(now, self._next)
        self._next = slot + self.interval  # claimed before sleeping: concurrent callers queue up
        if slot > now:
            await asyncio.sleep(slot - now)


_LIMITERS: dict[tuple[str, float], Limiter] = {}


def limiter_for(token: str, per_second: float) -> Limiter:
    key = (hashlib.sha256(token.encode()).hexdigest(), per_second)
    if key not in _LIMITERS:
        _LIMITERS[key] = Limiter(per_second)
    return _LIMITERS[key]
