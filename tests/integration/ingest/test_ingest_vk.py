"""Ingest reading a VK community through the emulator: long poll, mentions search, backfill, faults."""
from __future__ import annotations

import asyncio

import pytest
from ingest_support import connect, eventually, ids_of, log_events, polled, running_ingest, source_status

from chorus.backbone.store import EventStore
from chorus.events import (
    AccountTokenExpired,
    BrandRule,
    BrandRulesChanged,
    CommentDeleted,
    CommentEdited,
    CommentReceived,
    DirectMessageReceived,
    IngestGapRecorded,
    MentionFound,
)
from chorus.events.values import Network


async def vk_community(emulators, js, env, community_id: int = 501, *, user_token: bool = True,
                       settings: dict | None = None):
    created = await emulators.post("vk", "/communities", {"id": community_id, "name": f"Кофейня {community_id}"})
    tokens = {"community": created["community_token"]}
    if user_token:
        tokens["user"] = created["user_token"]
    connected = await connect(js, env, Network.VK, tokens, external_id=str(community_id), settings=settings)
    return created, connected.account_id


async def brand_rules(js, *terms: str) -> None:
    await EventStore(js).append(BrandRulesChanged(workspace_id="ws-1", changed_by="test", rules=[
        BrandRule(rule_id="r1", name="brand", include=list(terms))]))


async def test_comments_messages_and_mentions_become_events_once_and_edits_and_deletions_follow(
        js, emulators, ingest_env):
    _, account = await vk_community(emulators, js, ingest_env)
    await brand_rules(js, "кофейня")
    async with running_ingest(ingest_env):
        await polled(js, account, "long_poll")
        comment = await emulators.post("vk", "/communities/501/comments", {"text": "Когда откроетесь?",
                                                                           "from_id": 7001, "first_name": "Анна"})
        await emulators.post("vk", "/communities/501/messages", {"text": "Здравствуйте", "from_id": 7002})
        await emulators.post("vk", "/mentions", {"text": "Лучшая кофейня города", "from_id": 7003})
        await emulators.post("vk", f"/communities/501/comments/{comment['comment_id']}/edit", {"text": "Когда?"})
        await emulators.post("vk", f"/communities/501/comments/{comment['comment_id']}/delete")

        async def all_arrived():
            events = await log_events(js)
            kinds = {type(e) for e in events}
            wanted = {CommentReceived, DirectMessageReceived, CommentEdited, CommentDeleted}
            mentioned = any(isinstance(e, MentionFound) and e.author.id == "7003" for e in events)
            return events if wanted <= kinds and mentioned else None

        events = await eventually(all_arrived)
    received = [e for e in events if isinstance(e, CommentReceived)]
    assert [e.text for e in received] == ["Когда откроетесь?"]
    assert received[0].author.name.startswith("Анна") and received[0].account_id == account
    assert [e.text for e in events if isinstance(e, CommentEdited)] == ["Когда?"]
    assert [e.comment_id for e in events if isinstance(e, CommentDeleted)] == [received[0].comment_id]
    assert [e.text for e in events if isinstance(e, DirectMessageReceived)] == ["Здравствуйте"]
    mentions = [(e.text, e.query) for e in events if isinstance(e, MentionFound) and e.author.id == "7003"]
    assert mentions == [("Лучшая кофейня города", "кофейня")]
    assert max(ids_of(events).values()) == 1, "every event is stored once"


async def test_backfill_brings_in_comments_written_before_the_account_was_connected(js, emulators, ingest_env):
    created = await emulators.post("vk", "/communities", {"id": 502, "name": "Пекарня"})
    for text in ("Старый вопрос", "Ещё один"):
        await emulators.post("vk", "/communities/502/comments", {"text": text, "from_id": 7010})
    connected = await connect(js, ingest_env, Network.VK, {"community": created["community_token"],
                                                           "user": created["user_token"]}, external_id="502")
    async with running_ingest(ingest_env):
        async def backfilled():
            texts = sorted(e.text for e in await log_events(js) if isinstance(e, CommentReceived))
            return texts == ["Ещё один", "Старый вопрос"]

        await eventually(backfilled)
        record = await eventually(lambda: _done(js, connected.account_id))
    assert record["events"] == 2 and record["state"] == "done"


async def _done(js, account_id):
    record = await source_status(js, account_id, "backfill")
    return record if record and record["state"] == "done" else None


async def test_a_community_token_alone_records_the_unreadable_past_as_a_gap_and_reads_live(js, emulators, ingest_env):
    _, account = await vk_community(emulators, js, ingest_env, 503, user_token=False)
    async with running_ingest(ingest_env):
        await polled(js, account, "long_poll")
        await emulators.post("vk", "/communities/503/comments", {"text": "Живой комментарий", "from_id": 7020})

        async def arrived():
            events = await log_events(js)
            return events if any(isinstance(e, CommentReceived) for e in events) else None

        events = await eventually(arrived)
    gaps = [e for e in events if isinstance(e, IngestGapRecorded)]
    assert [g.source for g in gaps] == ["backfill"]
    assert "user" in gaps[0].reason and gaps[0].account_id == account


async def test_lost_long_poll_history_is_recorded_as_a_gap_from_the_last_good_poll(js, emulators, ingest_env):
    _, account = await vk_community(emulators, js, ingest_env, 504)
    async with running_ingest(ingest_env):
        before = await polled(js, account, "long_poll")
        await emulators.post("vk", "/communities/504/longpoll/fail", {"failed": 1})
        await emulators.post("vk", "/communities/504/comments", {"text": "после сбоя", "from_id": 7030})

        async def gap():
            found = [e for e in await log_events(js) if isinstance(e, IngestGapRecorded) and e.source == "long_poll"]
            return found or None

        gaps = await eventually(gap)
    assert len(gaps) == 1
    assert gaps[0].gap_from.isoformat() >= before["polled_at"][:19] or gaps[0].gap_to >= gaps[0].gap_from
    assert "history" in gaps[0].reason


async def test_a_revoked_token_is_reported_once_and_reading_stops_until_reconnected(js, emulators, ingest_env):
    _, account = await vk_community(emulators, js, ingest_env, 505, user_token=False)
    async with running_ingest(ingest_env):
        await polled(js, account, "long_poll")
        await emulators.post("vk", "/tokens/revoke", {"community_id": 505, "kind": "community"})
        await emulators.post("vk", "/communities/505/longpoll/fail", {"failed": 2})  # VK asks for a new key

        async def expired():
            found = [e for e in await log_events(js, "CHORUS_ACCOUNTS") if isinstance(e, AccountTokenExpired)]
            return found or None

        reports = await eventually(expired)
        await eventually(lambda: _state(js, account, "long_poll", "token expired"))
        calls = emulators.requests()
        await asyncio.sleep(3)
        assert emulators.requests() == calls, f"no request after the token expired: {emulators.calls}"
        assert len(await log_events(js, "CHORUS_ACCOUNTS")) == 2  # connected, token expired: once
        assert reports[0].token_kind == "community" and reports[0].detected_by == "ingest"

        emulators.networks["vk"].world.add_token("vk1.a.emu-renewed-505", "group", 505)
        await connect(js, ingest_env, Network.VK, {"community": "vk1.a.emu-renewed-505"}, external_id="505")
        await eventually(lambda: _state(js, account, "long_poll", "reading"))
        await polled(js, account, "long_poll")
        await emulators.post("vk", "/communities/505/comments", {"text": "снова читаем", "from_id": 7050})

        async def resumed():
            return [e for e in await log_events(js) if isinstance(e, CommentReceived)] or None

        assert [e.text for e in await eventually(resumed)] == ["снова читаем"]


async def _state(js, account_id, source, state):
    record = await source_status(js, account_id, source)
    return record if record and record["state"] == state else None


@pytest.mark.parametrize("payload", [{"id": "not a number", "text": 5}, {"text": "no ids at all"}])
async def test_an_unmappable_update_becomes_a_dead_letter_and_reading_continues(js, emulators, ingest_env, payload):
    _, account = await vk_community(emulators, js, ingest_env, 506, user_token=False)
    async with running_ingest(ingest_env) as running:
        await polled(js, account, "long_poll")
        await emulators.post("vk", "/communities/506/events/raw", {"type": "wall_reply_new", "object": payload})
        await emulators.post("vk", "/communities/506/comments", {"text": "нормальный", "from_id": 7040})

        async def both():
            events = await log_events(js)
            dead = await log_events_raw(js)
            return (events, dead) if any(isinstance(e, CommentReceived) for e in events) and dead else None

        events, dead = await eventually(both)
        record = await eventually(lambda: _counted(js, account))
        del running
    assert [e.text for e in events if isinstance(e, CommentReceived)] == ["нормальный"]
    assert len(dead) == 1 and dead[0].consumer == "ingest-vk" and dead[0].subject == f"{account}/long_poll"
    assert b"no ids at all" in dead[0].data or b"not a number" in dead[0].data
    assert record["rejected"] == 1


async def _counted(js, account_id):
    record = await source_status(js, account_id, "long_poll")
    return record if record and record["rejected"] == 1 else None


async def log_events_raw(js):
    from chorus.backbone.deadletter import list_dead_letters

    return await list_dead_letters(js)


async def test_a_missing_permission_stops_only_that_source_and_the_others_read_on(js, emulators, ingest_env):
    _, account = await vk_community(emulators, js, ingest_env, 507)
    await brand_rules(js, "пекарня")
    await emulators.post("vk", "/faults", {"method": "newsfeed.search", "times": "always", "error": 15})
    async with running_ingest(ingest_env):
        record = await eventually(lambda: _state(js, account, "mentions", "permission missing"))
        await polled(js, account, "long_poll")
        await emulators.post("vk", "/communities/507/comments", {"text": "читаем дальше", "from_id": 7060})

        async def arrived():
            return [e for e in await log_events(js) if isinstance(e, CommentReceived)] or None

        assert [e.text for e in await eventually(arrived)] == ["читаем дальше"]
        searches = emulators.calls["/method/newsfeed.search"]
        await asyncio.sleep(1)
        assert emulators.calls["/method/newsfeed.search"] == searches, "the stopped source polls no more"
    assert "[15]" in record["detail"]


async def test_new_brand_keywords_restart_the_search_with_them(js, emulators, ingest_env):
    _, account = await vk_community(emulators, js, ingest_env, 508)
    await brand_rules(js, "старое")
    async with running_ingest(ingest_env):
        await polled(js, account, "mentions")
        await brand_rules(js, "новинка")
        await eventually(lambda: _keywords(js, account, ["новинка"]))
        await emulators.post("vk", "/mentions", {"text": "Попробовал новинка-латте", "from_id": 7070})

        async def found():
            return [e for e in await log_events(js) if isinstance(e, MentionFound) and e.author.id == "7070"] or None

        [mention] = await eventually(found)
    assert mention.query == "новинка"


async def _keywords(js, account_id, keywords):
    from chorus.ingest.adapters.status import StatusBoard

    record = (await StatusBoard(js).read())["accounts"].get(account_id) or {}
    return record.get("keywords") == keywords and record.get("state") == "reading"
