"""The Facebook Graph API (Pages) emulator: the endpoints Chorus calls, a control API, and demo traffic.

``build()`` returns the ``NetworkEmulator`` that ``chorus.emulators.server`` mounts: the API under any
``/vNN.N/`` prefix and the control API under ``/_control/facebook/``. The demo Page (``demo.DEMO``) exists
from the start.
"""
from __future__ import annotations

import random

from starlette.routing import BaseRoute

from chorus.emulators.control import FaultBook
from chorus.emulators.facebook import demo
from chorus.emulators.facebook.api import GraphApi
from chorus.emulators.facebook.control import FacebookControl
from chorus.emulators.facebook.world import World


class FacebookEmulator:
    name = "facebook"

    def __init__(self) -> None:
        self.world = World()
        self.faults = FaultBook()
        self.api = GraphApi(self.world, self.faults)
        self.control = FacebookControl(self.world, self.faults, self.api)
        demo.seed(self.world)

    def api_routes(self) -> list[BaseRoute]:
        return list(self.api.routes())

    def control_routes(self) -> list[BaseRoute]:
        return self.control.routes()

    def demo_tick(self, rng: random.Random) -> None:
        demo.tick(self.world, rng)


def build() -> FacebookEmulator:
    return FacebookEmulator()
