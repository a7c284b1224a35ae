"""Webhook destinations: the alert as JSON, POSTed and signed.

    POST <target>
    Content-Type: application/json
    X-Chorus-Delivery: <alert_id>:<destination_id>      (the same on every attempt: dedupe on it)
    X-Chorus-Timestamp: <unix seconds of this attempt>
    X-Chorus-Signature: sha256=<hex HMAC-SHA256(secret, "<timestamp>." + raw body)>

    {"delivery_id": "...", "test": false, "alert": {<the alert.raised event>}}

The signing key is the destination's ``secret`` in the credentials store; without one the request is
sent unsigned (and has no signature header). The timestamp is inside the signed bytes, so a captured
request cannot be replayed later with a fresh timestamp. Redirects are not followed: a webhook that moved
must be updated, not silently chased. 2xx is delivered; 408, 425, 429 and 5xx are retried (honouring
``Retry-After``); any other status is a permanent failure.
"""
from __future__ import annotations

import hashlib
import hmac
import time

import httpx
import orjson

from chorus.events import AlertDestination, AlertRaised, DestinationKind, to_dict
from chorus.monitor.adapters.senders import Outcome, Secrets, SecretUnavailable, Sender, redact

SIGNATURE_HEADER = "X-Chorus-Signature"
TIMESTAMP_HEADER = "X-Chorus-Timestamp"
DELIVERY_HEADER = "X-Chorus-Delivery"
_RETRYABLE = {408, 425, 429}


def signature(secret: str, timestamp: str, body: bytes) -> str:
    digest = hmac.new(secret.encode(), timestamp.encode() + b"." + body, hashlib.sha256).hexdigest()
    return f"sha256={digest}"


def body_of(alert: AlertRaised, delivery_id: str, test: bool) -> bytes:
    return orjson.dumps({"delivery_id": delivery_id, "test": test, "alert": to_dict(alert)})


class WebhookSender(Sender):
    kind = DestinationKind.WEBHOOK

    def __init__(self, secrets: Secrets, *, timeout_s: float = 10.0, client: httpx.AsyncClient | None = None) -> None:
        self.secrets = secrets
        self.client = client or httpx.AsyncClient(timeout=timeout_s, follow_redirects=False,
                                                  headers={"User-Agent": "Chorus-Monitor/1"})

    async def send(self, alert: AlertRaised, destination: AlertDestination, *, delivery_id: str,
                   test: bool = False) -> Outcome:
        if not destination.target.startswith(("http://", "https://")):
            return Outcome.failed("the webhook address must start with http:// or https://")
        try:
            secret = await self.secrets.get(destination.destination_id)
        except SecretUnavailable as exc:
            return Outcome.retry(str(exc))
        key = (secret.tokens.get("secret") if secret else None) or None
        body = body_of(alert, delivery_id, test)
        timestamp = str(int(time.time()))
        headers = {"Content-Type": "application/json", DELIVERY_HEADER: delivery_id, TIMESTAMP_HEADER: timestamp}
        if key:
            headers[SIGNATURE_HEADER] = signature(key, timestamp, body)
        hidden = ([key] if key else []) + [destination.target]
        try:
            response = await self.client.post(destination.target, content=body, headers=headers)
        except (httpx.InvalidURL, httpx.UnsupportedProtocol):
            return Outcome.failed("the webhook address is not a valid http(s) URL")
        except httpx.TimeoutException:
            return Outcome.retry("the webhook did not answer in time")
        except httpx.HTTPError as exc:
            return Outcome.retry(redact(f"cannot reach the webhook: {type(exc).__name__}: {exc}", hidden))
        status = response.status_code
        if 200 <= status < 300:
            return Outcome.ok(f"HTTP {status}")
        reason = redact(f"HTTP {status} {response.reason_phrase}: {response.text[:200]}", hidden)
        if status in _RETRYABLE or status >= 500:
            return Outcome.retry(reason, _retry_after(response.headers.get("Retry-After")))
        if 300 <= status < 400:
            return Outcome.failed(f"HTTP {status}: the webhook redirects; set its final address")
        return Outcome.failed(reason)

    async def close(self) -> None:
        await self.client.aclose()


def _retry_after(value: str | None) -> float | None:
    try:
        return max(0.0, float(value)) if value else None
    except ValueError:
        return None  # an HTTP date: fall back to our own backoff
