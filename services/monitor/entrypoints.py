"""Where messages and requests come in: decode, call a handler (in a worker thread), answer. Nothing else.

- item events (comments, messages, mentions), in batches -> ``handlers.handle_items``
- ``account.token_expired``, ``ingest.gap_recorded`` -> ``handlers.handle_channel_event``
- ``alert.raised`` -> ``handlers.schedule_deliveries``, then the delivery worker is woken
- requests ``chorus.rpc.monitor.test_destination`` -> one clearly marked test message through a destination,
  and ``chorus.rpc.monitor.preview_brand_rule`` -> which texts a brand rule matches (``chorus.events.rpc``)
- HTTP ``GET /stats/mentions?workspace=...&month=YYYY-MM[&account=...][&network=...]`` -> ``views.monthly_stats``
"""
from __future__ import annotations

import asyncio
import contextlib
import functools
import logging
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from datetime import datetime, timedelta

from nats.js import JetStreamContext
from sqlalchemy import Engine
from starlette.requests import Request
from starlette.responses import JSONResponse
from starlette.routing import BaseRoute, Route

from chorus.backbone.rpc import RpcServer
from chorus.events import AlertKind, AlertRaised, Event, new_id, utcnow
from chorus.events.rpc import (
    PREVIEW_BRAND_RULE,
    TEST_DESTINATION,
    BrandRulePreviewReply,
    BrandRulePreviewRequest,
    TestDestinationReply,
    TestDestinationRequest,
)
from chorus.monitor import handlers, views
from chorus.monitor.adapters.alert_book import AlertBook
from chorus.monitor.adapters.classifier import Classifier
from chorus.monitor.adapters.deliveries import DeliveryQueue
from chorus.monitor.adapters.senders import Outcome, Sender
from chorus.monitor.brand import RuleError, Text, compile_rule
from chorus.monitor.delivery import DeliveryWorker
from chorus.monitor.workspace_rules import RulesCache, wait_until_current

log = logging.getLogger(__name__)

@dataclass
class Monitor:
    """Everything the entrypoints hand to handlers (built by ``bootstrap``)."""

    js: JetStreamContext
    engine: Engine
    classifier: Classifier
    rules: RulesCache
    book: AlertBook
    queue: DeliveryQueue
    worker: DeliveryWorker
    senders: dict
    clock: Callable[[], datetime]
    max_age: timedelta
    language: str
    send_timeout_s: float
    _current: asyncio.Future | None = None

    async def rules_current(self) -> None:
        """Wait once, at start, until every settings snapshot already in the log is stored."""
        failed = self._current is not None and self._current.done() and (
            self._current.cancelled() or self._current.exception() is not None)
        if self._current is None or failed:
            self._current = asyncio.ensure_future(wait_until_current(self.js, self.engine))
        await asyncio.shield(self._current)


async def on_items(monitor: Monitor, events: list[Event]) -> Sequence[Event]:
    await monitor.rules_current()
    return await asyncio.to_thread(handlers.handle_items, events, classifier=monitor.classifier, rules=monitor.rules,
                                   book=monitor.book, now=monitor.clock(), max_age=monitor.max_age,
                                   language=monitor.language)


async def on_channel_event(monitor: Monitor, event: Event) -> Sequence[Event]:
    await monitor.rules_current()
    return await asyncio.to_thread(handlers.handle_channel_event, event, rules=monitor.rules, book=monitor.book,
                                   now=monitor.clock(), max_age=monitor.max_age, language=monitor.language)


async def on_alert(monitor: Monitor, event: Event) -> Sequence[Event]:
    await monitor.rules_current()
    assert isinstance(event, AlertRaised)
    produced = await asyncio.to_thread(handlers.schedule_deliveries, event, rules=monitor.rules,
                                       queue=monitor.queue, now=monitor.clock(), max_age=monitor.max_age)
    monitor.worker.wake()
    return produced


# --- the "send a test" button ---------------------------------------------------------------------

def test_alert(workspace_id: str, destination_id: str, language: str) -> AlertRaised:
    title = "Проверка оповещений Chorus" if language == "ru" else "Chorus alert check"
    summary = ("Если вы видите это сообщение, канал оповещений настроен верно."
               if language == "ru" else "If you can read this, the alert destination works.")
    return AlertRaised(workspace_id=workspace_id, alert_id=f"test-{new_id()}", rule_id="test",
                       kind=AlertKind.CHANNEL_HEALTH, severity="info", title=title, summary=summary,
                       details={"test": True, "destination_id": destination_id})


async def test_destination(monitor: Monitor, request: TestDestinationRequest) -> TestDestinationReply:
    """Send one clearly marked test message through a destination and say how it went."""
    workspace_id, destination_id = request.workspace_id, request.destination_id
    log.info("test of destination %s of workspace %s requested by %s", destination_id, workspace_id,
             request.requested_by[:64] or "?")
    destination = await _find_destination(monitor, workspace_id, destination_id)
    if destination is None:
        return TestDestinationReply(ok=False, detail=f"destination {destination_id!r} is not in the workspace's "
                                                      "settings")
    sender: Sender | None = monitor.senders.get(destination.kind)
    if sender is None:
        return TestDestinationReply(ok=False, detail=f"this monitor cannot send to {destination.kind.value} "
                                                      "destinations")
    alert = test_alert(workspace_id, destination_id, monitor.language)
    try:
        outcome = await asyncio.wait_for(
            sender.send(alert, destination, delivery_id=f"{alert.alert_id}:{destination_id}", test=True),
            monitor.send_timeout_s + 1)
    except TimeoutError:
        outcome = Outcome.retry(f"no answer within {monitor.send_timeout_s + 1:.0f} s")
    except Exception as exc:  # noqa: BLE001 - reported to the admin, never raised
        outcome = Outcome.retry(f"unexpected {type(exc).__name__} in the {destination.kind.value} sender")
    return TestDestinationReply(ok=outcome.delivered, detail=outcome.detail)


async def preview_brand_rule(request: BrandRulePreviewRequest) -> BrandRulePreviewReply:
    """Which texts a rule would match, with the monitor's own matcher (word forms, expressions)."""
    try:
        compiled = compile_rule(request.rule)
    except RuleError as exc:
        return BrandRulePreviewReply(ok=False, detail=str(exc))

    def run() -> list[int]:
        return [i for i, text in enumerate(request.texts) if compiled.matches(Text(text))]

    return BrandRulePreviewReply(ok=True, matched=await asyncio.to_thread(run))


def rpc_server(urls: list[str], monitor: Monitor) -> RpcServer:
    """The monitor's request/reply endpoints (see ``chorus.events.rpc``)."""
    server = RpcServer(urls, "monitor")
    server.handle(TEST_DESTINATION, functools.partial(test_destination, monitor))
    server.handle(PREVIEW_BRAND_RULE, preview_brand_rule)
    return server


async def _find_destination(monitor: Monitor, workspace_id: str, destination_id: str):
    rules = await asyncio.to_thread(monitor.rules.get, workspace_id)
    found = rules.destination(destination_id)
    if found is None:  # saved a moment ago? wait for the snapshot to be stored, then look again
        with contextlib.suppress(TimeoutError):
            await asyncio.wait_for(wait_until_current(monitor.js, monitor.engine), 3.0)
        monitor.rules.forget(workspace_id)
        found = (await asyncio.to_thread(monitor.rules.get, workspace_id)).destination(destination_id)
    return found


# --- HTTP -------------------------------------------------------------------------------------------

def routes(read_engine: Engine) -> list[BaseRoute]:
    async def mention_stats(request: Request) -> JSONResponse:
        workspace = request.query_params.get("workspace", "").strip()
        month = request.query_params.get("month", "").strip() or f"{utcnow():%Y-%m}"
        if not workspace:
            return JSONResponse({"error": "the workspace parameter is required"}, status_code=400)
        try:
            body = await asyncio.to_thread(views.monthly_stats, read_engine, workspace, month,
                                           account_id=request.query_params.get("account") or None,
                                           network=request.query_params.get("network") or None)
        except ValueError as exc:
            return JSONResponse({"error": str(exc)}, status_code=400)
        return JSONResponse(body)

    return [Route("/stats/mentions", mention_stats)]
