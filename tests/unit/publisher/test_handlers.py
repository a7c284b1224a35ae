"""Performing a due item through the handlers, with fakes for the schedule, the log, the accounts and a network."""
from __future__ import annotations

from dataclasses import replace
from datetime import timedelta

from publisher_fakes import NOW, FakeClient, FakeMedia, deps, item

from chorus.events import PostAttempted, PostFailed, PostReconciled
from chorus.events.values import MediaRef, Network
from chorus.networks.base import Media, Sent, Target
from chorus.networks.errors import ContentRejected, NotFound, OutcomeUnknown, RetryLater, TokenInvalid
from chorus.publisher.domain import AccountStatus, Kind, State, Workspace
from chorus.publisher.handlers import perform

PNG = b"\x89PNG\r\n\x1a\n" + b"\x00\x00\x00\rIHDR" + (64).to_bytes(4, "big") + (48).to_bytes(4, "big") + b"\x08\x02"


async def test_the_intent_is_in_the_log_before_the_network_is_called():
    d = deps(item())
    done = await perform("post-1:acc-1", d)
    assert d.log.types() == ["PostAttempted", "PostPublished"]
    assert d.accounts._client.logged_before_call == [1]  # the attempt was appended before the call
    [(name, args)] = d.accounts._client.calls
    assert name == "publish_post" and args["key"] == "post-1:acc-1" and args["publish_at"] is None
    assert done.events[-1].remote_id == "remote-1"


async def test_nothing_is_sent_when_the_intent_cannot_be_recorded():
    d = deps(item())
    d.log.fail_next = 1
    try:
        await perform("post-1:acc-1", d)
    except ConnectionError:
        pass
    else:
        raise AssertionError("the failure to record the intent must surface")
    assert d.accounts._client.calls == []
    assert d.schedule.released == [("post-1:acc-1", 1)]
    assert d.schedule.items["post-1:acc-1"].state == State.SCHEDULED


async def test_an_item_changed_since_it_was_read_is_not_sent():
    d = deps(item())
    d.schedule.refuse_claims = True  # e.g. a cancel applied between the read and the claim
    done = await perform("post-1:acc-1", d)
    assert done.changed and d.log.events == [] and d.accounts._client.calls == []


async def test_a_rate_limit_defers_the_item_to_when_the_network_asked_and_pauses_the_account():
    d = deps(item(), client=FakeClient(outcomes=[RetryLater("too many requests", retry_after=42)]))
    done = await perform("post-1:acc-1", d)
    [attempted, deferred] = d.log.events
    assert type(deferred).__name__ == "PostDeferred" and deferred.retry_at == NOW + timedelta(seconds=42)
    assert deferred.attempt == attempted.attempt == 1 and done.pause_s == 42


async def test_an_unknown_outcome_is_recorded_and_not_retried():
    d = deps(item(), client=FakeClient(outcomes=[OutcomeUnknown("connection dropped after sending")]))
    await perform("post-1:acc-1", d)
    assert d.log.types() == ["PostAttempted", "PostOutcomeUnknown"]
    assert len(d.accounts._client.calls) == 1


async def test_an_unknown_outcome_found_on_the_network_is_published_without_sending_again():
    unknown = item(state=State.UNKNOWN, attempts=1, logged_attempt=1, intent_at=NOW)
    d = deps(unknown, client=FakeClient(found=[Sent("tweet-9", "https://x.com/i/web/status/9")]))
    await perform("post-1:acc-1", d)
    assert d.log.types() == ["PostReconciled", "PostPublished"]
    reconciled: PostReconciled = d.log.events[0]
    assert reconciled.found and reconciled.method == "read_back" and reconciled.remote_id == "tweet-9"
    [(name, args)] = d.accounts._client.calls
    assert name == "find_sent" and args["since"] == NOW - timedelta(minutes=2)


async def test_a_reply_is_read_back_in_the_thread_it_answered():
    reply = item(key="reply-1", kind=Kind.REPLY, post_id=None, reply_id="reply-1", conversation_id="c-1",
                 text="Спасибо!", target={"kind": "comment", "post_id": "p-5", "comment_id": "p-5_41"},
                 state=State.UNKNOWN, attempts=1, logged_attempt=1, intent_at=NOW)
    d = deps(reply, client=FakeClient(found=[Sent("tweet-9")]))
    await perform("reply-1", d)
    [(name, args)] = d.accounts._client.calls
    assert name == "find_sent" and args["target"] == Target(post_id="p-5", comment_id="p-5_41")


async def test_an_unknown_outcome_not_on_the_network_is_sent_again_once():
    unknown = item(state=State.UNKNOWN, attempts=1, logged_attempt=1, intent_at=NOW)
    d = deps(unknown, client=FakeClient(found=[None]))
    await perform("post-1:acc-1", d)
    assert d.log.types() == ["PostReconciled", "PostAttempted", "PostPublished"]
    assert not d.log.events[0].found and d.log.events[1].attempt == 2
    assert [name for name, _ in d.accounts._client.calls] == ["find_sent", "publish_post"]


async def test_an_unknown_outcome_on_vk_is_settled_by_resending_with_the_same_key():
    unknown = item(network=Network.VK, state=State.UNKNOWN, attempts=1, logged_attempt=1,
                   intent_at=NOW - timedelta(minutes=10))
    d = deps(unknown)
    await perform("post-1:acc-1", d)
    assert d.log.types() == ["PostAttempted", "PostReconciled", "PostPublished"]
    assert d.log.events[1].method == "idempotency_key"
    [(name, args)] = d.accounts._client.calls
    assert name == "publish_post" and args["key"] == "post-1:acc-1"


async def test_an_unknown_outcome_on_vk_older_than_the_key_is_remembered_is_read_back():
    unknown = item(network=Network.VK, state=State.UNKNOWN, attempts=1, logged_attempt=1,
                   intent_at=NOW - timedelta(minutes=55))
    d = deps(unknown, client=FakeClient(found=[Sent("-1_5")]), workspace=Workspace(lateness=timedelta(hours=2)))
    await perform("post-1:acc-1", d)
    assert [name for name, _ in d.accounts._client.calls] == ["find_sent"]


async def test_an_unknown_outcome_the_network_cannot_check_asks_a_person():
    unknown = item(network=Network.TELEGRAM, state=State.UNKNOWN, attempts=1, logged_attempt=1, intent_at=NOW)
    d = deps(unknown, client=FakeClient(found=[OutcomeUnknown("no record of that send")]))
    await perform("post-1:acc-1", d)
    [failed] = d.log.events
    assert isinstance(failed, PostFailed) and failed.failure == "unknown" and "no record" in failed.reason
    assert "look at the account on the network" in failed.reason


async def test_a_cancelled_post_with_an_unknown_outcome_is_not_sent_when_it_is_not_on_the_network():
    unknown = item(state=State.UNKNOWN, attempts=1, logged_attempt=1, intent_at=NOW, cancel_requested=True)
    d = deps(unknown, client=FakeClient(found=[None]))
    await perform("post-1:acc-1", d)
    [reconciled] = d.log.events
    assert not reconciled.found and "cancelled" in reconciled.detail
    assert [name for name, _ in d.accounts._client.calls] == ["find_sent"]


async def test_a_read_back_that_keeps_failing_gives_up_after_the_set_rounds():
    unknown = item(state=State.UNKNOWN, attempts=1, logged_attempt=1, intent_at=NOW, rounds=4)
    d = deps(unknown, client=FakeClient(found=[RetryLater("503")]))
    await perform("post-1:acc-1", d)
    [failed] = d.log.events
    assert failed.failure == "unknown" and "kept failing" in failed.reason


async def test_a_retry_on_a_network_without_a_key_reads_back_first():
    retry = item(attempts=1, logged_attempt=1, intent_at=NOW - timedelta(minutes=1), deferred=True)
    d = deps(retry, client=FakeClient(found=[Sent("tweet-3")]))
    await perform("post-1:acc-1", d)
    assert d.log.types() == ["PostReconciled", "PostPublished"]
    assert [name for name, _ in d.accounts._client.calls] == ["find_sent"]


async def test_an_expired_token_is_reported_and_fails_the_item_for_a_person():
    d = deps(item(), client=FakeClient(outcomes=[TokenInvalid("X answered HTTP 401")]))
    await perform("post-1:acc-1", d)
    [_, failed] = d.log.events
    assert failed.failure == "token_invalid" and "reconnect" in failed.reason
    assert d.accounts.expired == [("acc-1", "user", "X answered HTTP 401 (reconnect the account)")]


async def test_an_account_known_to_have_an_expired_token_is_not_called():
    d = deps(item(), status=AccountStatus(connected=True, token_expired=True, reason="the user token expired"))
    await perform("post-1:acc-1", d)
    assert d.log.types() == ["PostFailed"] and d.accounts._client.calls == []


async def test_refusals_by_the_network_fail_with_their_class_and_are_not_retried():
    for error, failure in ((ContentRejected("duplicate content"), "content_rejected"),
                           (NotFound("the chat is gone"), "not_found")):
        d = deps(item(), client=FakeClient(outcomes=[error]))
        await perform("post-1:acc-1", d)
        assert d.log.events[-1].failure == failure


async def test_an_unexpected_adapter_error_is_an_unknown_outcome():
    d = deps(item(), client=FakeClient(outcomes=[KeyError("id")]))
    await perform("post-1:acc-1", d)
    assert d.log.types() == ["PostAttempted", "PostOutcomeUnknown"]


async def test_a_post_past_the_lateness_limit_is_missed_in_the_workspace_time():
    late = item(publish_at=NOW - timedelta(hours=3), due_at=NOW - timedelta(hours=3))
    d = deps(late, workspace=Workspace(time_zone="Asia/Yekaterinburg", lateness=timedelta(minutes=60)))
    await perform("post-1:acc-1", d)
    [missed] = d.log.events
    assert type(missed).__name__ == "PostMissed" and "2026-11-01 11:30 Asia/Yekaterinburg" in missed.reason
    assert d.accounts._client.calls == []


async def test_an_image_the_network_would_refuse_fails_before_any_call():
    ref = MediaRef(media_id="m1", content_type="image/png", size=len(PNG), name="a.png")
    many = item(media=(ref,) * 5)
    d = deps(many, media=FakeMedia({"m1": Media("a.png", "image/png", PNG)}))
    await perform("post-1:acc-1", d)
    [failed] = d.log.events
    assert failed.failure == "content_rejected" and "at most 4 images" in failed.reason
    assert d.accounts._client.calls == []


async def test_a_reply_goes_to_the_comment_it_answers_with_its_reply_id_as_the_key():
    answer = item(key="r-1", kind=Kind.REPLY, reply_id="r-1", post_id=None, conversation_id="c-1",
                  target={"kind": "comment", "post_id": "-1_5", "comment_id": "-1_5_41"})
    d = deps(answer)
    await perform("r-1", d)
    assert d.log.types() == ["ReplyAttempted", "ReplySent"]
    [(name, args)] = d.accounts._client.calls
    assert (name, args["post_id"], args["comment_id"], args["key"]) == ("reply_to_comment", "-1_5", "-1_5_41", "r-1")


async def test_a_private_reply_goes_to_the_dialogue():
    answer = item(key="r-2", kind=Kind.REPLY, reply_id="r-2", post_id=None, conversation_id="c-2",
                  target={"kind": "message", "dialogue_id": "77"})
    d = deps(answer)
    await perform("r-2", d)
    [(name, args)] = d.accounts._client.calls
    assert (name, args["dialogue_id"]) == ("send_message", "77")


async def test_a_reply_too_old_to_send_fails_instead():
    old = item(key="r-3", kind=Kind.REPLY, reply_id="r-3", post_id=None, conversation_id="c-3",
               target={"kind": "comment", "post_id": "1"}, publish_at=NOW - timedelta(days=2))
    d = deps(old)
    await perform("r-3", d)
    [failed] = d.log.events
    assert type(failed).__name__ == "ReplyFailed" and "within 24 hours" in failed.reason


async def test_events_of_the_same_step_have_the_same_id_so_a_rerun_is_stored_once():
    first, second = deps(item()), deps(item())
    await perform("post-1:acc-1", first)
    await perform("post-1:acc-1", second)
    assert [e.event_id for e in first.log.events] == [e.event_id for e in second.log.events]
    attempted: PostAttempted = first.log.events[0]
    assert attempted.causation_id == "scheduled-1" and attempted.correlation_id == "corr-1"
    later = replace(item(), attempts=1, deferred=True)
    third = deps(later, client=FakeClient(found=[None]))
    await perform("post-1:acc-1", third)
    assert third.log.events[0].event_id != attempted.event_id


async def test_a_refused_resend_under_the_same_key_leaves_the_outcome_for_a_person():
    unknown = item(network=Network.VK, state=State.UNKNOWN, attempts=1, logged_attempt=1, intent_at=NOW)
    d = deps(unknown, client=FakeClient(outcomes=[TokenInvalid("VK wall.post (user token): [5] expired")]))
    await perform("post-1:acc-1", d)
    [_, failed] = d.log.events
    assert failed.failure == "unknown" and "re-sending it under the same key was refused" in failed.reason
    assert d.accounts.expired and d.accounts.expired[0][1] == "user"


async def test_an_unknown_outcome_of_a_disconnected_account_is_left_for_a_person():
    unknown = item(state=State.UNKNOWN, attempts=1, logged_attempt=1, intent_at=NOW)
    d = deps(unknown, status=AccountStatus(connected=False))
    await perform("post-1:acc-1", d)
    [failed] = d.log.events
    assert failed.failure == "unknown" and "disconnected" in failed.reason and d.accounts._client.calls == []


async def test_an_unexpected_adapter_error_never_puts_a_token_in_the_event(caplog):
    secret = "vk1.a.SECRETtokenVALUE123"
    d = deps(item(), client=FakeClient(outcomes=[RuntimeError(f"bad answer for access_token={secret}")]))
    await perform("post-1:acc-1", d)
    unknown = d.log.events[-1]
    assert type(unknown).__name__ == "PostOutcomeUnknown" and secret not in unknown.reason
    assert secret not in caplog.text and "unexpectedly" in caplog.text
