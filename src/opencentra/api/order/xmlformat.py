"""``xml=1``: the same response data as XML.

Centra documents the parameter but never shows its XML, so the shape is
ours: the envelope becomes ``<response>``, each key an element, each list
entry an ``<item>``, and a key that is not a valid element name (a line id
such as ``"43243"``, a batch key) an ``<item key="...">``. Booleans print as
``true``/``false`` and a null as an empty element, so the document carries
exactly what the JSON carries.
"""

from __future__ import annotations

import re
from typing import Any
from xml.etree import ElementTree as etree  # noqa: N813 - reads like lxml's API

_NAME = re.compile(r"^[A-Za-z_][A-Za-z0-9_.-]*$")


def _fill(element: etree.Element, value: Any) -> None:
    if isinstance(value, dict):
        for key, child in value.items():
            name = str(key)
            if _NAME.match(name) and not name.lower().startswith("xml"):
                node = etree.SubElement(element, name)
            else:
                node = etree.SubElement(element, "item", key=name)
            _fill(node, child)
    elif isinstance(value, list | tuple):
        for child in value:
            _fill(etree.SubElement(element, "item"), child)
    elif isinstance(value, bool):
        element.text = "true" if value else "false"
    elif value is not None:
        element.text = _clean(str(value))


def _clean(text: str) -> str:
    # XML 1.0 cannot carry most control characters, even escaped.
    return "".join(ch for ch in text if ch in "\t\n\r" or ord(ch) >= 0x20)


def render(payload: Any) -> bytes:
    root = etree.Element("response")
    _fill(root, payload)
    document: bytes = etree.tostring(root, xml_declaration=True, encoding="UTF-8")
    return document
