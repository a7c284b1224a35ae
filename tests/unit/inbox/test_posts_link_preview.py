"""Link previews: read a page's title and description, never a private address, never long or large."""
from __future__ import annotations

import asyncio

import httpx
import pytest

from chorus.inbox.posts.link_preview import LinkPreviewer, LinkRefused, is_public, parse

PUBLIC = "93.184.216.34"
PAGE = ("<html><head><meta charset='utf-8'><title>Зерно — кофейня</title>"
        "<meta property='og:title' content='Весеннее меню &amp; десерты'>"
        "<meta name='description' content='Раф с лавандой, тыквенный пирог'>"
        "<meta property='og:site_name' content='Zerno'></head><body>…</body></html>")


def resolver(table: dict[str, list[str]]):
    async def resolve(host: str, port: int) -> list[str]:
        if host not in table:
            raise OSError("name not known")
        return table[host]
    return resolve


def previewer(handler, hosts: dict[str, list[str]] | None = None, **kw) -> tuple[LinkPreviewer, list[httpx.Request]]:
    seen: list[httpx.Request] = []

    def record(request: httpx.Request) -> httpx.Response:
        seen.append(request)
        return handler(request)

    found = LinkPreviewer(resolver=resolver(hosts or {"zerno.example": [PUBLIC]}),
                          transport=httpx.MockTransport(record), **kw)
    return found, seen


async def test_title_and_description_are_read_and_the_checked_address_is_the_one_connected_to():
    found, seen = previewer(lambda r: httpx.Response(200, html=PAGE))
    preview = await found.preview("zerno.example/menu?x=1")
    assert (preview.title, preview.description, preview.site, preview.host) == (
        "Весеннее меню & десерты", "Раф с лавандой, тыквенный пирог", "Zerno", "zerno.example")
    [request] = seen
    assert request.url.host == PUBLIC and request.headers["host"] == "zerno.example"
    assert request.extensions["sni_hostname"] == "zerno.example" and request.url.path == "/menu"


@pytest.mark.parametrize("url", ["http://127.0.0.1:8000/", "http://[::1]/", "http://10.1.2.3/", "http://192.168.0.1",
                                 "http://169.254.169.254/latest/meta-data", "http://100.64.0.1/",
                                 "http://[::ffff:127.0.0.1]/", "http://0.0.0.0/", "http://intranet/"])
async def test_private_loopback_and_link_local_addresses_are_refused_before_any_request(url):
    found, seen = previewer(lambda r: httpx.Response(200, html=PAGE), {"intranet": ["10.0.0.5", PUBLIC]})
    with pytest.raises(LinkRefused) as refused:
        await found.preview(url)
    assert refused.value.code == "link_private" and seen == []


async def test_a_redirect_to_a_private_address_is_refused():
    def handler(request: httpx.Request) -> httpx.Response:
        return httpx.Response(302, headers={"location": "http://127.0.0.1:9000/admin"})
    found, seen = previewer(handler)
    with pytest.raises(LinkRefused):
        await found.preview("https://zerno.example/")
    assert len(seen) == 1


async def test_only_http_links_and_only_html_pages_give_previews():
    found, _ = previewer(lambda r: httpx.Response(200, content=b"%PDF", headers={"content-type": "application/pdf"}))
    with pytest.raises(LinkRefused):
        await found.preview("ftp://zerno.example/menu")
    assert await found.preview("https://zerno.example/menu.pdf") is None


async def test_a_slow_or_unreachable_page_gives_no_preview_quickly():
    async def slow(request: httpx.Request) -> httpx.Response:
        await asyncio.sleep(5)
        return httpx.Response(200, html=PAGE)

    found = LinkPreviewer(resolver=resolver({"zerno.example": [PUBLIC]}), transport=httpx.MockTransport(slow),
                          timeout_s=0.2)
    loop = asyncio.get_running_loop()
    started = loop.time()
    assert await found.preview("https://zerno.example/") is None
    assert loop.time() - started < 1.5
    offline = LinkPreviewer(resolver=resolver({}), transport=httpx.MockTransport(
        lambda r: (_ for _ in ()).throw(httpx.ConnectError("offline"))))
    assert await offline.preview("https://nowhere.example/") is None


async def test_a_huge_page_is_read_only_up_to_the_cap():
    body = PAGE.encode() + b"<p>" + b"x" * 5_000_000
    found, _ = previewer(lambda r: httpx.Response(200, content=body, headers={"content-type": "text/html"}),
                         max_bytes=4096)
    preview = await found.preview("https://zerno.example/")
    assert preview is not None and preview.title == "Весеннее меню & десерты"


def test_pages_without_a_title_give_none_and_long_texts_are_shortened():
    assert parse("<html><body>hi</body></html>", "https://a.example/") is None
    long = parse(f"<title>{'слово ' * 100}</title>", "https://www.a.example/")
    assert len(long.title) == 200 and long.title.endswith("…") and long.host == "a.example"
    assert is_public(PUBLIC) and not is_public("fd00::1") and not is_public("224.0.0.1")
