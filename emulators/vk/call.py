"""One VK API call as a method handler sees it, and the table of methods the emulator implements.

A handler is a plain function ``(call) -> response`` registered with ``@method(name, *token_types)``; the
token types are the method's ``access_token_type`` in ``vk-api-schema`` (a contract test checks they agree).
"""
from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from chorus.emulators.vk.errors import VkError, param_error
from chorus.emulators.vk.world import GROUP, Community, Token, World


@dataclass(frozen=True)
class MethodSpec:
    name: str
    handler: Callable[[Call], Any]
    token_types: tuple[str, ...]


METHODS: dict[str, MethodSpec] = {}


def method(name: str, *token_types: str) -> Callable[[Callable[[Call], Any]], Callable[[Call], Any]]:
    def register(handler: Callable[[Call], Any]) -> Callable[[Call], Any]:
        METHODS[name] = MethodSpec(name, handler, token_types)
        return handler

    return register


@dataclass
class Call:
    method: str
    params: dict[str, str]
    token: Token
    world: World
    #: The emulator's own base URL as the client reached it (long poll and upload servers point there).
    base_url: str

    def has(self, name: str) -> bool:
        return self.params.get(name, "") != ""

    def text(self, name: str, default: str | None = None) -> str:
        value = self.params.get(name)
        if value is None or value == "":
            if default is None:
                raise param_error(name, "is undefined")
            return default
        return value

    def int(self, name: str, default: int | None = None, *, minimum: int | None = None,
            maximum: int | None = None) -> int:
        raw = self.params.get(name)
        if raw is None or raw == "":
            if default is None:
                raise param_error(name, "is undefined")
            return default
        try:
            value = int(raw)
        except ValueError:
            raise param_error(name, "not integer") from None
        if (minimum is not None and value < minimum) or (maximum is not None and value > maximum):
            raise param_error(name, "is out of range")
        return value

    def flag(self, name: str) -> bool:
        return self.params.get(name, "0") not in ("", "0", "false")

    def ids(self, name: str) -> list[str]:
        return [part.strip() for part in self.params.get(name, "").split(",") if part.strip()]

    def community(self, group_id: int) -> Community:
        """The community ``group_id``, which the token must be allowed to manage (else error 15)."""
        community = self.world.communities.get(group_id)
        if community is None:
            raise param_error("group_id", "is invalid")
        if self.token.kind == GROUP and self.token.owner_id != group_id:
            raise VkError(15, "no access to this community")
        if self.token.kind != GROUP and self.token.owner_id not in community.admins:
            raise VkError(15, "you are not an administrator of this community")
        return community

    def own_wall(self, owner_id: int) -> Community:
        """The community whose wall ``owner_id`` (negative) is, managed by this token."""
        community = self.world.community_of(owner_id)
        if community is None:
            raise param_error("owner_id", "is invalid")
        return self.community(community.id)
