"""Russian translations of the interface (English message -> Russian)."""
from __future__ import annotations

RU: dict[str, str] = {
}
