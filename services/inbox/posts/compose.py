"""What a person composes, checked and turned into each account's text. Pure: no I/O.

A ``Composition`` is one text for many accounts, with variants per network (``"vk"``) or per account
(``"acc:<account_id>"``; an account's variant wins over its network's), images (uploaded before, by id), a
campaign and a UTM preset, and when to post: ``now``, ``at`` a wall time in the workspace's zone, the
account's ``queue``, ``recurring`` from a wall time, or kept as a ``draft``.

``review`` checks it against the workspace (``Context``: its accounts, uploaded images, preset, zone, now)
with the networks' own rules (``chorus.networks.media``, the publisher's too), and gives every account's
final text (links tagged) with its length and limit, so the page shows what will go out. ``targets``
refuses the first problem with an ``InboxError`` naming it.
"""
from __future__ import annotations

import json
import re
import uuid
from collections.abc import Mapping
from dataclasses import asdict, dataclass, field
from datetime import date, datetime
from typing import Any
from zoneinfo import ZoneInfo

from chorus.events.values import MediaRef, Network, PostTarget
from chorus.inbox.domain import InboxError, NotFound
from chorus.inbox.posts.recurrence import Recurrence
from chorus.inbox.posts.timing import parse_local, to_utc
from chorus.networks.limits import TextKind, check
from chorus.networks.media import ImageFacts, Problem, images_problem, post_text_problem
from chorus.networks.utm import UtmPreset

MODES = ("now", "at", "queue", "recurring", "draft")
POST_ID = re.compile(r"^[0-9a-f]{32}$")
MAX_TEXT = 70000
MAX_ACCOUNTS = 50
MAX_MEDIA = 10
MAX_CAMPAIGN = 120


@dataclass
class Composition:
    accounts: list[str] = field(default_factory=list)
    text: str = ""
    variants: dict[str, str] = field(default_factory=dict)
    media: list[str] = field(default_factory=list)
    campaign: str = ""
    utm: str = "default"  # a preset id of the workspace, "default", or "" for no tagging
    mode: str = "at"
    publish_at: str = ""  # wall time, for "at" and "recurring"
    freq: str = "weekly"
    until: str = ""  # date, for "recurring"
    post_id: str = field(default_factory=lambda: uuid.uuid4().hex)

    def to_json(self) -> str:
        return json.dumps(asdict(self), ensure_ascii=False)

    @classmethod
    def from_dict(cls, data: Mapping[str, Any]) -> Composition:
        known = {k: data[k] for k in cls.__dataclass_fields__ if k in data}
        comp = cls(**known)
        comp.accounts = [str(a) for a in comp.accounts][:MAX_ACCOUNTS]
        comp.variants = {str(k): str(v) for k, v in dict(comp.variants).items() if str(v).strip()}
        comp.media = [str(m) for m in comp.media][:MAX_MEDIA + 1]
        return comp

    @classmethod
    def from_json(cls, raw: str) -> Composition:
        return cls.from_dict(json.loads(raw))

    @classmethod
    def from_form(cls, form: Any) -> Composition:
        """From the composer's form: ``accounts`` (repeated), ``text``, ``variant_<key>``, ``media`` (repeated)."""
        values = form.getlist if hasattr(form, "getlist") else (lambda k: form.get(k) or [])
        variants = {k[len("variant_"):]: str(v) for k, v in form.items() if k.startswith("variant_") and str(v).strip()}
        return cls.from_dict({
            "accounts": list(dict.fromkeys(a for a in values("accounts") if a)), "text": str(form.get("text", "")),
            "variants": variants, "media": [m for m in values("media") if m],
            "campaign": str(form.get("campaign", "")), "utm": str(form.get("utm", "default")),
            "mode": str(form.get("mode", "at")), "publish_at": str(form.get("publish_at", "")),
            "freq": str(form.get("freq", "weekly")), "until": str(form.get("until", "")),
            "post_id": str(form.get("post_id") or uuid.uuid4().hex)})

    def text_for(self, account_id: str, network: str) -> str:
        return self.variants.get(f"acc:{account_id}") or self.variants.get(network) or self.text


@dataclass(frozen=True)
class Account:
    account_id: str
    network: str
    name: str
    handle: str | None = None
    status: str = "connected"

    @property
    def label(self) -> str:
        return self.name or self.handle or self.account_id


@dataclass(frozen=True)
class Upload:
    media_id: str
    facts: ImageFacts

    def ref(self) -> MediaRef:
        return MediaRef(media_id=self.media_id, content_type=self.facts.content_type, size=self.facts.size,
                        name=self.facts.name)


@dataclass(frozen=True)
class Context:
    workspace_id: str
    accounts: Mapping[str, Account]
    uploads: Mapping[str, Upload]
    preset: UtmPreset | None
    tz: ZoneInfo
    now: datetime


@dataclass(frozen=True)
class TargetReview:
    account: Account
    text: str  # final: variant chosen, links tagged
    length: int
    maximum: int
    counting: str
    problem: InboxError | None


NETWORK_NAMES = {"vk": "VK", "x": "X", "telegram": "Telegram", "facebook": "Facebook"}


def _from_problem(problem: Problem, account: Account) -> InboxError:
    params = {k: v for k, v in problem.params.items() if k != "account"}
    if "network" in params:
        params["network"] = NETWORK_NAMES.get(params["network"], params["network"])
    return InboxError(problem.code, f"{account.label}: {problem.message}", account=account.label, **params)


def final_text(comp: Composition, account: Account, ctx: Context, post_id: str) -> str:
    text = comp.text_for(account.account_id, account.network).strip()
    if ctx.preset is None or not text:
        return text
    return ctx.preset.apply(text, network=account.network, account=account.handle or account.account_id,
                            campaign=comp.campaign.strip() or None, post=post_id)


def _general(comp: Composition, ctx: Context, strict: bool) -> list[Account]:
    if comp.mode not in MODES:
        raise InboxError("post_bad_mode", "choose post now, schedule, queue, repeat or draft")
    if not comp.accounts:
        raise InboxError("post_no_target", "choose at least one account to post to")
    if len(comp.text) > MAX_TEXT or any(len(v) > MAX_TEXT for v in comp.variants.values()):
        raise InboxError("post_text_huge", f"a text may have up to {MAX_TEXT} characters", maximum=MAX_TEXT)
    if len(comp.campaign) > MAX_CAMPAIGN:
        raise InboxError("post_campaign", f"a campaign name may have up to {MAX_CAMPAIGN} characters",
                         maximum=MAX_CAMPAIGN)
    if len(comp.media) > MAX_MEDIA:
        raise InboxError("post_media_count", f"a post may have up to {MAX_MEDIA} images", maximum=MAX_MEDIA)
    found = []
    for account_id in comp.accounts:
        account = ctx.accounts.get(account_id)
        if account is None:
            raise NotFound("account")
        if strict and account.status != "connected":
            raise InboxError("post_account_down", f"{account.label} is {account.status}: reconnect it in Settings "
                             "or leave it out", account=account.label)
        found.append(account)
    for media_id in comp.media:
        if media_id not in ctx.uploads:
            raise InboxError("post_media_missing", "an image of the post is no longer stored: upload it again")
    return found


def review(comp: Composition, ctx: Context, post_id: str | None = None, *, strict: bool = True) -> list[TargetReview]:
    """Every chosen account's final text and what its network would refuse. Raises for what concerns all.

    ``strict``: refuse accounts that are not connected (off for occurrences of a series, see ``handlers``).
    """
    accounts = _general(comp, ctx, strict)
    images = [ctx.uploads[m].facts for m in comp.media]
    out = []
    for account in accounts:
        text = final_text(comp, account, ctx, post_id or comp.post_id)
        kind = TextKind.CAPTION if account.network == Network.TELEGRAM and images else TextKind.POST
        length, limit = check(text, account.network, kind)
        problem = post_text_problem(account.network, text, bool(images)) or images_problem(account.network, images)
        out.append(TargetReview(account, text, length, limit.maximum, limit.counting,
                                _from_problem(problem, account) if problem else None))
    return out


def targets(comp: Composition, ctx: Context, post_id: str, accounts: list[str] | None = None, *,
            strict: bool = True) -> list[PostTarget]:
    """The ``PostTarget`` of each account (or of ``accounts`` only); the first problem is raised."""
    refs = [ctx.uploads[m].ref() for m in comp.media] if all(m in ctx.uploads for m in comp.media) else []
    out = []
    for item in review(comp, ctx, post_id, strict=strict):
        if item.problem is not None:
            raise item.problem
        if accounts is None or item.account.account_id in accounts:
            out.append(PostTarget(account_id=item.account.account_id, network=item.account.network, text=item.text,
                                  media=refs))
    return out


def when(comp: Composition, ctx: Context) -> datetime:
    """The instant of an ``at`` or ``recurring`` post's (first) time; refused when it is not ahead."""
    if not comp.publish_at.strip():
        raise InboxError("post_no_time", "pick a date and time")
    local = parse_local(comp.publish_at)
    instant = to_utc(local, ctx.tz)
    if instant <= ctx.now:
        raise InboxError("post_in_past", f"{local:%Y-%m-%d %H:%M} ({ctx.tz.key}) is in the past: pick a later time",
                         time=f"{local:%d.%m.%Y %H:%M}", zone=ctx.tz.key)
    return instant


def recurrence(comp: Composition) -> Recurrence:
    until = None
    if comp.until.strip():
        try:
            until = date.fromisoformat(comp.until.strip())
        except ValueError:
            raise InboxError("bad_recurrence_until", "the end of the series is not a date") from None
    return Recurrence(comp.freq, parse_local(comp.publish_at), until)
