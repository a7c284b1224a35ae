"""A local Telegram Bot API: the methods Chorus uses, getUpdates long polling, a control API and demo traffic.

``build()`` gives the ``NetworkEmulator`` that ``chorus.emulators.server`` mounts; the demo channel
(``demo.DEMO``) exists from the start.
"""
from __future__ import annotations

import random

from starlette.routing import BaseRoute

from chorus.emulators.control import FaultBook, RateLimit, control_route
from chorus.emulators.telegram import demo
from chorus.emulators.telegram.api import TelegramApi
from chorus.emulators.telegram.control_api import TelegramControl
from chorus.emulators.telegram.world import World


class TelegramEmulator:
    name = "telegram"

    def __init__(self) -> None:
        self.world = World()
        self.faults = FaultBook()
        self.rate_limit = RateLimit()
        demo.seed(self.world)

    def reset(self) -> None:
        self.world = World()
        self.faults.clear()
        self.rate_limit.reset()
        demo.seed(self.world)

    def api_routes(self) -> list[BaseRoute]:
        return TelegramApi(self).routes()

    def control_routes(self) -> list[BaseRoute]:
        async def demo_accounts(_):
            return demo.DEMO

        return [control_route("/demo", demo_accounts, ["GET"]), *TelegramControl(self).routes()]

    def demo_tick(self, rng: random.Random) -> None:
        demo.tick(self.world, rng)


def build() -> TelegramEmulator:
    return TelegramEmulator()
