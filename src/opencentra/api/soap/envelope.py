"""SOAP 1.1 envelopes in and out: a hardened parse of the request, and the response and fault documents.

The parser resolves no entities, loads no DTD and reaches no network; a
document with a DOCTYPE is refused outright (SOAP 1.1 forbids one, and it is
where XXE and entity-expansion attacks live). libxml2's own limits stay on
(no ``huge_tree``): nesting deeper than 256 levels and single text nodes over
10 MB fail to parse. The body's size is capped before parsing by
``api.body_limit`` and again here, so nothing larger is ever held.
"""

from __future__ import annotations

from dataclasses import dataclass

from lxml import etree  # type: ignore[import-untyped]  # lxml ships no type stubs

SOAP_ENV = "http://schemas.xmlsoap.org/soap/envelope/"
NS = "http://www.centra.com/webservices/"
# Deeper than any documented message (orders_Update nests about 12 levels).
MAX_DEPTH = 40


class SoapFault(Exception):
    """A request the API cannot take: answered as a SOAP fault, HTTP 400 (``Client``) or 500 (``Server``)."""

    def __init__(self, message: str, *, code: str = "Client") -> None:
        super().__init__(message)
        self.message = message
        self.code = code


@dataclass(frozen=True, slots=True)
class SoapRequest:
    operation: str  # the body element's local name, e.g. ``products_Update``, ``events_GetRequest``
    element: etree._Element


def _parser() -> etree.XMLParser:
    return etree.XMLParser(
        resolve_entities=False,
        no_network=True,
        load_dtd=False,
        dtd_validation=False,
        huge_tree=False,
        remove_comments=True,
        remove_pis=True,
    )


def parse_request(body: bytes, *, max_bytes: int) -> SoapRequest:
    """The operation element of a SOAP 1.1 request; ``SoapFault`` for anything else."""
    if len(body) > max_bytes:
        raise SoapFault(f"request body is larger than {max_bytes} bytes")
    if not body.strip():
        raise SoapFault("empty request body: expected a SOAP envelope")
    # Refused before parsing: no DTD is ever read, so no entity is ever declared.
    if b"<!DOCTYPE" in body or b"<!ENTITY" in body:
        raise SoapFault("DTDs and entity declarations are not allowed")
    try:
        root = etree.fromstring(body, _parser())
    except etree.XMLSyntaxError as error:
        raise SoapFault(f"malformed XML: {error.msg}") from None
    if root.getroottree().docinfo.doctype:
        raise SoapFault("DTDs and entity declarations are not allowed")
    if root.tag != f"{{{SOAP_ENV}}}Envelope":
        raise SoapFault("the document is not a SOAP 1.1 Envelope")
    depth_check(root)
    body_el = root.find(f"{{{SOAP_ENV}}}Body")
    if body_el is None:
        raise SoapFault("the Envelope has no Body")
    children = [child for child in body_el if isinstance(child.tag, str)]
    if len(children) != 1:
        raise SoapFault("the Body must hold exactly one operation element")
    operation = children[0]
    # Unqualified is taken too: one of Centra's own guide examples sends it so.
    if etree.QName(operation).namespace not in (NS, None):
        raise SoapFault(f"the operation element must be in the namespace {NS}")
    return SoapRequest(etree.QName(operation).localname, operation)


def depth_check(root: etree._Element) -> None:
    depth = 0
    for event, _ in etree.iterwalk(root, events=("start", "end")):
        depth += 1 if event == "start" else -1
        if depth > MAX_DEPTH:
            raise SoapFault(f"the document nests deeper than {MAX_DEPTH} levels")


def q(name: str) -> str:
    return f"{{{NS}}}{name}"


def child(parent: etree._Element, name: str) -> etree._Element | None:
    """The first child ``name`` in Centra's namespace, or unqualified (tolerated: some clients send that)."""
    found = parent.find(q(name))
    if found is None:
        found = parent.find(name)
    return found


def children(parent: etree._Element | None, name: str) -> list[etree._Element]:
    if parent is None:
        return []
    return list(parent.findall(q(name))) + list(parent.findall(name))


def text(parent: etree._Element | None, name: str) -> str | None:
    """The text of child ``name``: None when the element is absent (the field stays as it is)."""
    if parent is None:
        return None
    found = child(parent, name)
    if found is None:
        return None
    return (found.text or "").strip()


def path_text(parent: etree._Element | None, *names: str) -> str | None:
    node = parent
    for name in names[:-1]:
        if node is None:
            return None
        node = child(node, name)
    return text(node, names[-1])


def _envelope() -> tuple[etree._Element, etree._Element]:
    root = etree.Element(f"{{{SOAP_ENV}}}Envelope", nsmap={"SOAP-ENV": SOAP_ENV, "ns1": NS})
    body = etree.SubElement(root, f"{{{SOAP_ENV}}}Body")
    return root, body


def serialize(root: etree._Element) -> bytes:
    document: bytes = etree.tostring(root, xml_declaration=True, encoding="UTF-8")
    return document


def result_document(success: bool, errors: list[str], notices: list[str]) -> bytes:
    """Centra's update answer: ``<ns1:result><ns1:success/><ns1:errors/><ns1:notices/></ns1:result>``."""
    root, body = _envelope()
    result = etree.SubElement(body, q("result"))
    etree.SubElement(result, q("success")).text = "true" if success else "false"
    for name, messages in (("errors", errors), ("notices", notices)):
        holder = etree.SubElement(result, q(name))
        for message in messages:
            etree.SubElement(holder, q("message")).text = clean(message)
    return serialize(root)


def events_document() -> tuple[etree._Element, etree._Element]:
    """An empty ``events_Get`` answer and its ``events`` element to fill."""
    root, body = _envelope()
    wrapper = etree.SubElement(body, q("events_Get"))
    return root, etree.SubElement(wrapper, q("events"))


def fault_document(fault: SoapFault) -> bytes:
    root = etree.Element(f"{{{SOAP_ENV}}}Envelope", nsmap={"SOAP-ENV": SOAP_ENV})
    body = etree.SubElement(root, f"{{{SOAP_ENV}}}Body")
    node = etree.SubElement(body, f"{{{SOAP_ENV}}}Fault")
    etree.SubElement(node, "faultcode").text = f"SOAP-ENV:{fault.code}"
    etree.SubElement(node, "faultstring").text = clean(fault.message)
    return serialize(root)


def add(parent: etree._Element, name: str, value: object = None) -> etree._Element:
    """Append ``<ns1:name>value</ns1:name>``; None leaves it empty."""
    node = etree.SubElement(parent, q(name))
    if value is not None:
        node.text = clean(str(value))
    return node


def clean(value: str) -> str:
    # XML 1.0 cannot carry most control characters, U+FFFE/U+FFFF or unpaired surrogates (a JSON
    # string can spell one, and shoppers' names come from JSON APIs), not even escaped.
    return "".join(
        c
        for c in value
        if c in "\t\n\r" or (ord(c) >= 0x20 and c not in "\ufffe\uffff" and not 0xD800 <= ord(c) <= 0xDFFF)
    )
