"""The monitor as it runs: bootstrap's components on a real nats-server, from mention to delivered alert."""
from __future__ import annotations

import dataclasses
import json
from pathlib import Path

import pytest
from monitor_helpers import MemorySecrets, WebhookReceiver, log_events, receiving, running, until
from unit.monitor.monitor_fakes import FakeClassifier

from chorus import events as ev
from chorus.backbone.db import make_engine
from chorus.backbone.deadletter import list_dead_letters
from chorus.backbone.rpc import call
from chorus.backbone.service import Runtime
from chorus.events.rpc import (
    PREVIEW_BRAND_RULE,
    TEST_DESTINATION,
    BrandRulePreviewRequest,
    TestDestinationReply,
    TestDestinationRequest,
)
from chorus.events.streams import DEAD_LETTER, EVENT_STREAMS
from chorus.monitor import config
from chorus.monitor.adapters.senders import DestinationSecret
from chorus.monitor.bootstrap import bootstrap
from chorus.monitor.config import DeliverySettings
from chorus.monitor.replays import rescore_sentiment
from chorus.monitor.sentiment import VERSION
from chorus.monitor.views import monthly_stats

SECRET = "whsec-service-test-0123456789"


def settings_for(tmp_path: Path, db_url: str, nats_url: str) -> config.Settings:
    loaded = config.load({"CHORUS_DATA_DIR": str(tmp_path), "DATABASE_URL": db_url, "NATS_URL": nats_url,
                          "CHORUS_HTTP_PORT": "0"})
    return dataclasses.replace(loaded, delivery=DeliverySettings(max_attempts=3, retry_base_s=0.05,
                                                                 retry_max_s=0.2, timeout_s=3))


def setup_events(hook_url: str, ws: str = "ws-1") -> list[ev.Event]:
    by = {"workspace_id": ws, "changed_by": "admin"}
    return [
        ev.AlertDestinationsChanged(destinations=[ev.AlertDestination(destination_id="hook", kind="webhook",
                                                                      name="Ops", target=hook_url)], **by),
        ev.AlertRulesChanged(rules=[
            ev.AlertRule(rule_id="big", name="Крупный автор", kind="negative_mention", min_followers=10_000,
                         cooldown_minutes=0, destinations=["hook"]),
            ev.AlertRule(rule_id="health", name="Каналы", kind="channel_health", destinations=["hook"])], **by),
        ev.BrandRulesChanged(rules=[ev.BrandRule(rule_id="b1", name="Сбер", include=["сбербанк"],
                                                 exclude=["вакансия"])], **by),
        ev.SentimentRulesChanged(rules=[ev.SentimentRule(rule_id="s1", term="дорого", label=None)], **by),
    ]


def mention(n: int, text: str, followers: int = 100) -> ev.MentionFound:
    return ev.MentionFound(workspace_id="ws-1", account_id="acc-1", network="vk", mention_id=f"m{n}",
                           author=ev.Author(id=f"u{n}", name=f"Автор {n}", followers=followers), text=text,
                           created_at=ev.utcnow(), query="сбербанк", event_id=f"mention-{n}")


def comment(n: int, text: str, own: bool = False) -> ev.CommentReceived:
    return ev.CommentReceived(workspace_id="ws-1", account_id="acc-1", network="vk", comment_id=f"c{n}",
                              post_id="p1", author=ev.Author(id=f"u{n}", name="Анна"), text=text,
                              created_at=ev.utcnow(), from_account=own, event_id=f"comment-{n}")


@pytest.fixture
async def monitor(tmp_path, db_url, nats_server, nc, js, store):
    """The monitor's wiring over the test's NATS and database, with a webhook receiver as its destination."""
    settings = settings_for(tmp_path, db_url, nats_server.url)
    engine, read_engine = make_engine(db_url), make_engine(db_url, write=False)
    runtime = Runtime(settings.common, nc, js, store, engine, read_engine)
    async with receiving(WebhookReceiver()) as hook:
        secrets = MemorySecrets({"hook": DestinationSecret({"secret": SECRET})})
        wiring = await bootstrap(settings, runtime, secrets=secrets)
        await store.append_many(setup_events(hook.url))
        async with running(*wiring.components):
            await until(lambda: all(c.ready for c in wiring.components), timeout=30)
            yield dataclasses.make_dataclass("M", ["hook", "wiring", "engine"])(hook, wiring, engine)
        await wiring.on_stop()
    engine.dispose()
    read_engine.dispose()


async def test_a_negative_mention_from_a_big_author_reaches_the_webhook_once(monitor, js, store):
    await store.append_many([
        mention(1, "Сбербанк ужасно работает, верните деньги!", followers=50_000),
        mention(2, "Сбербанк: вакансия кассира, ужасно скучно", followers=50_000),  # excluded by the brand rule
        comment(3, "Спасибо за ответ, вы лучшие!"),
        comment(4, "Ужасный сервис", own=True),                                     # the brand's own reply
        comment(5, "Дорого"),                                                       # neutral by workspace rule
    ])
    await until(lambda: len(monitor.hook.accepted) == 1, timeout=30)
    classified = {e.item.item_id: e for e in await log_events(js, ev.SentimentClassified)}
    assert set(classified) == {"m1", "c3", "c5"}
    assert classified["m1"].label == "negative" and classified["m1"].classifier_version == VERSION
    assert classified["c3"].label == "positive"
    assert classified["c5"].label == "neutral" and classified["c5"].rule_id == "s1"
    (raised,) = await log_events(js, ev.AlertRaised)
    assert raised.rule_id == "big" and raised.items[0].item_id == "m1"
    body = json.loads(monitor.hook.accepted[0].body)
    assert body["alert"]["alert_id"] == raised.alert_id
    assert monitor.hook.accepted[0].headers["X-Chorus-Delivery"] == f"{raised.alert_id}:hook"

    async def delivered() -> bool:
        return len(await log_events(js, ev.AlertDelivered)) == 1

    await until(delivered, timeout=30)
    month = f"{ev.utcnow():%Y-%m}"

    def counted() -> bool:
        stats = monthly_stats(monitor.engine, "ws-1", month)
        return stats["kinds"]["mention"]["negative"] == 1 and stats["kinds"]["comment"]["total"] == 2

    await until(counted, timeout=30)


async def test_bad_input_is_classified_and_nothing_is_dead_lettered(monitor, js, store):
    texts = ["", "x" * 100_000, "😡😡😡", "Привет hello мир world", "<b>Отлично</b><script>x</script>",
             "су\u200bпер", "\u202eплохо", "ﷺ ꙮ 𒀀", "\x00"]
    await store.append_many([comment(n, text) for n, text in enumerate(texts)])

    async def all_classified() -> bool:
        return len(await log_events(js, ev.SentimentClassified)) == len(texts)

    await until(all_classified, timeout=30)
    assert await list_dead_letters(js) == []


async def test_an_expired_token_raises_a_channel_health_alert(monitor, js, store):
    await store.append(ev.AccountTokenExpired(workspace_id="ws-1", account_id="acc-1", network="vk",
                                              token_kind="community", reason="User authorization failed",
                                              detected_by="ingest"))
    await until(lambda: len(monitor.hook.accepted) == 1, timeout=30)
    assert json.loads(monitor.hook.accepted[0].body)["alert"]["kind"] == "channel_health"


async def test_the_test_button_sends_a_marked_test_message_and_explains_failures(monitor, nc):
    # A core request on a subject a stream captures would be stored in the log and answered by JetStream.
    subject = TEST_DESTINATION.subject
    assert not any(subject.startswith(s.subject_prefix + ".") for s in (*EVENT_STREAMS, DEAD_LETTER))
    answer = await call(nc, TEST_DESTINATION, TestDestinationRequest(
        workspace_id="ws-1", destination_id="hook", requested_by="admin"), 10)
    assert answer == TestDestinationReply(ok=True, detail="HTTP 200")
    (received,) = monitor.hook.accepted
    body = json.loads(received.body)
    assert body["test"] is True and body["alert"]["details"]["test"] is True
    unknown = await call(nc, TEST_DESTINATION, TestDestinationRequest(workspace_id="ws-1", destination_id="nope"), 10)
    assert unknown.ok is False and "nope" in unknown.detail
    for bad in (b"not json", b"[]", b'{"workspace_id": 1, "destination_id": "hook"}'):
        reply = json.loads((await nc.request(subject, bad, timeout=10)).data)
        assert reply["ok"] is False and "unreadable request" in reply["detail"]


async def test_a_brand_rule_preview_uses_the_monitors_matcher(monitor, nc):
    rule = ev.BrandRule(rule_id="r", name="Сбер", include=["x"], expression='("сбербанк" OR sber) AND NOT вакансия')
    reply = await call(nc, PREVIEW_BRAND_RULE, BrandRulePreviewRequest(
        workspace_id="ws-1", rule=rule, texts=["Опять в Сбербанке очередь", "Вакансия в Сбербанке", "sber app"]), 10)
    assert reply.ok and reply.matched == [0, 2]
    broken = rule.model_copy(update={"expression": '("сбербанк" OR'})
    reply = await call(nc, PREVIEW_BRAND_RULE, BrandRulePreviewRequest(workspace_id="ws-1", rule=broken, texts=[]), 10)
    assert not reply.ok and "Сбер" in reply.detail


async def test_replaying_sentiment_rescored_with_a_new_version_replaces_labels_in_statistics(monitor, js, store):
    await store.append_many([comment(1, "Всё плохо"), comment(2, "Всё плохо"), mention(3, "Сбербанк нормальный")])

    async def classified(n: int) -> bool:
        return len(await log_events(js, ev.SentimentClassified)) == n

    await until(lambda: classified(3), timeout=30)
    month = f"{ev.utcnow():%Y-%m}"
    await until(lambda: monthly_stats(monitor.engine, "ws-1", month)["kinds"]["comment"]["negative"] == 2)
    rescorer = FakeClassifier("fake-2")
    rescorer.NEGATIVE = ()  # the "new version" reads "плохо" as neutral
    count = await rescore_sentiment(settings=None, js=js, store=store, engine=monitor.engine, classifier=rescorer)
    assert count == 3
    assert await rescore_sentiment(settings=None, js=js, store=store, engine=monitor.engine,
                                   classifier=rescorer) == 0  # already done for this version
    versions = sorted({e.classifier_version for e in await log_events(js, ev.SentimentClassified)})
    assert versions == sorted({VERSION, "fake-2"})
    await until(lambda: monthly_stats(monitor.engine, "ws-1", month)["kinds"]["comment"]["neutral"] == 2)
    assert len(monitor.hook.accepted) == 0  # re-scoring raises no alert
