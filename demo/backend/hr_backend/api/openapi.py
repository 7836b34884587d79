"""The OpenAPI 3.1 description, generated from the endpoint table (so it matches the routes)."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from hr_backend import __version__
from hr_backend.api.endpoint import Endpoint
from hr_backend.api.schemas import BODIES, ERROR
from hr_backend.settings import SYSTEMS

JSON = dict[str, Any]

ERROR_DESCRIPTIONS = {
    400: "malformed request (`invalid_request` names the `field`) or missing X-Acting-Employee",
    401: "missing or wrong bearer token for this system",
    403: "unknown acting employee, or an action only the record's owner may take",
    404: "no such record, or not one the acting employee may see (same body)",
    422: "a company rule forbids it; `section` names the handbook section",
}
DESCRIPTION = (
    "The demo company's HRM, ERP, OA, CRM and PMS in one service. Each system has its own bearer token; "
    "every call names the acting employee in `X-Acting-Employee` and the backend checks that employee's "
    'rights. Errors answer `{"error": code, "message": 中文原因, "section"?: 手册条款}`.'
)


def _operation(endpoint: Endpoint) -> JSON:
    parameters: list[JSON] = [
        {
            "name": p.name,
            "in": p.where,
            "required": p.required or p.where == "path",
            "description": p.description,
            "schema": dict(p.schema),
        }
        for p in endpoint.params
    ]
    if endpoint.acting:
        parameters.insert(0, {"$ref": "#/components/parameters/ActingEmployee"})
    responses: JSON = {
        str(endpoint.status): {
            "description": "OK",
            "content": {"application/json": {"schema": {"type": "object"}}},
        }
    }
    codes = set(endpoint.errors)
    if endpoint.system != "public":
        codes.add(401)
    if endpoint.acting:
        codes.update((400, 403))
    for code in sorted(codes):
        responses[str(code)] = {
            "description": ERROR_DESCRIPTIONS[code],
            "content": {"application/json": {"schema": {"$ref": "#/components/schemas/Error"}}},
        }
    operation: JSON = {
        "operationId": endpoint.operation_id,
        "summary": endpoint.summary,
        "tags": [endpoint.system],
        "description": f"Who may call: {endpoint.rights}." if endpoint.rights else "",
        "parameters": parameters,
        "responses": responses,
        "security": [] if endpoint.system == "public" else [{f"{endpoint.system}Token": []}],
    }
    if endpoint.body is not None:
        operation["requestBody"] = {
            "required": True,
            "content": {"application/json": {"schema": {"$ref": f"#/components/schemas/{endpoint.body}"}}},
        }
    return operation


def build_openapi(endpoints: Sequence[Endpoint]) -> JSON:
    """The spec of ``endpoints`` plus ``GET /openapi.json`` itself."""
    paths: dict[str, JSON] = {
        "/openapi.json": {
            "get": {
                "operationId": "openapi",
                "summary": "This description",
                "tags": ["public"],
                "security": [],
                "responses": {
                    "200": {
                        "description": "OK",
                        "content": {"application/json": {"schema": {"type": "object"}}},
                    }
                },
            }
        }
    }
    for endpoint in endpoints:
        paths.setdefault(endpoint.path, {})[endpoint.method.lower()] = _operation(endpoint)
    return {
        "openapi": "3.1.0",
        "info": {
            "title": "星河电商 demo company backend",
            "version": __version__,
            "description": DESCRIPTION,
        },
        "tags": [{"name": system} for system in ("public", *SYSTEMS)],
        "paths": paths,
        "components": {
            "securitySchemes": {
                f"{system}Token": {
                    "type": "http",
                    "scheme": "bearer",
                    "description": f"the {system.upper()} token",
                }
                for system in SYSTEMS
            },
            "parameters": {
                "ActingEmployee": {
                    "name": "X-Acting-Employee",
                    "in": "header",
                    "required": True,
                    "schema": {"type": "string"},
                    "description": "employee id (e.g. E1001) on whose behalf the call is made",
                }
            },
            "schemas": {"Error": ERROR, **BODIES},
        },
    }
