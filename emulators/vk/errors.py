"""VK API errors as the real API sends them: HTTP 200 with ``{"error": {error_code, error_msg, request_params}}``.

Messages follow the wording VK uses (``errors.json`` gives the short form; the real API prefixes the detail
after a colon). Error 14 carries ``captcha_sid`` and ``captcha_img``, which vk_api reads unconditionally.
"""
from __future__ import annotations

from typing import Any

MESSAGES = {
    1: "Unknown error occurred",
    3: "Unknown method passed",
    5: "User authorization failed: invalid access_token (4).",
    6: "Too many requests per second",
    7: "Permission to perform this action is denied",
    8: "Invalid request",
    9: "Flood control",
    10: "Internal server error",
    14: "Captcha needed",
    15: "Access denied",
    18: "User was deleted or banned",
    27: "Group authorization failed: method is unavailable with group auth.",
    28: "Application authorization failed: method is unavailable with service token.",
    29: "Rate limit reached",
    30: "This profile is private",
    100: "One of the parameters specified was missing or invalid",
    104: "Not found",
    113: "Invalid user id",
    203: "Access to group denied",
    210: "Access to wall's post denied",
    211: "Access to wall's comment denied",
    212: "Access to post comments denied",
    213: "Access to status replies denied",
    214: "Access to adding post denied",
    219: "Advertisement post was recently added",
    220: "Too many recipients",
    222: "Hyperlinks are forbidden",
    223: "Too many replies",
    224: "Too many ads posts",
    901: "Can't send messages for users without permission",
    902: "Can't send messages to this user due to their privacy settings",
    914: "Message is too long",
    917: "You don't have access to this chat",
}


class VkError(Exception):
    """Raised by a method handler; rendered by the API route as VK's error envelope."""

    def __init__(self, code: int, detail: str | None = None, **extra: Any) -> None:
        base = MESSAGES.get(code, "Unknown error occurred")
        super().__init__(f"{base}: {detail}" if detail else base)
        self.code = code
        self.extra = extra


def param_error(name: str, problem: str = "is invalid") -> VkError:
    return VkError(100, f"{name} {problem}")


def error_body(error: VkError, method: str, params: dict[str, str], captcha_base: str) -> dict[str, Any]:
    request_params = [{"key": "method", "value": method}, {"key": "oauth", "value": "1"}]
    request_params += [{"key": k, "value": v} for k, v in params.items() if k != "access_token"]
    body: dict[str, Any] = {"error_code": error.code, "error_msg": str(error), "request_params": request_params}
    if error.code == 14:
        sid = str(error.extra.get("captcha_sid", "0"))
        body["captcha_sid"] = sid
        body["captcha_img"] = f"{captcha_base}/captcha.php?sid={sid}&s=1"
    return {"error": body}
