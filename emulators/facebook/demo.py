"""Live demo traffic for Facebook: comments and replies under the demo Page's posts.

The demo Page ("Chorus Coffee", token in ``control.py``) is created on first use; it posts now and then
so comments have fresh posts to go under. Texts come from the shared corpus when it is installed
(see ``chorus.emulators.x.demo.sample_text``).
"""
from __future__ import annotations

import random

from chorus.emulators.facebook.control import DEMO_PAGE_ID, FacebookControl
from chorus.emulators.facebook.world import World
from chorus.emulators.x.demo import sample_text

_OWN_POSTS = ["Мы открыли новую кофейню на Арбате! Ждём вас ☕", "Weekend special: two lattes for the price of one",
              "Расскажите, какой напиток нам добавить в зимнее меню?"]
_PEOPLE = ["Анна Смирнова", "Дмитрий Иванов", "Maria Garcia", "John Smith", "Светлана М.", "Алексей П.", "Kate W."]


def demo_tick(world: World, control: FacebookControl, rng: random.Random) -> None:
    control.ensure_demo()
    page = world.pages[DEMO_PAGE_ID]
    posts = world.feed(page)[:5]
    if not posts or rng.random() < 0.05:
        world.add_post(page, rng.choice(_OWN_POSTS))
        return
    post = rng.choice(posts)
    person = world.person(rng.choice(_PEOPLE))
    text, _ = sample_text(rng, "comment")
    top_level = [c for c in world.comments_of(post.id, stream=False) if c.raw is None]
    parent = rng.choice(top_level) if top_level and rng.random() < 0.3 else None
    world.add_comment(post, person.id, text, parent=parent)
