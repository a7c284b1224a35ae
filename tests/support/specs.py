"""The official API specifications (``../shared/specs``) and validators built from them.

``specs_dir()`` finds the folder: ``CHORUS_SPECS_DIR``, else ``<repo>/../shared/specs``, else
``/work/shared/specs``. When none exists the calling test fails with a message saying where it looked:
conformance is never skipped silently.

``VkSchema`` validates a value against a definition of the VK API schema (VKCOM/vk-api-schema, 5.199). That
schema mixes draft-03 ``"required": true`` inside properties with draft-04+ ``allOf``, so neither stock
validator reads it right: the hybrid below takes draft-7 and swaps in the draft-3 ``properties`` keyword.
It uses jsonschema's private ``_keywords`` modules, so it is pinned to jsonschema 4.x.

``TelegramSchema`` checks a value against a type of the Bot API (``telegram-bot-api/api.json``): every
required field present, every field of a listed type, no field the type does not define.
"""
from __future__ import annotations

import functools
import json
import os
from contextvars import ContextVar
from pathlib import Path
from typing import Any

import pytest
from jsonschema import Draft7Validator, _keywords, _legacy_keywords, validators
from referencing import Registry, Resource
from referencing.jsonschema import DRAFT7

REPO = Path(__file__).resolve().parents[2]


def specs_dir() -> Path:
    """The specs folder, or a failed test naming every place looked at."""
    candidates = []
    if os.environ.get("CHORUS_SPECS_DIR"):
        candidates.append(Path(os.environ["CHORUS_SPECS_DIR"]))
    candidates += [REPO.parent / "shared" / "specs", Path("/work/shared/specs")]
    for folder in candidates:
        if (folder / "vk-api-schema").is_dir() and (folder / "telegram-bot-api" / "api.json").is_file():
            return folder
    pytest.fail("the official API specs were not found; looked in " + ", ".join(map(str, candidates))
                + " (set CHORUS_SPECS_DIR to the folder holding vk-api-schema/ and telegram-bot-api/)")


@functools.cache
def _read_json(path: str) -> Any:
    return json.loads(Path(path).read_text(encoding="utf-8"))


def _required(validator: Any, required: Any, instance: Any, schema: dict[str, Any]):
    if isinstance(required, bool):  # draft-3 style: handled inside ``properties``
        return
    yield from _keywords.required(validator, required, instance, schema)


#: Property names declared by the branches of the ``allOf``s being validated (see the module docstring).
_DECLARED_BY_SIBLINGS: ContextVar[frozenset[str]] = ContextVar("declared_by_siblings", default=frozenset())


def _declared(schema: Any, resolver: Any, depth: int = 0) -> set[str]:
    hops = 0
    while isinstance(schema, dict) and "$ref" in schema and hops < 20:
        resolved = resolver.lookup(schema["$ref"])
        schema, resolver, hops = resolved.contents, resolved.resolver, hops + 1
    if not isinstance(schema, dict) or depth > 10:
        return set()
    names = set(schema.get("properties") or {})
    for branch in schema.get("allOf") or []:
        names |= _declared(branch, resolver, depth + 1)
    return names


def _all_of(validator: Any, all_of: Any, instance: Any, schema: dict[str, Any]):
    declared = set()
    if isinstance(instance, dict):
        for branch in all_of:
            declared |= _declared(branch, validator._resolver)
    token = _DECLARED_BY_SIBLINGS.set(_DECLARED_BY_SIBLINGS.get() | declared)
    try:
        yield from _keywords.allOf(validator, all_of, instance, schema)
    finally:
        _DECLARED_BY_SIBLINGS.reset(token)


def _additional_properties(validator: Any, additional: Any, instance: Any, schema: dict[str, Any]):
    if additional is False and isinstance(instance, dict) and _DECLARED_BY_SIBLINGS.get():
        instance = {k: v for k, v in instance.items() if k not in _DECLARED_BY_SIBLINGS.get()}
    yield from _keywords.additionalProperties(validator, additional, instance, schema)


_VkValidator = validators.extend(Draft7Validator, {"properties": _legacy_keywords.properties_draft3,
                                                    "required": _required, "allOf": _all_of,
                                                    "additionalProperties": _additional_properties})


class VkSchema:
    """Validation against ``vk-api-schema``; refs are ``"<section>/<file>.json#/definitions/<name>"``."""

    def __init__(self, root: Path) -> None:
        self.root = root.resolve()
        self._registry = Registry(retrieve=self._retrieve)

    @staticmethod
    def _load(path: str) -> Any:
        return _read_json(path)

    def _retrieve(self, uri: str) -> Resource:
        path = uri.removeprefix("file://")
        return Resource.from_contents(self._load(path), default_specification=DRAFT7)

    def errors(self, instance: Any, ref: str) -> list[str]:
        file, _, pointer = ref.partition("#")
        uri = (self.root / file).as_uri() + "#" + pointer
        validator = _VkValidator({"$ref": uri}, registry=self._registry)
        return [f"{'/'.join(map(str, e.absolute_path)) or '<root>'}: {e.message}"
                for e in validator.iter_errors(instance)]

    def validate(self, instance: Any, ref: str) -> None:
        problems = self.errors(instance, ref)
        assert not problems, f"not a valid {ref}:\n" + "\n".join(problems[:20])

    def methods(self) -> dict[str, dict[str, Any]]:
        """Every method of the schema by name (``wall.getComments``), from all ``*/methods.json``."""
        found = {}
        for file in sorted(self.root.glob("*/methods.json")):
            for method in self._load(str(file))["methods"]:
                found[method["name"]] = {**method, "_section": file.parent.name}
        return found

    def response_ref(self, method: str, variant: str = "response") -> str:
        """The schema ref of a method's response (``variant``: response, extendedResponse, ...)."""
        spec = self.methods()[method]
        raw = spec["responses"][variant]["$ref"]  # "../wall/responses.json#/definitions/x"
        return raw.removeprefix("../")

    def error_codes(self) -> dict[int, str]:
        errors = self._load(str(self.root / "errors.json"))["errors"]
        return {e["code"]: name for name, e in errors.items()}


@functools.lru_cache(maxsize=1)
def vk_schema() -> VkSchema:
    return VkSchema(specs_dir() / "vk-api-schema")


_SCALARS = {"Integer": int, "String": str, "Boolean": bool, "Float": (int, float)}


class TelegramSchema:
    """Validation against the Bot API's ``api.json`` (types and methods with typed fields)."""

    def __init__(self, path: Path) -> None:
        data = json.loads(path.read_text(encoding="utf-8"))
        self.version = data["version"]
        self.types: dict[str, Any] = data["types"]
        self.methods: dict[str, Any] = data["methods"]

    def errors(self, value: Any, type_names: list[str], where: str = "<root>") -> list[str]:
        """Problems of ``value`` as one of ``type_names`` (``["Message"]``, ``["Array of Update"]``, ...)."""
        attempts = [self._check(value, name, where) for name in type_names]
        if any(not problems for problems in attempts):
            return []
        return min(attempts, key=len)

    def _check(self, value: Any, name: str, where: str) -> list[str]:
        if name.startswith("Array of "):
            if not isinstance(value, list):
                return [f"{where}: expected {name}, got {type(value).__name__}"]
            inner = name.removeprefix("Array of ")
            return [p for i, item in enumerate(value) for p in self.errors(item, [inner], f"{where}/{i}")]
        if name in _SCALARS:
            ok = isinstance(value, _SCALARS[name]) and (name == "Boolean" or not isinstance(value, bool))
            return [] if ok else [f"{where}: expected {name}, got {value!r:.60}"]
        if name in ("InputFile",):
            return [f"{where}: an InputFile is never returned"]
        spec = self.types.get(name)
        if spec is None:
            return [f"{where}: unknown type {name}"]
        if spec.get("subtypes"):
            return self.errors(value, spec["subtypes"], where)
        if not isinstance(value, dict):
            return [f"{where}: expected {name} object, got {type(value).__name__}"]
        fields = {f["name"]: f for f in spec.get("fields", [])}
        problems = [f"{where}: {name} has no field {key!r}" for key in value if key not in fields]
        for key, field in fields.items():
            if key not in value:
                if field["required"]:
                    problems.append(f"{where}: {name} misses required {key!r}")
                continue
            problems += self.errors(value[key], field["types"], f"{where}/{key}")
        return problems

    def validate(self, value: Any, type_names: list[str]) -> None:
        problems = self.errors(value, type_names)
        assert not problems, f"not a valid {' or '.join(type_names)}:\n" + "\n".join(problems[:20])


@functools.lru_cache(maxsize=1)
def telegram_schema() -> TelegramSchema:
    return TelegramSchema(specs_dir() / "telegram-bot-api" / "api.json")
