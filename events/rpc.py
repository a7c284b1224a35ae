"""Request/reply contracts between services: questions that need an answer now, not facts for the log.

Subjects live under ``chorus.rpc.<service>.`` — outside every stream's subjects, so JetStream never
captures a request as an event. Both directions are pydantic models; an ``Endpoint`` ties a subject to
them so the caller and the responder cannot disagree.
"""
from __future__ import annotations

from dataclasses import dataclass
from typing import Generic, TypeVar

from pydantic import BaseModel, ConfigDict, Field

from chorus.events.settings import BrandRule

Req = TypeVar("Req", bound=BaseModel)
Rep = TypeVar("Rep", bound=BaseModel)


class Message(BaseModel):
    model_config = ConfigDict(frozen=True, extra="ignore")


@dataclass(frozen=True)
class Endpoint(Generic[Req, Rep]):
    subject: str
    request: type[Req]
    reply: type[Rep]
    #: The reply sent when a request cannot be read or the responder fails.
    def error(self, detail: str) -> Rep:
        return self.reply.model_validate({"ok": False, "detail": detail[:500]})


class TestDestinationRequest(Message):
    __test__ = False  # not a pytest class

    workspace_id: str = Field(min_length=1)
    destination_id: str = Field(min_length=1)
    requested_by: str = ""


class TestDestinationReply(Message):
    __test__ = False

    ok: bool
    detail: str = ""


class BrandRulePreviewRequest(Message):
    """Which of ``texts`` would ``rule`` have matched? (The settings page's preview of the last 7 days.)"""

    workspace_id: str = Field(min_length=1)
    rule: BrandRule
    texts: list[str] = Field(max_length=5000)


class BrandRulePreviewReply(Message):
    ok: bool
    detail: str = Field(default="", description="Why the rule cannot be used (e.g. a syntax error), when not ok.")
    matched: list[int] = Field(default_factory=list, description="Indexes of the matched texts.")


TEST_DESTINATION: Endpoint[TestDestinationRequest, TestDestinationReply] = Endpoint(
    "chorus.rpc.monitor.test_destination", TestDestinationRequest, TestDestinationReply)
PREVIEW_BRAND_RULE: Endpoint[BrandRulePreviewRequest, BrandRulePreviewReply] = Endpoint(
    "chorus.rpc.monitor.preview_brand_rule", BrandRulePreviewRequest, BrandRulePreviewReply)
