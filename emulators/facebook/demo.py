"""The demo Facebook Page: there from the start with a fixed, documented Page token, and its live traffic.

``chorus up --demo`` connects it with ``DEMO`` (also served by ``GET /_control/facebook/demo``):
``page_token`` as the ``page`` token and ``page_id`` as the external id. The token is public knowledge on
purpose: it only ever opens this emulator. The brand is the one every emulator's demo uses.
"""
from __future__ import annotations

import random

from chorus.emulators import demo_texts
from chorus.emulators.facebook.world import Page, World

BRAND = "Zerno"
DEMO = {
    "page_id": "100000000000777",
    "name": "Кофейня Zerno",
    "username": "zernocoffee",
    "page_token": "EAAdemoZernoPageToken0000000000000000",
    "brand": BRAND,
}
POSTS = [
    "Осенняя карта уже в кофейнях: тыквенный раф, глинтвейн без алкоголя и пирог с брусникой 🍂",
    "Мы открылись на Тверской! Первые три дня второй кофе в подарок ☕",
    "Новый мерч Zerno: термокружки и худи. Что думаете?",
]


def seed(world: World) -> Page:
    """The demo Page, its token and a few posts to comment under (idempotent)."""
    page = world.pages.get(DEMO["page_id"])
    if page is None:
        page = world.add_page(DEMO["name"], page_id=DEMO["page_id"], username=DEMO["username"], fan_count=5_400,
                              followers_count=5_710)
        for text in POSTS:
            world.add_post(page, text)
    world.tokens[DEMO["page_token"]] = page.id
    world.revoked.discard(DEMO["page_token"])
    return page


def tick(world: World, rng: random.Random) -> None:
    """One inbound comment under one of the newest posts; a quarter are replies to other comments."""
    page = seed(world)
    posts = world.feed(page)[:5] or [world.add_post(page, POSTS[0])]
    post = rng.choice(posts)
    sample = demo_texts.sample(rng, "comment", BRAND, unusual_share=0.02)
    first, last = demo_texts.person(rng, sample.lang)
    person = world.person(f"{first} {last}")
    thread = [c for c in world.comments_of(post.id, stream=False) if c.raw is None]
    parent = rng.choice(thread) if thread and rng.random() < 0.25 else None
    world.add_comment(post, person.id, sample.text, parent=parent)
