"""Everything the Telegram emulator answers matches the Bot API description (telegram-bot-api/api.json).

The methods come from the emulator's route table; each needs an example call below, whose parameters must
themselves be fields of the method in api.json. Results are checked against the method's return types:
required fields present, field types right, no field the Bot API does not define.
"""
from __future__ import annotations

import asyncio
import json
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from typing import Any

import httpx
import pytest
from starlette.routing import Route

from chorus.emulators import telegram as telegram_emulator
from chorus.emulators.control import serving
from chorus.emulators.server import build_app
from chorus.emulators.telegram.updates import UPDATE_KINDS
from support.specs import TelegramSchema, telegram_schema


def implemented_methods() -> list[str]:
    routes = telegram_emulator.build().api_routes()
    return sorted(r.path.removeprefix("/bot{token}/") for r in routes
                  if isinstance(r, Route) and r.path.startswith("/bot{token}/") and r.path.count("{") == 1)


@pytest.fixture(scope="module")
def schema() -> TelegramSchema:
    return telegram_schema()


@pytest.fixture(scope="module")
def server() -> Iterator[str]:
    with serving(build_app([telegram_emulator.build()])) as url:
        yield url


@dataclass
class Setup:
    http: httpx.Client
    token: str
    bot_id: int
    channel_id: int
    group_id: int
    comment_id: int
    user_id: int

    def call(self, method: str, **params: Any) -> httpx.Response:
        return self.http.post(f"/bot{self.token}/{method}", data=_form(params))

    def control(self, path: str, **body: Any) -> dict[str, Any]:
        answer = self.http.post(f"/_control/telegram{path}", json=body)
        assert answer.status_code == 200, answer.text
        return answer.json()


def _form(params: dict[str, Any]) -> dict[str, str]:
    # As aiogram sends them: objects and arrays as JSON strings in a urlencoded form.
    return {k: json.dumps(v) if isinstance(v, (dict, list)) else str(v) for k, v in params.items()}


@pytest.fixture(scope="module")
def setup(server: str) -> Iterator[Setup]:
    with httpx.Client(base_url=server, timeout=10) as http:
        http.post("/_control/telegram/reset")
        made = http.post("/_control/telegram/channels", json={"title": "Schema", "username": "schema_channel",
                                                              "members_count": 50, "bot_username": "schema_bot"})
        made = made.json()
        base = Setup(http, made["bot_token"], made["bot_id"], made["channel_id"], made["discussion_id"], 0, 501)
        post = base.control(f"/channels/{base.channel_id}/posts", text="Пост")
        comment = base.control(f"/channels/{base.channel_id}/comments", post_id=post["message_id"], text="Вопрос?",
                               **{"from": {"id": 500, "first_name": "Анна", "username": "anna"}})
        base.comment_id = comment["message_id"]
        base.control(f"/bots/{base.bot_id}/messages", text="Здравствуйте", **{"from": {"id": 501, "first_name": "Oleg"}})
        yield base


def _drain(s: Setup) -> None:
    """Confirm every pending update, so the next getUpdates has to wait."""
    pending = s.call("getUpdates", offset=-1).json()["result"]
    if pending:
        s.call("getUpdates", offset=pending[-1]["update_id"] + 1)


def _own_message(s: Setup) -> int:
    return s.call("sendMessage", chat_id=s.group_id, text="Своё").json()["result"]["message_id"]


Example = Callable[[Setup], list[dict[str, Any]]]
EXAMPLES: dict[str, Example] = {
    "getMe": lambda s: [{}],
    "getChat": lambda s: [{"chat_id": s.channel_id}, {"chat_id": s.group_id}, {"chat_id": "@schema_channel"}],
    "getChatMemberCount": lambda s: [{"chat_id": s.channel_id}],
    "sendMessage": lambda s: [{"chat_id": s.group_id, "text": "Ответ", "reply_parameters": {"message_id": s.comment_id}},
                              {"chat_id": s.channel_id, "text": "Новый пост"},
                              {"chat_id": s.user_id, "text": "<b>Здравствуйте</b>", "parse_mode": "HTML"}],
    "sendPhoto": lambda s: [{"chat_id": s.channel_id, "caption": "Фото", "photo": "multipart"}],
    "editMessageText": lambda s: [{"chat_id": s.group_id, "message_id": _own_message(s), "text": "Исправлено"}],
    "editMessageReplyMarkup": lambda s: [{"chat_id": s.group_id, "message_id": _own_message(s),
                                          "reply_markup": {"inline_keyboard": [[{"text": "Сайт",
                                                                                  "url": "https://example.com"}]]}}],
    "getUpdates": lambda s: [{"timeout": 0, "allowed_updates": list(UPDATE_KINDS)}],
    "deleteWebhook": lambda s: [{}],
    "getWebhookInfo": lambda s: [{}],
}


def test_every_implemented_method_has_an_example() -> None:
    assert implemented_methods(), "the route table lists no Bot API methods"
    missing = sorted(set(implemented_methods()) - set(EXAMPLES))
    assert not missing, f"add a conformance example for {missing}"


@pytest.mark.parametrize("method", implemented_methods())
def test_success_answers_match_the_bot_api(schema: TelegramSchema, setup: Setup, method: str) -> None:
    spec = schema.methods[method]
    fields = {f["name"] for f in spec.get("fields", [])}
    for params in EXAMPLES[method](setup):
        assert set(params) <= fields, f"the example uses parameters {method} does not have"
        if params.get("photo") == "multipart":
            files = {"photo": ("p.jpg", b"\xff\xd8\xff\xe0jpeg", "image/jpeg")}
            data = {k: str(v) for k, v in params.items() if k != "photo"}
            answer = setup.http.post(f"/bot{setup.token}/{method}", data=data, files=files)
        else:
            answer = setup.call(method, **params)
        assert answer.status_code == 200, answer.text
        body = answer.json()
        assert set(body) == {"ok", "result"} and body["ok"] is True
        schema.validate(body["result"], spec["returns"])


def test_nested_objects_are_read_from_urlencoded_multipart_and_json(setup: Setup) -> None:
    url = f"/bot{setup.token}/sendMessage"
    reply = {"message_id": setup.comment_id}
    base = {"chat_id": setup.group_id, "text": "Три способа"}
    answers = [setup.http.post(url, data=_form({**base, "reply_parameters": reply})),
               setup.http.post(url, data=_form({**base, "reply_parameters": reply}), files={"x": ("x", b"")}),
               setup.http.post(url, json={**base, "reply_parameters": reply})]
    for answer in answers:
        assert answer.status_code == 200, answer.text
        assert answer.json()["result"]["reply_to_message"]["message_id"] == setup.comment_id


def test_every_update_kind_matches_the_bot_api(schema: TelegramSchema, setup: Setup) -> None:
    _drain(setup)
    post = setup.control(f"/channels/{setup.channel_id}/posts", text="Пост для правки")
    comment = setup.control(f"/channels/{setup.channel_id}/comments", post_id=post["message_id"], text="Ок",
                            **{"from": {"id": 502, "first_name": "Ira", "last_name": "K", "username": "ira"}})
    setup.control(f"/chats/{setup.group_id}/messages/{comment['message_id']}/edit", text="Ок!")
    setup.control(f"/chats/{setup.channel_id}/messages/{post['message_id']}/edit", text="Пост после правки")
    setup.control(f"/bots/{setup.bot_id}/messages", text="Ещё вопрос", **{"from": {"id": 501, "first_name": "Oleg"}})
    updates = setup.call("getUpdates", timeout=0).json()["result"]
    schema.validate(updates, ["Array of Update"])
    kinds = {next(k for k in u if k != "update_id") for u in updates}
    assert kinds == set(UPDATE_KINDS)


def _assert_error(schema: TelegramSchema, answer: httpx.Response, code: int) -> dict[str, Any]:
    body = answer.json()
    assert answer.status_code == code == body["error_code"]
    assert body["ok"] is False and isinstance(body["description"], str)
    assert set(body) <= {"ok", "error_code", "description", "parameters"}
    if "parameters" in body:
        schema.validate(body["parameters"], ["ResponseParameters"])
    return body


def test_error_answers_have_the_bot_api_shape(schema: TelegramSchema, setup: Setup) -> None:
    _assert_error(schema, setup.http.post("/bot123:unknown/getMe"), 401)
    _assert_error(schema, setup.call("noSuchMethod"), 404)
    _assert_error(schema, setup.call("sendMessage", chat_id=-100999, text="x"), 400)
    body = _assert_error(schema, setup.call("sendMessage", chat_id=setup.group_id, text="x",
                                            reply_parameters={"message_id": 99999}), 400)
    assert body["description"] == "Bad Request: message to be replied not found"
    setup.control("/faults", method="sendMessage", error=429, retry_after=7)
    body = _assert_error(schema, setup.call("sendMessage", chat_id=setup.group_id, text="x"), 429)
    assert body["parameters"] == {"retry_after": 7}
    setup.control("/faults", method="getMe", error=403, description="Forbidden: bot was kicked from the channel chat")
    _assert_error(schema, setup.call("getMe"), 403)


def test_a_second_poller_ends_the_first_with_conflict(schema: TelegramSchema, setup: Setup, server: str) -> None:
    async def race() -> tuple[httpx.Response, httpx.Response]:
        async with httpx.AsyncClient(base_url=server, timeout=10) as http:
            first = asyncio.create_task(http.post(f"/bot{setup.token}/getUpdates", data={"timeout": "3"}))
            await asyncio.sleep(0.3)
            second = await http.post(f"/bot{setup.token}/getUpdates", data={"timeout": "0"})
            return await first, second

    _drain(setup)
    first, second = asyncio.run(race())
    _assert_error(schema, first, 409)
    assert second.status_code == 200


def test_the_validator_refuses_what_the_bot_api_refuses(schema: TelegramSchema) -> None:
    user = {"id": 1, "is_bot": False, "first_name": "A"}
    assert not schema.errors(user, ["User"])
    assert schema.errors({"id": 1, "is_bot": False}, ["User"]), "first_name is required"
    assert schema.errors({**user, "nickname": "a"}, ["User"]), "no unknown fields"
    assert schema.errors({**user, "id": "1"}, ["User"]), "ids are integers"
