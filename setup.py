"""Maps the project's folders onto the ``chorus.*`` import namespace.

The top level is fixed by the project (``events/``, ``services/<name>/``, ...), while import names live
under one namespace so nothing generic such as ``events`` lands in a user's site-packages. setuptools
cannot derive subpackages of remapped folders from pyproject.toml alone, so they are listed here.
"""
from pathlib import Path

from setuptools import setup

ROOTS = {
    "chorus.events": "events",
    "chorus.backbone": "backbone",
    "chorus.cli": "cli",
    "chorus.networks": "networks",
    "chorus.emulators": "emulators",
    "chorus.ingest": "services/ingest",
    "chorus.monitor": "services/monitor",
    "chorus.inbox": "services/inbox",
    "chorus.publisher": "services/publisher",
}
DATA = ["*.json", "*.html", "*.css", "*.js", "*.txt", "*.tsv", "*.svg", "*.ico", "*.png", "*.po", "*.toml", "*.csv"]


def _packages():
    packages, package_dir, package_data = [], {}, {}
    for name, folder in ROOTS.items():
        root = Path(folder)
        for init in sorted(root.rglob("__init__.py")):
            rel = init.parent.relative_to(root)
            pkg = ".".join((name, *rel.parts)) if rel.parts else name
            packages.append(pkg)
            package_dir[pkg] = init.parent.as_posix()
            package_data[pkg] = DATA + [f"{d.name}/**/*" for d in init.parent.iterdir()
                                        if d.is_dir() and not (d / "__init__.py").exists() and d.name != "__pycache__"]
    return packages, package_dir, package_data


packages, package_dir, package_data = _packages()
setup(packages=packages, package_dir=package_dir, package_data=package_data)
