"""A shipment's documents: delivery note, proforma and invoice, derived from the order when asked for.

Nothing is stored: each document is the shipment's lines and money as they
are, numbered after the shipment ("83651-1"), so it can always be issued
again with the same content. A shipment has a delivery note and a proforma
from the moment it exists; it has an invoice once it is captured, dated at
the capture (Centra makes the invoice when the payment is captured).
"""

from __future__ import annotations

import enum
from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import select

from opencentra.db.engine import Database
from opencentra.errors import NotFound
from opencentra.orders.models import PaymentTransaction, Shipment, TransactionKind, TransactionStatus
from opencentra.orders.queries import OrderDetails, shipment_details


class DocumentKind(enum.StrEnum):
    DELIVERY_NOTE = "delivery-note"
    PROFORMA = "proforma"
    INVOICE = "invoice"


@dataclass(frozen=True)
class ShipmentDocument:
    kind: DocumentKind
    number: str
    issued_at: datetime
    details: OrderDetails
    shipment: Shipment
    # The provider's id for the capture an invoice records, when there was one.
    capture_reference: str | None = None


def available_kinds(shipment: Shipment) -> list[DocumentKind]:
    kinds = [DocumentKind.DELIVERY_NOTE, DocumentKind.PROFORMA]
    if shipment.captured:
        kinds.append(DocumentKind.INVOICE)
    return kinds


async def shipment_document(db: Database, shipment_id: int, kind: DocumentKind) -> ShipmentDocument:
    """One of the shipment's documents; ``NotFound`` for an invoice of an uncaptured shipment."""
    details, _ = await shipment_details(db, shipment_id)
    shipment = details.shipment(shipment_id)
    if kind == DocumentKind.INVOICE:
        if not shipment.captured:
            raise NotFound(f"shipment {shipment.number} has no invoice: it is not captured", field="document")
        async with db.read() as session:
            capture = await session.scalar(
                select(PaymentTransaction)
                .where(
                    PaymentTransaction.shipment_id == shipment.id,
                    PaymentTransaction.kind == TransactionKind.CAPTURE,
                    PaymentTransaction.status == TransactionStatus.SUCCESS,
                )
                .order_by(PaymentTransaction.id)
                .limit(1)
            )
        # Captured with nothing left to take (paid in full when the order was inserted): dated at the change.
        issued = capture.created_at if capture else shipment.updated_at
        return ShipmentDocument(
            kind, shipment.number, issued, details, shipment, capture.reference if capture else None
        )
    issued = shipment.created_at
    if kind == DocumentKind.DELIVERY_NOTE and shipment.shipped_at is not None:
        issued = shipment.shipped_at
    return ShipmentDocument(kind, shipment.number, issued, details, shipment)
