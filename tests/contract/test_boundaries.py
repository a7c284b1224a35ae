"""Import boundaries: a service never imports another service; contracts import nothing of ours but themselves."""
from __future__ import annotations

import ast
from pathlib import Path

import pytest

ROOT = Path(__file__).parents[2]
SERVICES = ("ingest", "monitor", "inbox", "publisher")


def imports_of(folder: Path) -> list[tuple[Path, str]]:
    found = []
    for path in folder.rglob("*.py"):
        tree = ast.parse(path.read_text(), filename=str(path))
        for node in ast.walk(tree):
            if isinstance(node, ast.Import):
                found += [(path, alias.name) for alias in node.names]
            elif isinstance(node, ast.ImportFrom) and node.module and node.level == 0:
                found.append((path, node.module))
    return found


@pytest.mark.parametrize("service", SERVICES)
def test_a_service_never_imports_another_service(service):
    others = [f"chorus.{s}" for s in SERVICES if s != service]
    bad = [(p.relative_to(ROOT), m) for p, m in imports_of(ROOT / "services" / service)
           if any(m == o or m.startswith(o + ".") for o in others)]
    assert not bad, f"{service} imports another service: {bad}"


@pytest.mark.parametrize("service", SERVICES)
def test_services_never_import_the_emulators_or_the_cli(service):
    bad = [(p.relative_to(ROOT), m) for p, m in imports_of(ROOT / "services" / service)
           if m.startswith(("chorus.emulators", "chorus.cli"))]
    assert not bad


@pytest.mark.parametrize("folder, allowed", [
    ("events", ("chorus.events",)),
    ("backbone", ("chorus.events", "chorus.backbone")),
    ("networks", ("chorus.events", "chorus.backbone", "chorus.networks")),
])
def test_shared_packages_depend_only_downwards(folder, allowed):
    bad = [(p.relative_to(ROOT), m) for p, m in imports_of(ROOT / folder)
           if m.startswith("chorus.") and not m.startswith(allowed)]
    assert not bad


def test_the_boundary_check_sees_a_violation(tmp_path):
    """The walker must catch a cross-service import, or the tests above could never fail."""
    (tmp_path / "x.py").write_text("from chorus.inbox.views import thing\nimport chorus.publisher.domain\n")
    assert [m for _, m in imports_of(tmp_path)] == ["chorus.inbox.views", "chorus.publisher.domain"]
