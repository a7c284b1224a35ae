"""Screenshots of the inbox, a conversation and the alerts list, in English and Russian, for docs/screenshots/.

The log is seeded as ingest, the monitor and the publisher would fill it; the pages are then loaded in
Chromium and the test checks they show what was seeded before taking each picture.
"""
from __future__ import annotations

from datetime import timedelta

import pytest
from e2e.conftest import SCREENSHOTS, login
from playwright.async_api import expect

from chorus.events import (
    AccountConnected,
    AlertRaised,
    Author,
    CommentReceived,
    ConversationAssigned,
    ConversationTagged,
    DirectMessageReceived,
    IngestGapRecorded,
    MentionFound,
    ReplyRequested,
    ReplySent,
    ReplyTarget,
    SentimentClassified,
    utcnow,
)
from chorus.events.values import ItemRef
from chorus.inbox.domain import conversation_id

NOW = utcnow()

pytestmark = pytest.mark.e2e


def _account(account_id: str, network: str, name: str, handle: str, features: list[str]) -> AccountConnected:
    return AccountConnected(workspace_id="acme", account_id=account_id, network=network, external_id=handle,
                            name=name, handle=handle, token_kinds=["community"], features=features,
                            connected_by="cli")


def _label(account: str, network: str, kind: str, item: str, label: str, score: float) -> SentimentClassified:
    return SentimentClassified(workspace_id="acme", item=ItemRef(kind=kind, network=network, account_id=account,
                                                                 item_id=item),
                               source_event_id=item, label=label, score=score, language="ru", classifier_version="t")


def seed(user_id: str) -> list:
    events: list = [
        _account("vk-coffee", "vk", "Кофейня «Зерно»", "zerno_coffee", ["read_comments", "reply_comments",
                                                                       "send_messages"]),
        _account("tg-coffee", "telegram", "Зерно · Telegram", "zerno_bot", ["read_messages", "send_messages"]),
        _account("x-coffee", "x", "Zerno Coffee", "zernocoffee", ["mentions", "reply"]),
    ]
    comments = [
        ("vk-coffee", "vk", "post-1", "Анна Королёва", "Скажите, а овсяное молоко есть во всех точках?", "neutral", 0.0, 50),
        ("vk-coffee", "vk", "post-1", "Игорь Лебедев", "Вчера ждал заказ 40 минут, никто даже не извинился. Очень разочарован.", "negative", -0.7, 35),
        ("vk-coffee", "vk", "post-2", "Ольга Сидорова", "Лучший раф в городе! Спасибо бариста на Невском ❤️", "positive", 0.8, 28),
    ]
    for n, (acc, net, post, name, text, label, score, minutes) in enumerate(comments):
        events.append(CommentReceived(workspace_id="acme", account_id=acc, network=net, comment_id=f"{post}-{n}",
                                      post_id=post, author=Author(id=f"u{n}", name=name, url=f"https://vk.com/id{n}"),
                                      text=text, created_at=NOW - timedelta(minutes=minutes),
                                      post_text="Открыли новую кофейню на Невском, 28! Первым гостям — раф в подарок.",
                                      url=f"https://vk.com/wall-1_{post}?reply={n}"))
        events.append(_label(acc, net, "comment", f"{post}-{n}", label, score))
    events += [
        DirectMessageReceived(workspace_id="acme", account_id="tg-coffee", network="telegram", message_id="m1",
                              dialogue_id="chat-77", author=Author(id="77", name="Дмитрий Орлов", handle="dorlov"),
                              text="Здравствуйте! Можно забронировать зал на субботу на 12 человек?",
                              created_at=NOW - timedelta(minutes=12)),
        _label("tg-coffee", "telegram", "message", "m1", "neutral", 0.1),
        MentionFound(workspace_id="acme", account_id="x-coffee", network="x", mention_id="t-901",
                     author=Author(id="901", name="Kate Miller", handle="katecodes", followers=5400),
                     text="Tried @zernocoffee on Nevsky today: the flat white is excellent, the queue is not.",
                     created_at=NOW - timedelta(minutes=5), url="https://x.com/katecodes/status/901", query="zerno"),
        _label("x-coffee", "x", "mention", "t-901", "neutral", 0.05),
    ]
    late = conversation_id("vk-coffee", "comment", "post-1")
    events += [
        ConversationAssigned(workspace_id="acme", conversation_id=late, assignee_id=user_id, assigned_by=user_id,
                             occurred_at=NOW - timedelta(minutes=33)),
        ConversationTagged(workspace_id="acme", conversation_id=late, added=["доставка", "жалоба"], tagged_by=user_id,
                           occurred_at=NOW - timedelta(minutes=32)),
        ReplyRequested(workspace_id="acme", reply_id="a" * 32, conversation_id=late, account_id="vk-coffee",
                       network="vk", target=ReplyTarget(kind="comment", post_id="post-1", comment_id="post-1-1"),
                       text="Игорь, простите за ожидание! Напишите нам в личные сообщения номер заказа — разберёмся "
                            "и компенсируем.", requested_by=user_id, occurred_at=NOW - timedelta(minutes=31)),
        ReplySent(workspace_id="acme", reply_id="a" * 32, conversation_id=late, account_id="vk-coffee", network="vk",
                  remote_id="post-1-9", url="https://vk.com/wall-1_post-1?reply=9", sent_at=NOW - timedelta(minutes=30)),
        AlertRaised(workspace_id="acme", alert_id="al-1", rule_id="r1", kind="spike", severity="critical",
                    title="Всплеск негатива: ВКонтакте «Зерно»", summary="9 негативных комментариев за час при норме 2",
                    account_id="vk-coffee", window_from=NOW - timedelta(hours=1), window_to=NOW),
        AlertRaised(workspace_id="acme", alert_id="al-2", rule_id="r2", kind="negative_mention", severity="warning",
                    title="Negative mention by a large account", summary="@katecodes (5.4k followers) on the queue",
                    account_id="x-coffee"),
        IngestGapRecorded(workspace_id="acme", account_id="vk-coffee", network="vk", source="long_poll",
                          gap_from=NOW - timedelta(hours=3), gap_to=NOW - timedelta(hours=3) + timedelta(minutes=15),
                          reason="long poll history expired (failed: 2)"),
    ]
    return events


@pytest.mark.parametrize("locale", ["en-US", "ru-RU"])
async def test_screenshots_of_inbox_conversation_and_alerts(inbox, browser, store, locale):
    user_id = inbox.user("anna@acme.test", "Анна Смирнова", {"acme": "admin"})
    await store.append_many(seed(user_id))
    lang = locale[:2]
    page = await login(browser, inbox, "anna@acme.test", locale=locale)
    await expect(page.locator("li.conv-row")).to_have_count(4, timeout=15000)
    await expect(page.locator("li.conv-row .sent")).to_have_count(4, timeout=15000)  # the monitor's labels, live
    await expect(page.locator("li.conv-row", has_text="Игорь, простите")).to_be_visible(timeout=15000)
    await page.screenshot(path=str(SCREENSHOTS / f"inbox-{lang}.png"))

    await page.locator("li.conv-row", has_text="Игорь").locator("a").click()
    await expect(page.locator(".reply-state.state-sent")).to_be_visible()
    await page.fill("#reply-text", "Игорь, " if lang == "ru" else "Igor, ")
    await page.screenshot(path=str(SCREENSHOTS / f"conversation-{lang}.png"))

    await page.goto(f"{inbox.url}/alerts")
    await expect(page.locator(".alert-item")).to_have_count(2)
    await expect(page.locator(".gap")).to_contain_text("VK Кофейня «Зерно»: " + ("no data from" if lang == "en" else "нет данных с"))
    await page.screenshot(path=str(SCREENSHOTS / f"alerts-{lang}.png"), full_page=True)

    await page.goto(f"{inbox.url}/settings/acme/accounts")
    await expect(page.locator(".account-card")).to_have_count(3)
    await page.screenshot(path=str(SCREENSHOTS / f"settings-accounts-{lang}.png"), full_page=True)
    await page.goto(f"{inbox.url}/report?days=7")
    await expect(page.locator("table.table").first.locator("tbody tr")).to_have_count(1)  # Анна answered one
    await page.screenshot(path=str(SCREENSHOTS / f"report-{lang}.png"), full_page=True)
    await page.context.close()
