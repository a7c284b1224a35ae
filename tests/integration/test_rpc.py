"""Request/reply between services on a real nats-server: every request gets a typed answer."""
from __future__ import annotations

import asyncio

import pytest

from chorus.backbone.rpc import RpcServer, call
from chorus.events.rpc import TEST_DESTINATION, TestDestinationReply, TestDestinationRequest

#: "together" requests are answered only once four of them are being handled at the same time.
TOGETHER = 4


@pytest.fixture
async def server(nats_server):
    rpc = RpcServer([nats_server.url], "testsvc")
    waiting: list[asyncio.Event] = []

    async def answer(request: TestDestinationRequest) -> TestDestinationReply:
        if request.destination_id == "boom":
            raise RuntimeError("sender exploded")
        if request.destination_id == "together":
            arrived = asyncio.Event()
            waiting.append(arrived)
            if len(waiting) == TOGETHER:
                for event in waiting:
                    event.set()
            await arrived.wait()
        return TestDestinationReply(ok=True, detail=f"sent to {request.destination_id} of {request.workspace_id}")

    rpc.handle(TEST_DESTINATION, answer)
    stop = asyncio.Event()
    task = asyncio.create_task(rpc.run(stop))
    while not rpc.ready:
        await asyncio.sleep(0.01)
    yield rpc
    stop.set()
    await task


async def test_a_request_gets_its_typed_answer(server, nc):
    reply = await call(nc, TEST_DESTINATION, TestDestinationRequest(workspace_id="ws", destination_id="d1"), 5)
    assert reply == TestDestinationReply(ok=True, detail="sent to d1 of ws")


async def test_an_unreadable_request_and_a_failing_handler_get_an_error_answer_not_silence(server, nc):
    msg = await nc.request(TEST_DESTINATION.subject, b'{"workspace_id": ""}', timeout=5)
    assert TestDestinationReply.model_validate_json(msg.data).ok is False
    reply = await call(nc, TEST_DESTINATION, TestDestinationRequest(workspace_id="ws", destination_id="boom"), 5)
    assert not reply.ok and "sender exploded" in reply.detail


async def test_requests_are_answered_concurrently(server, nc):
    # Each is held until all four are in the handler: handled one after another, they would all time out.
    replies = await asyncio.gather(*(call(nc, TEST_DESTINATION, TestDestinationRequest(
        workspace_id="ws", destination_id="together"), 30) for _ in range(TOGETHER)))
    assert all(r.ok for r in replies)


async def test_nobody_answering_is_an_error_answer(nc):
    reply = await call(nc, TEST_DESTINATION, TestDestinationRequest(workspace_id="ws", destination_id="d"), 1)
    assert not reply.ok and "no service answers" in reply.detail
