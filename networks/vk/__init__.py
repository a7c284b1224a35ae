"""VK communities on vk_api (API 5.199): ``client(credentials, endpoints)`` gives the ``AccountClient``.

Credentials: ``external_id`` is the community id; tokens by kind ``community`` (the community's own token)
and, optionally, ``user`` (an administrator's token, for what community tokens cannot do; see
``features.FEATURES``). Ids and cursors are described in ``mapping``, ``longpoll`` and ``mentions``.
"""
from __future__ import annotations

from collections.abc import Mapping

from chorus.networks.base import Endpoints
from chorus.networks.credentials import Credentials
from chorus.networks.vk.client import VkClient
from chorus.networks.vk.features import FEATURES, features_for
from chorus.networks.vk.transport import DEFAULT_TIMEOUT


def client(credentials: Credentials, endpoints: Endpoints, *, rates: Mapping[str, float] | None = None,
           timeout: float | tuple[float, float] = DEFAULT_TIMEOUT, long_poll_wait: int = 25) -> VkClient:
    """The VK ``AccountClient`` for one community.

    ``rates`` overrides the requests per second allowed per token kind (``community``, ``user``),
    ``timeout`` the (connect, read) seconds of an API call, ``long_poll_wait`` how long one long poll waits.
    """
    return VkClient(credentials, endpoints, rates=rates, timeout=timeout, long_poll_wait=long_poll_wait)


__all__ = ["FEATURES", "VkClient", "client", "features_for"]
