"""Request and response bodies of the posts part of ``/api/v1`` (in the OpenAPI document with the rest)."""
from __future__ import annotations

from datetime import datetime
from typing import Literal

from pydantic import Field

from chorus.inbox.web.api_models import Model

State = Literal["scheduled", "retrying", "sending", "unknown", "published", "failed", "missed", "cancelled"]


class PostCreate(Model):
    workspace: str = Field(description="The workspace the accounts belong to.")
    accounts: list[str] = Field(default_factory=list, description="Account ids (GET /api/v1/accounts).")
    text: str = Field(default="", description="The text for every account, unless a variant replaces it.")
    variants: dict[str, str] = Field(default_factory=dict, description="Texts per network (`vk`, `x`, `telegram`, "
                                     "`facebook`) or per account (`acc:<account_id>`, which wins).")
    media: list[str] = Field(default_factory=list, description="Ids of images uploaded with POST /api/v1/media.")
    campaign: str = Field(default="", description="Fills `{campaign}` of the UTM preset (utm_campaign).")
    utm: str = Field(default="default", description="A UTM preset id of the workspace, `default`, or empty for none.")
    when: Literal["now", "at", "queue", "recurring", "draft"] = Field(
        default="at", description="Post now, at `publish_at`, in each account's next free queue time, repeating "
        "from `publish_at`, or keep as a draft.")
    publish_at: str = Field(default="", description="Wall time in the workspace's time zone, `2026-05-14T10:00`.")
    freq: Literal["daily", "weekly", "monthly"] = "weekly"
    until: str = Field(default="", description="Last day of a recurring series (inclusive), `2026-06-30`.")
    post_id: str | None = Field(default=None, pattern=r"^[0-9a-f]{32}$",
                                description="Idempotency key (32 hex): the same key schedules once. Generated if "
                                "absent.")


class PostCreated(Model):
    status: Literal["scheduled", "awaiting_approval", "recurring", "draft"] = Field(
        description="`awaiting_approval`: the workspace requires an admin's approval (a draft id is returned).")
    post_ids: list[str] = Field(description="Several when queued accounts got different times.")
    draft_id: str | None = None
    series_id: str | None = None


class PostEdit(Model):
    accounts: list[str] | None = Field(default=None, description="Accounts left out are cancelled.")
    text: str | None = None
    variants: dict[str, str] | None = None
    media: list[str] | None = None
    campaign: str | None = None
    utm: str | None = Field(default=None, description="A UTM preset id, `default`, or empty for none. Default: the "
                            "preset the post was composed with (none for a post not composed in Chorus); a link is "
                            "never tagged twice.")
    publish_at: str | None = Field(default=None, description="New wall time in the workspace's zone.")


class PostQuery(Model):
    workspace: str
    start: datetime | None = Field(default=None, description="From (inclusive), default now minus 7 days.")
    end: datetime | None = Field(default=None, description="To (exclusive), default `start` plus 35 days.")
    state: State | None = None
    limit: int = Field(default=200, ge=1, le=2000)


class MediaOut(Model):
    media_id: str
    content_type: str
    size: int
    name: str


class MediaUpload(Model):
    workspace: str
    name: str = Field(default="image", max_length=200)
    data_base64: str = Field(description="The image file, base64-encoded (JPG, PNG, GIF, WEBP, BMP, TIFF).")


class Target(Model):
    account_id: str
    account_name: str | None
    network: str
    state: State
    needs_person: bool = Field(description="Failed or missed: a person must act (the reason says what).")
    text: str | None
    media: list[MediaOut]
    url: str | None = Field(description="Where the published post is.")
    remote_id: str | None
    published_at: datetime | None
    failure: str | None
    reason: str | None
    retry_at: datetime | None


class Post(Model):
    post_id: str
    workspace_id: str
    state: State
    publish_at: datetime
    publish_at_local: str = Field(description="`publish_at` as a wall time in `time_zone`.")
    time_zone: str
    campaign: str | None
    created_by: str | None
    approved_by: str | None
    cancelled_at: datetime | None
    can_change: bool = Field(description="Nothing of it is sending or published yet: it can be edited or moved.")
    targets: list[Target]
