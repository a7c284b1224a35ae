"""Settings of the monitor service; the only module of the service that reads the environment."""
from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass

from chorus.backbone.settings import CommonSettings, common

DEFAULT_PORT = 8102


@dataclass(frozen=True)
class Settings:
    common: CommonSettings


def load(env: Mapping[str, str]) -> Settings:
    return Settings(common=common(env, "monitor", DEFAULT_PORT))
