"""zeep against the ASGI app: a transport over Starlette's TestClient, and raw envelopes."""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from typing import Any

import sqlalchemy
import zeep
from lxml import etree
from starlette.testclient import TestClient
from zeep.transports import Transport

from opencentra.db.engine import Database
from opencentra.integration.services import create_soap_user
from opencentra.stores import StoreType
from opencentra.stores.services import create_store, ensure_country, ensure_currency

PATH = "/ams/system/service/module/soap/api"
NS = "http://www.centra.com/webservices/"
SOAP_ENV = "http://schemas.xmlsoap.org/soap/envelope/"


class AppTransport(Transport):  # type: ignore[misc]
    """Sends zeep's requests to the in-process app instead of the network."""

    def __init__(self, client: TestClient) -> None:
        super().__init__()
        self.client = client
        self.last_response: Any = None

    def _load_remote_data(self, url: str) -> bytes:
        response = self.client.get(url)
        response.raise_for_status()
        return response.content

    def post(self, address: str, message: bytes, headers: dict[str, str]) -> Any:
        self.last_response = self.client.post(address, content=message, headers=headers)
        return self.last_response


def soap_client(client: TestClient) -> tuple[zeep.Client, AppTransport]:
    transport = AppTransport(client)
    return zeep.Client(f"http://testserver{PATH}?wsdl", transport=transport), transport


def envelope(operation: str, inner: str, *, username: str, password: str) -> bytes:
    """A request as Centra's docs write them (default namespace on the operation)."""
    return (
        f'<?xml version="1.0" encoding="UTF-8"?><soap:Envelope xmlns:soap="{SOAP_ENV}"><soap:Body>'
        f'<{operation} xmlns="{NS}"><login><username>{username}</username><password>{password}</password></login>'
        f"{inner}</{operation}></soap:Body></soap:Envelope>"
    ).encode()


def post_raw(client: TestClient, body: bytes, action: str = "") -> Any:
    headers = {"Content-Type": "text/xml; charset=utf-8"}
    if action:
        headers["SOAPAction"] = f'"{NS}{action}"'
    return client.post(PATH, content=body, headers=headers)


def result_of(content: bytes) -> tuple[bool, list[str], list[str]]:
    root = etree.fromstring(content)
    result = root.find(f"{{{SOAP_ENV}}}Body/{{{NS}}}result")
    assert result is not None, content
    success = result.findtext(f"{{{NS}}}success") == "true"
    errors = [m.text or "" for m in result.findall(f"{{{NS}}}errors/{{{NS}}}message")]
    notices = [m.text or "" for m in result.findall(f"{{{NS}}}notices/{{{NS}}}message")]
    return success, errors, notices


def fault_of(content: bytes) -> str:
    root = etree.fromstring(content)
    fault = root.find(f"{{{SOAP_ENV}}}Body/{{{SOAP_ENV}}}Fault")
    assert fault is not None, content
    return fault.findtext("faultstring") or ""


async def erp_setup(db: Database) -> dict[str, Any]:
    """A retail and a wholesale store with their currencies, and a SOAP user for each plus one for the instance."""
    await ensure_currency(db, "EUR", "Euro")
    await ensure_currency(db, "SEK", "Swedish krona")
    await ensure_currency(db, "USD", "US dollar")
    await ensure_country(db, "SE", "Sweden")
    retail = await create_store(db, "Retail")
    other = await create_store(db, "Other", type=StoreType.WHOLESALE)
    return {
        "store": retail.id,
        "other_store": other.id,
        "erp": await create_soap_user(db, username="erp", store_id=retail.id),
        "global": await create_soap_user(db, username="erp-global"),
        "other": await create_soap_user(db, username="erp-other", store_id=other.id),
    }


async def internal(db: Database, object_type: str, external: str) -> int | None:
    """Our id for an ERP id in the SOAP ID conversion table."""
    from opencentra import integration

    found = await integration.internal_ids(
        db, integration=integration.SOAP_INTEGRATION, object_type=object_type, external_ids=[external]
    )
    return found.get(external)


@contextmanager
def counted_statements(db: Database) -> Iterator[list[str]]:
    """Every SQL statement the app sends while the block runs (reads and writes; not BEGIN/COMMIT)."""
    statements: list[str] = []
    engine = db.engine.sync_engine

    def record(_conn: Any, _cursor: Any, statement: str, *_args: Any) -> None:
        if statement.lstrip().upper().startswith(("SELECT", "WITH", "INSERT", "UPDATE", "DELETE")):
            statements.append(statement)

    sqlalchemy.event.listen(engine, "before_cursor_execute", record)
    try:
        yield statements
    finally:
        sqlalchemy.event.remove(engine, "before_cursor_execute", record)


def product_batch(count: int, *, first: int = 0, warehouse: str = "WH1") -> str:
    """``<products>`` of ``count`` products x 3 variations x 5 sizes with stock, the benchmark's shape."""
    parts = ["<products>"]
    for n in range(first, first + count):
        parts.append(
            f"<product><id>P{n}</id><status>active</status><sku>P{n}</sku><description>Product {n}</description>"
            "<variations>"
        )
        for colour in ("RED", "BLUE", "GREEN"):
            parts.append(
                f"<variation><id>P{n}_{colour}</id><description>{colour}</description><sku>{colour}</sku>"
                "<sizetable><id>XSXL</id></sizetable><sizes>"
            )
            for index, size in enumerate(SIZES):
                parts.append(
                    f"<size><id>{size}</id><sku>0{index}</sku><warehouseitems><warehouse><id>{warehouse}</id>"
                    f"<qty>{(n + index) % 20}</qty></warehouse></warehouseitems></size>"
                )
            parts.append("</sizes></variation>")
        parts.append("</variations></product>")
    parts.append("</products>")
    return "".join(parts)


SIZES = ("XS", "S", "M", "L", "XL")


def size_batch() -> str:
    """``<sizes>`` making the sizetable ``XSXL`` that ``product_batch`` uses."""
    return (
        "<sizes>"
        + "".join(
            f"<size><id>{s}</id><sizetable><id>XSXL</id><description>XS-XL</description></sizetable></size>"
            for s in SIZES
        )
        + "</sizes>"
    )
