"""Every answer of the Graph emulator has the shape the Graph API documents and Chorus's reader expects.

Schemas are written from the documented shapes (``platform-apis.md`` §3: ``data``/``paging.cursors``
lists, ``{"id"}`` creations, the ``{"error": {message, type, code, error_subcode?, fbtrace_id}}``
envelope, the usage headers), not from the emulator's code. Routes are walked from the emulator's route
table, so a new endpoint without a scenario here fails the suite.
"""
from __future__ import annotations

import json
import time
from collections.abc import AsyncIterator
from dataclasses import dataclass, field
from typing import Any

import httpx
import jsonschema
import pytest
from starlette.routing import Route

from chorus.emulators import facebook as fb_emulator
from chorus.emulators.server import build_app
from chorus.networks.facebook.mapping import (
    COMMENT_FIELDS,
    Context,
    parse_time,
    received,
)
from chorus.networks.facebook.reader import POST_FIELDS

V = "/v21.0"
GRAPH_ID = {"type": "string", "pattern": "^[0-9]+(_[0-9]+)?$"}
TIME = {"type": "string", "pattern": r"^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\+0000$"}
SENDER = {"type": "object", "required": ["id", "name"], "properties": {"id": GRAPH_ID, "name": {"type": "string"}}}
PAGING = {"type": "object", "required": ["cursors"], "properties": {
    "cursors": {"type": "object", "required": ["before", "after"],
                "properties": {"before": {"type": "string", "minLength": 1}, "after": {"type": "string", "minLength": 1}}},
    "next": {"type": "string", "format": "uri"}, "previous": {"type": "string"}}}
POST = {"type": "object", "required": ["id"], "properties": {
    "id": GRAPH_ID, "message": {"type": "string"}, "created_time": TIME, "updated_time": TIME,
    "permalink_url": {"type": "string"}, "from": SENDER, "is_published": {"type": "boolean"},
    "scheduled_publish_time": {"type": "integer"}}}
COMMENT = {"type": "object", "required": ["id"], "properties": {
    "id": GRAPH_ID, "message": {"type": "string"}, "created_time": TIME, "from": SENDER,
    "parent": {"type": "object", "required": ["id"], "properties": {"id": GRAPH_ID}},
    "permalink_url": {"type": "string"}, "is_hidden": {"type": "boolean"},
    "attachment": {"type": "object", "properties": {"type": {"type": "string"}}}}}
PAGE = {"type": "object", "required": ["id"], "properties": {
    "id": GRAPH_ID, "name": {"type": "string"}, "link": {"type": "string"}, "username": {"type": "string"},
    "fan_count": {"type": "integer", "minimum": 0}, "followers_count": {"type": "integer", "minimum": 0}}}
NODE = {"anyOf": [PAGE, POST, COMMENT]}
POSTS = {"type": "object", "required": ["data"], "additionalProperties": False, "properties": {
    "data": {"type": "array", "items": POST}, "paging": PAGING}}
COMMENTS = {"type": "object", "required": ["data"], "additionalProperties": False, "properties": {
    "data": {"type": "array", "items": COMMENT}, "paging": PAGING,
    "summary": {"type": "object", "required": ["order", "total_count", "can_comment"]}}}
CREATED = {"type": "object", "required": ["id"], "additionalProperties": False, "properties": {"id": GRAPH_ID}}
PHOTO = {"type": "object", "required": ["id"], "additionalProperties": False,
         "properties": {"id": GRAPH_ID, "post_id": GRAPH_ID}}
ERROR = {"type": "object", "required": ["error"], "additionalProperties": False, "properties": {"error": {
    "type": "object", "required": ["message", "type", "code", "fbtrace_id"], "properties": {
        "message": {"type": "string"}, "type": {"type": "string"}, "code": {"type": "integer"},
        "error_subcode": {"type": "integer"}, "fbtrace_id": {"type": "string"}}}}}
APP_USAGE = {"type": "object", "required": ["call_count", "total_cputime", "total_time"],
             "additionalProperties": {"type": "integer", "minimum": 0, "maximum": 100}}
BUC_USAGE = {"type": "object", "minProperties": 1, "additionalProperties": {"type": "array", "items": {
    "type": "object", "required": ["type", "call_count", "total_cputime", "total_time",
                                   "estimated_time_to_regain_access"]}}}


@dataclass
class Call:
    method: str
    path: str
    status: int
    schema: dict[str, Any]
    params: dict[str, str] = field(default_factory=dict)
    data: dict[str, str] | None = None
    files: dict[str, Any] | None = None
    token: str = "page"


def scenarios(ids: dict[str, str]) -> dict[str, list[Call]]:
    page, post, comment = ids["page"], ids["post"], ids["comment"]
    soon = str(int(time.time()) + 3600)
    return {
        "GET /{page-id}/feed": [Call("GET", f"{V}/{page}/feed", 200, POSTS, {"fields": POST_FIELDS, "limit": "1"}),
                                Call("GET", f"{V}/{page}/feed", 400, ERROR, {"fields": "id,nonexisting"}),
                                Call("GET", f"{V}/{page}/feed", 400, ERROR, token="bogus")],
        "GET /{page-id}/scheduled_posts": [
            Call("GET", f"{V}/{page}/scheduled_posts", 200, POSTS, {"fields": "id,message,scheduled_publish_time"}),
            Call("GET", f"{V}/{ids['other_page']}/scheduled_posts", 400, ERROR)],
        "GET /{object-id}/comments": [
            Call("GET", f"{V}/{post}/comments", 200, COMMENTS, {"filter": "stream", "order": "chronological",
                                                               "fields": COMMENT_FIELDS, "summary": "true"}),
            Call("GET", f"{V}/{comment}/comments", 200, COMMENTS, {"fields": COMMENT_FIELDS}),
            Call("GET", f"{V}/{post}/comments", 400, ERROR, {"filter": "everything"}),
            Call("GET", f"{V}/{post}/comments", 400, ERROR, {"after": "%%%"}),
            Call("GET", f"{V}/999_999/comments", 400, ERROR)],
        "POST /{object-id}/comments": [Call("POST", f"{V}/{comment}/comments", 200, CREATED, data={"message": "Да!"}),
                                       Call("POST", f"{V}/{post}/comments", 400, ERROR, data={"message": " "})],
        "POST /{page-id}/feed": [
            Call("POST", f"{V}/{page}/feed", 200, CREATED, data={"message": "Привет 👋"}),
            Call("POST", f"{V}/{page}/feed", 200, CREATED,
                 data={"message": "Позже", "published": "false", "scheduled_publish_time": soon}),
            Call("POST", f"{V}/{page}/feed", 400, ERROR,
                 data={"message": "Слишком скоро", "published": "false",
                       "scheduled_publish_time": str(int(time.time()) + 60)}),
            Call("POST", f"{V}/{page}/feed", 400, ERROR, data={"message": "Привет 👋"})],
        "POST /{page-id}/photos": [
            Call("POST", f"{V}/{page}/photos", 200, PHOTO, data={"message": "фото"},
                 files={"source": ("a.jpg", b"\xff\xd8\xff", "image/jpeg")}),
            Call("POST", f"{V}/{page}/photos", 200, PHOTO, data={"published": "false"},
                 files={"source": ("a.jpg", b"\xff\xd8\xff", "image/jpeg")}),
            Call("POST", f"{V}/{page}/photos", 400, ERROR, data={"message": "без файла"})],
        "GET /{node-id}": [Call("GET", f"{V}/me", 200, PAGE, {"fields": "id,name"}),
                           Call("GET", f"{V}/{page}", 200, PAGE, {"fields": "id,name,link,fan_count,followers_count"}),
                           Call("GET", f"{V}/{post}", 200, POST, {"fields": "id,message,created_time,from"}),
                           Call("GET", f"{V}/{comment}", 200, COMMENT),
                           Call("GET", f"{V}/424242", 400, ERROR)],
    }


@pytest.fixture
async def world() -> AsyncIterator[tuple[httpx.AsyncClient, dict[str, str]]]:
    transport = httpx.ASGITransport(app=build_app([fb_emulator.build()]))  # in process, no socket
    async with httpx.AsyncClient(transport=transport, base_url="http://graph.emulator") as http:
        control = "/_control/facebook"
        page = (await http.post(f"{control}/pages", json={"name": "Brand", "fan_count": 10})).json()
        other = (await http.post(f"{control}/pages", json={"name": "Other"})).json()
        post = (await http.post(f"{control}/posts", json={"page_id": page["id"], "message": "Пост"})).json()
        comment = (await http.post(f"{control}/comments", json={"post_id": post["id"], "message": "Вопрос",
                                                                "author": "Анна"})).json()
        await http.post(f"{control}/comments", json={"reply_to": comment["id"], "message": "+1", "author": "Bob"})
        yield http, {"page": page["id"], "other_page": other["id"], "post": post["id"], "comment": comment["id"],
                     "token": page["tokens"]["page"]}


def route_names() -> list[str]:
    return [r.name for r in fb_emulator.build().api_routes() if isinstance(r, Route) and r.name != "unknown edge"]


def test_every_emulated_endpoint_has_scenarios():
    assert sorted(route_names()) == sorted(scenarios({k: "1" for k in ("page", "other_page", "post", "comment")}))


@pytest.mark.parametrize("name", route_names())
async def test_every_answer_has_the_documented_shape_and_usage_headers(world, name):
    http, ids = world
    calls = scenarios(ids)[name]
    assert {c.status for c in calls} & {200} and {c.status for c in calls} - {200}
    for call in calls:
        token = ids["token"] if call.token == "page" else call.token
        response = await http.request(call.method, call.path, params=call.params, data=call.data, files=call.files,
                                      headers={"Authorization": f"Bearer {token}"})
        assert response.status_code == call.status, (call, response.text)
        assert response.headers["content-type"].startswith("application/json")
        body = response.json()
        jsonschema.validate(body, call.schema)
        jsonschema.validate(json.loads(response.headers["x-app-usage"]), APP_USAGE)
        if call.token == "page":
            jsonschema.validate(json.loads(response.headers["x-business-use-case-usage"]), BUC_USAGE)
        if call.schema is COMMENTS:
            context = Context("ws", "acc", ids["page"])
            for item in body["data"]:
                received(item, {"id": ids["post"], "message": "Пост"}, context)  # what the reader needs is there
        if call.schema is POSTS:
            for item in body["data"]:
                parse_time(item.get("created_time", "2025-01-01T00:00:00+0000"))


async def test_the_token_is_accepted_as_a_parameter_too(world):
    http, ids = world
    response = await http.get(f"{V}/me", params={"access_token": ids["token"]})
    assert response.status_code == 200 and response.json()["id"] == ids["page"]


async def test_paging_follows_cursors_to_the_end(world):
    http, ids = world
    await http.post("/_control/facebook/comments", json={"post_id": ids["post"], "message": "ещё", "author": "Carl"})
    seen, params = [], {"filter": "stream", "limit": "1"}
    headers = {"Authorization": f"Bearer {ids['token']}"}
    while True:
        body = (await http.get(f"{V}/{ids['post']}/comments", params=params, headers=headers)).json()
        seen += [c["id"] for c in body["data"]]
        if "next" not in body.get("paging", {}):
            break
        params["after"] = body["paging"]["cursors"]["after"]
    assert len(seen) == len(set(seen)) == 3


async def test_an_unknown_version_prefix_or_edge_is_not_served_as_graph(world):
    http, ids = world
    headers = {"Authorization": f"Bearer {ids['token']}"}
    assert (await http.get(f"/21.0/{ids['page']}", headers=headers)).status_code == 404
    unknown = await http.get(f"{V}/{ids['page']}/insights_of_mars", headers=headers)
    assert unknown.status_code == 400
    jsonschema.validate(unknown.json(), ERROR)
