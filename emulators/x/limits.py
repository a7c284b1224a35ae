"""X's rate-limit windows as the emulator keeps them: per token and endpoint, reported on every answer.

Defaults are X's documented 15-minute limits, but the window is short (15 s) so a reset is always in the
near future, as tests need; ``/_control/x/rate_limits`` changes the limit and window of one endpoint.
"""
from __future__ import annotations

import time
from dataclasses import dataclass

DEFAULT_WINDOW_S = 15.0
DOCUMENTED = {
    "GET /2/users/me": 75,
    "GET /2/users/:id": 900,
    "GET /2/users/:id/mentions": 450,
    "GET /2/users/:id/tweets": 1500,
    "GET /2/tweets": 900,
    "GET /2/tweets/search/recent": 450,
    "POST /2/tweets": 100,
    "POST /2/media/upload": 500,
}


@dataclass
class _Window:
    started: float
    used: int = 0


class Windows:
    def __init__(self) -> None:
        self._config: dict[str, tuple[int, float]] = {}
        self._windows: dict[tuple[str, str], _Window] = {}

    def configure(self, endpoint: str, limit: int, window_s: float) -> None:
        self._config[endpoint] = (limit, window_s)
        for key in [k for k in self._windows if k[1] == endpoint or endpoint == "*"]:
            del self._windows[key]

    def take(self, token_key: str, endpoint: str) -> tuple[bool, dict[str, str]]:
        """Count one call; whether it is allowed, and the ``x-rate-limit-*`` headers to send."""
        limit, window_s = self._limits(endpoint)
        now = time.time()
        window = self._windows.get((token_key, endpoint))
        if window is None or now >= window.started + window_s:
            window = self._windows[(token_key, endpoint)] = _Window(started=now)
        allowed = window.used < limit
        if allowed:
            window.used += 1
        reset = int(window.started + window_s) + 1  # X's reset is a whole second, never in the past
        return allowed, {"x-rate-limit-limit": str(limit), "x-rate-limit-remaining": str(max(0, limit - window.used)),
                         "x-rate-limit-reset": str(reset)}

    def exhaust(self, token_key: str, endpoint: str, reset_in: float) -> dict[str, str]:
        """Headers of a forced 429 (a fault): the window is used up until ``reset_in`` seconds from now."""
        limit, window_s = self._limits(endpoint)
        window = _Window(started=time.time() + reset_in - window_s, used=limit)
        self._windows[(token_key, endpoint)] = window
        return {"x-rate-limit-limit": str(limit), "x-rate-limit-remaining": "0",
                "x-rate-limit-reset": str(int(window.started + window_s) + 1)}

    def reset(self) -> None:
        self._config.clear()
        self._windows.clear()

    def _limits(self, endpoint: str) -> tuple[int, float]:
        return self._config.get(endpoint) or self._config.get("*") or (DOCUMENTED.get(endpoint, 300),
                                                                       DEFAULT_WINDOW_S)
