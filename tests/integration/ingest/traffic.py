"""One connected account per network and a way to write comments to it, for the crash and outage tests.

``await account(network, emulators, js, env)`` connects an account and returns a ``Traffic``: its account id,
the source to wait for, and ``write(text)`` (a comment through the emulator's control API) or
``write_quietly(text)`` (the same, straight into the emulator's world: usable while its server is down).
"""
from __future__ import annotations

from collections.abc import Awaitable, Callable
from dataclasses import dataclass
from typing import Any

from ingest_support import Emulators, connect

from chorus.events.values import Network


@dataclass
class Traffic:
    network: Network
    account_id: str
    source: str
    write: Callable[[str], Awaitable[Any]]
    write_quietly: Callable[[str], None]


async def account(network: Network, emulators: Emulators, js, env: dict[str, str], n: int = 1) -> Traffic:
    return await _SETUP[network](emulators, js, env, n)


async def _vk(emulators: Emulators, js, env: dict[str, str], n: int) -> Traffic:
    group = 600 + n
    created = await emulators.post("vk", "/communities", {"id": group, "name": f"Сообщество {n}"})
    connected = await connect(js, env, Network.VK, {"community": created["community_token"],
                                                    "user": created["user_token"]}, external_id=str(group))
    world = emulators.networks["vk"].world

    async def write(text: str) -> Any:
        return await emulators.post("vk", f"/communities/{group}/comments", {"text": text, "from_id": 8000 + n})

    def write_quietly(text: str) -> None:
        community = world.communities[group]
        post = max((p for p in community.posts.values() if not p.deleted), key=lambda p: p.id)
        world.add_comment(community, post, 8000 + n, text)

    return Traffic(Network.VK, connected.account_id, "long_poll", write, write_quietly)


async def _x(emulators: Emulators, js, env: dict[str, str], n: int) -> Traffic:
    username = f"brand_{n}"
    created = await emulators.post("x", "/accounts", {"username": username})
    connected = await connect(js, env, Network.X, created["tokens"], external_id=created["id"])
    root = await emulators.post("x", "/tweets", {"author": username, "text": "Пост бренда"})
    world = emulators.networks["x"].world

    async def write(text: str) -> Any:
        return await emulators.post("x", "/tweets", {"author": f"fan_{n}", "text": text, "in_reply_to": root["id"]})

    def write_quietly(text: str) -> None:
        world.post(world.add_user(f"fan_{n}"), text, in_reply_to=world.tweets[root["id"]])

    return Traffic(Network.X, connected.account_id, "mentions", write, write_quietly)


async def _facebook(emulators: Emulators, js, env: dict[str, str], n: int) -> Traffic:
    page = await emulators.post("facebook", "/pages", {"name": f"Страница {n}"})
    connected = await connect(js, env, Network.FACEBOOK, page["tokens"], external_id=page["id"])
    post = await emulators.post("facebook", "/posts", {"page_id": page["id"], "message": "Пост страницы"})
    world = emulators.networks["facebook"].world

    async def write(text: str) -> Any:
        return await emulators.post("facebook", "/comments", {"post_id": post["id"], "message": text,
                                                              "author": f"Гость {n}"})

    def write_quietly(text: str) -> None:
        world.add_comment(world.posts[post["id"]], world.person(f"Гость {n}").id, text)

    return Traffic(Network.FACEBOOK, connected.account_id, "feed", write, write_quietly)


async def _telegram(emulators: Emulators, js, env: dict[str, str], n: int) -> Traffic:
    channel = await emulators.post("telegram", "/channels", {"title": f"Канал {n}", "username": f"channel_{n}",
                                                             "bot_username": f"bot_{n}_bot"})
    connected = await connect(js, env, Network.TELEGRAM, {"bot": channel["bot_token"]},
                              external_id=str(channel["channel_id"]))
    post = await emulators.post("telegram", f"/channels/{channel['channel_id']}/posts", {"text": "Пост канала"})
    world = emulators.networks["telegram"].world

    async def write(text: str) -> Any:
        return await emulators.post("telegram", f"/channels/{channel['channel_id']}/comments", {
            "post_id": post["message_id"], "text": text, "from": {"id": 9100 + n, "first_name": "Гость"}})

    def write_quietly(text: str) -> None:
        chat = world.chats[channel["channel_id"]]
        user = world.add_user(9100 + n, "Гость", None, None)
        world.group_message(world.chats[chat.linked_chat_id], user, text, world.forward_of(chat, post["message_id"]))

    return Traffic(Network.TELEGRAM, connected.account_id, "updates", write, write_quietly)


_SETUP = {Network.VK: _vk, Network.X: _x, Network.FACEBOOK: _facebook, Network.TELEGRAM: _telegram}
