"""One example of every event type, with every field filled: the source of the payload fixtures."""
from __future__ import annotations

from datetime import UTC, datetime

from chorus import events as ev

AT = datetime(2026, 11, 1, 9, 30, tzinfo=UTC)
AUTHOR = ev.Author(id="77", name="Анна Петрова", handle="anna", url="https://vk.com/id77", followers=1200)
ITEM = ev.ItemRef(kind=ev.ItemKind.COMMENT, network=ev.Network.VK, account_id="acc-vk-1", item_id="-1_5_41")
TARGET = ev.PostTarget(account_id="acc-vk-1", network=ev.Network.VK, text="Скидки до 30% https://x.ru/?utm_source=vk",
                       media=[ev.MediaRef(media_id="m1", content_type="image/jpeg", size=1024, name="a.jpg")])
ENVELOPE = dict(occurred_at=AT, workspace_id="ws-1", correlation_id="corr-1", causation_id="cause-1")


def example(cls: type[ev.Event]) -> ev.Event:
    fields = {
        ev.AccountConnected: dict(account_id="acc-vk-1", network="vk", external_id="123", name="Brand",
                                  handle="brand", url="https://vk.com/brand", token_kinds=["community", "user"],
                                  features=["read_comments", "reply"], connected_by="user-1"),
        ev.AccountDisconnected: dict(account_id="acc-vk-1", network="vk", reason="client left",
                                     disconnected_by="user-1"),
        ev.AccountTokenExpired: dict(account_id="acc-vk-1", network="vk", token_kind="community",
                                     reason="User authorization failed", detected_by="ingest"),
        ev.CommentReceived: dict(account_id="acc-vk-1", network="vk", comment_id="-1_5_41", post_id="-1_5",
                                 parent_comment_id=None, author=AUTHOR, text="Когда будет доставка? <b>!</b>",
                                 created_at=AT, url="https://vk.com/wall-1_5?reply=41", post_text="Новая коллекция",
                                 attachments=[ev.Attachment(kind="photo", url="https://vk.com/p.jpg")],
                                 raw={"from_id": 77}, from_account=False),
        ev.CommentEdited: dict(account_id="acc-vk-1", network="vk", comment_id="-1_5_41", post_id="-1_5",
                               text="Когда доставка?", edited_at=AT, raw={}),
        ev.CommentDeleted: dict(account_id="acc-vk-1", network="vk", comment_id="-1_5_41", post_id="-1_5",
                                deleted_at=AT, deleted_by="77"),
        ev.DirectMessageReceived: dict(account_id="acc-vk-1", network="vk", message_id="1201", dialogue_id="77",
                                       author=AUTHOR, text="Здравствуйте!", created_at=AT, attachments=[], raw={}),
        ev.MentionFound: dict(account_id="acc-vk-1", network="vk", mention_id="-9_46", author=AUTHOR,
                              text="Brand опять опоздал", created_at=AT, url="https://vk.com/wall-9_46",
                              query="brand", raw={}),
        ev.AccountStatsCaptured: dict(account_id="acc-vk-1", network="vk", captured_at=AT, followers=15890,
                                      posts=120, reach=5000, impressions=9000, engagements=300,
                                      period_from=AT, period_to=AT),
        ev.IngestGapRecorded: dict(account_id="acc-vk-1", network="vk", source="long_poll", gap_from=AT,
                                   gap_to=AT, reason="long poll history lost (failed: 1)"),
        ev.SentimentClassified: dict(item=ITEM, source_event_id="e-1", label="negative", score=-0.6,
                                     language="ru", classifier_version="ru-1", rule_id=None),
        ev.AlertRaised: dict(alert_id="al-1", rule_id="rule-1", kind="spike", severity="warning",
                             title="Negative spike", summary="12 negative mentions in 30 minutes",
                             account_id="acc-vk-1", items=[ITEM], window_from=AT, window_to=AT,
                             details={"baseline": 2.5}),
        ev.AlertDelivered: dict(alert_id="al-1", destination_id="d1", destination_kind="webhook", attempts=3,
                                delivered_at=AT),
        ev.AlertDeliveryFailed: dict(alert_id="al-1", destination_id="d2", destination_kind="telegram", attempts=1,
                                     reason="Bad Request: chat not found", permanent=True),
        ev.ReplyRequested: dict(reply_id="r-1", conversation_id="c-1", account_id="acc-vk-1", network="vk",
                                target=ev.ReplyTarget(kind="comment", post_id="-1_5", comment_id="-1_5_41"),
                                text="Завтра!", requested_by="user-1"),
        ev.ConversationAssigned: dict(conversation_id="c-1", assignee_id="user-2", assigned_by="user-1"),
        ev.ConversationClosed: dict(conversation_id="c-1", closed_by="user-1"),
        ev.ConversationReopened: dict(conversation_id="c-1", reopened_by="user-1"),
        ev.ConversationTagged: dict(conversation_id="c-1", added=["delivery"], removed=[], tagged_by="user-1"),
        ev.ConversationNoted: dict(conversation_id="c-1", note_id="n-1", text="VIP client", author_id="user-1"),
        ev.SentimentCorrected: dict(item=ITEM, label="neutral", previous_label="negative", corrected_by="user-1"),
        ev.PostScheduled: dict(post_id="post-1", targets=[TARGET], publish_at=AT, campaign="black-friday",
                               created_by="user-1", approved_by="user-2"),
        ev.PostEdited: dict(post_id="post-1", targets=[TARGET], publish_at=AT, campaign="black-friday",
                            edited_by="user-1"),
        ev.PostCancelled: dict(post_id="post-1", cancelled_by="user-1"),
        ev.ReplySent: dict(reply_id="r-1", conversation_id="c-1", account_id="acc-vk-1", network="vk",
                           remote_id="43", url="https://vk.com/wall-1_5?reply=43", sent_at=AT),
        ev.ReplyFailed: dict(reply_id="r-1", conversation_id="c-1", account_id="acc-vk-1", network="vk",
                             failure="token_invalid", reason="token expired"),
        ev.PostPublished: dict(post_id="post-1", account_id="acc-vk-1", network="vk", remote_id="-1_46",
                               url="https://vk.com/wall-1_46", published_at=AT),
        ev.PostFailed: dict(post_id="post-1", account_id="acc-vk-1", network="vk", failure="content_rejected",
                            reason="text too long"),
        ev.PostOutcomeUnknown: dict(post_id="post-1", account_id="acc-vk-1", network="vk",
                                    reason="connection dropped after sending"),
        ev.PostMissed: dict(post_id="post-1", account_id="acc-vk-1", network="vk", due_at=AT,
                            reason="publisher was down for 3 hours; lateness limit is 60 minutes"),
        ev.BrandRulesChanged: dict(rules=[ev.BrandRule(rule_id="b1", name="Brand", include=["сбербанк", "sber"],
                                                       exclude=["вакансия"], networks=["vk", "x"])],
                                   changed_by="user-1"),
        ev.AlertRulesChanged: dict(rules=[ev.AlertRule(rule_id="a1", name="Spike", kind="spike", window_minutes=30,
                                                       sensitivity=3.0, destinations=["d1"])],
                                   changed_by="user-1"),
        ev.AlertDestinationsChanged: dict(destinations=[ev.AlertDestination(
            destination_id="d1", kind="webhook", name="Ops", target="https://hooks.example.com/chorus")],
            changed_by="user-1"),
        ev.SentimentRulesChanged: dict(rules=[ev.SentimentRule(rule_id="s1", term="дорого", label=None)],
                                       changed_by="user-1"),
        ev.WorkspaceSettingsChanged: dict(name="Brand", time_zone="Europe/Moscow",
                                          business_hours={"mon": ["09:00-18:00"]}, approval_required=True,
                                          lateness_limit_minutes=30, changed_by="user-1"),
    }[cls]
    return cls(event_id=f"example-{cls.type}", **ENVELOPE, **fields)
