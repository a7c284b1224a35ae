"""A manager's day in the inbox, in a real browser against the real service process."""
from __future__ import annotations

import asyncio

import httpx
import pytest
from e2e.conftest import login
from playwright.async_api import expect

from chorus.events import Author, CommentReceived, FailureKind, ReplyFailed, ReplySent, utcnow

pytestmark = pytest.mark.e2e


def comment(n: int, text: str, *, workspace: str = "acme", account: str = "vk-acme", post: str = "wall-1",
            author: str = "Мария Петрова") -> CommentReceived:
    return CommentReceived(workspace_id=workspace, account_id=account, network="vk", comment_id=f"{post}-{n}",
                           post_id=post, author=Author(id=f"id{n}", name=author, handle=f"user{n}"), text=text,
                           created_at=utcnow(), post_text="Открыли новый магазин на Невском!",
                           url=f"https://vk.com/wall-1_1?reply={n}")


async def replies_requested(store_js, count: int, timeout: float = 10.0) -> list:
    """The ReplyRequested events in the log (the publisher's input), once ``count`` are there."""
    from chorus.backbone.consumer import subscriptions_for
    from chorus.events import ReplyRequested, decode

    sub_info = subscriptions_for(ReplyRequested)[0]
    sub = await store_js.subscribe(ReplyRequested.subject(), stream=sub_info.stream.name, ordered_consumer=True)
    found = []
    try:
        async with asyncio.timeout(timeout):
            while len(found) < count:
                msg = await sub.next_msg(timeout=timeout)
                found.append(decode(msg.data, msg.subject))
        await asyncio.sleep(0.5)  # a double click would have appended a second one by now
        while True:
            try:
                msg = await sub.next_msg(timeout=0.2)
            except Exception:  # noqa: BLE001 - nothing more
                break
            found.append(decode(msg.data, msg.subject))
    finally:
        await sub.unsubscribe()
    return found


async def test_comment_appears_live_and_reply_becomes_sent(inbox, browser, store, js):
    inbox.user("anna@acme.test", "Анна Смирнова", {"acme": "manager"})
    page = await login(browser, inbox, "anna@acme.test")
    await expect(page.locator(".empty")).to_be_visible()

    await store.append(comment(1, "Когда откроется запись на мастер-класс?"))
    row = page.locator("li.conv-row", has_text="Когда откроется запись")
    await expect(row).to_be_visible(timeout=10000)  # live, no reload
    await row.locator("a").click()
    await expect(page.locator(".msg-in .msg-text")).to_have_text("Когда откроется запись на мастер-класс?")

    await page.fill("#reply-text", "Запись откроется в понедельник!")
    await page.locator("#reply-send").dblclick()  # a double click sends once
    await expect(page.locator(".reply-state.state-sending")).to_be_visible(timeout=10000)
    requested = await replies_requested(js, 1)
    assert len(requested) == 1
    request = requested[0]
    assert request.text == "Запись откроется в понедельник!"
    assert request.target.comment_id == "wall-1-1" and request.target.post_id == "wall-1"

    # the publisher's part: the reply went out
    await store.append(ReplySent(workspace_id="acme", reply_id=request.reply_id,
                                 conversation_id=request.conversation_id, account_id="vk-acme", network="vk",
                                 remote_id="wall-1-99", url="https://vk.com/wall-1_1?reply=99", sent_at=utcnow()))
    sent = page.locator(".reply-state.state-sent")
    await expect(sent).to_be_visible(timeout=10000)
    await expect(sent.locator("a")).to_have_attribute("href", "https://vk.com/wall-1_1?reply=99")

    # assign, tag, close
    await page.click('button:has-text("Assign to me")')
    await expect(page.locator(".activity", has_text="assigned this to Анна Смирнова")).to_be_visible(timeout=10000)
    await page.fill("#tag-input", "Запись, vip")
    await page.click('.tag-form button')
    await expect(page.locator("#conv-tags .tag", has_text="vip")).to_be_visible(timeout=10000)
    await expect(page.locator("#conv-tags .tag", has_text="запись")).to_be_visible()
    await page.keyboard.press("c")
    await expect(page.locator("#conv-status")).to_have_text("Closed", timeout=10000)
    await expect(page.locator("#resolution")).not_to_have_text("—")
    await expect(page.locator("#first-response")).not_to_have_text("—")

    # the closed conversation leaves "Open" and shows under "Closed"
    await page.goto(f"{inbox.url}/inbox?status=closed")
    await expect(page.locator("li.conv-row")).to_have_count(1)
    await page.context.close()


async def test_failed_reply_shows_the_reason_and_can_be_retried(inbox, browser, store, js):
    inbox.user("anna@acme.test", "Анна Смирнова", {"acme": "manager"})
    await store.append(comment(1, "Не работает доставка"))
    page = await login(browser, inbox, "anna@acme.test")
    await page.locator("li.conv-row a").click()
    await page.fill("#reply-text", "Проверим и вернёмся")
    await page.click("#reply-send")
    first = (await replies_requested(js, 1))[0]
    await store.append(ReplyFailed(workspace_id="acme", reply_id=first.reply_id, conversation_id=first.conversation_id,
                                   account_id="vk-acme", network="vk", failure=FailureKind.NOT_FOUND,
                                   reason="the comment was deleted"))
    failed = page.locator(".reply-state.state-failed")
    await expect(failed).to_contain_text("the comment was deleted", timeout=10000)
    await failed.locator('button:has-text("Retry")').click()
    await expect(page.locator(".reply-state.state-sending")).to_be_visible(timeout=10000)
    await expect(failed).to_contain_text("sent again")
    both = await replies_requested(js, 2)
    retry = both[1]
    assert retry.reply_id != first.reply_id and retry.text == first.text
    await page.context.close()


async def test_over_long_reply_is_refused_naming_the_limit(inbox, browser, store, js):
    inbox.user("anna@acme.test", "Анна Смирнова", {"acme": "manager"})
    await store.append(comment(1, "Вопрос"))
    page = await login(browser, inbox, "anna@acme.test")
    await page.locator("li.conv-row a").click()
    await page.fill("#reply-text", "я" * 16385)
    await expect(page.locator("#reply-counter")).to_have_class("counter over")
    await expect(page.locator("#reply-send")).to_be_disabled()
    # a client without the script is refused by the server, naming the network's limit
    cookies = {c["name"]: c["value"] for c in await page.context.cookies()}
    csrf = await page.locator('meta[name="csrf-token"]').get_attribute("content")
    reply_id = await page.locator('#reply-form [name="reply_id"]').input_value()
    async with httpx.AsyncClient(base_url=inbox.url, cookies=cookies) as client:
        response = await client.post(page.url.replace(inbox.url, "") + "/reply",
                                     data={"csrf": csrf, "reply_id": reply_id, "text": "я" * 16385})
    assert response.status_code == 400
    assert "16385" in response.text and "16384" in response.text and "vk" in response.text
    await page.context.close()


async def test_alert_banner_appears_live_and_keys_drive_the_list(inbox, browser, store):
    from chorus.events import AlertRaised

    inbox.user("anna@acme.test", "Анна Смирнова", {"acme": "manager"})
    await store.append_many([comment(1, "Первый", post="p-1"), comment(2, "Второй", post="p-2")])
    page = await login(browser, inbox, "anna@acme.test")
    await expect(page.locator("li.conv-row")).to_have_count(2)
    await store.append(AlertRaised(workspace_id="acme", alert_id="al-1", rule_id="r", kind="spike",
                                   severity="critical", title="Всплеск негатива", summary="9 за час"))
    banner = page.locator("#alert-banner")
    await expect(banner).to_be_visible(timeout=10000)
    await expect(banner).to_contain_text("Всплеск негатива — 9 за час")
    await page.keyboard.press("j")
    await page.keyboard.press("j")
    await page.keyboard.press("k")
    await expect(page.locator("li.conv-row.selected")).to_contain_text("Второй")  # newest first
    await page.keyboard.press("Enter")
    await expect(page.locator(".msg-in .msg-text")).to_have_text("Второй")
    await page.keyboard.press("j")  # the next (older) open conversation
    await expect(page.locator(".msg-in .msg-text")).to_have_text("Первый")
    await page.keyboard.press("r")
    await expect(page.locator("#reply-text")).to_be_focused()
    await page.keyboard.press("Escape")
    await page.keyboard.press("?")
    await expect(page.locator("#help")).to_be_visible()
    await page.context.close()


async def test_canned_reply_note_and_sentiment_correction(inbox, browser, store, js):
    inbox.user("boss@acme.test", "Борис Админов", {"acme": "admin"})
    await store.append(comment(1, "Сколько стоит доставка?", author="Ирина"))
    page = await login(browser, inbox, "boss@acme.test")
    await page.goto(f"{inbox.url}/settings/acme/canned")
    await page.fill('input[name="title"]', "Приветствие")
    await page.fill('textarea[name="text"]', "Здравствуйте, {author_name}! На связи {manager_name} из {account_name}.")
    await page.click('form[action$="/do/canned"] button')
    await expect(page.locator(".ok")).to_be_visible()

    await page.goto(f"{inbox.url}/inbox")
    await page.locator("li.conv-row a").click()
    await page.select_option("#canned", label="Приветствие")
    await expect(page.locator("#reply-text")).to_have_value("Здравствуйте, Ирина! На связи Борис Админов из vk-acme.")

    await page.fill("#note-text", "Клиент из VIP-списка")
    await page.click(".note-form button")
    await expect(page.locator(".msg.note")).to_contain_text("Клиент из VIP-списка", timeout=10000)

    await page.locator(".msg-in .sentiment-form select").select_option("negative")
    await expect(page.locator(".msg-in .sent.sent-negative")).to_contain_text("✎", timeout=10000)
    await expect(page.locator("#conv-side .sent.sent-negative")).to_be_visible()
    await page.context.close()
