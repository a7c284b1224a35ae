"""Bot API errors: ``{"ok": false, "error_code", "description", "parameters"?}`` with the matching HTTP status."""
from __future__ import annotations

from typing import Any

DESCRIPTIONS = {
    400: "Bad Request",
    401: "Unauthorized",
    403: "Forbidden: bot was kicked from the supergroup chat",
    404: "Not Found",
    409: "Conflict: terminated by other getUpdates request; make sure that only one bot instance is running",
    429: "Too Many Requests: retry after {retry_after}",
    500: "Internal Server Error",
    502: "Bad Gateway",
}


class TelegramError(Exception):
    def __init__(self, code: int, description: str | None = None, *, retry_after: int | None = None) -> None:
        if code == 429 and retry_after is None:
            retry_after = 1
        text = description or DESCRIPTIONS.get(code, "Bad Request")
        super().__init__(text.format(retry_after=retry_after))
        self.code = code
        self.retry_after = retry_after


def bad_request(detail: str) -> TelegramError:
    return TelegramError(400, f"Bad Request: {detail}")


def error_body(error: TelegramError) -> dict[str, Any]:
    body: dict[str, Any] = {"ok": False, "error_code": error.code, "description": str(error)}
    if error.retry_after is not None:
        body["parameters"] = {"retry_after": error.retry_after}
    return body
