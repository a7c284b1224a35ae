"""The schedule across restarts, lateness limits, time zones and edits."""
from __future__ import annotations

import asyncio
from datetime import UTC, datetime, timedelta

from publisher_harness import WORKSPACE, environment, outcomes, post, running, soon

from chorus.events import Network, PostEdited, PostMissed, PostTarget, WorkspaceSettingsChanged
from chorus.networks.accounts import account_id_for


def settings(lateness: int, zone: str = "Europe/Moscow") -> WorkspaceSettingsChanged:
    return WorkspaceSettingsChanged(workspace_id=WORKSPACE, name="Brand", time_zone=zone,
                                    lateness_limit_minutes=lateness, changed_by="admin")


def edit(scheduled, account_ids: list[str], networks: dict[str, str], text: str, at: datetime) -> PostEdited:
    return PostEdited(workspace_id=WORKSPACE, post_id=scheduled.post_id, publish_at=at, edited_by="user-1",
                      targets=[PostTarget(account_id=a, network=networks[a], text=text) for a in account_ids])


async def test_a_post_due_while_the_publisher_was_down_goes_out_when_it_comes_back(db_url, emulator, tmp_path, net,
                                                                                    nc, js, store):
    vk = await net.vk()
    env = environment(db_url, emulator, tmp_path, net.key)
    async with running(env, nc, js, store) as publisher:
        scheduled = post([vk], {vk: "vk"}, "Пост, пока издатель спал", at=soon(1.0))
        await store.append(scheduled)
        await asyncio.sleep(0.3)  # the schedule has it; the publisher stops before it is due
    await asyncio.sleep(1.5)
    assert (await net.published_texts())["vk"] == []
    async with running(env, nc, js, store) as publisher:
        await publisher.wait_post(scheduled.post_id, {"published"})
    assert (await net.published_texts())["vk"] == ["Пост, пока издатель спал"]


async def test_a_post_later_than_the_workspace_lateness_limit_is_missed_not_published(sqlite_url, emulator, tmp_path,
                                                                                       net, nc, js, store):
    vk = await net.vk()
    now = datetime.now(UTC)
    await store.append(settings(lateness=30))
    fresh = post([vk], {vk: "vk"}, "Опоздал на 10 минут", at=now - timedelta(minutes=10))
    stale = post([vk], {vk: "vk"}, "Опоздал на 2 часа", at=datetime(2026, 3, 1, 9, 0, tzinfo=UTC))
    await store.append_many([fresh, stale])
    async with running(environment(sqlite_url, emulator, tmp_path, net.key), nc, js, store) as publisher:
        await publisher.wait_post(fresh.post_id, {"published"})
        [target] = (await publisher.wait_post(stale.post_id, {"missed"}))["targets"]
    assert (await net.published_texts())["vk"] == ["Опоздал на 10 минут"]
    [missed] = await outcomes(js, PostMissed)
    assert missed.post_id == stale.post_id and missed.due_at == stale.publish_at
    assert "2026-03-01 12:00 Europe/Moscow" in missed.reason and "30 minutes" in missed.reason
    assert target["due_at"]["local"] == "2026-03-01 12:00 Europe/Moscow"


async def test_an_edit_before_the_time_changes_what_goes_out_and_where(sqlite_url, emulator, tmp_path, net, nc, js,
                                                                       store):
    vk, x = await net.vk(), await net.x()
    networks = {vk: "vk", x: "x"}
    async with running(environment(sqlite_url, emulator, tmp_path, net.key), nc, js, store) as publisher:
        scheduled = post([vk, x], networks, "Версия 1", at=soon(1.0))
        await store.append(scheduled)
        await store.append(edit(scheduled, [vk], networks, "Версия 2", soon(1.2)))
        status = await publisher.wait_post(scheduled.post_id, {"published", "cancelled"})
        await store.append(edit(scheduled, [vk], networks, "Версия 3", soon(0.5)))
        await asyncio.sleep(1.0)
        after = publisher.post(scheduled.post_id)
    assert {t["account_id"]: t["state"] for t in status["targets"]} == {vk: "published", x: "cancelled"}
    texts = await net.published_texts()
    assert texts["vk"] == ["Версия 2"] and texts["x"] == []
    [on_vk] = [t for t in after["targets"] if t["account_id"] == vk]
    assert "already published" in on_vk["note"]


async def test_a_post_failed_for_an_account_not_connected_goes_out_after_connecting_and_editing(
        sqlite_url, emulator, tmp_path, net, nc, js, store):
    made = (await net.control.post("/vk/communities", json={"id": 99001, "name": "Later"})).json()
    vk = account_id_for(WORKSPACE, Network.VK, "99001")
    async with running(environment(sqlite_url, emulator, tmp_path, net.key), nc, js, store) as publisher:
        scheduled = post([vk], {vk: "vk"}, "Пост до подключения")
        await store.append(scheduled)
        [target] = (await publisher.wait_post(scheduled.post_id, {"failed"}))["targets"]
        assert target["failure"] == "permission_missing" and "not connected" in target["reason"]
        await net.connect(Network.VK, {"community": made["community_token"], "user": made["user_token"]}, "99001")
        await store.append(edit(scheduled, [vk], {vk: "vk"}, "Пост после подключения", soon(0)))
        await publisher.wait_post(scheduled.post_id, {"published"})
    assert (await net.published_texts())["vk"] == ["Пост после подключения"]
