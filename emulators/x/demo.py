"""Live demo traffic for X: mentions of the demo account, replies under its posts, brand-keyword posts.

The demo account (``@chorus_demo``, tokens in ``control.py``) is created on first use. Texts come from the
shared corpus ``chorus.emulators.demo_texts`` when it is installed, else from the small list below.
"""
from __future__ import annotations

import random

from chorus.emulators.x.control import DEMO_USER_ID, XControl
from chorus.emulators.x.world import World

BRAND = "Chorus Coffee"
_OWN_POSTS = ["Новая осенняя коллекция напитков уже в наших кофейнях ☕", "We are open 24/7 this weekend!",
              "Какой десерт добавить в меню? Пишите в ответах 👇"]
_FALLBACK = [("ru", "Когда откроется кофейня на Тверской?"), ("ru", "Заказ так и не привезли, верните деньги"),
             ("ru", "Лучший раф в городе, спасибо бариста!"), ("en", "Does {brand} deliver to Brooklyn?"),
             ("en", "Waited 40 minutes for a latte at {brand}. Not again."), ("en", "{brand} new menu is great 🔥"),
             ("ru", "Почему в приложении {brand} не работает оплата картой?"), ("en", "Love the vibe at {brand} ❤️")]
_AUTHORS = ["anna_k", "dmitry_ivanov", "coffee_lover", "maria.s", "john_doe", "sveta_m", "alex_p", "kate_w"]


def sample_text(rng: random.Random, kind: str) -> tuple[str, str]:
    """(text, lang) for one inbound item of ``kind`` (comment, mention), about the demo brand."""
    try:
        from chorus.emulators import demo_texts  # the shared corpus, when present
    except ImportError:
        lang, text = rng.choice(_FALLBACK)
        return text.format(brand=BRAND), lang
    sample = demo_texts.sample(rng, kind, BRAND)
    return sample.text, sample.lang


def demo_tick(world: World, control: XControl, rng: random.Random) -> None:
    control.ensure_demo()
    account = world.users[DEMO_USER_ID]
    author = world.add_user(rng.choice(_AUTHORS).replace(".", "_"), followers=rng.randint(3, 20_000))
    own = [t for t in world.tweets_of(account) if t.replied_to is None]
    if not own or rng.random() < 0.05:  # the brand posts now and then, so replies have somewhere to go
        world.post(account, rng.choice(_OWN_POSTS))
        return
    roll = rng.random()
    if roll < 0.4:
        text, lang = sample_text(rng, "comment")
        world.post(author, text, in_reply_to=rng.choice(own), lang=lang)
    elif roll < 0.75:
        text, lang = sample_text(rng, "mention")
        world.post(author, f"@{account.username} {text}", lang=lang)
    else:
        text, lang = sample_text(rng, "mention")
        if BRAND.casefold() not in text.casefold():
            text = f"{BRAND}: {text}"
        world.post(author, text, lang=lang)
