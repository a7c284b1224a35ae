"""The web app over HTTP (in process, SQLite file): sessions, CSRF, throttling, roles, the API and its document.

The event store is a fake that applies appended events to the read model at once, as the projection would.
"""
from __future__ import annotations

import asyncio
import json
import re
from datetime import UTC, datetime, timedelta
from pathlib import Path

import httpx
import jsonschema
import pytest

from chorus.backbone.db import make_engine
from chorus.events import Author, CommentReceived, ReplyRequested, utcnow
from chorus.inbox import admin
from chorus.inbox.adapters.live import LiveHub
from chorus.inbox.config import load
from chorus.inbox.domain import conversation_id
from chorus.inbox.projection.inbox import InboxProjection
from chorus.inbox.web.app import build_app
from chorus.inbox.web.state import Services

PASSWORD = "long-enough-1"
CID = conversation_id("vk-1", "comment", "p1")
THEIRS = conversation_id("vk-9", "comment", "p9")


class AppliedStore:
    """Stands in for the event store: keeps what was appended and applies it like the projection would."""

    def __init__(self, engine) -> None:
        self.engine, self.events, self.projection = engine, [], InboxProjection()

    async def append_many(self, events) -> None:
        self.events += list(events)
        with self.engine.begin() as conn:
            self.projection.apply_many(conn, list(events))


class Clock:
    def __init__(self) -> None:
        self.now = datetime.now(UTC)

    def __call__(self) -> datetime:
        return self.now


@pytest.fixture
def world(tmp_path: Path):
    settings = load({"CHORUS_DATA_DIR": str(tmp_path)})
    engine = make_engine(settings.common.database_url)
    admin.ensure_user(engine, "boss@acme.test", PASSWORD, "Boss", {"acme": "admin"})
    admin.ensure_user(engine, "mgr@acme.test", PASSWORD, "Manager", {"acme": "manager"})
    admin.ensure_user(engine, "view@acme.test", PASSWORD, "Viewer", {"acme": "viewer"})
    store = AppliedStore(engine)
    store.projection.create_tables(engine)
    with engine.begin() as conn:
        store.projection.apply_many(conn, [
            CommentReceived(workspace_id=w, account_id=a, network="vk", comment_id="1", post_id=p,
                            author=Author(id="7", name="Ann"), text="Где заказ?", created_at=utcnow())
            for w, a, p in (("acme", "vk-1", "p1"), ("globex", "vk-9", "p9"))])
    clock = Clock()
    services = Services(settings=settings, engine=engine, read_engine=make_engine(settings.common.database_url,
                                                                                   write=False),
                        store=store, hub=LiveHub(), clock=clock)
    yield build_app(services), store, clock, engine
    engine.dispose()


def client(app, base: str = "http://inbox.test") -> httpx.AsyncClient:
    return httpx.AsyncClient(transport=httpx.ASGITransport(app=app), base_url=base)


async def login(http: httpx.AsyncClient, email: str, password: str = PASSWORD) -> httpx.Response:
    page = await http.get("/login")
    token = re.search(r'name="csrf" value="([^"]+)"', page.text).group(1)
    return await http.post("/login", data={"email": email, "password": password, "csrf": token, "next": "/inbox"})


def csrf_of(html: str) -> str:
    return re.search(r'name="csrf-token" content="([^"]+)"', html).group(1)


async def test_session_cookie_is_httponly_lax_and_secure_only_over_https(world):
    app, *_ = world
    async with client(app) as http:
        response = await login(http, "mgr@acme.test")
        cookie = response.headers["set-cookie"]
        assert response.status_code == 303 and "httponly" in cookie.lower() and "samesite=lax" in cookie.lower()
        assert "secure" not in cookie.lower()
    async with client(app, "https://inbox.test") as http:
        cookie = (await login(http, "mgr@acme.test")).headers["set-cookie"]
        assert "; secure" in cookie.lower()


async def test_a_tampered_cookie_or_logging_out_ends_the_session(world):
    app, *_ = world
    async with client(app) as http:
        await login(http, "mgr@acme.test")
        page = await http.get("/inbox")
        assert page.status_code == 200
        value = http.cookies["chorus_session"]
        http.cookies.set("chorus_session", value[:-2] + ("AA" if not value.endswith("AA") else "BB"))
        assert (await http.get("/inbox")).status_code == 303
        http.cookies.set("chorus_session", value)
        assert (await http.post("/logout", data={"csrf": csrf_of(page.text)})).status_code == 303
        http.cookies.set("chorus_session", value)  # replaying the old cookie after logout
        assert (await http.get("/inbox")).headers["location"].startswith("/login")


async def test_state_changes_without_the_csrf_token_are_refused(world):
    app, store, *_ = world
    async with client(app) as http:
        await login(http, "mgr@acme.test")
        response = await http.post(f"/c/{CID}/close", data={})
        assert response.status_code == 403 and store.events == []
        page = await http.get(f"/c/{CID}")
        assert (await http.post(f"/c/{CID}/close", data={"csrf": csrf_of(page.text)})).status_code == 303
        assert [e.type for e in store.events] == ["conversation.closed"]


async def test_login_is_throttled_per_account_with_a_clear_message(world):
    app, _store, clock, _ = world
    async with client(app) as http:
        for _ in range(5):
            assert (await login(http, "mgr@acme.test", "wrong-password")).status_code == 401
        throttled = await login(http, "mgr@acme.test")  # even the right password waits
        assert throttled.status_code == 429 and "Try again in 15 min" in throttled.text
    async with client(app) as http:
        other = await login(http, "boss@acme.test")
        assert other.status_code == 303  # another account from the same address is not locked out
    clock.now += timedelta(minutes=16)
    async with client(app) as http:
        assert (await login(http, "mgr@acme.test")).status_code == 303


async def test_login_is_throttled_per_address(world):
    app, *_ = world
    async with client(app) as http:
        for n in range(20):
            await login(http, f"nobody{n}@acme.test", "wrong-password")
        assert (await login(http, "boss@acme.test")).status_code == 429


async def test_login_never_redirects_off_site(world):
    app, *_ = world
    async with client(app) as http:
        page = await http.get("/login")
        token = re.search(r'name="csrf" value="([^"]+)"', page.text).group(1)
        response = await http.post("/login", data={"email": "mgr@acme.test", "password": PASSWORD, "csrf": token,
                                                   "next": "//evil.example/x"})
        assert response.headers["location"] == "/inbox"


async def test_pages_of_another_workspace_are_404_and_settings_are_for_admins(world):
    app, *_ = world
    async with client(app) as http:
        await login(http, "mgr@acme.test")
        assert (await http.get(f"/c/{CID}")).status_code == 200
        assert (await http.get(f"/c/{THEIRS}")).status_code == 404
        assert (await http.get(f"/c/{THEIRS}/parts")).status_code == 404
        assert (await http.get("/settings/acme/accounts")).status_code == 403
        assert (await http.get("/settings/globex/accounts")).status_code == 404
    async with client(app) as http:
        await login(http, "boss@acme.test")
        assert (await http.get("/settings/acme/team")).status_code == 200


async def test_the_interface_follows_the_browser_then_the_users_choice(world):
    app, *_ = world
    async with client(app) as http:
        http.headers["Accept-Language"] = "ru-RU,ru;q=0.9"
        await login(http, "mgr@acme.test")
        page = await http.get("/inbox")
        assert 'lang="ru"' in page.text and "Входящие" in page.text
        await http.post("/me/locale", data={"csrf": csrf_of(page.text), "locale": "en", "next": "/inbox"})
        assert 'lang="en"' in (await http.get("/inbox")).text


async def test_api_needs_a_token_and_keeps_to_the_callers_workspaces(world, tmp_path):
    app, store, _clock, engine = world
    from chorus.inbox.adapters import sessions

    with engine.begin() as conn:
        from chorus.inbox.adapters.people import user_by_email

        token = sessions.create_token(conn, user_by_email(conn, "mgr@acme.test").user_id, "t", utcnow())
    async with client(app) as http:
        assert (await http.get("/api/v1/conversations")).status_code == 401
        assert (await http.get("/api/v1/conversations", headers={"Authorization": "Bearer nope"})).status_code == 401
        http.headers["Authorization"] = f"Bearer {token}"
        listed = (await http.get("/api/v1/conversations")).json()
        assert [c["conversation_id"] for c in listed["items"]] == [CID]
        assert (await http.get(f"/api/v1/conversations/{THEIRS}/messages")).status_code == 404
        bad = await http.get("/api/v1/conversations?status=everything")
        assert bad.status_code == 422 and bad.json()["error"] == "invalid_request"
        reply = await http.post(f"/api/v1/conversations/{CID}/replies", json={"text": "Уже едет!"})
        assert reply.status_code == 202 and reply.json()["state"] == "sending"
        too_long = await http.post(f"/api/v1/conversations/{CID}/replies", json={"text": "я" * 20000})
        assert too_long.status_code == 400 and too_long.json()["error"] == "reply_too_long"
        assert "16384" in too_long.json()["message"]
        tags = await http.post(f"/api/v1/conversations/{CID}/tags", json={"add": ["срочно"]})
        assert tags.json() == {"ok": True, "appended": 1}
        messages = (await http.get(f"/api/v1/conversations/{CID}/messages")).json()
        assert [m["direction"] for m in messages if m["direction"] != "activity"] == ["in", "out"]
        assert (await http.get(f"/api/v1/conversations/{CID}")).json()["tags"] == ["срочно"]
    assert type(store.events[0]) is ReplyRequested


async def test_the_viewer_gets_403_from_the_api_for_changes(world):
    app, _store, _clock, engine = world
    from chorus.inbox.adapters import sessions
    from chorus.inbox.adapters.people import user_by_email

    with engine.begin() as conn:
        token = sessions.create_token(conn, user_by_email(conn, "view@acme.test").user_id, "t", utcnow())
    async with client(app) as http:
        http.headers["Authorization"] = f"Bearer {token}"
        assert (await http.get(f"/api/v1/conversations/{CID}")).status_code == 200
        assert (await http.post(f"/api/v1/conversations/{CID}/close")).status_code == 403


async def test_the_openapi_document_is_valid_and_describes_every_route(world):
    app, *_ = world
    async with client(app) as http:
        document = (await http.get("/api/openapi.json")).json()
    from chorus.inbox.web.api import OPERATIONS

    assert document["openapi"].startswith("3.1")
    for op in OPERATIONS:
        assert op.method.lower() in document["paths"][op.path]
    schemas = document["components"]["schemas"]
    conversation = schemas["Conversation"]
    jsonschema.Draft202012Validator.check_schema(conversation)
    assert "conversation_id" in conversation["required"]
    refs = re.findall(r'"\$ref": "#/components/schemas/(\w+)"', json.dumps(document))
    assert set(refs) <= set(schemas)


async def test_pages_forbid_inline_scripts(world):
    app, *_ = world
    async with client(app) as http:
        response = await http.get("/login")
    policy = response.headers["content-security-policy"]
    assert "script-src 'self'" in policy and "unsafe-inline" not in policy


async def test_pages_name_their_icon_so_browsers_do_not_ask_for_a_missing_favicon(world):
    app, *_ = world
    async with client(app) as http:
        page = (await http.get("/login")).text
        icon = await http.get("/static/favicon.svg")
    assert '<link rel="icon" href="/static/favicon.svg"' in page
    assert icon.status_code == 200 and icon.headers["content-type"].startswith("image/svg+xml")


async def test_a_live_stream_the_browser_leaves_leaves_nothing_waiting(world):
    """The browser closing its event stream mid-wait unsubscribes it and leaves no task waiting on its queue."""
    app, _, _, _ = world
    hub = app.state.services.hub
    async with client(app) as http:
        await login(http, "mgr@acme.test")
        cookie = "; ".join(f"{k}={v}" for k, v in http.cookies.items())
    sent, gone, requested = [], asyncio.Event(), []

    async def receive():
        if not requested:
            requested.append(True)
            return {"type": "http.request", "body": b"", "more_body": False}
        await gone.wait()
        return {"type": "http.disconnect"}

    async def send(message):
        sent.append(message)

    scope = {"type": "http", "asgi": {"version": "3.0"}, "http_version": "1.1", "method": "GET", "scheme": "http",
             "path": "/events", "raw_path": b"/events", "query_string": b"", "root_path": "",
             "headers": [(b"host", b"inbox.test"), (b"cookie", cookie.encode())], "client": ("127.0.0.1", 1),
             "server": ("inbox.test", 80)}
    serving = asyncio.create_task(app(scope, receive, send))
    async def first_chunk():
        while not any(m.get("body", b"").startswith(b"retry:") for m in sent if m["type"] == "http.response.body"):
            await asyncio.sleep(0.01)

    await asyncio.wait_for(first_chunk(), 10)
    await asyncio.sleep(0.05)  # the stream now waits for a notice
    gone.set()
    await asyncio.wait_for(serving, 10)
    await asyncio.sleep(0)
    waiting = [t for t in asyncio.all_tasks() if "Queue.get" in repr(t.get_coro()) and not t.done()]
    assert waiting == []
    assert hub.listeners == 0
