"""Every answer of the X emulator has the shape X API v2 documents and the real client code expects.

The schemas below are written from the documented shapes (``platform-apis.md`` §2: tweet, user, media
objects; ``data``/``includes``/``meta`` envelopes; RFC 7807 problem bodies), not from the emulator's code.
The routes are walked from the emulator's own route table, so a new endpoint without a scenario here
fails the suite. Each success body is also fed to tweepy's own response parsing and to Chorus's mapping.
"""
from __future__ import annotations

import base64
import time
from collections.abc import AsyncIterator
from dataclasses import dataclass, field
from typing import Any

import httpx
import jsonschema
import pytest
import tweepy
from starlette.routing import Route

from chorus.emulators import x as x_emulator
from chorus.emulators.server import build_app
from chorus.networks.x.api import EXPANSIONS, MEDIA_FIELDS, TWEET_FIELDS, USER_FIELDS
from chorus.networks.x.mapping import Context, Page, map_tweet

ID = {"type": "string", "pattern": "^[0-9]{1,19}$"}
TIME = {"type": "string", "pattern": r"^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d(\.\d{3})?Z$"}
TWEET = {"type": "object", "required": ["id", "text", "edit_history_tweet_ids"], "properties": {
    "id": ID, "text": {"type": "string"}, "author_id": ID, "conversation_id": ID, "in_reply_to_user_id": ID,
    "created_at": TIME, "lang": {"type": "string"},
    "edit_history_tweet_ids": {"type": "array", "items": ID, "minItems": 1},
    "referenced_tweets": {"type": "array", "items": {"type": "object", "required": ["type", "id"], "properties": {
        "type": {"enum": ["replied_to", "quoted", "retweeted"]}, "id": ID}}},
    "attachments": {"type": "object", "properties": {"media_keys": {"type": "array", "items": {"type": "string"}}}},
    "note_tweet": {"type": "object", "required": ["text"], "properties": {"text": {"type": "string"}}},
    "public_metrics": {"type": "object", "required": ["retweet_count", "reply_count", "like_count", "quote_count"],
                       "additionalProperties": {"type": "integer", "minimum": 0}},
    "entities": {"type": "object", "properties": {
        "mentions": {"type": "array", "items": {"type": "object", "required": ["start", "end", "username"]}},
        "urls": {"type": "array", "items": {"type": "object", "required": ["start", "end", "url"]}}}}}}
USER = {"type": "object", "required": ["id", "name", "username"], "properties": {
    "id": ID, "name": {"type": "string"}, "username": {"type": "string", "pattern": "^[A-Za-z0-9_]{1,15}$"},
    "public_metrics": {"type": "object", "required": ["followers_count", "following_count", "tweet_count",
                                                      "listed_count"],
                       "additionalProperties": {"type": "integer", "minimum": 0}}}}
MEDIA = {"type": "object", "required": ["media_key", "type"], "properties": {
    "media_key": {"type": "string"}, "type": {"enum": ["photo", "video", "animated_gif"]}}}
PARTIAL_ERROR = {"type": "object", "required": ["title", "detail", "type"], "properties": {
    "value": {"type": "string"}, "resource_type": {"type": "string"}, "resource_id": {"type": "string"}}}
INCLUDES = {"type": "object", "additionalProperties": False, "properties": {
    "users": {"type": "array", "items": USER}, "tweets": {"type": "array", "items": TWEET},
    "media": {"type": "array", "items": MEDIA}}}
META = {"type": "object", "required": ["result_count"], "properties": {
    "result_count": {"type": "integer", "minimum": 0}, "newest_id": ID, "oldest_id": ID,
    "next_token": {"type": "string", "minLength": 1}}}
TIMELINE = {"type": "object", "required": ["meta"], "additionalProperties": False, "properties": {
    "data": {"type": "array", "items": TWEET, "minItems": 1}, "includes": INCLUDES, "meta": META,
    "errors": {"type": "array", "items": PARTIAL_ERROR}}}
LOOKUP = {"type": "object", "additionalProperties": False, "anyOf": [{"required": ["data"]}, {"required": ["errors"]}],
          "properties": {"data": {"type": "array", "items": TWEET, "minItems": 1}, "includes": INCLUDES,
                         "errors": {"type": "array", "items": PARTIAL_ERROR, "minItems": 1}}}
ONE_USER = {"type": "object", "additionalProperties": False, "anyOf": [{"required": ["data"]}, {"required": ["errors"]}],
            "properties": {"data": USER, "errors": {"type": "array", "items": PARTIAL_ERROR, "minItems": 1}}}
CREATED = {"type": "object", "required": ["data"], "properties": {"data": {
    "type": "object", "required": ["id", "text", "edit_history_tweet_ids"], "properties": {
        "id": ID, "text": {"type": "string"}, "edit_history_tweet_ids": {"type": "array", "items": ID}}}}}
UPLOADED = {"type": "object", "required": ["data"], "properties": {"data": {
    "type": "object", "required": ["id", "media_key", "expires_after_secs"], "properties": {
        "id": ID, "media_key": {"type": "string", "pattern": "^[0-9]+_[0-9]+$"},
        "size": {"type": "integer"}, "expires_after_secs": {"type": "integer", "minimum": 1}}}}}
PROBLEM = {"type": "object", "required": ["title", "type"], "anyOf": [{"required": ["detail"]}, {"required": ["errors"]}],
           "properties": {"title": {"type": "string"}, "type": {"type": "string"}, "detail": {"type": "string"},
                          "status": {"type": "integer"},
                          "errors": {"type": "array", "items": {"type": "object", "required": ["message"]}}}}


@dataclass
class Call:
    method: str
    path: str
    status: int
    schema: dict[str, Any]
    params: dict[str, str] = field(default_factory=dict)
    json: dict[str, Any] | None = None
    files: dict[str, Any] | None = None
    token: str = "user"


FIELDS = {"tweet.fields": ",".join(TWEET_FIELDS), "user.fields": ",".join(USER_FIELDS),
          "media.fields": ",".join(MEDIA_FIELDS), "expansions": ",".join(EXPANSIONS)}


def scenarios(ids: dict[str, str]) -> dict[str, list[Call]]:
    """What each endpoint is asked, by endpoint name: at least one success and one documented error."""
    me, post = ids["me"], ids["post"]
    return {
        "GET /2/users/me": [Call("GET", "/2/users/me", 200, ONE_USER, {"user.fields": "public_metrics"}),
                            Call("GET", "/2/users/me", 403, PROBLEM, token="bearer")],
        "GET /2/users/:id": [Call("GET", f"/2/users/{me}", 200, ONE_USER, {"user.fields": "public_metrics"}, token="bearer"),
                             Call("GET", "/2/users/42", 200, ONE_USER, token="bearer"),
                             Call("GET", "/2/users/abc", 400, PROBLEM, token="bearer")],
        "GET /2/users/:id/mentions": [
            Call("GET", f"/2/users/{me}/mentions", 200, TIMELINE, {**FIELDS, "max_results": "5"}, token="bearer"),
            Call("GET", f"/2/users/{me}/mentions", 200, TIMELINE, {"since_id": ids["last"]}, token="bearer"),
            Call("GET", f"/2/users/{me}/mentions", 400, PROBLEM, {"max_results": "1"}, token="bearer"),
            Call("GET", f"/2/users/{me}/mentions", 401, PROBLEM, token="none")],
        "GET /2/users/:id/tweets": [
            Call("GET", f"/2/users/{me}/tweets", 200, TIMELINE, FIELDS, token="bearer"),
            Call("GET", f"/2/users/{me}/tweets", 400, PROBLEM, {"pagination_token": "nonsense"}, token="bearer")],
        "GET /2/tweets/search/recent": [
            Call("GET", "/2/tweets/search/recent", 200, TIMELINE, {**FIELDS, "query": "coffee -is:retweet",
                                                                    "max_results": "10"}, token="bearer"),
            Call("GET", "/2/tweets/search/recent", 200, TIMELINE, {"query": "nothingmatchesthis"}, token="bearer"),
            Call("GET", "/2/tweets/search/recent", 400, PROBLEM, {"query": "(unbalanced"}, token="bearer")],
        "GET /2/tweets": [Call("GET", "/2/tweets", 200, LOOKUP, {"ids": f"{post},1", **FIELDS}, token="bearer"),
                          Call("GET", "/2/tweets", 400, PROBLEM, {"ids": ""}, token="bearer")],
        "POST /2/tweets": [Call("POST", "/2/tweets", 201, CREATED, json={"text": "Спасибо! 🙏",
                                                                         "reply": {"in_reply_to_tweet_id": ids["mention"]}}),
                           Call("POST", "/2/tweets", 403, PROBLEM, json={"text": "our post"}),
                           Call("POST", "/2/tweets", 400, PROBLEM, json={"text": "x" * 281}),
                           Call("POST", "/2/tweets", 403, PROBLEM, json={"text": "app only"}, token="bearer")],
        "POST /2/media/upload": [
            Call("POST", "/2/media/upload", 200, UPLOADED,
                 files={"media": ("a.png", b"\x89PNG....", "image/png"), "media_category": (None, "tweet_image")}),
            Call("POST", "/2/media/upload", 200, UPLOADED,
                 json={"media": base64.b64encode(b"\x89PNG....").decode(), "media_type": "image/png"}),
            Call("POST", "/2/media/upload", 400, PROBLEM, files={"other": ("a.txt", b"x", "text/plain")})],
    }


@pytest.fixture
async def world() -> AsyncIterator[tuple[httpx.AsyncClient, dict[str, str]]]:
    transport = httpx.ASGITransport(app=build_app([x_emulator.build()]))  # in process, no socket
    async with httpx.AsyncClient(transport=transport, base_url="http://x.emulator") as http:
        account = (await http.post("/_control/x/accounts", json={"username": "brand", "followers": 5})).json()
        post = (await http.post("/_control/x/tweets", json={"author": "brand", "text": "our post"})).json()
        mention = (await http.post("/_control/x/tweets", json={"author": "ann", "text": "love the coffee ☕ " * 30,
                                                               "in_reply_to": post["id"]})).json()
        last = (await http.post("/_control/x/tweets", json={"author": "bob",
                                                            "text": "@brand hi https://example.com"})).json()
        ids = {"me": account["id"], "post": post["id"], "mention": mention["id"], "last": last["id"],
               "user": account["tokens"]["user"], "bearer": account["tokens"]["bearer"]}
        yield http, ids


def route_names() -> list[str]:
    return [r.name for r in x_emulator.build().api_routes() if isinstance(r, Route)]


def test_every_emulated_endpoint_has_scenarios():
    assert sorted(route_names()) == sorted(scenarios({k: "1" for k in ("me", "post", "mention", "last")}))


@pytest.mark.parametrize("name", route_names())
async def test_every_answer_has_the_documented_shape_and_headers(world, name):
    http, ids = world
    calls = scenarios(ids)[name]
    assert {c.status for c in calls} & {200, 201} and {c.status for c in calls} - {200, 201}
    for call in calls:
        response = await _send(http, ids, call)
        assert response.status_code == call.status, (call, response.text)
        assert response.headers["content-type"].startswith("application/json")
        for header in ("x-rate-limit-limit", "x-rate-limit-remaining", "x-rate-limit-reset"):
            assert response.headers[header].isdigit(), header
        body = response.json()
        jsonschema.validate(body, call.schema)
        if call.status < 300:
            _parsed_by_tweepy_and_chorus(body, call.schema, ids)


async def test_a_rate_limited_answer_carries_a_near_future_reset(world):
    http, ids = world
    await http.post("/_control/x/rate_limits", json={"endpoint": "GET /2/users/:id", "limit": 0, "window": 1})
    response = await http.get(f"/2/users/{ids['me']}", headers={"Authorization": f"Bearer {ids['bearer']}"})
    assert response.status_code == 429
    jsonschema.validate(response.json(), PROBLEM)
    assert 0 <= int(response.headers["x-rate-limit-reset"]) - time.time() <= 3


async def test_oauth1_user_context_is_accepted_without_checking_the_signature(world):
    http, ids = world
    header = f'OAuth oauth_consumer_key="k", oauth_token="{ids["user"]}", oauth_signature="not-checked"'
    assert (await http.get("/2/users/me", headers={"Authorization": header})).status_code == 200


async def _send(http: httpx.AsyncClient, ids: dict[str, str], call: Call) -> httpx.Response:
    headers = {} if call.token == "none" else {"Authorization": f"Bearer {ids[call.token]}"}
    if call.files is not None:
        return await http.request(call.method, call.path, params=call.params, files=call.files, headers=headers)
    return await http.request(call.method, call.path, params=call.params, json=call.json, headers=headers)


def _parsed_by_tweepy_and_chorus(body: dict[str, Any], schema: dict[str, Any], ids: dict[str, str]) -> None:
    client = tweepy.Client()
    if schema in (TIMELINE, LOOKUP, CREATED):
        parsed = client._construct_response(body, data_type=tweepy.Tweet)  # what tweepy.Client returns
        page = Page.of(body)
        context = Context("ws", "acc", ids["me"], {ids["post"]: ids["me"]})
        for tweet in page.tweets if schema is TIMELINE else []:
            map_tweet(tweet, page, context, "q")  # raises Malformed if a field Chorus needs is missing
        assert parsed.data is None or parsed.data
    elif schema is ONE_USER and "data" in body:
        assert client._construct_response(body, data_type=tweepy.User).data.username
