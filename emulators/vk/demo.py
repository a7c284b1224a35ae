"""The demo community: created on first start with fixed, documented tokens, and its live traffic.

``chorus up --demo`` connects it with ``DEMO`` (also served by ``GET /_control/vk/demo``). The tokens are
public knowledge on purpose: they only ever open this emulator.
"""
from __future__ import annotations

import random

from chorus.emulators import demo_texts
from chorus.emulators.vk.world import Community, World

BRAND = "Zerno"
DEMO = {
    "community_id": 100100,
    "name": "Кофейня Zerno",
    "screen_name": "zerno_coffee",
    "community_token": "vk1.a.demo-zerno-community-token",
    "user_token": "vk1.a.demo-zerno-admin-user-token",
    "admin_user_id": 100200,
    "brand": BRAND,
}
POSTS = [
    "Осенняя карта уже в кофейнях: тыквенный раф, глинтвейн без алкоголя и пирог с брусникой 🍂",
    "Мы открылись на Тверской! Первые три дня — второй кофе в подарок ☕",
    "Новый мерч Zerno: термокружки и худи. Что думаете?",
]


def seed(world: World) -> Community:
    world.setup_community(DEMO["community_id"], DEMO["name"], screen_name=DEMO["screen_name"], members_count=15890,
                          admin_user_id=DEMO["admin_user_id"], admin_name="Админ Zerno",
                          community_token=DEMO["community_token"], user_token=DEMO["user_token"])
    community = world.communities[DEMO["community_id"]]
    for text in POSTS:
        world.add_post(community, -community.id, text)
    return community


def tick(world: World, rng: random.Random) -> None:
    """One inbound item: mostly comments (some as replies), then private messages, then brand mentions."""
    community = world.communities.get(DEMO["community_id"])
    if community is None:
        community = seed(world)
    roll = rng.random()
    kind = "comment" if roll < 0.6 else "message" if roll < 0.85 else "mention"
    sample = demo_texts.sample(rng, kind, BRAND, unusual_share=0.02)
    first, last = demo_texts.person(rng, sample.lang)
    author = world.person(rng.randint(1_000_000, 900_000_000), first, last)
    if kind == "comment":
        posts = [p for p in community.posts.values() if not p.deleted and not p.postponed]
        post = rng.choice(posts) if posts else world.add_post(community, -community.id, POSTS[0])
        thread = [c for c in community.comments.values() if c.post_id == post.id and not c.deleted]
        reply_to = rng.choice(thread) if thread and rng.random() < 0.25 else None
        world.add_comment(community, post, author.id, sample.text, reply_to=reply_to)
    elif kind == "message":
        world.add_message(community, author.id, sample.text, out=False)
    else:
        from chorus.emulators.vk.world import Post

        world.mentions.append(Post(world.next_id(), author.id, author.id, world.now(), sample.text))
