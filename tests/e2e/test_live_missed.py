"""When the server drops live notices a tab was too slow to read, the tab reloads, unless that would throw
away what the user typed: then it keeps the page and offers the reload."""
from __future__ import annotations

import pytest
from e2e.conftest import login
from playwright.async_api import expect

from chorus.events import AccountConnected

pytestmark = pytest.mark.e2e


async def missed(page) -> None:
    """What the page's event-stream handler does on the server's ``reload`` notice."""
    await page.evaluate("document.dispatchEvent(new CustomEvent('chorus:reload'))")


@pytest.mark.parametrize("locale, reload_label", [("en-US", "Reload the page"), ("ru-RU", "Обновите страницу")])
async def test_a_tab_reloads_on_missed_notices_but_not_over_what_the_user_typed(inbox, browser, store, locale,
                                                                                 reload_label, tmp_path):
    await store.append(AccountConnected(workspace_id="acme", account_id="vk-acme", network="vk", external_id="1",
                                        name="Acme VK", handle="acme", token_kinds=["community"], features=[],
                                        connected_by="seed"))
    inbox.user("anna@acme.test", "Анна", {"acme": "admin"})
    page = await login(browser, inbox, "anna@acme.test", locale=locale)

    # nothing typed: the page reloads to show the truth
    await page.evaluate("window.beforeMissed = true")
    async with page.expect_navigation():
        await missed(page)
    assert await page.evaluate("window.beforeMissed === undefined")
    await expect(page.locator("#live-missed")).to_be_hidden()

    # a half-written post: kept, and the bar offers the reload
    await page.goto(f"{inbox.url}/posts/acme/new")
    await page.locator('.acct-chip:has(input[value="vk-acme"])').click()
    await page.fill("#post-text", "Черновик, который нельзя потерять")
    await expect(page.locator(".pv-card")).to_have_count(1)  # the preview has caught up with the typing
    await page.evaluate("window.beforeMissed = true")
    await missed(page)
    bar = page.locator("#live-missed")
    await expect(bar).to_be_visible()
    await page.screenshot(path=str(tmp_path / "missed.png"))
    assert await page.evaluate("window.beforeMissed === true")
    await expect(page.locator("#post-text")).to_have_value("Черновик, который нельзя потерять")

    # the user chooses to reload
    async with page.expect_navigation():
        await bar.get_by_role("button", name=reload_label).click()
    assert await page.evaluate("window.beforeMissed === undefined")
