"""Who sees and does what: roles, workspace isolation by page and by API, and hostile comment text."""
from __future__ import annotations

import subprocess
import sys

import httpx
import pytest
from e2e.conftest import login
from e2e.test_inbox_flow import comment
from playwright.async_api import expect

from chorus.inbox.domain import conversation_id

XSS = "<script>alert(1)</script><img src=x onerror=alert(2)>"

pytestmark = pytest.mark.e2e


def api_token(inbox, email: str) -> str:
    env = {"CHORUS_DATA_DIR": str(inbox.data_dir), "PATH": "/usr/bin:/bin"}
    out = subprocess.run([sys.executable, "-m", "chorus.cli", "token", "create", "--user", email], env=env,
                         capture_output=True, text=True, check=True)
    return next(line.strip() for line in out.stdout.splitlines() if line.strip().startswith("chorus_"))


async def test_viewer_reads_but_cannot_reply(inbox, browser, store):
    inbox.user("viktor@acme.test", "Виктор", {"acme": "viewer"})
    await store.append(comment(1, "Привет!"))
    page = await login(browser, inbox, "viktor@acme.test")
    await page.locator("li.conv-row a").click()
    await expect(page.locator(".msg-in .msg-text")).to_have_text("Привет!")
    await expect(page.locator("#reply-form")).to_have_count(0)
    await expect(page.locator(".notice")).to_contain_text("read-only")
    # posting the form anyway is refused
    cookies = {c["name"]: c["value"] for c in await page.context.cookies()}
    csrf = await page.locator('meta[name="csrf-token"]').get_attribute("content")
    async with httpx.AsyncClient(base_url=inbox.url, cookies=cookies) as client:
        response = await client.post(page.url.replace(inbox.url, "") + "/reply",
                                     data={"csrf": csrf, "reply_id": "a" * 32, "text": "hi"})
    assert response.status_code == 403
    await page.context.close()


async def test_manager_of_one_workspace_gets_404_for_another_by_page_and_api(inbox, browser, store):
    inbox.user("anna@acme.test", "Анна", {"acme": "manager"})
    inbox.user("boris@globex.test", "Борис", {"globex": "manager"})
    await store.append(comment(1, "Секрет Globex", workspace="globex", account="vk-globex", post="g-1"))
    theirs = conversation_id("vk-globex", "comment", "g-1")
    page = await login(browser, inbox, "anna@acme.test")
    await expect(page.locator("li.conv-row")).to_have_count(0)
    response = await page.goto(f"{inbox.url}/c/{theirs}")
    assert response.status == 404
    await expect(page.locator("body")).not_to_contain_text("Секрет Globex")
    token = api_token(inbox, "anna@acme.test")
    headers = {"Authorization": f"Bearer {token}"}
    async with httpx.AsyncClient(base_url=inbox.url, headers=headers) as client:
        assert (await client.get(f"/api/v1/conversations/{theirs}")).status_code == 404
        assert (await client.get(f"/api/v1/conversations/{theirs}/messages")).status_code == 404
        assert (await client.post(f"/api/v1/conversations/{theirs}/close")).status_code == 404
        listed = (await client.get("/api/v1/conversations?status=all")).json()
        assert listed["items"] == []
    # the owner does see it, so the 404 above is isolation, not a missing conversation
    boris = await login(browser, inbox, "boris@globex.test")
    assert (await boris.goto(f"{inbox.url}/c/{theirs}")).status == 200
    await page.context.close()
    await boris.context.close()


async def test_hostile_comment_text_renders_as_text(inbox, browser, store):
    inbox.user("anna@acme.test", "Анна", {"acme": "manager"})
    dialogs = []
    page = await login(browser, inbox, "anna@acme.test")
    page.on("dialog", lambda d: (dialogs.append(d.message), d.dismiss()))
    await store.append(comment(1, XSS, author=XSS))
    row = page.locator("li.conv-row")
    await expect(row).to_contain_text(XSS, timeout=10000)  # arrived live, shown as text
    await row.locator("a").click()
    await expect(page.locator(".msg-in .msg-text")).to_have_text(XSS)
    await expect(page.locator("img[src='x']")).to_have_count(0)
    await page.reload()
    await page.wait_for_timeout(500)
    assert dialogs == []
    await page.context.close()
