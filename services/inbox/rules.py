"""Workspace settings as complete snapshots. Pure: no I/O.

Each change builds the whole new list (the settings events are snapshots) from the current one, so two
admins editing different rules do not lose each other's changes as long as each starts from what the log
holds. Which texts a brand rule matches is the monitor's to say: the preview asks it
(``adapters.monitor.preview_rule``), so the page shows exactly what the rule will do.
"""
from __future__ import annotations

import re
import uuid
from collections.abc import Mapping
from typing import Any

from chorus.events import (
    AlertDestination,
    AlertDestinationsChanged,
    AlertRule,
    AlertRulesChanged,
    BrandRule,
    BrandRulesChanged,
    WorkspaceSettingsChanged,
)
from chorus.events.settings import AlertRuleKind, DestinationKind
from chorus.events.values import Network
from chorus.inbox.domain import WEEKDAYS, InboxError, parse_hours, parse_time_zone

_EMAIL = re.compile(r"^[^@\s]+@[^@\s]+\.[^@\s]+$")
_CHAT = re.compile(r"^(-?\d{1,20}|@[A-Za-z][A-Za-z0-9_]{3,31})$")


def terms(raw: str) -> list[str]:
    return [t.strip() for t in re.split(r"[,\n]", raw or "") if t.strip()]


# --- brand rules ------------------------------------------------------------------------------------

def brand_rule(form: Mapping[str, Any]) -> BrandRule:
    include = terms(str(form.get("include", "")))
    if not str(form.get("name", "")).strip():
        raise InboxError("rule_name", "give the rule a name")
    if not include:
        raise InboxError("rule_terms", "name at least one word or phrase to look for")
    networks = [Network(n) for n in form.getlist("networks")] if hasattr(form, "getlist") else []
    return BrandRule(rule_id=str(form.get("rule_id") or uuid.uuid4().hex[:12]), name=str(form["name"]).strip()[:120],
                     include=include, require=terms(str(form.get("require", ""))),
                     exclude=terms(str(form.get("exclude", ""))), networks=networks)


def brand_rules_with(current: list[dict], rule: BrandRule | None, *, remove: str | None = None, workspace_id: str,
                     user_id: str) -> BrandRulesChanged:
    rules = [BrandRule(**r) for r in current if r["rule_id"] not in (remove, rule.rule_id if rule else None)]
    if rule is not None:
        rules.append(rule)
    return BrandRulesChanged(workspace_id=workspace_id, rules=rules, changed_by=user_id)


# --- alert rules ------------------------------------------------------------------------------------

def _number(form: Mapping[str, Any], name: str, kind: type, default: Any) -> Any:
    raw = str(form.get(name, "") or "").strip()
    if not raw:
        return default
    try:
        return kind(raw.replace(",", "."))
    except ValueError:
        raise InboxError("bad_number", f"{name}: {raw[:20]!r} is not a number", field=name) from None


def alert_rule(form: Mapping[str, Any], destination_ids: set[str]) -> AlertRule:
    name = str(form.get("name", "")).strip()
    if not name:
        raise InboxError("rule_name", "give the rule a name")
    try:
        kind = AlertRuleKind(str(form.get("kind", "")))
    except ValueError:
        raise InboxError("bad_kind", "choose what the rule watches") from None
    chosen = [d for d in (form.getlist("destinations") if hasattr(form, "getlist") else []) if d]
    unknown = [d for d in chosen if d not in destination_ids]
    if unknown:
        raise InboxError("bad_destination", "unknown destination")
    try:
        return AlertRule(rule_id=str(form.get("rule_id") or uuid.uuid4().hex[:12]), name=name[:120], kind=kind,
                         min_followers=_number(form, "min_followers", int, None),
                         max_score=_number(form, "max_score", float, None),
                         window_minutes=_number(form, "window_minutes", int, 60),
                         sensitivity=_number(form, "sensitivity", float, 2.0),
                         min_count=_number(form, "min_count", int, 5),
                         cooldown_minutes=_number(form, "cooldown_minutes", int, 60), destinations=chosen)
    except ValueError as exc:  # pydantic's bounds
        raise InboxError("bad_rule", str(exc).splitlines()[0], detail=" ".join(str(exc).split())[:200]) from None


def alert_rules_with(current: list[dict], rule: AlertRule | None, *, remove: str | None = None, workspace_id: str,
                     user_id: str) -> AlertRulesChanged:
    rules = [AlertRule(**r) for r in current if r["rule_id"] not in (remove, rule.rule_id if rule else None)]
    if rule is not None:
        rules.append(rule)
    return AlertRulesChanged(workspace_id=workspace_id, rules=rules, changed_by=user_id)


# --- destinations -----------------------------------------------------------------------------------

def destination(form: Mapping[str, Any]) -> AlertDestination:
    try:
        kind = DestinationKind(str(form.get("kind", "")))
    except ValueError:
        raise InboxError("bad_kind", "choose webhook, Telegram or e-mail") from None
    target = str(form.get("target", "")).strip()
    ok = {DestinationKind.WEBHOOK: target.startswith(("https://", "http://")),
          DestinationKind.EMAIL: bool(_EMAIL.match(target)), DestinationKind.TELEGRAM: bool(_CHAT.match(target))}[kind]
    if not ok:
        raise InboxError("bad_target", {DestinationKind.WEBHOOK: "a webhook needs an http(s) URL",
                                        DestinationKind.EMAIL: "that is not an e-mail address",
                                        DestinationKind.TELEGRAM: "a Telegram chat is a number or @channel"}[kind])
    name = str(form.get("name", "")).strip() or target
    return AlertDestination(destination_id=uuid.uuid4().hex[:12], kind=kind, name=name[:120], target=target[:500])


def destinations_with(current: list[dict], added: AlertDestination | None, *, remove: str | None = None,
                      workspace_id: str, user_id: str) -> AlertDestinationsChanged:
    found = [AlertDestination(**d) for d in current if d["destination_id"] != remove]
    if added is not None:
        found.append(added)
    return AlertDestinationsChanged(workspace_id=workspace_id, destinations=found, changed_by=user_id)


# --- workspace --------------------------------------------------------------------------------------

def workspace_settings(form: Mapping[str, Any], *, workspace_id: str, user_id: str) -> WorkspaceSettingsChanged:
    name = str(form.get("name", "")).strip()
    if not name:
        raise InboxError("ws_name", "the workspace needs a name")
    hours = {day: parse_hours(str(form.get(f"hours_{day}", ""))) for day in WEEKDAYS}
    if not any(hours.values()):
        hours = {}
    return WorkspaceSettingsChanged(
        workspace_id=workspace_id, name=name[:200], time_zone=parse_time_zone(str(form.get("time_zone", "UTC"))),
        business_hours={d: r for d, r in hours.items() if r} if hours else {},
        approval_required=str(form.get("approval_required", "")) == "on",
        lateness_limit_minutes=_number(form, "lateness_limit_minutes", int, 60), changed_by=user_id)
