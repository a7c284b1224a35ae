"""The demo X account: there from the start with fixed, documented tokens, and its live traffic.

``chorus up --demo`` connects it with ``DEMO`` (also served by ``GET /_control/x/demo``): ``user_token``
as the ``user`` token, ``bearer_token`` as ``bearer``, ``user_id`` as the external id, ``brand`` as the
keyword to search. The tokens are public knowledge on purpose: they only ever open this emulator. The
brand is the one every emulator's demo uses (texts from ``chorus.emulators.demo_texts``).
"""
from __future__ import annotations

import random

from chorus.emulators import demo_texts
from chorus.emulators.x.world import User, World

BRAND = "Zerno"
DEMO = {
    "user_id": "1500000000000000001",
    "username": "zerno_coffee",
    "name": "Кофейня Zerno",
    "user_token": "x-demo-zerno-user-token",
    "bearer_token": "x-demo-zerno-app-bearer",
    "brand": BRAND,
}
POSTS = [
    "Осенняя карта уже в кофейнях Zerno: тыквенный раф и пирог с брусникой 🍂",
    "Мы открылись на Тверской! Первые три дня второй кофе в подарок ☕",
    "Что добавить в зимнее меню? Ответьте на этот пост 👇",
]
_LATIN = dict(zip("абвгдеёжзийклмнопрстуфхцчшщъыьэюя",
                  ["a", "b", "v", "g", "d", "e", "e", "zh", "z", "i", "y", "k", "l", "m", "n", "o", "p", "r", "s",
                   "t", "u", "f", "h", "ts", "ch", "sh", "sch", "", "y", "", "e", "yu", "ya"], strict=True))


def seed(world: World) -> User:
    """The demo account, its tokens and a few posts to reply under (idempotent)."""
    account = world.users.get(DEMO["user_id"])
    if account is None:
        account = world.add_user(DEMO["username"], DEMO["name"], user_id=DEMO["user_id"], followers=12_840)
        for text in POSTS:
            world.post(account, text)
    world.add_token(DEMO["user_token"], "user", account.id)
    world.add_token(DEMO["bearer_token"], "app", None)
    return account


def tick(world: World, rng: random.Random) -> None:
    """One inbound post: mostly replies under the brand's posts, then @mentions, then keyword-only posts."""
    account = seed(world)
    roll = rng.random()
    kind = "comment" if roll < 0.55 else "mention"
    sample = demo_texts.sample(rng, kind, BRAND, unusual_share=0.02)
    first, last = demo_texts.person(rng, sample.lang)
    author = world.add_user(_handle(first, last, rng), f"{first} {last}", followers=rng.randint(3, 25_000))
    if kind == "comment":
        own = [t for t in world.tweets_of(account) if t.replied_to is None] or [world.post(account, POSTS[0])]
        post = rng.choice(own)
        thread = [t for t in world.visible() if t.conversation_id == post.conversation_id and t.id != post.id
                  and t.raw is None]
        parent = rng.choice(thread) if thread and rng.random() < 0.25 else post
        world.post(author, sample.text, in_reply_to=parent, lang=sample.lang)
    elif roll < 0.8:
        world.post(author, f"@{account.username} {sample.text}", lang=sample.lang)
    else:
        text = sample.text if BRAND.casefold() in sample.text.casefold() else f"{BRAND}: {sample.text}"
        world.post(author, text, lang=sample.lang)


def _handle(first: str, last: str, rng: random.Random) -> str:
    latin = "".join(_LATIN.get(c, c) for c in f"{first}_{last}".lower())
    latin = "".join(c for c in latin if c.isascii() and (c.isalnum() or c == "_"))
    return f"{latin[:10]}{rng.randint(1, 9999)}"
