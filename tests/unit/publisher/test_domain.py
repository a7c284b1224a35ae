"""The publisher's pure decisions: what to do with a due item, what an error means, what a network refuses."""
from __future__ import annotations

import struct
from datetime import timedelta

import pytest
from publisher_fakes import NOW, item

from chorus.events.values import FailureKind, Network
from chorus.networks import media as rules
from chorus.networks.base import Media
from chorus.networks.errors import ContentRejected, OutcomeUnknown, PermissionMissing, RetryLater, TokenInvalid
from chorus.publisher.domain import (
    AccountStatus,
    Deferred,
    Fail,
    Failed,
    Miss,
    Policy,
    Reconcile,
    Send,
    Skip,
    State,
    Unknown,
    Workspace,
    after_error,
    plan,
    retry_delay,
    token_kind_for,
)

OK = AccountStatus(connected=True)
POLICY = Policy()


def decide(it, account=OK, workspace=None, now=NOW):
    return plan(it, now=now, account=account, workspace=workspace or Workspace(), policy=POLICY)


def test_an_item_not_due_yet_or_already_settled_is_skipped():
    assert isinstance(decide(item(due_at=NOW + timedelta(seconds=1))), Skip)
    for state in (State.PUBLISHED, State.FAILED, State.MISSED, State.CANCELLED, State.SENDING):
        assert isinstance(decide(item(state=state)), Skip)


def test_a_due_item_is_sent_and_a_retry_without_a_key_reads_back_first():
    assert decide(item()) == Send(read_back_first=False)
    assert decide(item(attempts=1, deferred=True)) == Send(read_back_first=True)
    assert decide(item(network=Network.VK, attempts=1, intent_at=NOW - timedelta(minutes=5))) == \
        Send(read_back_first=False)


def test_an_unknown_outcome_is_reconciled_by_key_only_while_the_network_remembers_it():
    assert decide(item(state=State.UNKNOWN, network=Network.VK, intent_at=NOW - timedelta(minutes=49))) == \
        Reconcile(by_key=True)
    assert decide(item(state=State.UNKNOWN, network=Network.VK, intent_at=NOW - timedelta(minutes=51))) == \
        Reconcile(by_key=False)
    assert decide(item(state=State.UNKNOWN, network=Network.FACEBOOK, intent_at=NOW)) == Reconcile(by_key=False)


def test_an_account_not_connected_or_with_an_expired_token_fails_without_a_call():
    assert decide(item(), account=AccountStatus(connected=False)).failure == FailureKind.PERMISSION_MISSING
    expired = decide(item(), account=AccountStatus(connected=True, token_expired=True))
    assert isinstance(expired, Fail) and expired.failure == FailureKind.TOKEN_INVALID


def test_lateness_is_measured_from_the_post_time_against_the_workspace_limit():
    workspace = Workspace(time_zone="Europe/Moscow", lateness=timedelta(minutes=30))
    assert isinstance(decide(item(publish_at=NOW - timedelta(minutes=29)), workspace=workspace), Send)
    missed = decide(item(publish_at=NOW - timedelta(minutes=31)), workspace=workspace)
    assert isinstance(missed, Miss) and "2026-11-01 11:59 Europe/Moscow, 31 minutes ago" in missed.reason
    retried = decide(item(publish_at=NOW - timedelta(hours=5), attempts=3, deferred=True), workspace=workspace)
    assert "kept being refused" in retried.reason and "5 hours ago" in retried.reason


def test_an_unknown_time_zone_falls_back_to_utc():
    assert Workspace(time_zone="Mars/Olympus").local(NOW) == "2026-11-01 09:30 UTC"


@pytest.mark.parametrize("error, expected", [
    (RetryLater("429", retry_after=30), Deferred),
    (TokenInvalid("401"), Failed),
    (PermissionMissing("403"), Failed),
    (ContentRejected("too long"), Failed),
    (OutcomeUnknown("dropped"), Unknown),
    (TimeoutError(), Unknown),
    (RuntimeError("bug in an adapter"), Unknown),
])
def test_every_error_has_one_meaning(error, expected):
    outcome = after_error(error, attempt=1, now=NOW, policy=POLICY)
    assert isinstance(outcome, expected)
    if isinstance(outcome, Failed):
        assert outcome.failure == error.kind and outcome.token_expired == isinstance(error, TokenInvalid)


def test_retries_honour_the_network_delay_else_back_off_exponentially_up_to_a_ceiling():
    policy = Policy(retry_base_s=5, retry_max_s=60)
    assert retry_delay(1, 42.0, policy) == 42.0
    assert retry_delay(1, 42.0, policy, jitter=0.5) == 42.0  # never earlier than asked
    assert [retry_delay(n, None, policy) for n in (1, 2, 3, 4, 5)] == [5, 10, 20, 40, 60]


def test_the_token_that_failed_is_named_for_the_expiry_event():
    assert token_kind_for(Network.VK, "post", "VK wall.post (user token): [5] auth failed") == "user"
    assert token_kind_for(Network.VK, "reply", "VK wall.createComment (community token): [5]") == "community"
    assert token_kind_for(Network.TELEGRAM, "post") == "bot" and token_kind_for(Network.FACEBOOK, "post") == "page"


def _jpeg(width: int, height: int) -> bytes:
    app0 = b"\xff\xe0" + struct.pack(">H", 16) + b"JFIF\x00" + b"\x01\x01\x00\x00\x01\x00\x01\x00\x00"
    sof = b"\xff\xc0" + struct.pack(">HBHHB", 11, 8, height, width, 1) + b"\x01\x11\x00"
    return b"\xff\xd8" + app0 + sof + b"\xff\xd9"


def test_image_formats_and_sizes_are_read_from_the_bytes():
    assert rules.sniff(_jpeg(10, 20)) == "jpeg" and rules.dimensions(_jpeg(640, 480), "jpeg") == (640, 480)
    assert rules.sniff(b"GIF89a" + struct.pack("<HH", 3, 4)) == "gif"
    assert rules.dimensions(b"GIF89a" + struct.pack("<HH", 3, 4), "gif") == (3, 4)
    assert rules.sniff(b"RIFF\x00\x00\x00\x00WEBPVP8 ") == "webp" and rules.sniff(b"%PDF-1.7") is None


def test_what_each_network_refuses_is_named():
    photo = Media("a.jpg", "image/jpeg", _jpeg(800, 600))
    assert rules.media_problem(Network.VK, [photo] * 10) is None
    assert "at most 10" in rules.media_problem(Network.VK, [photo] * 11)
    assert "at most 1 image" in rules.media_problem(Network.TELEGRAM, [photo, photo])
    assert "too large" in rules.media_problem(Network.VK, [Media("p.jpg", "image/jpeg", _jpeg(9000, 6000))])
    assert "not an image" in rules.media_problem(Network.X, [Media("v.mp4", "video/mp4", b"\x00" * 10)])
    assert "does not take GIF" in rules.media_problem(Network.TELEGRAM, [Media("g.gif", "image/gif", b"GIF89a\x01\x00\x01\x00")])


def test_texts_are_measured_the_way_each_network_counts():
    assert rules.text_problem(Network.X, "https://shop.ru/" + "a" * 300 + " ok", False) is None  # a link weighs 23
    assert rules.text_problem(Network.X, "я" * 281, False) == \
        "the text is 281 weighted characters; x takes at most 280 for a post"
    assert rules.text_problem(Network.X, "я" * 280, False) is None
    assert "at most 1024 for a caption" in rules.text_problem(Network.TELEGRAM, "x" * 1025, True)
    assert rules.text_problem(Network.TELEGRAM, "x" * 1025, False) is None
    assert "neither text nor an image" in rules.text_problem(Network.VK, "  ", False)
