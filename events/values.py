"""Small value objects shared by several event types."""
from __future__ import annotations

from datetime import UTC, datetime
from enum import StrEnum
from typing import Annotated, Any

from pydantic import AfterValidator, BaseModel, BeforeValidator, ConfigDict, Field


def _from_iso(value: Any) -> Any:
    # datetime.fromisoformat is several times faster than pydantic's own parser, and decoding
    # timestamps is most of the cost of reading an event; anything it cannot read falls through.
    if isinstance(value, str):
        try:
            return datetime.fromisoformat(value)
        except ValueError:
            return value
    return value


def _utc(value: datetime) -> datetime:
    if value.tzinfo is None:
        raise ValueError("a timestamp must carry a time zone")
    return value if value.tzinfo is UTC else value.astimezone(UTC)


#: Every timestamp in an event: ISO 8601 with a time zone, normalised to UTC.
Timestamp = Annotated[datetime, BeforeValidator(_from_iso), AfterValidator(_utc)]


class Value(BaseModel):
    model_config = ConfigDict(frozen=True, extra="forbid")


class Network(StrEnum):
    VK = "vk"
    X = "x"
    TELEGRAM = "telegram"
    FACEBOOK = "facebook"


class ItemKind(StrEnum):
    COMMENT = "comment"
    MESSAGE = "message"
    MENTION = "mention"


class Sentiment(StrEnum):
    POSITIVE = "positive"
    NEUTRAL = "neutral"
    NEGATIVE = "negative"


class FailureKind(StrEnum):
    """What went wrong on a network, in Chorus's terms; no caller parses a network's own error codes."""

    RETRY_LATER = "retry_later"            # rate limit, 5xx, timeout: try again after a while
    TOKEN_INVALID = "token_invalid"        # expired or revoked: a person must reconnect the account
    PERMISSION_MISSING = "permission_missing"  # the token lacks a right the call needs
    CONTENT_REJECTED = "content_rejected"  # the network refused this text or media (too long, duplicate...)
    NOT_FOUND = "not_found"                # the post, comment or chat no longer exists
    UNKNOWN = "unknown"                    # the outcome could not be observed; reconcile before retrying


class Author(Value):
    id: str = Field(description="The author's id on the network.")
    name: str = Field(default="", description="Display name.")
    handle: str | None = Field(default=None, description="Screen name / username, without @.")
    url: str | None = Field(default=None, description="Link to the author's profile.")
    followers: int | None = Field(default=None, ge=0, description="Followers or subscribers, when known.")


class Attachment(Value):
    kind: str = Field(description="photo, video, link, sticker, document, audio or other.")
    url: str | None = Field(default=None, description="Where the attachment can be seen.")
    title: str | None = Field(default=None, description="Caption, link title or file name.")


class ItemRef(Value):
    """Points at one inbound item (a comment, a direct message or a mention) of one account."""

    kind: ItemKind
    network: Network
    account_id: str
    item_id: str = Field(description="The item's stable id on the network, as in the event that brought it.")

    @property
    def key(self) -> str:
        return f"{self.account_id}:{self.kind}:{self.item_id}"


class MediaRef(Value):
    media_id: str = Field(description="Id of the file stored by the inbox app.")
    content_type: str
    size: int = Field(ge=0)
    name: str = ""


class PostTarget(Value):
    """One account a post goes to, with the text variant for that account's network."""

    account_id: str
    network: Network
    text: str = Field(description="Final text for this account, UTM tags already applied.")
    media: list[MediaRef] = Field(default_factory=list)
