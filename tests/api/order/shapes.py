"""Comparing our responses with Centra's documented examples, field by field.

The examples are read from ../shared/fixtures at test time (never copied).
Some are not valid JSON as published (trailing commas, missing commas,
``#`` comments, HTTP headers in front), so ``lenient_json`` repairs what
a reader would. ``missing_fields`` lists every documented field path that
our response lacks, and every field whose JSON type differs.
"""

from __future__ import annotations

import json
import re
from typing import Any

_TRAILING_COMMA = re.compile(r",(\s*[}\]])")
_MISSING_COMMA = re.compile(r'("|\d|true|false|null|\]|\})(\s*\n\s*")')
_COMMENT = re.compile(r"\s+#\s*<-[^\n]*")


def lenient_json(text: str) -> Any:
    start = min((i for i in (text.find("{"), text.find("[")) if i >= 0), default=-1)
    if start < 0:
        raise ValueError("no JSON in the example")
    body = _COMMENT.sub("", text[start:])
    body = body.replace("\\/", "/")
    for _ in range(3):
        body = _TRAILING_COMMA.sub(r"\1", body)
        try:
            return json.loads(body, strict=False)
        except json.JSONDecodeError:
            body = _MISSING_COMMA.sub(r"\1,\2", body)
    return json.loads(body, strict=False)


def example_body(example: dict[str, Any]) -> Any:
    if example.get("json") is not None:
        return example["json"]
    return lenient_json(example["text"])


def find(examples: list[dict[str, Any]], page: str, heading: str, index: int = 0) -> Any:
    """The ``index``-th example of a page whose headings (joined with " > ") end with ``heading``."""
    found = [e for e in examples if page in e["page"] and " > ".join(e["headings"]).lower().endswith(heading.lower())]
    return example_body(found[index])


def _kind(value: Any) -> str:
    if value is None:
        return "null"
    if isinstance(value, bool):
        return "bool"
    if isinstance(value, int | float):
        return "number"
    if isinstance(value, str):
        return "string"
    if isinstance(value, list):
        return "list"
    return "object"


def missing_fields(documented: Any, ours: Any, path: str = "", *, ignore: frozenset[str] = frozenset()) -> list[str]:
    """Documented field paths absent from ours, or present with another JSON type.

    A documented ``null`` accepts anything; ``ignore`` holds paths (``orders[].products[].bundle``)
    that are deliberately not served, each explained in docs/compatibility/order-api.md.
    """
    problems: list[str] = []
    if path in ignore:
        return problems
    kind, our_kind = _kind(documented), _kind(ours)
    if kind == "null" or (our_kind == "null" and kind in ("string", "number", "object")):
        return problems
    if kind != our_kind:
        return [f"{path or '.'}: documented {kind}, ours {our_kind}"]
    if kind == "object":
        for key, value in documented.items():
            if key == "...":
                continue
            child = f"{path}.{key}" if path else key
            if child in ignore:
                continue
            if key not in ours:
                problems.append(f"{child}: missing")
                continue
            problems.extend(missing_fields(value, ours[key], child, ignore=ignore))
    elif kind == "list" and documented and ours:
        for item in documented:
            problems.extend(missing_fields(item, ours[0], f"{path}[]", ignore=ignore))
    return problems
