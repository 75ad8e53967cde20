"""``xml=1``: the same response data as XML.

Centra documents the parameter but never shows its XML, so the shape is
ours: the envelope becomes ``<response>``, each key an element, each list
entry an ``<item>``, and a key that is not a valid element name (a line id
such as ``"43243"``, a batch key) an ``<item key="...">``. Booleans print as
``true``/``false`` and a null as an empty element, so the document carries
exactly what the JSON carries, except the characters XML 1.0 cannot carry at
all, even as a character reference: controls other than tab, line feed and
carriage return, U+FFFE and U+FFFF, and unpaired surrogates (a JSON string
can spell one as an escape). Shoppers type names and addresses, so any text
may hold them; ``_clean`` drops them from every text and attribute, here in
one place, and the warehouse's parser always gets a well-formed document.
"""

from __future__ import annotations

import re
from typing import Any
from xml.etree import ElementTree as etree  # noqa: N813 - reads like lxml's API

_NAME = re.compile(r"[A-Za-z_][A-Za-z0-9_.-]*")
# XML 1.0's Char production, negated.
_NOT_XML = re.compile(r"[^\t\n\r\x20-\ud7ff\ue000-\ufffd\U00010000-\U0010ffff]")


def _fill(element: etree.Element, value: Any) -> None:
    if isinstance(value, dict):
        for key, child in value.items():
            name = str(key)
            if _NAME.fullmatch(name) and not name.lower().startswith("xml"):
                node = etree.SubElement(element, name)
            else:
                node = etree.SubElement(element, "item", key=_clean(name))
            _fill(node, child)
    elif isinstance(value, list | tuple):
        for child in value:
            _fill(etree.SubElement(element, "item"), child)
    elif isinstance(value, bool):
        element.text = "true" if value else "false"
    elif value is not None:
        element.text = _clean(str(value))


def _clean(text: str) -> str:
    return _NOT_XML.sub("", text)


def render(payload: Any) -> bytes:
    root = etree.Element("response")
    _fill(root, payload)
    document: bytes = etree.tostring(root, xml_declaration=True, encoding="UTF-8")
    return document
