"""The Facebook Graph API (Pages) emulator: the endpoints Chorus calls, a control API, and demo traffic.

``build()`` returns the ``NetworkEmulator`` that ``chorus.emulators.server`` mounts: the API under any
``/vNN.N/`` prefix and the control API under ``/_control/facebook/``.
"""
from __future__ import annotations

import random

from starlette.routing import BaseRoute

from chorus.emulators.control import FaultBook
from chorus.emulators.facebook.api import GraphApi
from chorus.emulators.facebook.control import FacebookControl
from chorus.emulators.facebook.demo import demo_tick
from chorus.emulators.facebook.world import World


class FacebookEmulator:
    name = "facebook"

    def __init__(self) -> None:
        self.world = World()
        self.faults = FaultBook()
        self.api = GraphApi(self.world, self.faults)
        self.control = FacebookControl(self.world, self.faults, self.api)

    def api_routes(self) -> list[BaseRoute]:
        return list(self.api.routes())

    def control_routes(self) -> list[BaseRoute]:
        return self.control.routes()

    def demo_tick(self, rng: random.Random) -> None:
        demo_tick(self.world, self.control, rng)


def build() -> FacebookEmulator:
    return FacebookEmulator()
