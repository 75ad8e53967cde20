"""The WSDL's element order, applied to answers: a sequence in XML Schema is ordered.

Renderers write fields in whatever order reads best; ``conform`` then sorts
each element's children into the order the WSDL declares, so a strict client
(zeep) reads every answer. The WSDL is the one ``centra.wsdl`` this package serves.
"""

from __future__ import annotations

from functools import cache
from importlib import resources

from lxml import etree  # type: ignore[import-untyped]  # lxml ships no type stubs

XSD = "http://www.w3.org/2001/XMLSchema"


@cache
def _top_level() -> dict[str, etree._Element]:
    data = resources.files("opencentra.api.soap").joinpath("centra.wsdl").read_bytes()
    root = etree.fromstring(data, etree.XMLParser(resolve_entities=False, no_network=True))
    schema = root.find(f".//{{{XSD}}}schema")
    return {node.get("name"): node for node in schema.findall(f"{{{XSD}}}element")}


def _declared(node: etree._Element) -> list[etree._Element]:
    sequence = node.find(f"{{{XSD}}}complexType/{{{XSD}}}sequence")
    return [] if sequence is None else list(sequence.findall(f"{{{XSD}}}element"))


def _conform(element: etree._Element, declaration: etree._Element) -> None:
    declared = {node.get("name"): (index, node) for index, node in enumerate(_declared(declaration))}
    if not declared:
        return
    kids = [kid for kid in element if isinstance(kid.tag, str)]
    last = len(declared)
    kids.sort(key=lambda kid: declared.get(etree.QName(kid).localname, (last, None))[0])
    for kid in kids:
        element.remove(kid)
        element.append(kid)
        found = declared.get(etree.QName(kid).localname)
        if found is not None:
            _conform(kid, found[1])


def conform(element: etree._Element) -> None:
    """Sort ``element`` (a top-level element of the WSDL, e.g. ``events_Get``) into its declared order."""
    _conform(element, _top_level()[etree.QName(element).localname])


def declared_children(*path: str) -> list[str]:
    """The child names the WSDL declares under ``path`` (top-level element first); for tests."""
    node = _top_level()[path[0]]
    for name in path[1:]:
        node = next(n for n in _declared(node) if n.get("name") == name)
    return [n.get("name") for n in _declared(node)]
