"""What a connected account can do, in one vocabulary for every network, and which token each feature needs.

``AccountConnected.features`` lists the names the stored tokens allow; the inbox's account page shows each
network's whole table, so an admin sees what a missing token (VK's administrator user token, X's user
token) would add.
"""
from __future__ import annotations

import importlib
from dataclasses import dataclass

#: Every feature name, in the order the account page lists them.
NAMES = ("read_comments", "read_messages", "read_posts", "mentions", "backfill_comments", "reply_comments",
         "send_messages", "publish_posts", "schedule_posts", "followers", "audience_stats")


@dataclass(frozen=True)
class Feature:
    name: str
    #: Any one of these token kinds is enough; the first is used when the account has several.
    token_kinds: tuple[str, ...]
    methods: tuple[str, ...]
    description: str
    #: Telegram: needs the channel's linked discussion group.
    needs_discussion: bool = False

    def __post_init__(self) -> None:
        if self.name not in NAMES:
            raise ValueError(f"unknown feature {self.name!r}; add it to networks.features.NAMES")


def catalogue(network: str) -> tuple[Feature, ...]:
    """The network's feature table (``FEATURES`` of ``chorus.networks.<network>.features``)."""
    return importlib.import_module(f"chorus.networks.{network}.features").FEATURES


def allowed(features: tuple[Feature, ...], token_kinds: set[str] | list[str]) -> list[str]:
    kinds = set(token_kinds)
    return [f.name for f in features if kinds.intersection(f.token_kinds)]
