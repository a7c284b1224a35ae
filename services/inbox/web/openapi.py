"""The OpenAPI 3.1 document of ``/api/v1``, generated from the operations declared in ``api.py``."""
from __future__ import annotations

import re
from typing import Any

from pydantic import BaseModel, TypeAdapter
from pydantic.json_schema import models_json_schema

from chorus.inbox.web import api_models as m

_PARAM = re.compile(r"{(\w+)}")
_ERRORS = {"400": "Refused (the code says why)", "401": "No or unknown token", "403": "The role does not allow it",
           "404": "Not found, or of a workspace the caller is not a member of", "422": "Malformed request"}


def document(operations) -> dict[str, Any]:
    models: set[type[BaseModel]] = {m.Error}
    for op in operations:
        for model in (op.body, op.query):
            if model is not None:
                models.add(model)
        models.update(_models_in(op.response))
    _, defs = models_json_schema([(model, "serialization") for model in sorted(models, key=lambda c: c.__name__)],
                                 ref_template="#/components/schemas/{model}")
    paths: dict[str, dict[str, Any]] = {}
    for op in operations:
        item: dict[str, Any] = {"summary": op.summary, "operationId": op.fn.__name__,
                                "responses": {str(op.status): {"description": "OK", "content": {
                                    "application/json": {"schema": _schema(op.response)}}}}}
        for code, text in _ERRORS.items():
            item["responses"][code] = {"description": text, "content": {"application/json": {
                "schema": {"$ref": "#/components/schemas/Error"}}}}
        params = [{"name": name, "in": "path", "required": True, "schema": {"type": "string"}}
                  for name in _PARAM.findall(op.path)]
        if op.query is not None:
            for name, field in op.query.model_fields.items():
                schema = TypeAdapter(field.annotation).json_schema()
                params.append({"name": name, "in": "query", "required": field.is_required(),
                               "description": field.description or "", "schema": schema})
        if params:
            item["parameters"] = params
        if op.body is not None:
            item["requestBody"] = {"required": True, "content": {"application/json": {
                "schema": {"$ref": f"#/components/schemas/{op.body.__name__}"}}}}
        paths.setdefault(op.path, {})[op.method.lower()] = item
    return {
        "openapi": "3.1.0",
        "info": {"title": "Chorus inbox API", "version": "1",
                 "description": "Conversations, messages, replies, assignments, tags, alerts and accounts of the "
                                "caller's workspaces. Authenticate with `Authorization: Bearer <token>` "
                                "(create one with `chorus token create --user EMAIL`)."},
        "servers": [{"url": "/"}],
        "paths": paths,
        "components": {"schemas": defs.get("$defs", {}),
                       "securitySchemes": {"bearer": {"type": "http", "scheme": "bearer"}}},
        "security": [{"bearer": []}],
    }


def _models_in(annotation: Any) -> set[type[BaseModel]]:
    if isinstance(annotation, type) and issubclass(annotation, BaseModel):
        return {annotation}
    found: set[type[BaseModel]] = set()
    for arg in getattr(annotation, "__args__", ()):
        found |= _models_in(arg)
    return found


def _schema(annotation: Any) -> dict[str, Any]:
    if isinstance(annotation, type) and issubclass(annotation, BaseModel):
        return {"$ref": f"#/components/schemas/{annotation.__name__}"}
    args = getattr(annotation, "__args__", ())
    if getattr(annotation, "__origin__", None) is list and args:
        return {"type": "array", "items": _schema(args[0])}
    return TypeAdapter(annotation).json_schema()
