"""The composer, calendar and posts API over HTTP (the app in process) on a real nats-server.

Appended events go to the real log (JetStream) and are applied to the read model at once, as the
projections would, so each test can check both: what is in the log, and what the pages show. Images go to
the real ``chorus_media`` Object Store.
"""
from __future__ import annotations

import base64
import contextlib
import re
import struct
import zlib
from collections.abc import AsyncIterator
from datetime import UTC, datetime, timedelta
from pathlib import Path

import httpx
import pytest
from nats.js.errors import BucketNotFoundError, NotFoundError

from chorus.backbone.db import make_engine
from chorus.events import (
    AccountConnected,
    Event,
    PostAttempted,
    PostCancelled,
    PostEdited,
    PostPublished,
    PostScheduled,
    WorkspaceSettingsChanged,
    decode,
)
from chorus.inbox import admin
from chorus.inbox.adapters import sessions
from chorus.inbox.adapters.live import LiveHub
from chorus.inbox.adapters.people import user_by_email
from chorus.inbox.config import load
from chorus.inbox.posts import store as posts_store
from chorus.inbox.posts.kit import PostsKit
from chorus.inbox.posts.link_preview import LinkPreviewer
from chorus.inbox.posts.media_store import MediaStore
from chorus.inbox.posts.projection import PostsProjection
from chorus.inbox.posts.recurring import RecurringPosts
from chorus.inbox.projection.inbox import InboxProjection
from chorus.inbox.web.app import build_app
from chorus.inbox.web.state import Services

PASSWORD = "long-enough-1"
NOW = datetime(2026, 5, 11, 9, 0, tzinfo=UTC)  # Monday, 12:00 in Moscow


def png(width: int, height: int) -> bytes:
    def chunk(tag: bytes, data: bytes) -> bytes:
        return struct.pack(">I", len(data)) + tag + data + struct.pack(">I", zlib.crc32(tag + data))
    return (b"\x89PNG\r\n\x1a\n" + chunk(b"IHDR", struct.pack(">IIBBBBB", width, height, 8, 2, 0, 0, 0))
            + chunk(b"IDAT", zlib.compress(b"\x00" * (width * 3 + 1) * height)) + chunk(b"IEND", b""))


class LoggedStore:
    """The real event store, plus applying each append to the read models at once (as the projections do)."""

    def __init__(self, store, engine) -> None:
        self.store, self.engine = store, engine
        self.projections = [InboxProjection(), PostsProjection()]

    async def append(self, event: Event) -> None:
        await self.append_many([event])

    async def append_many(self, events) -> None:
        events = list(events)
        await self.store.append_many(events)
        with self.engine.begin() as conn:
            for projection in self.projections:
                projection.apply_many(conn, events)


class Clock:
    def __init__(self) -> None:
        self.now = NOW

    def __call__(self) -> datetime:
        return self.now


def account(account_id: str, network: str, name: str, workspace: str = "acme") -> AccountConnected:
    return AccountConnected(workspace_id=workspace, account_id=account_id, network=network, external_id=account_id,
                            name=name, handle=account_id.replace("-", "_"), token_kinds=["user"], features=[],
                            connected_by="test")


@pytest.fixture
async def world(tmp_path: Path, js, store):
    for drop in (js.delete_object_store,):
        try:
            await drop("chorus_media")
        except (NotFoundError, BucketNotFoundError):
            pass
    settings = load({"CHORUS_DATA_DIR": str(tmp_path)})
    engine = make_engine(settings.common.database_url)
    for email, name, role in (("boss@acme.test", "Boss", "admin"), ("mgr@acme.test", "Manager", "manager"),
                              ("view@acme.test", "Viewer", "viewer")):
        admin.ensure_user(engine, email, PASSWORD, name, {"acme": role})
    admin.ensure_user(engine, "other@globex.test", PASSWORD, "Other", {"globex": "admin"})
    logged = LoggedStore(store, engine)
    for projection in logged.projections:
        projection.create_tables(engine)
    posts_store.create_tables(engine)
    await logged.append_many([account("vk-1", "vk", "Зерно ВК"), account("x-1", "x", "Zerno X"),
                              account("tg-1", "telegram", "Зерно TG"), account("fb-1", "facebook", "Zerno Page"),
                              account("vk-9", "vk", "Globex VK", "globex"),
                              WorkspaceSettingsChanged(workspace_id="acme", name="Acme", time_zone="Europe/Moscow",
                                                       changed_by="test")])
    clock = Clock()
    kit = PostsKit(MediaStore(js), LinkPreviewer(timeout_s=1.0),
                   RecurringPosts(engine, logged, ahead=timedelta(hours=48), clock=clock))
    services = Services(settings=settings, engine=engine, read_engine=make_engine(settings.common.database_url,
                                                                                   write=False),
                        store=logged, hub=LiveHub(), clock=clock, posts=kit)
    yield build_app(services), logged, clock, engine, js
    engine.dispose()


def client(app) -> httpx.AsyncClient:
    return httpx.AsyncClient(transport=httpx.ASGITransport(app=app), base_url="http://inbox.test")


@contextlib.asynccontextmanager
async def signed_in(app, email: str) -> AsyncIterator[httpx.AsyncClient]:
    async with client(app) as http:
        page = await http.get("/login")
        token = re.search(r'name="csrf" value="([^"]+)"', page.text).group(1)
        await http.post("/login", data={"email": email, "password": PASSWORD, "csrf": token, "next": "/inbox"})
        csrf = re.search(r'name="csrf-token" content="([^"]+)"', (await http.get("/inbox")).text).group(1)
        http.headers.update({"X-CSRF-Token": csrf, "X-Requested-With": "fetch", "Accept": "application/json"})
        yield http


async def logged(js, *types: type[Event]) -> list[Event]:
    found: list[Event] = []
    for stream in {t.stream.name for t in types}:
        info = await js.stream_info(stream)
        for seq in range(info.state.first_seq, info.state.last_seq + 1) if info.state.messages else []:
            raw = await js.get_msg(stream, seq)
            event = decode(raw.data, raw.subject)
            if isinstance(event, types):
                found.append(event)
    return found


def form(**fields) -> dict:
    base = {"accounts": ["vk-1", "x-1", "tg-1", "fb-1"], "text": "Весеннее меню: https://zerno.ru/menu", "mode": "at",
            "publish_at": "2026-05-11T15:00", "campaign": "spring", "utm": "default", "post_id": "a" * 32}
    return {**base, **fields}


async def upload(http: httpx.AsyncClient, data: bytes, name: str = "menu.png", content_type: str = "image/png"):
    return await http.post("/posts/acme/media", content=data, headers={"Content-Type": content_type,
                                                                      "X-File-Name": name})


# --- composing ---------------------------------------------------------------------------------------

async def test_a_cross_post_with_an_image_is_logged_with_tagged_links_and_stored_media(world):
    app, _, _, _, js = world
    image = png(64, 48)
    async with signed_in(app, "mgr@acme.test") as http:
        uploaded = (await upload(http, image)).json()
        assert uploaded["ok"] and uploaded["content_type"] == "image/png" and uploaded["size"] == len(image)
        response = await http.post("/posts/acme/compose", data=form(media=[uploaded["media_id"]]))
        assert response.status_code == 200, response.text
        assert response.json()["location"] == f"/posts/acme/p/{'a' * 32}"
        page = await http.get(f"/posts/acme/p/{'a' * 32}", headers={"Accept": "text/html", "X-Requested-With": ""})
    [event] = await logged(js, PostScheduled)
    assert event.post_id == "a" * 32 and event.publish_at == datetime(2026, 5, 11, 12, 0, tzinfo=UTC)  # 15:00 MSK
    texts = {t.network.value: t.text for t in event.targets}
    assert texts["vk"] == "Весеннее меню: https://zerno.ru/menu?utm_source=vk&utm_medium=social&utm_campaign=spring"
    assert "utm_source=facebook&" in texts["facebook"] and event.approved_by is None and event.campaign == "spring"
    bucket = await js.object_store("chorus_media")
    for target in event.targets:
        [ref] = target.media
        stored = await bucket.get(ref.media_id)
        assert stored.data == image and ref.size == len(image) and ref.content_type == "image/png"
    assert page.status_code == 200 and "Зерно ВК" in page.text and "utm_campaign=spring" in page.text


async def test_the_same_form_sent_twice_schedules_once(world):
    app, _, _, _, js = world
    async with signed_in(app, "mgr@acme.test") as http:
        for _ in range(2):
            assert (await http.post("/posts/acme/compose", data=form())).status_code == 200
    assert len(await logged(js, PostScheduled)) == 1


@pytest.mark.parametrize("fields, code, text", [
    ({"accounts": []}, "post_no_target", "Choose at least one account"),
    ({"text": "   "}, "post_empty", "needs a text or an image"),
    ({"publish_at": "2026-05-11T11:59"}, "post_in_past", "in the past (Europe/Moscow)"),
    ({"text": "я" * 281}, "post_too_long", "X takes at most 280"),
    ({"accounts": ["vk-9"]}, "not_found", "Not found"),
])
async def test_bad_input_is_refused_with_a_clear_message_before_anything_is_scheduled(world, fields, code, text):
    app, _, _, _, js = world
    async with signed_in(app, "mgr@acme.test") as http:
        response = await http.post("/posts/acme/compose", data=form(**fields))
    assert response.status_code in (400, 404) and response.json()["error"] == code
    assert text in response.json()["message"]
    assert await logged(js, PostScheduled) == []


async def test_an_image_a_network_would_refuse_is_refused_before_scheduling(world):
    app, _, _, _, js = world
    async with signed_in(app, "mgr@acme.test") as http:
        bmp = (await upload(http, b"BM" + b"\x00" * 200, "scan.bmp", "image/bmp")).json()
        response = await http.post("/posts/acme/compose", data=form(accounts=["x-1"], media=[bmp["media_id"]]))
        assert response.json()["error"] == "image_format" and "X does not take BMP" in response.json()["message"]
        two = [(await upload(http, png(10, 10))).json()["media_id"] for _ in range(2)]
        response = await http.post("/posts/acme/compose", data=form(accounts=["tg-1"], media=two))
        assert response.json()["error"] == "image_count"
        not_image = await upload(http, b"%PDF-1.7 not an image", "doc.pdf", "application/pdf")
        assert not_image.status_code == 400 and not_image.json()["error"] == "upload_not_image"
    assert await logged(js, PostScheduled) == []


async def test_without_the_script_a_refused_post_shows_the_composer_again_with_what_was_typed(world):
    app, *_ = world
    async with signed_in(app, "mgr@acme.test") as http:
        response = await http.post("/posts/acme/compose", data=form(publish_at="2020-01-01T10:00", text="Мой текст"),
                                   headers={"Accept": "text/html", "X-Requested-With": ""})
    assert response.status_code == 400 and "is in the past" in response.text and "Мой текст" in response.text


async def test_the_preview_gives_each_account_its_final_text_count_and_problem(world):
    app, *_ = world
    async with signed_in(app, "mgr@acme.test") as http:
        answer = (await http.post("/posts/acme/preview", data=form(text="я" * 300))).json()
    by = {t["account_id"]: t for t in answer["targets"]}
    assert by["x-1"]["length"] == 300 and by["x-1"]["maximum"] == 280 and by["x-1"]["counting"] == "weighted"
    assert "X takes at most 280" in by["x-1"]["problem"] and by["vk-1"]["problem"] is None
    assert answer["time"] == "2026-05-11T12:00:00+00:00"


async def test_viewers_cannot_compose_and_other_workspaces_do_not_exist(world):
    app, *_ = world
    async with signed_in(app, "view@acme.test") as http:
        assert (await http.post("/posts/acme/compose", data=form())).status_code == 403
        assert (await http.get("/posts/acme/new", headers={"Accept": "text/html"})).status_code == 403
        assert (await http.get("/posts/acme/calendar", headers={"Accept": "text/html"})).status_code == 200
    async with signed_in(app, "other@globex.test") as http:
        assert (await http.get("/posts/acme/calendar", headers={"Accept": "text/html"})).status_code == 404
        assert (await http.post("/posts/acme/compose", data=form())).status_code == 404
        assert (await upload(http, png(4, 4))).status_code == 404


async def test_an_uploaded_image_is_served_only_inside_its_workspace(world):
    app, *_ = world
    async with signed_in(app, "mgr@acme.test") as http:
        media_id = (await upload(http, png(8, 8))).json()["media_id"]
        own = await http.get(f"/posts/acme/media/{media_id}")
        assert own.status_code == 200 and own.headers["content-type"] == "image/png"
        assert own.headers["x-content-type-options"] == "nosniff"
    async with signed_in(app, "other@globex.test") as http:
        assert (await http.get(f"/posts/acme/media/{media_id}")).status_code == 404
        assert (await http.get(f"/posts/globex/media/{media_id}")).status_code == 404


async def test_a_link_preview_of_a_private_address_is_refused(world):
    app, *_ = world
    async with signed_in(app, "mgr@acme.test") as http:
        for url in ("http://127.0.0.1:8000/", "http://localhost/admin", "http://169.254.169.254/latest/meta-data"):
            answer = (await http.get("/posts/acme/link-preview", params={"url": url})).json()
            assert answer == {"ok": False, "reason": "link_private"}


# --- approval ----------------------------------------------------------------------------------------

async def _require_approval(logged_store) -> None:
    await logged_store.append(WorkspaceSettingsChanged(workspace_id="acme", name="Acme", time_zone="Europe/Moscow",
                                                       approval_required=True, changed_by="test"))


async def test_a_managers_post_waits_for_an_admins_approval(world):
    app, logged_store, _, engine, js = world
    await _require_approval(logged_store)
    async with signed_in(app, "mgr@acme.test") as http:
        answer = (await http.post("/posts/acme/compose", data=form())).json()
        assert answer["status"] == "awaiting_approval" and answer["location"].startswith("/posts/acme/drafts")
        bad = await http.post("/posts/acme/compose", data=form(post_id="b" * 32, text="я" * 300))
        assert bad.json()["error"] == "post_too_long"  # refused now, not handed to an admin
        draft_id = re.search(r'data-draft="(\w+)"', (await http.get("/posts/acme/drafts",
                                                                     headers={"Accept": "text/html"})).text).group(1)
        assert (await http.post(f"/posts/acme/drafts/{draft_id}/approve")).status_code == 403
    assert await logged(js, PostScheduled) == []
    async with signed_in(app, "boss@acme.test") as http:
        assert (await http.post(f"/posts/acme/drafts/{draft_id}/approve")).json() == {"ok": True}
    [event] = await logged(js, PostScheduled)
    with engine.connect() as conn:
        boss = user_by_email(conn, "boss@acme.test").user_id
    assert event.approved_by == boss and len(event.targets) == 4


async def test_an_admin_returns_a_post_with_a_comment_and_schedules_own_posts_directly(world):
    app, logged_store, _, _, js = world
    await _require_approval(logged_store)
    async with signed_in(app, "mgr@acme.test") as http:
        await http.post("/posts/acme/compose", data=form())
        draft_id = re.search(r'data-draft="(\w+)"', (await http.get("/posts/acme/drafts",
                                                                     headers={"Accept": "text/html"})).text).group(1)
    async with signed_in(app, "boss@acme.test") as http:
        empty = await http.post(f"/posts/acme/drafts/{draft_id}/reject", data={"comment": " "})
        assert empty.json()["error"] == "reject_comment"
        await http.post(f"/posts/acme/drafts/{draft_id}/reject", data={"comment": "Добавьте цену <b>и фото</b>"})
        own = (await http.post("/posts/acme/compose", data=form(post_id="c" * 32))).json()
        assert own["status"] == "scheduled"
    async with signed_in(app, "mgr@acme.test") as http:
        page = (await http.get("/posts/acme/drafts", headers={"Accept": "text/html"})).text
    assert "Добавьте цену &lt;b&gt;и фото&lt;/b&gt;" in page and "Returned for changes" in page
    [event] = await logged(js, PostScheduled)
    assert event.post_id == "c" * 32 and event.approved_by is not None


# --- calendar: move, cancel, edit ----------------------------------------------------------------------

async def test_dragging_a_post_appends_an_edit_with_the_new_time_and_keeps_its_texts(world):
    app, *_, js = world
    async with signed_in(app, "mgr@acme.test") as http:
        await http.post("/posts/acme/compose", data=form())
        moved = await http.post(f"/posts/acme/p/{'a' * 32}/move", data={"at": "2026-05-13T18:30:00"})
        assert moved.json() == {"ok": True, "publish_at": "2026-05-13T15:30:00+00:00"}
        past = await http.post(f"/posts/acme/p/{'a' * 32}/move", data={"at": "2026-05-01T10:00:00"})
        assert past.json()["error"] == "post_in_past"
        week = await http.get("/posts/acme/calendar?view=week&date=2026-05-13", headers={"Accept": "text/html"})
    [scheduled], [edited] = await logged(js, PostScheduled), await logged(js, PostEdited)
    assert edited.publish_at == datetime(2026, 5, 13, 15, 30, tzinfo=UTC)
    assert [t.text for t in edited.targets] == [t.text for t in sorted(scheduled.targets, key=lambda t: t.network)] \
        or sorted(t.text for t in edited.targets) == sorted(t.text for t in scheduled.targets)
    assert 'data-post="' + "a" * 32 + '"' in week.text and 'data-drop-hour="2026-05-13T18"' in week.text


async def test_a_post_already_sending_or_published_cannot_be_moved_edited_or_cancelled(world):
    app, logged_store, *_, js = world
    async with signed_in(app, "mgr@acme.test") as http:
        await http.post("/posts/acme/compose", data=form(accounts=["vk-1"]))
        await logged_store.append_many([
            PostAttempted(workspace_id="acme", post_id="a" * 32, account_id="vk-1", network="vk", attempt=1, key="k"),
            PostPublished(workspace_id="acme", post_id="a" * 32, account_id="vk-1", network="vk", remote_id="7",
                          url="https://vk.com/wall-1_7", published_at=NOW)])
        moved = await http.post(f"/posts/acme/p/{'a' * 32}/move", data={"at": "2026-05-13T18:30:00"})
        assert moved.status_code == 400 and moved.json()["error"] == "post_locked"
        assert (await http.post(f"/posts/acme/p/{'a' * 32}/cancel")).json()["error"] == "post_not_cancellable"
        page = await http.get(f"/posts/acme/p/{'a' * 32}", headers={"Accept": "text/html"})
    assert await logged(js, PostEdited) == [] and await logged(js, PostCancelled) == []
    assert "https://vk.com/wall-1_7" in page.text and "state-badge st-published" in page.text


async def test_cancelling_a_post_appends_post_cancelled_and_the_calendar_shows_it(world):
    app, *_, js = world
    async with signed_in(app, "mgr@acme.test") as http:
        await http.post("/posts/acme/compose", data=form())
        assert (await http.post(f"/posts/acme/p/{'a' * 32}/cancel")).json() == {"ok": True}
        month = await http.get("/posts/acme/calendar?view=month&date=2026-05-01", headers={"Accept": "text/html"})
    [cancelled] = await logged(js, PostCancelled)
    assert cancelled.post_id == "a" * 32
    assert "cal-card st-cancelled" in month.text


async def test_editing_a_scheduled_post_starts_from_what_was_composed_and_replaces_accounts_and_text(world):
    app, *_, js = world
    async with signed_in(app, "mgr@acme.test") as http:
        await http.post("/posts/acme/compose", data=form(variant_x="Коротко для X"))
        page = await http.get(f"/posts/acme/new?edit={'a' * 32}", headers={"Accept": "text/html"})
        assert page.status_code == 200 and "Save changes" in page.text
        # the text as typed (not each account's tagged copy), the X variant as a variant
        assert ">Весеннее меню: https://zerno.ru/menu</textarea>" in page.text and ">Коротко для X</textarea>" in page.text
        await http.post("/posts/acme/compose", data=form(accounts=["vk-1", "x-1"], text="Новое: https://zerno.ru/new",
                                                         publish_at="2026-05-12T10:00", edit_post="a" * 32,
                                                         variant_x="Коротко для X"))
    [edited] = await logged(js, PostEdited)
    assert [(t.account_id, t.text) for t in edited.targets] == [
        ("vk-1", "Новое: https://zerno.ru/new?utm_source=vk&utm_medium=social&utm_campaign=spring"),
        ("x-1", "Коротко для X")]
    assert edited.publish_at == datetime(2026, 5, 12, 7, 0, tzinfo=UTC)


# --- queue and recurring -------------------------------------------------------------------------------

async def test_queue_times_are_saved_and_add_to_queue_takes_the_next_free_one(world):
    app, *_, js = world
    async with signed_in(app, "mgr@acme.test") as http:
        for account_id in ("vk-1", "x-1"):
            saved = await http.post(f"/posts/acme/queue/{account_id}", data={"mon": "10:00, 18:00", "tue": "10:00"})
            assert saved.json() == {"ok": True}
        assert (await http.post("/posts/acme/queue/vk-1", data={"mon": "25:00"})).json()["error"] == "bad_slot"
        await http.post("/posts/acme/compose", data=form(mode="queue", accounts=["vk-1", "x-1"]))
        await http.post("/posts/acme/compose", data=form(mode="queue", accounts=["vk-1"], post_id="b" * 32))
        refused = await http.post("/posts/acme/compose", data=form(mode="queue", accounts=["tg-1"], post_id="c" * 32))
        assert refused.json()["error"] == "queue_empty" and "Зерно TG" in refused.json()["message"]
    first, second = await logged(js, PostScheduled)
    assert first.publish_at == datetime(2026, 5, 11, 15, 0, tzinfo=UTC) and len(first.targets) == 2  # Mon 18:00
    assert second.publish_at == datetime(2026, 5, 12, 7, 0, tzinfo=UTC)  # Tue 10:00: Monday 18:00 is taken


async def test_a_recurring_series_is_appended_ahead_once_and_stopping_it_cancels_what_waits(world):
    app, _, clock, _, js = world
    recurring = app.state.services.posts.recurring
    async with signed_in(app, "mgr@acme.test") as http:
        started = await http.post("/posts/acme/compose", data=form(mode="recurring", freq="daily",
                                                                   publish_at="2026-05-11T20:00", accounts=["vk-1"]))
        assert started.json()["status"] == "recurring"
        assert len(await logged(js, PostScheduled)) == 2  # 11 and 12 May, within 48 hours
        assert await recurring.tick() == 0
        clock.now = NOW + timedelta(days=1)
        assert await recurring.tick() == 1
        page = await http.get("/posts/acme/recurring", headers={"Accept": "text/html"})
        assert "Every day at 20:00" in page.text
        series_id = re.search(r'/recurring/(\w+)/stop', page.text).group(1)
        assert (await http.post(f"/posts/acme/recurring/{series_id}/stop")).json() == {"ok": True, "cancelled": 3}
        clock.now = NOW + timedelta(days=3)
        assert await recurring.tick() == 0
    scheduled = await logged(js, PostScheduled)
    assert [e.publish_at.day for e in scheduled] == [11, 12, 13] and len({e.post_id for e in scheduled}) == 3


# --- API ---------------------------------------------------------------------------------------------

async def test_the_posts_api_creates_lists_gets_edits_and_cancels(world):
    app, _, _, engine, js = world
    with engine.begin() as conn:
        token = sessions.create_token(conn, user_by_email(conn, "mgr@acme.test").user_id, "t", NOW)
        theirs = sessions.create_token(conn, user_by_email(conn, "other@globex.test").user_id, "t", NOW)
    async with client(app) as http:
        http.headers["Authorization"] = f"Bearer {token}"
        image = (await http.post("/api/v1/media", json={"workspace": "acme", "name": "a.png",
                                                         "data_base64": base64.b64encode(png(20, 20)).decode()}))
        assert image.status_code == 201
        created = await http.post("/api/v1/posts", json={
            "workspace": "acme", "accounts": ["vk-1", "x-1"], "text": "Скидки https://zerno.ru", "when": "at",
            "publish_at": "2026-05-12T10:00", "media": [image.json()["media_id"]], "variants": {"x": "Short"}})
        assert created.status_code == 202, created.text
        post_id = created.json()["post_ids"][0]
        listed = (await http.get("/api/v1/posts", params={"workspace": "acme", "start": NOW.isoformat()})).json()
        assert [p["post_id"] for p in listed] == [post_id] and listed[0]["publish_at_local"] == "2026-05-12T10:00:00"
        one = (await http.get(f"/api/v1/posts/{post_id}")).json()
        assert {t["account_id"]: t["text"] for t in one["targets"]} == {
            "vk-1": "Скидки https://zerno.ru/?utm_source=vk&utm_medium=social", "x-1": "Short"}
        edited = (await http.patch(f"/api/v1/posts/{post_id}", json={"publish_at": "2026-05-12T11:30"})).json()
        assert edited["publish_at"] == "2026-05-12T08:30:00Z" and edited["targets"][1]["text"] == "Short"
        past = await http.post("/api/v1/posts", json={"workspace": "acme", "accounts": ["vk-1"], "text": "x",
                                                      "publish_at": "2026-05-01T10:00"})
        assert past.status_code == 400 and past.json()["error"] == "post_in_past"
        cancelled = (await http.post(f"/api/v1/posts/{post_id}/cancel")).json()
        assert cancelled["state"] == "cancelled" and cancelled["cancelled_at"]
        http.headers["Authorization"] = f"Bearer {theirs}"
        assert (await http.get(f"/api/v1/posts/{post_id}")).status_code == 404
        assert (await http.get("/api/v1/posts", params={"workspace": "acme"})).status_code == 404
        document = (await http.get("/api/openapi.json")).json()
    assert {"get", "post"} <= set(document["paths"]["/api/v1/posts"]) and "patch" in document["paths"][
        "/api/v1/posts/{post_id}"]
    assert "PostCreate" in document["components"]["schemas"]
    assert len(await logged(js, PostEdited)) == 1 and len(await logged(js, PostCancelled)) == 1
