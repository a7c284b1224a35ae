"""The composer's pure parts: checks before scheduling, queue times across DST, recurrence, UTM, states."""
from __future__ import annotations

import struct
import zlib
from datetime import UTC, date, datetime, timedelta
from zoneinfo import ZoneInfo

import pytest

from chorus.inbox.domain import Forbidden, InboxError, NotFound
from chorus.inbox.posts import handlers, queue, states
from chorus.inbox.posts.compose import Account, Composition, Context, Upload, review, targets, when
from chorus.inbox.posts.recurrence import Recurrence, occurrence_post_id, occurrences
from chorus.inbox.posts.timing import parse_local, to_utc
from chorus.networks.media import ImageFacts
from chorus.networks.utm import DEFAULT_PRESET, UtmPreset

BERLIN = ZoneInfo("Europe/Berlin")
NOW = datetime(2026, 3, 27, 12, 0, tzinfo=UTC)  # a Friday; clocks go forward in Berlin on Sunday 29 March
ACCOUNTS = {
    "vk-1": Account("vk-1", "vk", "Зерно ВК", "zerno"),
    "x-1": Account("x-1", "x", "Zerno X", "zernocoffee"),
    "tg-1": Account("tg-1", "telegram", "Зерно TG", "zerno_tg"),
    "fb-1": Account("fb-1", "facebook", "Zerno Page", None),
    "vk-off": Account("vk-off", "vk", "Old VK", None, "disconnected"),
}


def png(width: int, height: int) -> bytes:
    def chunk(tag: bytes, data: bytes) -> bytes:
        return struct.pack(">I", len(data)) + tag + data + struct.pack(">I", zlib.crc32(tag + data))
    return (b"\x89PNG\r\n\x1a\n" + chunk(b"IHDR", struct.pack(">IIBBBBB", width, height, 8, 2, 0, 0, 0))
            + chunk(b"IDAT", zlib.compress(b"\x00" * (width * 3 + 1) * height)) + chunk(b"IEND", b""))


def upload(media_id: str, data: bytes, content_type: str = "image/png", name: str = "a.png") -> Upload:
    return Upload(media_id, ImageFacts.of(name, content_type, data))


def ctx(uploads: dict[str, Upload] | None = None, preset: UtmPreset | None = DEFAULT_PRESET) -> Context:
    return Context("acme", ACCOUNTS, uploads or {}, preset, BERLIN, NOW)


def comp(**kw) -> Composition:
    base = {"accounts": ["vk-1", "x-1", "tg-1", "fb-1"], "text": "Весеннее меню: https://zerno.ru/menu",
            "mode": "at", "publish_at": "2026-03-27T15:00", "campaign": "spring", "post_id": "a" * 32}
    return Composition(**{**base, **kw})


def refused(fn, *args, **kw) -> InboxError:
    with pytest.raises(InboxError) as caught:
        fn(*args, **kw)
    return caught.value


# --- checks before scheduling -----------------------------------------------------------------------

def test_each_account_gets_its_text_with_links_tagged_for_its_network_and_campaign():
    found = {t.account_id: t.text for t in targets(comp(), ctx(), "a" * 32)}
    assert found["vk-1"] == "Весеннее меню: https://zerno.ru/menu?utm_source=vk&utm_medium=social&utm_campaign=spring"
    assert "utm_source=x&" in found["x-1"] and "utm_source=telegram&" in found["tg-1"]


def test_variants_per_network_and_per_account_win_over_the_common_text():
    c = comp(variants={"x": "Short for X", "acc:fb-1": "Long for the page"})
    found = {t.account_id: t.text for t in targets(c, ctx(preset=None), "a" * 32)}
    assert found == {"vk-1": "Весеннее меню: https://zerno.ru/menu", "x-1": "Short for X",
                     "tg-1": "Весеннее меню: https://zerno.ru/menu", "fb-1": "Long for the page"}


def test_an_editable_preset_is_applied_and_tagging_twice_changes_nothing():
    preset = UtmPreset.from_dict({"name": "agency", "params": {"utm_source": "{source}", "utm_medium": "smm",
                                                                "utm_content": "{account}"},
                                  "sources": {"x": "twitter"}, "skip_hosts": ["vk.com"]})
    c = comp(text="https://zerno.ru/a и https://vk.com/zerno", accounts=["x-1"])
    [target] = targets(c, ctx(preset=preset), "p1")
    assert target.text == ("https://zerno.ru/a?utm_source=twitter&utm_medium=smm&utm_content=zernocoffee "
                           "и https://vk.com/zerno")
    again = targets(comp(text=target.text, accounts=["x-1"]), ctx(preset=preset), "p1")
    assert again[0].text == target.text


def test_no_target_is_refused():
    assert refused(targets, comp(accounts=[]), ctx(), "p").code == "post_no_target"


def test_an_account_of_another_workspace_is_not_found_and_a_disconnected_one_is_refused():
    with pytest.raises(NotFound):
        targets(comp(accounts=["vk-theirs"]), ctx(), "p")
    error = refused(targets, comp(accounts=["vk-off"]), ctx(), "p")
    assert error.code == "post_account_down" and error.params["account"] == "Old VK"


def test_empty_text_is_refused_where_the_network_needs_one_but_an_image_alone_is_a_post():
    error = refused(targets, comp(text="  "), ctx(), "p")
    assert error.code == "post_empty" and error.params["account"] == "Зерно ВК"
    image = upload("m1", png(40, 30))
    assert len(targets(comp(text="", media=["m1"]), ctx({"m1": image}), "p")) == 4


def test_text_over_a_network_limit_is_refused_naming_the_network_and_counting_like_it():
    error = refused(targets, comp(text="я" * 281, accounts=["vk-1", "x-1"]), ctx(), "p")
    assert error.code == "post_too_long" and error.params["network"] == "X" and error.params["length"] == 281
    long_link = "https://zerno.ru/" + "a" * 400  # X counts every link as 23
    assert targets(comp(text=long_link, accounts=["x-1"]), ctx(preset=None), "p")[0].text == long_link
    caption = refused(targets, comp(text="x" * 1025, accounts=["tg-1"], media=["m1"]),
                      ctx({"m1": upload("m1", png(10, 10))}), "p")
    assert caption.code == "post_too_long" and caption.params["maximum"] == 1024


def test_review_shows_every_account_with_its_length_and_problem_without_raising():
    items = {i.account.account_id: i for i in review(comp(text="я" * 300), ctx())}
    assert items["x-1"].problem.code == "post_too_long" and items["x-1"].counting == "weighted"
    assert items["vk-1"].problem is None and items["vk-1"].length == 300 and items["vk-1"].maximum == 16384


@pytest.mark.parametrize("data, content_type, accounts, code", [
    (b"BM" + b"\x00" * 64, "image/bmp", ["x-1"], "image_format"),  # X takes no BMP
    (png(8, 8), "image/jpeg", ["vk-1"], "image_mislabelled"),
    (png(1000, 20), "image/png", ["tg-1"], "image_ratio"),
    (png(16, 16) + b"\x00" * (5 * 1024 * 1024), "image/png", ["fb-1"], "image_size"),  # Facebook: 4 MB
    (b"%PDF-1.7 nope", "application/pdf", ["vk-1"], "image_type"),
])
def test_an_image_the_network_would_refuse_is_refused_before_scheduling(data, content_type, accounts, code):
    error = refused(targets, comp(accounts=accounts, media=["m"]), ctx({"m": upload("m", data, content_type)}), "p")
    assert error.code == code


def test_more_images_than_a_network_takes_are_refused():
    uploads = {f"m{n}": upload(f"m{n}", png(20, 20)) for n in range(2)}
    error = refused(targets, comp(accounts=["tg-1"], media=list(uploads)), ctx(uploads), "p")
    assert error.code == "image_count" and error.params["maximum"] == 1
    assert len(targets(comp(accounts=["vk-1"], media=list(uploads)), ctx(uploads), "p")[0].media) == 2


def test_an_image_not_uploaded_in_this_workspace_is_refused():
    assert refused(targets, comp(media=["elsewhere"]), ctx(), "p").code == "post_media_missing"


def test_a_time_in_the_past_is_refused_in_the_workspace_zone():
    assert when(comp(publish_at="2026-03-27T13:01"), ctx()) == datetime(2026, 3, 27, 12, 1, tzinfo=UTC)
    error = refused(when, comp(publish_at="2026-03-27T12:59"), ctx())  # 11:59 UTC
    assert error.code == "post_in_past" and error.params["zone"] == "Europe/Berlin"
    assert refused(when, comp(publish_at="tomorrow"), ctx()).code == "post_bad_time"
    assert refused(when, comp(publish_at=""), ctx()).code == "post_no_time"


# --- roles, approval, queue -------------------------------------------------------------------------

def test_viewers_cannot_compose_and_managers_wait_for_approval_when_asked():
    with pytest.raises(Forbidden):
        handlers.route("viewer", False, "u")
    assert handlers.route("manager", False, "u") is None
    assert handlers.route("manager", True, "u") == "pending"
    assert handlers.route("admin", True, "boss") == "boss"


def test_a_post_at_a_time_is_one_scheduled_event_with_a_derived_id():
    plan = handlers.schedule(comp(), ctx(), user_id="u1", approved_by=None, slots={}, held={})
    [event] = plan.events
    assert event.post_id == "a" * 32 and event.publish_at == datetime(2026, 3, 27, 14, 0, tzinfo=UTC)
    again = handlers.schedule(comp(), ctx(), user_id="u1", approved_by=None, slots={}, held={})
    assert again.events[0].event_id == event.event_id and event.campaign == "spring"


def test_queue_puts_each_account_in_its_next_free_time_grouping_accounts_that_share_it():
    weekdays = {d: ["10:00", "18:00"] for d in ("mon", "tue", "wed", "thu", "fri")}
    slots = {"vk-1": weekdays, "x-1": weekdays, "tg-1": {"sat": ["09:30"]}}
    held = {"x-1": {datetime(2026, 3, 27, 17, 0, tzinfo=UTC)}}  # Friday 18:00 Berlin is taken on X
    plan = handlers.schedule(comp(mode="queue", accounts=["vk-1", "x-1", "tg-1"]), ctx(), user_id="u",
                             approved_by=None, slots=slots, held=held)
    found = {e.publish_at: sorted(t.account_id for t in e.targets) for e in plan.events}
    assert found == {datetime(2026, 3, 27, 17, 0, tzinfo=UTC): ["vk-1"],  # Friday 18:00 CET
                     datetime(2026, 3, 28, 8, 30, tzinfo=UTC): ["tg-1"],  # Saturday 09:30 CET
                     datetime(2026, 3, 30, 8, 0, tzinfo=UTC): ["x-1"]}  # Monday 10:00, now CEST (+2)
    assert plan.events[0].post_id == "a" * 32 and len({e.post_id for e in plan.events}) == 3


def test_queue_without_times_is_refused_naming_the_account():
    error = refused(handlers.schedule, comp(mode="queue", accounts=["fb-1"]), ctx(), user_id="u", approved_by=None,
                    slots={}, held={})
    assert error.code == "queue_empty" and error.params["account"] == "Zerno Page"


def test_queue_times_keep_their_wall_time_across_both_changes_of_clocks():
    every_day = {d: ["02:30", "10:00"] for d in ("mon", "tue", "wed", "thu", "fri", "sat", "sun")}
    spring = list(queue.slot_times(every_day, BERLIN, datetime(2026, 3, 28, 12, 0, tzinfo=UTC), days=1))
    # 29 March: 02:30 does not exist in Berlin (02:00 -> 03:00); it becomes 03:30 CEST, 01:30 UTC
    assert spring == [datetime(2026, 3, 29, 1, 30, tzinfo=UTC), datetime(2026, 3, 29, 8, 0, tzinfo=UTC)]
    autumn = list(queue.slot_times(every_day, BERLIN, datetime(2026, 10, 24, 12, 0, tzinfo=UTC), days=1))
    # 25 October: 02:30 happens twice; the first (CEST, 00:30 UTC) is used; 10:00 is CET again
    assert autumn == [datetime(2026, 10, 25, 0, 30, tzinfo=UTC), datetime(2026, 10, 25, 9, 0, tzinfo=UTC)]
    assert queue.next_free(every_day, BERLIN, datetime(2026, 3, 28, 12, 0, tzinfo=UTC),
                           {datetime(2026, 3, 29, 1, 30, tzinfo=UTC)}) == datetime(2026, 3, 29, 8, 0, tzinfo=UTC)


def test_queue_times_are_parsed_and_bad_ones_refused():
    assert queue.parse_slots({"mon": "18:00, 9:05", "tue": ""}) == {"mon": ["09:05", "18:00"]}
    assert refused(queue.parse_slots, {"wed": "25:00"}).code == "bad_slot"
    assert refused(queue.parse_slots, {"wed": "ten"}).code == "bad_slot"


# --- recurrence -------------------------------------------------------------------------------------

def test_a_weekly_series_keeps_its_wall_time_across_dst_and_ends_on_its_last_day():
    rule = Recurrence("weekly", parse_local("2026-03-20T09:00"), date(2026, 4, 10))
    found = occurrences(rule, BERLIN, datetime(2026, 3, 1, tzinfo=UTC), datetime(2026, 12, 1, tzinfo=UTC))
    assert [at for _, at in found] == [datetime(2026, 3, 20, 8, 0, tzinfo=UTC), datetime(2026, 3, 27, 8, 0, tzinfo=UTC),
                                       datetime(2026, 4, 3, 7, 0, tzinfo=UTC), datetime(2026, 4, 10, 7, 0, tzinfo=UTC)]


def test_a_monthly_series_on_the_31st_uses_the_last_day_of_shorter_months():
    rule = Recurrence("monthly", parse_local("2026-01-31T12:00"))
    found = occurrences(rule, ZoneInfo("Europe/Moscow"), datetime(2026, 1, 1, tzinfo=UTC),
                        datetime(2026, 5, 1, tzinfo=UTC))
    assert [d for d, _ in found] == [date(2026, 1, 31), date(2026, 2, 28), date(2026, 3, 31), date(2026, 4, 30)]


def test_daily_occurrences_in_a_window_and_their_ids_are_deterministic():
    rule = Recurrence("daily", parse_local("2026-03-27T20:00"))
    window = occurrences(rule, BERLIN, datetime(2026, 3, 28, 20, 0, tzinfo=UTC), datetime(2026, 3, 31, tzinfo=UTC))
    assert [d for d, _ in window] == [date(2026, 3, 29), date(2026, 3, 30)]  # 28th 19:00 UTC is before "after"
    far = occurrences(rule, BERLIN, datetime(2027, 3, 1, tzinfo=UTC), datetime(2027, 3, 3, tzinfo=UTC))
    assert [d for d, _ in far] == [date(2027, 3, 1), date(2027, 3, 2)]
    assert occurrence_post_id("s1", date(2026, 3, 29)) == occurrence_post_id("s1", date(2026, 3, 29))
    assert occurrence_post_id("s1", date(2026, 3, 29)) != occurrence_post_id("s2", date(2026, 3, 29))


def test_a_bad_rule_is_refused():
    assert refused(Recurrence, "hourly", parse_local("2026-03-27T20:00")).code == "bad_recurrence"
    assert refused(Recurrence, "daily", parse_local("2026-03-27T20:00"), date(2026, 3, 1)).code == \
        "bad_recurrence_until"


def test_series_occurrences_are_appended_once_from_where_the_last_run_stopped():
    c = comp(mode="recurring", freq="daily", publish_at="2026-03-27T20:00", accounts=["vk-1"])
    rule = handlers.start_series(c, ctx())
    series = {"series_id": "s1", "comp": c, "appended_until": None, "created_by": "u1", "approved_by": "boss"}
    first = handlers.occurrence_events(series, ctx(), rule, NOW + timedelta(days=2))
    assert [e.publish_at for e in first] == [datetime(2026, 3, 27, 19, 0, tzinfo=UTC),
                                             datetime(2026, 3, 28, 19, 0, tzinfo=UTC)]
    assert all(e.approved_by == "boss" for e in first)
    series["appended_until"] = NOW + timedelta(days=2)
    later = handlers.occurrence_events(series, ctx(), rule, NOW + timedelta(days=3))
    assert [e.publish_at for e in later] == [datetime(2026, 3, 29, 18, 0, tzinfo=UTC)]  # CEST from the 29th
    assert not {e.post_id for e in later} & {e.post_id for e in first}


# --- states -----------------------------------------------------------------------------------------

T = datetime(2026, 3, 27, 12, 0, tzinfo=UTC)


def state(**kw) -> str:
    facts = {"outcome": None, "outcome_at": None, "failure": None, "version_at": T, "removed_at": None,
             "cancelled_at": None, **kw}
    return states.target_state(**facts)


def test_target_states_follow_the_publishers_rules():
    assert state() == "scheduled" and state(cancelled_at=T) == "cancelled"
    assert state(removed_at=T + timedelta(1)) == "cancelled"
    assert state(removed_at=T - timedelta(1)) == "scheduled"  # added back by a later edit
    assert state(outcome="attempted", outcome_at=T, cancelled_at=T) == "sending"
    assert state(outcome="deferred", outcome_at=T) == "retrying"
    assert state(outcome="deferred", outcome_at=T, cancelled_at=T) == "cancelled"
    assert state(outcome="published", outcome_at=T, cancelled_at=T) == "published"
    assert state(outcome="unknown", outcome_at=T) == "unknown"


def test_an_edit_after_a_failure_reopens_it_only_when_it_never_reached_the_network():
    failed = {"outcome": "failed", "outcome_at": T}
    assert state(**failed, failure="token_invalid") == "failed"
    assert state(**failed, failure="token_invalid", version_at=T + timedelta(1)) == "scheduled"
    assert state(**failed, failure="unknown", version_at=T + timedelta(1)) == "failed"
    assert state(outcome="missed", outcome_at=T, version_at=T + timedelta(1)) == "scheduled"


def test_a_post_shows_what_needs_attention_first_and_locks_once_sending():
    assert states.summary(["published", "failed", "scheduled"]) == "failed"
    assert states.summary(["published", "cancelled"]) == "published"
    assert states.can_change(["scheduled", "failed"]) and not states.can_change(["scheduled", "published"])
    assert not states.can_change(["cancelled"]) and states.can_cancel(["retrying", "published"])


def test_a_wall_time_in_the_skipped_hour_moves_forward():
    assert to_utc(parse_local("2026-03-29T02:30"), BERLIN) == datetime(2026, 3, 29, 1, 30, tzinfo=UTC)
