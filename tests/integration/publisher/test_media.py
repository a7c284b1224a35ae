"""Images of posts: read from the ``chorus_media`` Object Store, uploaded through each network's flow, and
refused before any call when the network would refuse them."""
from __future__ import annotations

import contextlib
import struct
import zlib

import pytest
from nats.js.api import ObjectStoreConfig
from nats.js.errors import BucketNotFoundError, NotFoundError
from publisher_harness import environment, outcomes, post, running

from chorus.events import MediaRef, PostAttempted, PostFailed


def png(width: int, height: int) -> bytes:
    def chunk(tag: bytes, data: bytes) -> bytes:
        return struct.pack(">I", len(data)) + tag + data + struct.pack(">I", zlib.crc32(tag + data))

    rows = b"".join(b"\x00" + b"\xd0\x20\x20" * width for _ in range(height))
    return (b"\x89PNG\r\n\x1a\n" + chunk(b"IHDR", struct.pack(">IIBBBBB", width, height, 8, 2, 0, 0, 0))
            + chunk(b"IDAT", zlib.compress(rows)) + chunk(b"IEND", b""))


@pytest.fixture
async def media(js):
    with contextlib.suppress(NotFoundError, BucketNotFoundError):
        await js.delete_object_store("chorus_media")
    bucket = await js.create_object_store("chorus_media", ObjectStoreConfig(description="test uploads"))

    async def upload(media_id: str, data: bytes, content_type: str, name: str = "") -> MediaRef:
        await bucket.put(media_id, data)
        return MediaRef(media_id=media_id, content_type=content_type, size=len(data), name=name or media_id)

    return upload


async def test_a_post_with_an_image_is_uploaded_to_each_network(sqlite_url, emulator, tmp_path, net, nc, js, store,
                                                                media):
    vk, x, tg, fb = await net.vk(), await net.x(), await net.telegram(), await net.facebook()
    networks = {vk: "vk", x: "x", tg: "telegram", fb: "facebook"}
    image = await media("m-1", png(64, 48), "image/png", "menu.png")
    async with running(environment(sqlite_url, emulator, tmp_path, net.key), nc, js, store) as publisher:
        scheduled = post([vk, x, tg, fb], networks, "Новое меню", media=[image])
        await store.append(scheduled)
        await publisher.wait_post(scheduled.post_id, {"published"})
    [tweet] = await net.sent("x")
    assert len(tweet["media_ids"]) == 1
    [photo] = await net.sent("telegram")
    assert photo["method"] == "sendPhoto" and photo["text"] == "Новое меню"
    [page_post] = await net.sent("facebook")
    assert len(page_post["photo_ids"]) == 1 and page_post["message"] == "Новое меню"
    wall = (await net.control.get(f"/vk/communities/{net.accounts[vk]['id']}")).json()
    [ours] = [p for p in wall["posts"] if p["text"] == "Новое меню"]
    assert [a["type"] for a in ours["attachments"]] == ["photo"]


async def test_an_image_the_network_would_refuse_fails_the_post_before_any_call(sqlite_url, emulator, tmp_path, net,
                                                                                 nc, js, store, media):
    x, tg = await net.x(), await net.telegram()
    bmp = await media("m-bmp", b"BM" + b"\x00" * 200, "image/bmp", "scan.bmp")
    big = await media("m-big", png(16, 16) + b"\x00" * (6 * 1024 * 1024), "image/png", "poster.png")
    narrow = await media("m-narrow", png(1000, 20), "image/png", "banner.png")
    liar = await media("m-liar", png(8, 8), "image/jpeg", "photo.jpg")
    missing = MediaRef(media_id="m-gone", content_type="image/png", size=10, name="gone.png")
    cases = {
        "X does not take BMP": (x, "x", bmp, "does not take BMP"),
        "too large for X": (x, "x", big, "over x's limit of 5 MB"),
        "too narrow for Telegram": (tg, "telegram", narrow, "too narrow"),
        "mislabelled": (x, "x", liar, "is a PNG but is labelled image/jpeg"),
        "missing": (tg, "telegram", missing, "not in the media store"),
    }
    posts = {name: post([account], {account: network}, f"Пост: {name}", media=[ref])
             for name, (account, network, ref, _) in cases.items()}
    async with running(environment(sqlite_url, emulator, tmp_path, net.key), nc, js, store) as publisher:
        for scheduled in posts.values():
            await store.append(scheduled)
        for name, scheduled in posts.items():
            [target] = (await publisher.wait_post(scheduled.post_id, {"failed"}))["targets"]
            assert target["failure"] == "content_rejected" and cases[name][3] in target["reason"], target
    assert await outcomes(js, PostAttempted) == []
    assert len(await outcomes(js, PostFailed)) == len(cases)
    assert await net.sent("x") == [] and await net.sent("telegram") == []


async def test_a_text_too_long_for_the_network_fails_before_any_call(sqlite_url, emulator, tmp_path, net, nc, js,
                                                                     store):
    x = await net.x()
    async with running(environment(sqlite_url, emulator, tmp_path, net.key), nc, js, store) as publisher:
        scheduled = post([x], {x: "x"}, "Очень длинный текст " * 20)
        await store.append(scheduled)
        [target] = (await publisher.wait_post(scheduled.post_id, {"failed"}))["targets"]
    assert "x takes at most 280" in target["reason"]
    assert await net.sent("x") == []
