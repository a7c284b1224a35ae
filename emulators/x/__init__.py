"""The X (Twitter) API v2 emulator: the endpoints Chorus calls, a control API, and demo traffic.

``build()`` returns the ``NetworkEmulator`` that ``chorus.emulators.server`` mounts: the API under
``/2/`` and the control API under ``/_control/x/``. The demo account (``demo.DEMO``) exists from the start.
"""
from __future__ import annotations

import random

from starlette.routing import BaseRoute

from chorus.emulators.control import FaultBook
from chorus.emulators.x import demo
from chorus.emulators.x.api import XApi
from chorus.emulators.x.control import XControl
from chorus.emulators.x.limits import Windows
from chorus.emulators.x.world import World


class XEmulator:
    name = "x"

    def __init__(self) -> None:
        self.world = World()
        self.faults = FaultBook()
        self.windows = Windows()
        self.api = XApi(self.world, self.faults, self.windows)
        self.control = XControl(self.world, self.faults, self.windows)
        demo.seed(self.world)

    def api_routes(self) -> list[BaseRoute]:
        return list(self.api.routes())

    def control_routes(self) -> list[BaseRoute]:
        return self.control.routes()

    def demo_tick(self, rng: random.Random) -> None:
        demo.tick(self.world, rng)


def build() -> XEmulator:
    return XEmulator()
