"""The SOAP API's request and response log: one row per authenticated call, kept for a configured time."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import ForeignKey, Index, String, Text
from sqlalchemy.orm import Mapped, mapped_column

from opencentra.db.base import Base, utcnow


class SoapCall(Base):
    __tablename__ = "soap_calls"
    __table_args__ = (
        Index("ix_soap_calls_user", "soap_user_id", "id"),
        Index("ix_soap_calls_created_at", "created_at"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    soap_user_id: Mapped[int] = mapped_column(ForeignKey("soap_users.id", ondelete="CASCADE"))
    operation: Mapped[str] = mapped_column(String(64))
    status: Mapped[int]
    # Both as sent, passwords blanked, cut at ``MAX_LOGGED_CHARS``.
    request: Mapped[str] = mapped_column(Text)
    response: Mapped[str] = mapped_column(Text)
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
