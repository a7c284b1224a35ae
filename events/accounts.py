"""Connected accounts. Tokens never enter the log: they live encrypted in the credentials store."""
from __future__ import annotations

from pydantic import Field

from chorus.events.base import Event
from chorus.events.streams import ACCOUNTS
from chorus.events.values import Network


class AccountConnected(Event):
    """A social account was connected to a workspace after its token was verified against the network."""

    type = "account.connected"
    stream = ACCOUNTS

    account_id: str = Field(description="Chorus's id for the account.")
    network: Network
    external_id: str = Field(description="The community, page, bot or user id on the network.")
    name: str = Field(description="The account's display name on the network.")
    handle: str | None = Field(default=None, description="Screen name / username.")
    url: str | None = Field(default=None, description="Link to the account on the network.")
    token_kinds: list[str] = Field(description="Which tokens are stored, e.g. community, user, bot, page.")
    features: list[str] = Field(description="What the stored tokens allow: read_comments, reply, post, ...")
    connected_by: str = Field(description="User id, or `cli`.")


class AccountDisconnected(Event):
    """An account was disconnected; its stored tokens were deleted."""

    type = "account.disconnected"
    stream = ACCOUNTS

    account_id: str
    network: Network
    reason: str = Field(default="", description="Why, as typed by the person who disconnected it.")
    disconnected_by: str


class AccountTokenExpired(Event):
    """A stored token stopped working (expired, revoked, password changed). Emitted once per connection."""

    type = "account.token_expired"
    stream = ACCOUNTS

    account_id: str
    network: Network
    token_kind: str = Field(description="Which of the account's tokens failed.")
    reason: str = Field(description="The network's explanation, with no secret in it.")
    detected_by: str = Field(description="The service that noticed: ingest or publisher.")
