"""Bot API errors as Chorus outcomes, so no caller ever sees an aiogram or aiohttp exception.

| Telegram says | outcome |
| --- | --- |
| 429 with ``retry_after`` | ``RetryLater(retry_after)`` |
| 401 Unauthorized, 404 Not Found (the Bot API's answer to a token it does not know) | ``TokenInvalid`` |
| 403 (bot kicked, blocked by the user, not a member) | ``PermissionMissing`` |
| 400 "... not found" (chat, message to reply to, message to edit), group migrated | ``NotFound`` |
| other 400, 413 | ``ContentRejected`` |
| 409 Conflict (another getUpdates poller or a webhook) | ``RetryLater(5)`` |
| 5xx | ``RetryLater(5)`` |
| cannot connect | ``RetryLater`` (nothing was sent) |
| dropped connection, timeout, unreadable answer | ``OutcomeUnknown`` on a write, ``RetryLater`` on a read |
"""
from __future__ import annotations

import aiohttp
from aiogram.exceptions import (
    AiogramError,
    ClientDecodeError,
    TelegramAPIError,
    TelegramBadRequest,
    TelegramConflictError,
    TelegramEntityTooLarge,
    TelegramForbiddenError,
    TelegramMigrateToChat,
    TelegramNetworkError,
    TelegramNotFound,
    TelegramRetryAfter,
    TelegramServerError,
    TelegramUnauthorizedError,
)

from chorus.networks.errors import (
    ContentRejected,
    NetworkError,
    NotFound,
    OutcomeUnknown,
    PermissionMissing,
    RetryLater,
    TokenInvalid,
)

GONE_PHRASES = ("not found", "chat not found", "message to be replied not found", "message to edit not found")


def outcome(error: AiogramError, method: str, *, write: bool) -> NetworkError:
    """The Chorus outcome of an aiogram error raised by ``method``."""
    text = getattr(error, "message", str(error))
    detail = f"Telegram {method}: {text}"
    if isinstance(error, TelegramRetryAfter):
        return RetryLater(detail, code=429, retry_after=float(error.retry_after))
    if isinstance(error, (TelegramUnauthorizedError, TelegramNotFound)):
        return TokenInvalid(detail, code=401 if isinstance(error, TelegramUnauthorizedError) else 404)
    if isinstance(error, TelegramForbiddenError):
        return PermissionMissing(detail, code=403)
    if isinstance(error, TelegramMigrateToChat):
        return NotFound(f"{detail} (now chat {error.migrate_to_chat_id})", code=400)
    if isinstance(error, TelegramBadRequest):
        if any(phrase in text.lower() for phrase in GONE_PHRASES):
            return NotFound(detail, code=400)
        return ContentRejected(detail, code=400)
    if isinstance(error, TelegramEntityTooLarge):
        return ContentRejected(detail, code=413)
    if isinstance(error, TelegramConflictError):
        return RetryLater(f"{detail} (another process polls this bot, or a webhook is set)", code=409,
                          retry_after=5.0)
    if isinstance(error, TelegramServerError):
        return RetryLater(detail, code=500, retry_after=5.0)
    if isinstance(error, TelegramNetworkError) and isinstance(error.__cause__, aiohttp.ClientConnectorError):
        return RetryLater(f"Telegram {method}: cannot connect", code="connect", retry_after=5.0)
    if isinstance(error, (TelegramNetworkError, ClientDecodeError)):
        reason = "the connection broke or timed out" if isinstance(error, TelegramNetworkError) \
            else "the answer could not be read"
        if write:
            return OutcomeUnknown(f"Telegram {method}: {reason} before the answer was read; "
                                  "the message may have been sent", code="transport")
        return RetryLater(f"Telegram {method}: {reason}", code="transport", retry_after=5.0)
    if isinstance(error, TelegramAPIError):
        return ContentRejected(detail, code="api")
    return ContentRejected(f"Telegram {method}: {type(error).__name__}", code="client")
