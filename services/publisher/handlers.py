"""Performing one item that came due: decide, check, claim, record the intent, call the network, record the outcome.

The order is what makes each post and reply happen once:

1. ``plan`` (pure) decides: skip, fail or miss without calling, reconcile an unknown outcome, or send.
2. Checks the network would fail anyway (text length, image format and size) fail the item before any call.
3. ``Schedule.claim`` marks it as sending in one transaction that re-checks it was not cancelled or edited
   meanwhile: a cancel applied before the claim wins, one applied after it finds the item in flight.
4. ``*Attempted`` is appended to the log and acknowledged *before* the network is called. If that fails,
   the claim is released and nothing is sent.
5. The network is called with the item's idempotency key (``post_id:account_id`` or the ``reply_id``).
6. The outcome is appended: published, deferred (retry later), failed (a person must act), or unknown.

An unknown outcome (a dropped connection, a timeout, a crash between 4 and 6) is never re-sent blindly:
where the network takes the key (VK, within the hour it remembers it) the item is re-sent with the same
key, which the network de-duplicates; elsewhere the network is read back (``find_sent``) and the item is
sent again only if it is not there. Before any retry on a network without a key, it is read back too.
"""
from __future__ import annotations

import asyncio
import logging
import random
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from datetime import timedelta

from chorus.events import Event
from chorus.events.values import FailureKind
from chorus.networks import media as rules
from chorus.networks.base import AccountClient, Media, Sent, Target
from chorus.networks.errors import NetworkError, RetryLater, TokenInvalid, redact
from chorus.networks.limits import TextKind
from chorus.publisher import records
from chorus.publisher.domain import (
    Deferred,
    Fail,
    Failed,
    Item,
    Kind,
    Miss,
    Policy,
    Reconcile,
    Send,
    Skip,
    Unknown,
    after_error,
    plan,
    retry_delay,
    token_kind_for,
    too_late,
)
from chorus.publisher.ports import Accounts, Clock, EventLog, MediaProblem, MediaSource, Schedule

log = logging.getLogger(__name__)


@dataclass
class Deps:
    schedule: Schedule
    accounts: Accounts
    media: MediaSource
    log: EventLog
    clock: Clock
    policy: Policy = field(default_factory=Policy)
    jitter: Callable[[], float] = lambda: random.uniform(1.0, 1.2)


@dataclass(frozen=True)
class Done:
    """What became of one due item: the events written, and how long its account should pause."""

    events: list[Event] = field(default_factory=list)
    pause_s: float = 0.0
    #: True when the item changed under the worker (edited, cancelled, claimed): it is looked at again.
    changed: bool = False


async def perform(key: str, deps: Deps) -> Done:
    """Handle the item ``key`` that came due (see the module docstring)."""
    item = await deps.schedule.load(key)
    if item is None:
        return Done(changed=True)
    now = deps.clock.now()
    status = await deps.accounts.status(item.account_id)
    workspace = await deps.schedule.workspace(item.workspace_id)
    decision = plan(item, now=now, account=status, workspace=workspace, policy=deps.policy)
    if isinstance(decision, Skip):
        return Done(changed=True)
    if isinstance(decision, Fail):
        return await _write(deps, [records.failed(item, decision.failure, decision.reason)])
    if isinstance(decision, Miss):
        return await _write(deps, [records.missed(item, decision.reason)])
    if isinstance(decision, Reconcile):
        return await _reconcile(item, decision.by_key, deps)
    assert isinstance(decision, Send)
    return await _send(item, deps, read_back_first=decision.read_back_first)


async def _write(deps: Deps, events: Sequence[Event], pause_s: float = 0.0) -> Done:
    await deps.log.append(events)
    return Done(list(events), pause_s)


def _since(item: Item, policy: Policy):
    return (item.intent_at or item.publish_at) - policy.readback_margin


class _Unexpected(Exception):
    """An adapter raised something that is not a network outcome (a bug): logged redacted, treated as unknown."""



async def _find(item: Item, client: AccountClient, deps: Deps) -> Sent | None:
    try:
        target = Target(**{k: item.target.get(k) for k in ("post_id", "comment_id", "dialogue_id")}) \
            if item.target else None
        return await asyncio.wait_for(client.find_sent(item.idempotency_key, item.text, _since(item, deps.policy),
                                                       target), deps.policy.call_timeout_s)
    except (NetworkError, TimeoutError):
        raise
    except Exception as error:
        raise _Unexpected(_unexpected(item, "find_sent", error)) from error


def _unexpected(item: Item, call: str, error: BaseException) -> str:
    """Log an adapter's unexpected exception without leaking a token; the text is safe for an event."""
    text = redact(f"{type(error).__name__}: {error}")
    log.error("%s: the %s adapter's %s failed unexpectedly: %s", item.key, item.network.value, call, text)
    log.debug("traceback", exc_info=error)
    return text


async def _reconcile(item: Item, by_key: bool, deps: Deps) -> Done:
    """Settle an unknown outcome of attempt ``item.attempts``."""
    attempt = item.attempts
    if by_key and (item.cancel_requested or too_late(item, now=deps.clock.now(), policy=deps.policy,
                                                     workspace=await deps.schedule.workspace(item.workspace_id))):
        by_key = False  # re-sending would publish a cancelled or stale post if the first never landed: read back
    status = await deps.accounts.status(item.account_id)
    if not status.connected:
        return await _write(deps, [records.failed(item, FailureKind.UNKNOWN, _unsettled(
            "the account was disconnected before the network could be read"))])
    if by_key:
        return await _send(item, deps, read_back_first=False, by_key_for=attempt)
    client = await deps.accounts.client(item.account_id)
    now = deps.clock.now()
    try:
        found = await _find(item, client, deps)
    except (RetryLater, TimeoutError, _Unexpected) as error:
        if item.rounds + 1 >= deps.policy.reconcile_rounds:
            return await _write(deps, [records.failed(item, FailureKind.UNKNOWN, _unsettled(
                f"reading the network back kept failing ({_detail(error)})"))])
        delay = retry_delay(item.rounds + 1, getattr(error, "retry_after", None), deps.policy, deps.jitter())
        return await _write(deps, [records.deferred(item, attempt, f"read-back failed: {_detail(error)}",
                                                    now + timedelta(seconds=delay), step=f"readback-{item.rounds}")])
    except TokenInvalid as error:
        await deps.accounts.token_expired(item.account_id, token_kind_for(item.network, item.kind, error.detail),
                                          error.detail)
        return await _write(deps, [records.failed(item, FailureKind.UNKNOWN, _unsettled(error.detail))])
    except NetworkError as error:  # OutcomeUnknown (the adapter cannot tell), a permission, a missing target
        return await _write(deps, [records.failed(item, FailureKind.UNKNOWN, _unsettled(error.detail))])
    if found is not None:
        return await _write(deps, [
            records.reconciled(item, attempt, found=True, sent=found, method="read_back",
                               detail="found on the network: not sent again"),
            records.published(item, found, now)])
    if item.cancel_requested:
        return await _write(deps, [records.reconciled(
            item, attempt, found=False, sent=None, method="read_back",
            detail="not on the network, and cancelled meanwhile: not sent")])
    workspace = await deps.schedule.workspace(item.workspace_id)
    late = too_late(item, now=now, workspace=workspace, policy=deps.policy)
    absent = records.reconciled(item, attempt, found=False, sent=None, method="read_back",
                                detail="not on the network: " + ("too late to send again" if late else "sent again"))
    if isinstance(late, Miss):
        return await _write(deps, [absent, records.missed(item, late.reason)])
    if late is not None:
        return await _write(deps, [absent, records.failed(item, late.failure, late.reason)])
    await deps.log.append([absent])
    done = await _send(item, deps, read_back_first=False)
    return Done([absent, *done.events], done.pause_s, done.changed)


def _unsettled(detail: str) -> str:
    return (f"the outcome of sending could not be checked ({detail}); look at the account on the network "
            "before publishing it again")


def _detail(error: BaseException) -> str:
    if isinstance(error, NetworkError):
        return error.detail
    return "no answer in time" if isinstance(error, TimeoutError) else f"{type(error).__name__}: {error}"


async def _send(item: Item, deps: Deps, *, read_back_first: bool, by_key_for: int | None = None) -> Done:
    client = await deps.accounts.client(item.account_id)
    if read_back_first:
        try:
            found = await _find(item, client, deps)
        except (RetryLater, TimeoutError, _Unexpected) as error:
            retry_at = deps.clock.now() + timedelta(seconds=retry_delay(
                item.attempts, getattr(error, "retry_after", None), deps.policy, deps.jitter()))
            return await _write(deps, [records.deferred(item, item.attempts, f"read-back before retrying failed: "
                                                        f"{_detail(error)}", retry_at,
                                                        step=f"precheck-{item.due_at.timestamp()}")])
        except NetworkError as error:
            # The previous attempt definitely failed (it was deferred), so sending is still safe; a token
            # or permission problem shows up again, and is reported, on the send itself.
            log.info("read-back of %s before retrying could not be made (%s); sending", item.key, error.detail)
            found = None
        if found is not None:
            return await _write(deps, [
                records.reconciled(item, item.attempts, found=True, sent=found, method="read_back",
                                   detail="found on the network before retrying: not sent again"),
                records.published(item, found, deps.clock.now())])
    problem, media = await _checked(item, deps)
    if problem is not None:
        return await _write(deps, [records.failed(item, FailureKind.CONTENT_REJECTED, problem)])
    attempt = item.attempts + 1
    claimed = await deps.schedule.claim(item, attempt, deps.clock.now())
    if claimed is None:
        return Done(changed=True)
    try:
        await deps.log.append([records.attempted(claimed, attempt)])
    except BaseException:
        await _quietly(deps.schedule.release(claimed, attempt))
        raise
    try:
        sent = await asyncio.wait_for(_call(client, claimed, media), deps.policy.call_timeout_s)
    except asyncio.CancelledError:
        raise  # shutting down mid-call: the intent is logged, so the next start reconciles it
    except Exception as error:  # noqa: BLE001 - every outcome is classified; an unexpected one is unknown
        if not isinstance(error, NetworkError | TimeoutError):
            error = _Unexpected(_unexpected(claimed, "write", error))
        return await _after(claimed, attempt, error, deps, settling=by_key_for is not None)
    events = [records.published(claimed, sent, deps.clock.now())]
    if by_key_for is not None:
        events.insert(0, records.reconciled(
            claimed, by_key_for, found=True, sent=sent, method="idempotency_key",
            detail=f"re-sent with the same key, which {claimed.network.value} de-duplicates: it exists once"))
    return await _write(deps, events)


async def _after(item: Item, attempt: int, error: BaseException, deps: Deps, *, settling: bool = False) -> Done:
    """Record what ``error`` means. ``settling``: the call re-sent an unknown outcome under the same key, so a
    refusal now does not say whether the first attempt landed."""
    outcome = after_error(error, attempt=attempt, now=deps.clock.now(), policy=deps.policy, jitter=deps.jitter())
    if isinstance(outcome, Deferred):
        return await _write(deps, [records.deferred(item, attempt, outcome.reason, outcome.retry_at)],
                            pause_s=outcome.pause_s)
    if isinstance(outcome, Unknown):
        return await _write(deps, [records.unknown(item, attempt, outcome.reason)])
    assert isinstance(outcome, Failed)
    if outcome.token_expired:
        await deps.accounts.token_expired(item.account_id, token_kind_for(item.network, item.kind, outcome.reason),
                                          outcome.reason)
    if settling:
        return await _write(deps, [records.failed(item, FailureKind.UNKNOWN, _unsettled(
            f"re-sending it under the same key was refused: {outcome.reason}"))])
    return await _write(deps, [records.failed(item, outcome.failure, outcome.reason)])


async def _checked(item: Item, deps: Deps) -> tuple[str | None, list[Media]]:
    """Why the network would refuse the item, checked before calling it; and its media."""
    if item.kind == Kind.REPLY:
        kind = TextKind.MESSAGE if item.target.get("kind") == "message" else TextKind.COMMENT
        missing = (kind == TextKind.MESSAGE and not item.target.get("dialogue_id")) or (
            kind == TextKind.COMMENT and not item.target.get("post_id"))
        if missing:
            return "the reply names no post or dialogue to answer", []
        return rules.reply_problem(item.network, item.text, kind), []
    try:
        media = await deps.media.load(item.media)
    except MediaProblem as problem:
        return str(problem), []
    return rules.text_problem(item.network, item.text, bool(media)) or rules.media_problem(item.network, media), media


async def _call(client: AccountClient, item: Item, media: list[Media]) -> Sent:
    key = item.idempotency_key
    if item.kind == Kind.POST:
        return await client.publish_post(item.text, media, None, key)
    if item.target.get("kind") == "message":
        return await client.send_message(item.target["dialogue_id"], item.text, key)
    return await client.reply_to_comment(item.target["post_id"], item.target.get("comment_id"), item.text, key)


async def _quietly(awaitable) -> None:
    try:
        await awaitable
    except Exception as exc:  # noqa: BLE001 - best effort: at the next start the claim is released anyway
        log.warning("could not release a claim: %s", exc)
