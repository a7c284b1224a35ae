"""Delivering alerts to real endpoints: a webhook, an SMTP server, the Telegram emulator.

The delivery table runs on SQLite and PostgreSQL; outcome events go to a real nats-server.
"""
from __future__ import annotations

import asyncio
import hashlib
import hmac
import json
import logging
import time
from datetime import timedelta

import httpx
import pytest
from aiosmtpd.controller import Controller
from monitor_helpers import MemorySecrets, WebhookReceiver, alert, free_port, log_events, receiving, running, until

from chorus import events as ev
from chorus.backbone.db import make_engine
from chorus.emulators.control import serving
from chorus.emulators.server import build_app, load
from chorus.monitor.adapters.deliveries import DELIVERED, FAILED, IN_FLIGHT, DeliveryQueue
from chorus.monitor.adapters.email import EmailSender
from chorus.monitor.adapters.senders import DestinationSecret
from chorus.monitor.adapters.telegram import TelegramSender
from chorus.monitor.adapters.webhook import WebhookSender
from chorus.monitor.config import DeliverySettings, SmtpDefaults
from chorus.monitor.delivery import DeliveryWorker
from chorus.monitor.handlers import schedule_deliveries
from chorus.monitor.workspace_rules import StaticRules, WorkspaceRules

FAST = DeliverySettings(max_attempts=5, retry_base_s=0.05, retry_max_s=0.2, timeout_s=2.0)
SECRET = "whsec-test-key-0123456789"


def destination(dest_id: str, kind: str, target: str, **kw) -> ev.AlertDestination:
    return ev.AlertDestination(destination_id=dest_id, kind=kind, name=dest_id, target=target, **kw)


def workspace(*destinations: ev.AlertDestination) -> StaticRules:
    rule = ev.AlertRule(rule_id="r1", name="Негатив", kind="negative_mention",
                        destinations=[d.destination_id for d in destinations])
    return StaticRules({"ws-1": WorkspaceRules(alerts=[rule], destinations=list(destinations))})


class Delivery:
    """A delivery worker over a real database with the given destinations and senders."""

    def __init__(self, db_url: str, store, rules: StaticRules, senders, settings: DeliverySettings = FAST) -> None:
        self.engine = make_engine(db_url)
        self.queue = DeliveryQueue(self.engine)
        self.queue.create_tables()
        self.rules = rules
        self.worker = DeliveryWorker(self.queue, senders, rules, store, settings)

    def schedule(self, raised: ev.AlertRaised) -> None:
        schedule_deliveries(raised, rules=self.rules, queue=self.queue, now=ev.utcnow(), max_age=timedelta(days=1))
        self.worker.wake()

    def state(self, alert_id: str, dest: str) -> dict:
        return self.queue.state(alert_id, dest) or {}

    async def close(self) -> None:
        await self.worker.close()
        self.engine.dispose()


def webhook_senders(secrets=None):
    secrets = secrets or MemorySecrets({"hook": DestinationSecret({"secret": SECRET})})
    return {ev.DestinationKind.WEBHOOK: WebhookSender(secrets, timeout_s=FAST.timeout_s)}


async def test_a_webhook_that_fails_twice_then_succeeds_gets_the_alert_exactly_once(db_url, js, store):
    async with receiving(WebhookReceiver(script=[500, 503])) as hook:
        d = Delivery(db_url, store, workspace(destination("hook", "webhook", hook.url)), webhook_senders())
        raised = alert(1)
        async with running(d.worker):
            d.schedule(raised)
            await until(lambda: d.state("alert-1", "hook").get("state") == DELIVERED)
            d.schedule(raised)  # the same alert.raised read again: scheduled once, delivered once
            await asyncio.sleep(0.5)
        await d.close()
    assert [r.status for r in hook.requests] == [500, 503, 200] and len(hook.accepted) == 1
    ids = {r.headers["X-Chorus-Delivery"] for r in hook.requests}
    assert ids == {"alert-1:hook"}
    accepted = hook.accepted[0]
    body = json.loads(accepted.body)
    assert body["alert"]["alert_id"] == "alert-1" and body["test"] is False
    signed = accepted.headers["X-Chorus-Timestamp"].encode() + b"." + accepted.body
    expected = "sha256=" + hmac.new(SECRET.encode(), signed, hashlib.sha256).hexdigest()
    assert hmac.compare_digest(accepted.headers["X-Chorus-Signature"], expected)
    (delivered,) = await log_events(js, ev.AlertDelivered)
    assert delivered.alert_id == "alert-1" and delivered.attempts == 3 and delivered.causation_id == "raised-1"


async def test_a_destination_that_is_down_does_not_delay_another(db_url, js, store):
    async with receiving(WebhookReceiver(hang=True)) as stuck, receiving(WebhookReceiver()) as healthy:
        closed = f"http://127.0.0.1:{free_port()}/hook"
        rules = workspace(destination("stuck", "webhook", stuck.url), destination("gone", "webhook", closed),
                          destination("hook", "webhook", healthy.url))
        d = Delivery(db_url, store, rules, webhook_senders(MemorySecrets()),
                     DeliverySettings(max_attempts=3, retry_base_s=5, retry_max_s=5, timeout_s=120.0))
        async with running(d.worker):
            for n in range(3):
                d.schedule(alert(n))
            # The stuck destination holds its first request for two minutes: had the healthy one to wait
            # behind it, it could not have all three alerts while that request is still open.
            await until(lambda: len(healthy.accepted) == 3, timeout=60)
            assert len(stuck.requests) == 1  # still hanging on the first alert
            assert d.state("alert-0", "stuck")["state"] == IN_FLIGHT
        await d.close()


async def test_an_attempt_interrupted_by_a_crash_is_made_once_more_with_the_same_delivery_id(db_url, js, store):
    async with receiving(WebhookReceiver()) as hook:
        d = Delivery(db_url, store, workspace(destination("hook", "webhook", hook.url)), webhook_senders())
        d.schedule(alert(7))
        claimed = d.queue.claim("hook", ev.utcnow())  # the process died right after this, mid-send
        assert claimed is not None and d.state("alert-7", "hook")["state"] == IN_FLIGHT
        async with running(d.worker):
            await until(lambda: d.state("alert-7", "hook").get("state") == DELIVERED)
            await asyncio.sleep(0.3)
        attempts = d.state("alert-7", "hook")["attempts"]
        await d.close()
    assert [r.headers["X-Chorus-Delivery"] for r in hook.requests] == ["alert-7:hook"]
    assert attempts == 2


async def test_a_refused_webhook_is_given_up_at_once_and_a_failing_one_after_its_attempts(db_url, js, store, caplog):
    caplog.set_level(logging.DEBUG)
    async with receiving(WebhookReceiver(script=[404])) as refused, \
            receiving(WebhookReceiver(script=[500] * 10)) as failing:
        rules = workspace(destination("refused", "webhook", refused.url), destination("failing", "webhook", failing.url),
                          destination("off", "webhook", failing.url, enabled=False))
        rules.rules["ws-1"].alerts[0] = rules.rules["ws-1"].alerts[0].model_copy(
            update={"destinations": ["refused", "failing", "off", "removed"]})
        secrets = MemorySecrets({k: DestinationSecret({"secret": SECRET}) for k in ("refused", "failing")})
        d = Delivery(db_url, store, rules, webhook_senders(secrets),
                     DeliverySettings(max_attempts=3, retry_base_s=0.02, retry_max_s=0.05, timeout_s=2))
        async with running(d.worker):
            d.schedule(alert(1))
            await until(lambda: all(d.state("alert-1", x).get("state") == FAILED
                                    for x in ("refused", "failing", "removed")))
            await asyncio.sleep(0.3)
        d_off = d.state("alert-1", "off") or None
        await d.close()
    assert len(refused.requests) == 1 and len(failing.requests) == 3
    failures = {f.destination_id: f for f in await log_events(js, ev.AlertDeliveryFailed)}
    assert set(failures) == {"refused", "failing", "removed"}
    assert d_off is None  # a disabled destination is not scheduled at all
    assert failures["refused"].permanent and "HTTP 404" in failures["refused"].reason
    assert not failures["failing"].permanent and failures["failing"].attempts == 3
    assert failures["removed"].destination_kind is None and failures["removed"].attempts == 1
    assert "HTTP 500" in caplog.text and SECRET not in caplog.text and SECRET not in str(failures)


class Inbox:
    def __init__(self) -> None:
        self.messages: list = []

    async def handle_DATA(self, server, session, envelope):
        self.messages.append(envelope)
        return "250 OK"


async def test_the_smtp_server_receives_exactly_one_email(db_url, js, store):
    inbox = Inbox()
    controller = Controller(inbox, hostname="127.0.0.1", port=free_port())
    controller.start()
    try:
        smtp = SmtpDefaults(host="127.0.0.1", port=controller.port, sender="alerts@chorus.test", security="none")
        senders = {ev.DestinationKind.EMAIL: EmailSender(MemorySecrets(), smtp, language="ru", timeout_s=5)}
        d = Delivery(db_url, store, workspace(destination("mail", "email", "Ops <ops@brand.test>, pr@brand.test")),
                     senders)
        async with running(d.worker):
            d.schedule(alert(3))
            await until(lambda: d.state("alert-3", "mail").get("state") == DELIVERED)
            d.schedule(alert(3))
            await asyncio.sleep(0.3)
        await d.close()
    finally:
        controller.stop()
    (mail,) = inbox.messages
    assert mail.mail_from == "alerts@chorus.test" and mail.rcpt_tos == ["ops@brand.test", "pr@brand.test"]
    text = mail.content.decode()
    assert "Message-ID: <alert-3.mail@chorus>" in text and "X-Chorus-Delivery: alert-3:mail" in text
    assert "Subject: =?utf-8?" in text or "Subject: [Chorus]" in text


async def test_email_without_an_smtp_server_waits_for_one_instead_of_failing(db_url, js, store):
    senders = {ev.DestinationKind.EMAIL: EmailSender(MemorySecrets(), SmtpDefaults(), timeout_s=1)}
    d = Delivery(db_url, store, workspace(destination("mail", "email", "ops@brand.test")), senders,
                 DeliverySettings(max_attempts=5, retry_base_s=30, retry_max_s=30, timeout_s=1))
    async with running(d.worker):
        d.schedule(alert(4))
        await until(lambda: d.state("alert-4", "mail").get("attempts") == 1
                    and d.state("alert-4", "mail").get("state") == "pending")
    assert "CHORUS_SMTP_HOST" in d.state("alert-4", "mail")["last_error"]
    await d.close()


@pytest.fixture
def telegram_emulator():
    with serving(build_app(load(("telegram",)))) as url:
        yield url


async def test_a_telegram_chat_gets_the_alert_once_after_honouring_retry_after(telegram_emulator, db_url, js, store):
    base = telegram_emulator
    async with httpx.AsyncClient(base_url=f"{base}/_control/telegram") as control:
        channel = (await control.post("/channels", json={"title": "Alerts", "discussion": False})).json()
        token = channel["bot_token"]
        await control.post("/faults", json={"method": "sendMessage", "error": 429, "retry_after": 1})
        secrets = MemorySecrets({"tg": DestinationSecret({"bot": token})})
        senders = {ev.DestinationKind.TELEGRAM: TelegramSender(secrets, api_base=base, language="ru", timeout_s=5)}
        d = Delivery(db_url, store, workspace(destination("tg", "telegram", str(channel["channel_id"]))), senders)
        async with running(d.worker):
            d.schedule(alert(5))
            await until(lambda: d.state("alert-5", "tg").get("attempts") == 1
                        and d.state("alert-5", "tg").get("state") == "pending")
            first = time.monotonic()
            await until(lambda: d.state("alert-5", "tg").get("state") == DELIVERED, timeout=10)
            waited = time.monotonic() - first
            await asyncio.sleep(0.2)
        attempts = d.state("alert-5", "tg")["attempts"]
        await d.close()
        sent = (await control.get("/sent", params={"chat_id": channel["channel_id"]})).json()["sent"]
    assert waited >= 0.8, "retry_after=1 was not honoured"
    assert len(sent) == 1 and "Негативное упоминание" in sent[0]["text"]
    assert attempts == 2


async def test_a_telegram_chat_the_bot_cannot_reach_is_a_permanent_failure(telegram_emulator, db_url, js, store,
                                                                           caplog):
    caplog.set_level(logging.DEBUG)
    async with httpx.AsyncClient(base_url=f"{telegram_emulator}/_control/telegram") as control:
        token = (await control.post("/channels", json={"title": "Other", "discussion": False})).json()["bot_token"]
    secrets = MemorySecrets({"tg": DestinationSecret({"bot": token})})
    senders = {ev.DestinationKind.TELEGRAM: TelegramSender(secrets, api_base=telegram_emulator, timeout_s=5)}
    d = Delivery(db_url, store, workspace(destination("tg", "telegram", "-1009999999999")), senders)
    async with running(d.worker):
        d.schedule(alert(6))
        await until(lambda: d.state("alert-6", "tg").get("state") == FAILED)
    row = d.state("alert-6", "tg")
    assert row["permanent"] and "chat not found" in row["last_error"] and token not in row["last_error"]
    await d.close()
    assert "chat not found" in caplog.text and token not in caplog.text
    assert token.split(":")[1] not in str(await log_events(js, ev.AlertDeliveryFailed))
