"""The demo channel: created on first start with a fixed, documented bot token, and its live traffic.

``chorus up --demo`` connects it with ``DEMO`` (also served by ``GET /_control/telegram/demo``). The token is
public knowledge on purpose: it only ever opens this emulator.
"""
from __future__ import annotations

import random

from chorus.emulators import demo_texts
from chorus.emulators.telegram.world import Chat, World

BRAND = "Zerno"
DEMO = {
    "bot_id": 7000100100,
    "bot_token": "7000100100:AAdemo-zerno-bot-token-000000000000",
    "bot_username": "zerno_demo_bot",
    "channel_id": -1001000100100,
    "channel_username": "zerno_coffee",
    "title": "Кофейня Zerno",
    "brand": BRAND,
}
POSTS = [
    "☕ Осеннее меню уже в кофейнях: тыквенный раф и пирог с брусникой",
    "Открыли новую точку на Тверской! Приходите на дегустацию в субботу",
]


def seed(world: World) -> Chat:
    bot = world.add_bot(DEMO["bot_username"], "Zerno", DEMO["bot_token"], DEMO["bot_id"])
    channel = world.add_channel(DEMO["title"], DEMO["channel_username"], bot, members_count=4200,
                                chat_id=DEMO["channel_id"])
    DEMO["discussion_id"] = channel.linked_chat_id
    for text in POSTS:
        world.channel_post(channel, text=text)
    bot.updates.confirm(bot.updates.next_id)  # the seed posts are history, not news
    return channel


def tick(world: World, rng: random.Random) -> None:
    """One inbound item: mostly comments under the channel's posts, some private messages to the bot."""
    channel = world.chats.get(DEMO["channel_id"]) or seed(world)
    bot = world.bots[DEMO["bot_id"]]
    kind = "comment" if rng.random() < 0.7 else "message"
    sample = demo_texts.sample(rng, kind, BRAND, unusual_share=0.02)
    first, last = demo_texts.person(rng, sample.lang)
    user = world.add_user(rng.randint(100_000_000, 2_000_000_000), first, last)
    if kind == "message":
        world.private_message(bot, user, sample.text)
        return
    group = world.chats.get(channel.linked_chat_id) if channel.linked_chat_id else None
    posts = [m.message_id for m in channel.messages.values()]
    forward = world.forward_of(channel, rng.choice(posts)) if posts else None
    if group is None or forward is None:
        world.channel_post(channel, text=rng.choice(POSTS))
        return
    thread = [m for m in group.messages.values() if m.thread_id == forward.message_id]
    target = rng.choice(thread) if thread and rng.random() < 0.25 else forward
    world.group_message(group, user, sample.text, target)
