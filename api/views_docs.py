"""A readable API reference rendered from the OpenAPI schema (no CDN, no script)."""

from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.views.decorators.http import require_GET
from drf_spectacular.generators import SchemaGenerator


def _resolve(schema: dict, node: dict | None) -> dict:
    if not node:
        return {}
    ref = node.get("$ref")
    if ref:
        name = ref.rsplit("/", 1)[-1]
        return schema["components"]["schemas"].get(name, {})
    if node.get("type") == "array" and "items" in node:
        return _resolve(schema, node["items"])
    return node


def _fields(schema: dict, node: dict | None) -> list[dict]:
    resolved = _resolve(schema, node)
    required = set(resolved.get("required", []))
    rows = []
    for name, prop in resolved.get("properties", {}).items():
        prop = _resolve(schema, prop) if "$ref" in prop else prop
        kind = prop.get("type") or ("enum" if "enum" in prop else "object")
        if prop.get("format"):
            kind += f" ({prop['format']})"
        rows.append(
            {
                "name": name,
                "type": kind,
                "required": name in required,
                "read_only": prop.get("readOnly", False),
                "description": prop.get("description", ""),
            }
        )
    return rows


def _parameters(operation: dict) -> list[dict]:
    """Each parameter with its type, range, choices and one-line description."""
    rows = []
    for parameter in operation.get("parameters", []):
        schema = parameter.get("schema", {})
        rows.append(
            {
                "name": parameter["name"],
                "in": parameter["in"],
                "required": parameter.get("required", False),
                "type": schema.get("type", ""),
                "minimum": schema.get("minimum"),
                "maximum": schema.get("maximum"),
                "choices": schema.get("enum", []),
                "description": parameter.get("description", "").split("\n")[0],
            }
        )
    return rows


@require_GET
def api_docs(request: HttpRequest) -> HttpResponse:
    """List every endpoint with its method, parameters, request and response fields."""
    schema = SchemaGenerator().get_schema(request=None, public=True)
    operations = []
    for path, methods in schema.get("paths", {}).items():
        for method, op in methods.items():
            body = (
                op.get("requestBody", {}).get("content", {}).get("application/json", {})
            )
            ok = next(
                (
                    r
                    for code, r in op.get("responses", {}).items()
                    if code.startswith("2")
                ),
                {},
            )
            response_schema = ok.get("content", {}).get("application/json", {})
            operations.append(
                {
                    "path": path,
                    "method": method.upper(),
                    "id": op.get("operationId", ""),
                    "summary": op.get("description", "").split("\n")[0],
                    "tag": (op.get("tags") or ["api"])[0],
                    "parameters": _parameters(op),
                    "request": _fields(schema, body.get("schema")),
                    "response": _fields(schema, response_schema.get("schema")),
                }
            )
    return render(
        request,
        "api/docs.html",
        {"info": schema.get("info", {}), "operations": operations},
    )
