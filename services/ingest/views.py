"""What ``chorus ingest status`` shows, computed from the accounts view, the leases and the status bucket.

Pure: the command reads the three and passes them in. The state shown is the source's own, corrected by
the leases, which are the truth about who reads what *now*: an account nobody holds is "not leased"
(whatever its last record says), and a record written by another replica than the holder is from before
a hand-over ("handing over", until the new holder writes).
"""
from __future__ import annotations

from dataclasses import asdict, dataclass
from datetime import datetime
from typing import Any

from chorus.ingest.domain import AccountBook, State, age_s

#: States in which an account's source is not being read and a person must act (or wait for a replica).
NOT_READING = {State.NOT_LEASED.value, State.TOKEN_EXPIRED.value, State.PERMISSION_MISSING.value,
               State.NO_CREDENTIALS.value, State.MISCONFIGURED.value}


@dataclass(frozen=True)
class Row:
    account_id: str
    network: str
    name: str
    source: str
    state: str
    detail: str
    holder: str | None
    last_event_at: str | None
    last_event_age_s: float | None
    polled_age_s: float | None
    events: int
    rejected: int
    gaps: int

    def as_dict(self) -> dict[str, Any]:
        return asdict(self)


def _time(value: Any) -> datetime | None:
    try:
        return datetime.fromisoformat(value) if isinstance(value, str) else None
    except ValueError:
        return None


def rows(book: AccountBook, holders: dict[str, str], status: dict[str, dict[str, dict[str, Any]]],
         now: datetime) -> list[Row]:
    found: list[Row] = []
    for account in sorted(book.accounts.values(), key=lambda a: (a.network.value, a.name, a.account_id)):
        holder = holders.get(account.account_id)
        sources = {key.split("/", 1)[1]: record for key, record in status["sources"].items()
                   if key.split("/", 1)[0] == account.account_id}
        summary = status["accounts"].get(account.account_id) or {}
        if not sources:
            sources = {"-": {"state": summary.get("state", State.STARTING.value), "detail": summary.get("detail", ""),
                             "holder": summary.get("holder")}}
        for source, record in sorted(sources.items()):
            state = str(record.get("state") or State.STARTING.value)
            detail = str(record.get("detail") or "")
            if holder is None:
                state, detail = State.NOT_LEASED.value, "no replica reads this account right now"
            elif record.get("holder") not in (None, holder):
                state, detail = "handing over", f"was read by {record.get('holder')}, now by {holder}"
            elif state == State.BACKING_OFF.value and record.get("until"):
                until = _time(record["until"])
                state = f"backing off until {until:%H:%M:%S}" if until else state
            last = _time(record.get("last_event_at"))
            found.append(Row(
                account_id=account.account_id, network=account.network.value, name=account.name, source=source,
                state=state, detail=detail, holder=holder, last_event_at=record.get("last_event_at"),
                last_event_age_s=age_s(now, last), polled_age_s=age_s(now, _time(record.get("polled_at"))),
                events=int(record.get("events") or 0), rejected=int(record.get("rejected") or 0),
                gaps=int(record.get("gaps") or 0)))
    return found


def ago(seconds: float | None) -> str:
    if seconds is None:
        return "never"
    if seconds < 120:
        return f"{seconds:.0f}s ago"
    if seconds < 7200:
        return f"{seconds / 60:.0f}m ago"
    if seconds < 172800:
        return f"{seconds / 3600:.0f}h ago"
    return f"{seconds / 86400:.0f}d ago"


def table(found: list[Row]) -> str:
    header = ("ACCOUNT", "NETWORK", "SOURCE", "STATE", "LAST EVENT", "POLLED", "HOLDER", "EVENTS", "DEAD", "GAPS")
    lines = [header] + [(f"{r.name[:24]} ({r.account_id})", r.network, r.source, r.state, ago(r.last_event_age_s),
                         ago(r.polled_age_s), r.holder or "-", str(r.events), str(r.rejected), str(r.gaps))
                        for r in found]
    widths = [max(len(line[i]) for line in lines) for i in range(len(header))]
    out = ["  ".join(cell.ljust(widths[i]) for i, cell in enumerate(line)).rstrip() for line in lines]
    for r in found:
        if r.detail and r.state != State.READING.value:
            out.append(f"  {r.account_id} {r.source}: {r.detail}")
    return "\n".join(out)
