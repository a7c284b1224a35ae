"""What the inbox asks of the monitor, and destination secrets in the credentials store.

Requests go through ``chorus.events.rpc`` (``TEST_DESTINATION``: deliver a marked test message;
``PREVIEW_BRAND_RULE``: which texts a rule matches, with the monitor's own matcher). Neither appends an
event. A destination's secret is kept encrypted under ``destination_secret_name(id)``, never in the log.
"""
from __future__ import annotations

from nats.aio.client import Client

from chorus.backbone.rpc import call
from chorus.events.rpc import (
    PREVIEW_BRAND_RULE,
    TEST_DESTINATION,
    BrandRulePreviewReply,
    BrandRulePreviewRequest,
    TestDestinationRequest,
)
from chorus.events.settings import AlertDestination, BrandRule
from chorus.networks.credentials import CredentialStore, Secret, destination_secret_name


async def request_test(nc: Client | None, workspace_id: str, destination_id: str, user_id: str,
                       timeout: float) -> tuple[bool, str]:
    if nc is None:
        return False, "not connected to NATS"
    reply = await call(nc, TEST_DESTINATION, TestDestinationRequest(
        workspace_id=workspace_id, destination_id=destination_id, requested_by=user_id), timeout)
    return reply.ok, reply.detail


async def preview_rule(nc: Client | None, workspace_id: str, rule: BrandRule, texts: list[str],
                       timeout: float) -> BrandRulePreviewReply:
    if nc is None:
        return PREVIEW_BRAND_RULE.error("not connected to NATS")
    return await call(nc, PREVIEW_BRAND_RULE, BrandRulePreviewRequest(
        workspace_id=workspace_id, rule=rule, texts=texts), timeout)


async def store_secret(credentials: CredentialStore, workspace_id: str, destination: AlertDestination,
                       secret: str) -> None:
    await credentials.put_secret(Secret(name=destination_secret_name(destination.destination_id),
                                        workspace_id=workspace_id, values={"secret": secret},
                                        settings={"kind": destination.kind.value}))


async def remove_secret(credentials: CredentialStore, destination_id: str) -> None:
    await credentials.delete_secret(destination_secret_name(destination_id))
