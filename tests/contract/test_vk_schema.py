"""Everything the VK emulator answers matches the official VK API schema (vk-api-schema, 5.199).

The methods come from the emulator's route table; each needs an example call below, so a method added to
the emulator without a conformance check fails ``test_every_implemented_method_has_an_example``. Requests go
over real HTTP to the emulator served by uvicorn.
"""
from __future__ import annotations

import json
import time
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from typing import Any

import httpx
import pytest
from starlette.applications import Starlette
from starlette.requests import Request
from starlette.responses import PlainTextResponse
from starlette.routing import Route

from chorus.emulators import vk as vk_emulator
from chorus.emulators.control import serving
from chorus.emulators.server import build_app
from chorus.emulators.vk.call import METHODS
from chorus.emulators.vk.errors import MESSAGES
from chorus.emulators.vk.events import EVENT_TYPES
from support.specs import VkSchema, vk_schema

V = "5.199"
EVENT_OBJECTS = {
    "wall_post_new": "callback/objects.json#/definitions/callback_wall_post_new",
    "wall_reply_new": "callback/objects.json#/definitions/callback_wall_reply_new",
    "wall_reply_edit": "callback/objects.json#/definitions/callback_wall_reply_edit",
    "wall_reply_restore": "callback/objects.json#/definitions/callback_wall_reply_restore",
    "wall_reply_delete": "callback/objects.json#/definitions/callback_wall_comment_delete",
    "message_new": "callback/objects.json#/definitions/callback_message_new",
    "message_reply": "messages/objects.json#/definitions/messages_message",
}


def implemented_methods() -> list[str]:
    routes = vk_emulator.build().api_routes()
    return sorted(r.path.removeprefix("/method/") for r in routes
                  if isinstance(r, Route) and r.path.startswith("/method/") and "{" not in r.path)


@pytest.fixture(scope="module")
def schema() -> VkSchema:
    return vk_schema()


@pytest.fixture(scope="module")
def server() -> Iterator[str]:
    with serving(build_app([vk_emulator.build()])) as url:
        yield url


@dataclass
class Setup:
    http: httpx.Client
    group_id: int
    tokens: dict[str, str]
    post_id: int
    comment_id: int
    peer_id: int

    def call(self, method: str, token: str, **params: Any) -> dict[str, Any]:
        answer = self.http.post(f"/method/{method}", data={**params, "v": V, "access_token": self.tokens[token]})
        assert answer.status_code == 200, answer.text
        return answer.json()

    def control(self, path: str, **body: Any) -> dict[str, Any]:
        answer = self.http.post(f"/_control/vk{path}", json=body)
        assert answer.status_code == 200, answer.text
        return answer.json()


@pytest.fixture(scope="module")
def setup(server: str) -> Iterator[Setup]:
    with httpx.Client(base_url=server, timeout=10) as http:
        http.post("/_control/vk/reset")
        made = http.post("/_control/vk/communities", json={"name": "Schema Brand", "members_count": 120}).json()
        gid = made["id"]
        base = Setup(http, gid, {"group": made["community_token"], "user": made["user_token"]}, 0, 0, 0)
        post = base.control(f"/communities/{gid}/posts", text="Пост для проверки")
        base.post_id = post["post_id"]
        top = base.control(f"/communities/{gid}/comments", post_id=post["post_id"], text="Вопрос?", first_name="Анна")
        base.control(f"/communities/{gid}/comments", reply_to=top["comment_id"], text="Ответ в ветке")
        base.comment_id = top["comment_id"]
        base.peer_id = base.control(f"/communities/{gid}/messages", text="Здравствуйте", first_name="Олег")["peer_id"]
        base.control("/mentions", text="Schema Brand лучший 🔥", first_name="Ира")
        yield base


def _upload(s: Setup) -> dict[str, Any]:
    server = s.call("photos.getWallUploadServer", "user", group_id=s.group_id)["response"]
    answer = s.http.post(server["upload_url"], files={"photo": ("p.jpg", b"\xff\xd8\xff\xe0jpeg", "image/jpeg")})
    return answer.json()


Example = Callable[[Setup], list[tuple[str, str, dict[str, Any]]]]
#: method -> the calls to check: (token kind, schema response variant, params).
EXAMPLES: dict[str, Example] = {
    "groups.getById": lambda s: [("group", "response", {"fields": "members_count"}),
                                 ("user", "response", {"group_ids": s.group_id})],
    "groups.getLongPollServer": lambda s: [("group", "response", {"group_id": s.group_id})],
    "wall.getComments": lambda s: [
        ("user", "response", {"owner_id": -s.group_id, "post_id": s.post_id, "thread_items_count": 10}),
        ("user", "response", {"owner_id": -s.group_id, "post_id": s.post_id, "comment_id": s.comment_id})],
    "wall.createComment": lambda s: [("group", "response", {
        "owner_id": -s.group_id, "post_id": s.post_id, "from_group": s.group_id, "message": "Спасибо!",
        "reply_to_comment": s.comment_id, "guid": "schema-1"})],
    "wall.post": lambda s: [("user", "response", {"owner_id": -s.group_id, "from_group": 1, "message": "Анонс",
                                                  "publish_date": int(time.time()) + 86400, "guid": "schema-2"})],
    "wall.get": lambda s: [("user", "response", {"owner_id": -s.group_id, "count": 5}),
                           ("user", "response", {"owner_id": -s.group_id, "filter": "postponed"})],
    "wall.getById": lambda s: [("user", "response", {"posts": f"-{s.group_id}_{s.post_id}"})],
    "messages.send": lambda s: [("group", "deprecatedResponse", {"peer_id": s.peer_id, "random_id": 123456,
                                                                 "message": "Ответ"})],
    "messages.getHistory": lambda s: [("group", "response", {"peer_id": s.peer_id, "count": 10})],
    "newsfeed.search": lambda s: [("user", "response", {"q": "schema brand", "count": 10})],
    "stats.get": lambda s: [("user", "response", {"group_id": s.group_id, "interval": "day", "intervals_count": 2})],
    "users.get": lambda s: [("group", "response", {"user_ids": s.peer_id, "fields": "screen_name"})],
    "photos.getWallUploadServer": lambda s: [("user", "response", {"group_id": s.group_id})],
    "photos.saveWallPhoto": lambda s: [("user", "response", {"group_id": s.group_id, **_upload(s)})],
}


def test_every_implemented_method_has_an_example() -> None:
    missing = sorted(set(implemented_methods()) - set(EXAMPLES))
    assert not missing, f"add a conformance example for {missing}"
    assert implemented_methods(), "the route table lists no VK methods"


@pytest.mark.parametrize("method", implemented_methods())
def test_token_types_are_the_schemas(schema: VkSchema, method: str) -> None:
    assert set(METHODS[method].token_types) == set(schema.methods()[method]["access_token_type"])


@pytest.mark.parametrize("method", implemented_methods())
def test_success_answers_match_the_schema(schema: VkSchema, setup: Setup, method: str) -> None:
    for token, variant, params in EXAMPLES[method](setup):
        body = setup.call(method, token, **params)
        assert "response" in body, f"{method} answered {body}"
        schema.validate(body, schema.response_ref(method, variant))


def _error_problems(schema: VkSchema, error: dict[str, Any]) -> list[str]:
    # The schema marks the error object's ``inner_type`` required, a field the real API never sends
    # (clients key on error_code): check everything else.
    return [p for p in schema.errors(error, "base/objects.json#/definitions/base_error") if "inner_type" not in p]


@pytest.mark.parametrize("method", implemented_methods())
def test_error_answers_match_the_schema(schema: VkSchema, setup: Setup, method: str) -> None:
    answer = setup.http.post(f"/method/{method}", data={"v": V, "access_token": "vk1.a.not-a-real-token"})
    assert answer.status_code == 200
    error = answer.json()["error"]
    assert error["error_code"] == 5
    assert not _error_problems(schema, error)
    params = {p["key"]: p["value"] for p in error["request_params"]}
    assert params["method"] == method and "access_token" not in params


def test_a_community_token_on_a_user_method_is_error_27(schema: VkSchema, setup: Setup) -> None:
    error = setup.call("wall.getComments", "group", owner_id=-setup.group_id, post_id=setup.post_id)["error"]
    assert error["error_code"] == 27
    assert not _error_problems(schema, error)


def test_captcha_error_carries_sid_and_image(schema: VkSchema, setup: Setup) -> None:
    setup.control("/faults", method="wall.createComment", error=14, captcha_sid="777")
    error = setup.call("wall.createComment", "group", owner_id=-setup.group_id, post_id=setup.post_id,
                       message="x")["error"]
    assert (error["error_code"], error["captcha_sid"]) == (14, "777")
    assert error["captcha_img"].startswith("http")
    assert not _error_problems(schema, error)


def test_the_emulator_only_uses_error_codes_the_schema_defines(schema: VkSchema) -> None:
    assert not set(MESSAGES) - set(schema.error_codes())


def _long_poll(setup: Setup, ts: str) -> tuple[str, list[dict[str, Any]]]:
    server = setup.call("groups.getLongPollServer", "group", group_id=setup.group_id)["response"]
    answer = httpx.get(server["server"], params={"act": "a_check", "key": server["key"], "ts": ts, "wait": 0})
    body = answer.json()
    assert isinstance(body["ts"], str) and isinstance(body["updates"], list)
    return body["ts"], body["updates"]


def test_every_event_type_matches_the_callback_schema(schema: VkSchema, setup: Setup) -> None:
    gid = setup.group_id
    start = setup.call("groups.getLongPollServer", "group", group_id=gid)["response"]["ts"]
    post = setup.control(f"/communities/{gid}/posts", text="Ещё пост")["post_id"]
    comment = setup.control(f"/communities/{gid}/comments", post_id=post, text="Нравится ❤️")["comment_id"]
    setup.control(f"/communities/{gid}/comments/{comment}/edit", text="Очень нравится ❤️")
    setup.control(f"/communities/{gid}/comments/{comment}/delete")
    setup.control(f"/communities/{gid}/comments/{comment}/restore")
    setup.control(f"/communities/{gid}/messages", from_id=setup.peer_id, text="Ещё вопрос")
    setup.call("messages.send", "group", peer_id=setup.peer_id, random_id=99, message="Ответ")
    setup.call("wall.post", "user", owner_id=-gid, from_group=1, message="Отложенный", publish_date=int(time.time()) + 60)
    setup.control("/clock", advance=120)  # the postponed post goes out as wall_post_new with postponed_id
    _, updates = _long_poll(setup, start)
    assert {u["type"] for u in updates} == set(EVENT_TYPES)
    assert len({u["event_id"] for u in updates}) == len(updates)
    assert any("postponed_id" in u["object"] for u in updates if u["type"] == "wall_post_new")
    for update in updates:
        schema.validate({k: v for k, v in update.items() if k != "object"}, "callback/objects.json#/definitions/callback_base")
        schema.validate(update["object"], EVENT_OBJECTS[update["type"]])


def test_callback_requests_match_the_schema(schema: VkSchema, setup: Setup) -> None:
    received: list[dict[str, Any]] = []

    async def receive(request: Request) -> PlainTextResponse:
        body = json.loads(await request.body())
        received.append(body)
        return PlainTextResponse("c0de" if body["type"] == "confirmation" else "ok")

    with serving(Starlette(routes=[Route("/vk", receive, methods=["POST"])])) as chorus:
        confirmed = setup.control(f"/communities/{setup.group_id}/callback", url=f"{chorus}/vk", secret="s3cret",
                                  confirmation_code="c0de")
        assert confirmed["confirmed"] is True
        setup.control(f"/communities/{setup.group_id}/comments", post_id=setup.post_id, text="Через callback")
        deadline = time.monotonic() + 5
        while len(received) < 2 and time.monotonic() < deadline:
            time.sleep(0.05)
        assert setup.http.delete(f"/_control/vk/communities/{setup.group_id}/callback").json()["removed"]
    confirmation, event = received[:2]
    schema.validate(confirmation, "callback/objects.json#/definitions/callback_confirmation")
    assert event["type"] == "wall_reply_new" and event["secret"] == "s3cret"
    schema.validate({k: v for k, v in event.items() if k != "object"}, "callback/objects.json#/definitions/callback_base")
    schema.validate(event["object"], EVENT_OBJECTS["wall_reply_new"])


def test_the_validator_refuses_what_the_schema_refuses(schema: VkSchema) -> None:
    comment = "wall/objects.json#/definitions/wall_wall_comment"
    assert schema.errors({"id": 1, "date": 1, "text": "x"}, comment), "from_id is required"
    post = {"inner_type": "wall_wallpost", "id": 1, "owner_id": -1, "post_type": "tweet"}
    assert schema.errors(post, "wall/objects.json#/definitions/wall_wallpost_full"), "post_type is an enum"
    group = {"id": 1, "name": "x", "members_count": 5}
    assert not schema.errors(group, "groups/objects.json#/definitions/groups_group_full")
    assert schema.errors({**group, "made_up": 1}, "groups/objects.json#/definitions/groups_group_full")


def test_callback_events_are_retried_until_answered_ok_and_a_wrong_code_confirms_nothing(setup: Setup) -> None:
    answers = iter(["not now", "ok"])
    events: list[str] = []

    async def receive(request: Request) -> PlainTextResponse:
        body = json.loads(await request.body())
        if body["type"] == "confirmation":
            return PlainTextResponse("wrong-code")
        events.append(body["event_id"])
        return PlainTextResponse(next(answers, "ok"))

    gid = setup.group_id
    with serving(Starlette(routes=[Route("/vk", receive, methods=["POST"])])) as chorus:
        refused = setup.control(f"/communities/{gid}/callback", url=f"{chorus}/vk", confirmation_code="right-code")
        assert refused["confirmed"] is False and refused["answer"] == "wrong-code"
        setup.control(f"/communities/{gid}/comments", post_id=setup.post_id, text="Не доставится")
        time.sleep(0.2)
        assert events == [], "an unconfirmed server gets no events"
        answers_ok = {"url": f"{chorus}/vk", "confirmation_code": "wrong-code"}
        assert setup.control(f"/communities/{gid}/callback", **answers_ok)["confirmed"] is True
        setup.control(f"/communities/{gid}/comments", post_id=setup.post_id, text="Со второй попытки")
        deadline = time.monotonic() + 5
        while time.monotonic() < deadline:
            deliveries = setup.http.get(f"/_control/vk/communities/{gid}/callback").json()["deliveries"]
            if deliveries and deliveries[-1]["status"] == "ok":
                break
            time.sleep(0.05)
        setup.http.delete(f"/_control/vk/communities/{gid}/callback")
    assert deliveries[-1]["attempts"] == 2 and len(events) == 2 and events[0] == events[1]
