"""Events the networks push to ingest's HTTP server: the VK Callback API, through the emulator's own sender."""
from __future__ import annotations

import httpx
from ingest_support import connect, eventually, http_url, log_events, running_ingest, source_status

from chorus.events import CommentReceived, DirectMessageReceived
from chorus.events.values import Network

CALLBACK = {"read_via": "callback", "callback_secret": "s3cret", "callback_confirmation_code": "c0de42"}


async def test_vk_callback_confirms_checks_the_secret_and_stores_each_event_once(js, emulators, ingest_env):
    created = await emulators.post("vk", "/communities", {"id": 701, "name": "Кофейня"})
    connected = await connect(js, ingest_env, Network.VK, {"community": created["community_token"]},
                              external_id="701", settings=CALLBACK)
    url = f"{http_url(ingest_env)}/callback/vk"
    async with running_ingest(ingest_env):
        wrong = await emulators.post("vk", "/communities/701/callback", {
            "url": url, "secret": "guess", "confirmation_code": "c0de42"})
        assert wrong["confirmed"] is False, "a wrong secret gets no confirmation code"
        setup = await emulators.post("vk", "/communities/701/callback", {
            "url": url, "secret": "s3cret", "confirmation_code": "c0de42"})
        assert setup["confirmed"] is True, setup
        await emulators.post("vk", "/communities/701/comments", {"text": "Через callback", "from_id": 7101,
                                                                 "first_name": "Лев"})
        await emulators.post("vk", "/communities/701/messages", {"text": "Личное", "from_id": 7102})

        async def arrived():
            events = await log_events(js)
            kinds = {type(e) for e in events}
            return events if {CommentReceived, DirectMessageReceived} <= kinds else None

        events = await eventually(arrived)
        delivered = (await _callback_state(emulators))["deliveries"]
        first = delivered[0]["event_id"]
        await emulators.post("vk", "/communities/701/longpoll/redeliver", {"event_id": first})  # VK sends twice

        async with httpx.AsyncClient() as http:
            forged = await http.post(url, json={"type": "wall_reply_new", "group_id": 701, "secret": "nope",
                                                "event_id": "f", "object": {}})
            unknown = await http.post(url, json={"type": "wall_reply_new", "group_id": 999, "secret": "s3cret"})
            garbage = await http.post(url, content=b"not json")
        await eventually(lambda: _all_ok(emulators, len(delivered) + 1))
        again = await log_events(js)
        assert await source_status(js, connected.account_id, "long_poll") is None, "no long poll in callback mode"
    assert (forged.status_code, unknown.status_code, garbage.status_code) == (403, 404, 400)
    assert all(d["status"] == "ok" for d in delivered)
    comments = [e for e in again if isinstance(e, CommentReceived)]
    assert [(c.text, c.author.name) for c in comments] == [("Через callback", "Лев")], "a re-sent event is stored once"
    assert len(again) == len(events)


async def _callback_state(emulators):
    async with emulators.control("vk") as http:
        return (await http.get("/communities/701/callback")).json()


async def _all_ok(emulators, count):
    deliveries = (await _callback_state(emulators))["deliveries"]
    return len(deliveries) >= count and all(d["status"] == "ok" for d in deliveries)


async def test_an_unmappable_callback_event_is_kept_as_a_dead_letter_and_answered_ok(js, emulators, ingest_env):
    from chorus.backbone.deadletter import list_dead_letters

    created = await emulators.post("vk", "/communities", {"id": 702, "name": "Пекарня"})
    await connect(js, ingest_env, Network.VK, {"community": created["community_token"]}, external_id="702",
                  settings=CALLBACK)
    async with running_ingest(ingest_env), httpx.AsyncClient() as http:
        answer = await http.post(f"{http_url(ingest_env)}/callback/vk", json={
            "type": "wall_reply_new", "group_id": 702, "event_id": "e1", "secret": "s3cret",
            "object": {"text": "без идентификаторов"}})
        dead = await list_dead_letters(js)
    assert (answer.status_code, answer.text) == (200, "ok")
    assert len(dead) == 1 and dead[0].consumer == "ingest-vk" and b"s3cret" not in dead[0].data
