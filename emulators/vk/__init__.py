"""A local VK API: the methods Chorus uses, Bots Long Poll, the Callback API, uploads and a control API.

``build()`` gives the ``NetworkEmulator`` that ``chorus.emulators.server`` mounts; the demo community
(``demo.DEMO``) exists from the start.
"""
from __future__ import annotations

import random

from starlette.routing import BaseRoute

from chorus.emulators.control import FaultBook, RateLimit, control_route
from chorus.emulators.vk import demo
from chorus.emulators.vk.api import VkApi
from chorus.emulators.vk.control_api import VkControl
from chorus.emulators.vk.world import World


class VkEmulator:
    name = "vk"

    def __init__(self) -> None:
        self.world = World()
        self.faults = FaultBook()
        self.rate_limit = RateLimit()
        demo.seed(self.world)

    def reset(self) -> None:
        for server in self.world.callbacks.values():
            server.stop()
        self.world = World()
        self.faults.clear()
        self.rate_limit.reset()
        demo.seed(self.world)

    def api_routes(self) -> list[BaseRoute]:
        return VkApi(self).routes()

    def control_routes(self) -> list[BaseRoute]:
        async def demo_accounts(_):
            return demo.DEMO

        return [control_route("/demo", demo_accounts, ["GET"]), *VkControl(self).routes()]

    def demo_tick(self, rng: random.Random) -> None:
        demo.tick(self.world, rng)


def build() -> VkEmulator:
    return VkEmulator()
