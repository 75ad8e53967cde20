"""Stores and their geography: currencies, countries, languages, markets,
pricelists, tax, shipping and payment methods, warehouses and allocation rules.

Store-scoped link tables (``market_countries``, ``pricelist_countries``) carry
``store_id`` and reach their parent through a composite foreign key on
``(id, store_id)``, so the database itself guarantees that a link row names
the same store as its market or pricelist; the "one market per country per
store" rule is then a plain unique constraint.
"""

from __future__ import annotations

import enum

from sqlalchemy import (
    Boolean,
    CheckConstraint,
    Enum,
    ForeignKey,
    ForeignKeyConstraint,
    Index,
    Integer,
    String,
    Text,
    UniqueConstraint,
    false,
    text,
)
from sqlalchemy.orm import Mapped, mapped_column, relationship

from opencentra.db.base import Base, TimestampMixin, enum_check

DEFAULT_TIMEZONE = "Europe/Stockholm"


def _values(enum_cls: type[enum.StrEnum]) -> list[str]:
    return [member.value for member in enum_cls]


def _enum_type(enum_cls: type[enum.StrEnum]) -> Enum:
    # VARCHAR, not a native PostgreSQL enum: adding a value must not need a
    # type migration. The CHECK is declared explicitly on each table so that
    # its name follows the naming convention.
    return Enum(
        enum_cls,
        native_enum=False,
        create_constraint=False,
        length=16,
        values_callable=_values,
        validate_strings=True,
    )


class StoreType(enum.StrEnum):
    DTC = "DTC"
    WHOLESALE = "WHOLESALE"


class OversellingMode(enum.StrEnum):
    """When the checkout re-checks stock (Centra's "overselling prevention")."""

    OFF = "off"
    """No checks; orders may be placed for stock that is not there."""
    STANDARD = "standard"
    """Stock is checked when payment starts."""
    AGGRESSIVE = "aggressive"
    """Also checked on every basket change and again after authorisation."""


class StockMaster(enum.StrEnum):
    """Who owns the warehouse's stock figures: us, or an external WMS."""

    INTERNAL = "internal"
    EXTERNAL = "external"


class PaymentBehaviour(enum.StrEnum):
    """How the built-in test payment provider answers."""

    SUCCESS = "success"
    REDIRECT = "redirect"
    FORM = "form"
    JAVASCRIPT = "javascript"
    DECLINE = "decline"


# --- reference data ---------------------------------------------------------


class Currency(Base):
    __tablename__ = "currencies"
    __table_args__ = (
        CheckConstraint("length(code) = 3", name="code_iso4217"),
        CheckConstraint("decimals >= 0 AND decimals <= 4", name="decimals_range"),
        CheckConstraint("denominator > 0", name="denominator_positive"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    code: Mapped[str] = mapped_column(String(3), unique=True)
    # A string: ISO numeric codes have leading zeros ("008").
    iso_number: Mapped[str | None] = mapped_column(String(3))
    name: Mapped[str] = mapped_column(String(64))
    decimals: Mapped[int] = mapped_column(Integer, default=2)
    decimal_point: Mapped[str] = mapped_column(String(4), default=".")
    thousands_separator: Mapped[str] = mapped_column(String(4), default=",")
    prefix: Mapped[str] = mapped_column(String(16), default="")
    suffix: Mapped[str] = mapped_column(String(16), default="")
    # Display only (Centra's currencyFormat.denominator), e.g. 100 for 2 decimals.
    denominator: Mapped[int] = mapped_column(Integer, default=100)


class Language(Base):
    __tablename__ = "languages"

    id: Mapped[int] = mapped_column(primary_key=True)
    code: Mapped[str] = mapped_column(String(16), unique=True)
    name: Mapped[str] = mapped_column(String(64))


class Country(Base):
    __tablename__ = "countries"
    __table_args__ = (CheckConstraint("length(code) = 2", name="code_iso3166"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    code: Mapped[str] = mapped_column(String(2), unique=True)
    name: Mapped[str] = mapped_column(String(128))
    eu: Mapped[bool] = mapped_column(Boolean, default=False)
    default_language_id: Mapped[int | None] = mapped_column(ForeignKey("languages.id", ondelete="SET NULL"))

    states: Mapped[list[CountryState]] = relationship(
        back_populates="country",
        lazy="raise",
        order_by="CountryState.code",
        cascade="all, delete-orphan",
        passive_deletes=True,
    )


class CountryState(Base):
    __tablename__ = "country_states"
    __table_args__ = (UniqueConstraint("country_id", "code"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    country_id: Mapped[int] = mapped_column(ForeignKey("countries.id", ondelete="CASCADE"))
    code: Mapped[str] = mapped_column(String(16))
    name: Mapped[str] = mapped_column(String(128))

    country: Mapped[Country] = relationship(back_populates="states", lazy="raise")


# --- stores, markets, pricelists ---------------------------------------------


class Store(TimestampMixin, Base):
    __tablename__ = "stores"
    __table_args__ = (
        enum_check("type", StoreType),
        enum_check("overselling_mode", OversellingMode),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    name: Mapped[str] = mapped_column(String(128), unique=True)
    type: Mapped[StoreType] = mapped_column(_enum_type(StoreType), default=StoreType.DTC)
    overselling_mode: Mapped[OversellingMode] = mapped_column(
        _enum_type(OversellingMode), default=OversellingMode.STANDARD
    )
    autoconfirm_orders: Mapped[bool] = mapped_column(Boolean, default=False)
    # IANA zone name; order dates given "in the system timezone" use it.
    timezone: Mapped[str] = mapped_column(String(64), default=DEFAULT_TIMEZONE)
    # use_alter: markets and pricelists reference stores, so these close a cycle.
    default_market_id: Mapped[int | None] = mapped_column(ForeignKey("markets.id", ondelete="SET NULL", use_alter=True))
    default_pricelist_id: Mapped[int | None] = mapped_column(
        ForeignKey("pricelists.id", ondelete="SET NULL", use_alter=True)
    )
    default_language_id: Mapped[int | None] = mapped_column(ForeignKey("languages.id", ondelete="SET NULL"))
    active: Mapped[bool] = mapped_column(Boolean, default=True)


class Market(Base):
    __tablename__ = "markets"
    __table_args__ = (
        UniqueConstraint("id", "store_id"),  # target of the store-checked link FKs
        UniqueConstraint("store_id", "name"),
        UniqueConstraint("store_id", "uri"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    store_id: Mapped[int] = mapped_column(ForeignKey("stores.id", ondelete="CASCADE"))
    name: Mapped[str] = mapped_column(String(128))
    # A campaign-site uri that moves a shopper into this market.
    uri: Mapped[str | None] = mapped_column(String(128))
    active: Mapped[bool] = mapped_column(Boolean, default=True)
    # Without a rule a market sees no warehouse, so nothing in it has stock.
    allocation_rule_id: Mapped[int | None] = mapped_column(ForeignKey("allocation_rules.id", ondelete="RESTRICT"))
    # The merchant's own note (Centra's Market.comment, behind Market.comment:read).
    comment: Mapped[str | None] = mapped_column(Text)

    countries: Mapped[list[Country]] = relationship(
        secondary="market_countries", viewonly=True, lazy="raise", order_by="Country.code"
    )


class MarketCountry(Base):
    """A country geo-locates to at most one market per store."""

    __tablename__ = "market_countries"
    __table_args__ = (
        ForeignKeyConstraint(
            ["market_id", "store_id"],
            ["markets.id", "markets.store_id"],
            ondelete="CASCADE",
            name="fk_market_countries_market_store",
        ),
        UniqueConstraint("store_id", "country_id"),
        Index("ix_market_countries_market_id", "market_id"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    store_id: Mapped[int] = mapped_column(ForeignKey("stores.id", ondelete="CASCADE"))
    market_id: Mapped[int] = mapped_column()
    country_id: Mapped[int] = mapped_column(ForeignKey("countries.id", ondelete="CASCADE"))


class Pricelist(Base):
    __tablename__ = "pricelists"
    __table_args__ = (
        UniqueConstraint("id", "store_id", "currency_id"),  # target of pricelist_countries' FK
        UniqueConstraint("store_id", "name"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    store_id: Mapped[int] = mapped_column(ForeignKey("stores.id", ondelete="CASCADE"))
    name: Mapped[str] = mapped_column(String(128))
    currency_id: Mapped[int] = mapped_column(ForeignKey("currencies.id", ondelete="RESTRICT"))
    active: Mapped[bool] = mapped_column(Boolean, default=True)

    currency: Mapped[Currency] = relationship(lazy="raise")
    countries: Mapped[list[Country]] = relationship(
        secondary="pricelist_countries", viewonly=True, lazy="raise", order_by="Country.code"
    )


class PricelistCountry(Base):
    """A country geo-locates to at most one pricelist per currency per store.

    ``currency_id`` is a copy of the pricelist's, kept equal by the composite
    foreign key, so that rule is a unique constraint rather than a hope.
    """

    __tablename__ = "pricelist_countries"
    __table_args__ = (
        ForeignKeyConstraint(
            ["pricelist_id", "store_id", "currency_id"],
            ["pricelists.id", "pricelists.store_id", "pricelists.currency_id"],
            ondelete="CASCADE",
            onupdate="CASCADE",
            name="fk_pricelist_countries_pricelist_store_currency",
        ),
        UniqueConstraint("store_id", "currency_id", "country_id"),
        UniqueConstraint("pricelist_id", "country_id"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    store_id: Mapped[int] = mapped_column(ForeignKey("stores.id", ondelete="CASCADE"))
    pricelist_id: Mapped[int] = mapped_column()
    currency_id: Mapped[int] = mapped_column(ForeignKey("currencies.id", ondelete="RESTRICT"))
    country_id: Mapped[int] = mapped_column(ForeignKey("countries.id", ondelete="CASCADE"))


# --- tax ---------------------------------------------------------------------


class TaxGroup(Base):
    __tablename__ = "tax_groups"

    id: Mapped[int] = mapped_column(primary_key=True)
    name: Mapped[str] = mapped_column(String(128), unique=True)

    rules: Mapped[list[TaxRule]] = relationship(
        lazy="raise", cascade="all, delete-orphan", passive_deletes=True, order_by="TaxRule.id"
    )


class TaxRule(Base):
    """The rate for a tax group in a country, or in one state of it.

    A state rule overrides the country rule; NULL ``state_id`` is the country
    rule, made unique by a partial index because NULLs never collide.
    """

    __tablename__ = "tax_rules"
    __table_args__ = (
        CheckConstraint("rate_bp >= 0 AND rate_bp <= 10000", name="rate_range"),
        UniqueConstraint("tax_group_id", "country_id", "state_id"),
        Index(
            "uq_tax_rules_country_rule",
            "tax_group_id",
            "country_id",
            unique=True,
            sqlite_where=text("state_id IS NULL"),
            postgresql_where=text("state_id IS NULL"),
        ),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    tax_group_id: Mapped[int] = mapped_column(ForeignKey("tax_groups.id", ondelete="CASCADE"))
    country_id: Mapped[int] = mapped_column(ForeignKey("countries.id", ondelete="CASCADE"))
    state_id: Mapped[int | None] = mapped_column(ForeignKey("country_states.id", ondelete="CASCADE"))
    rate_bp: Mapped[int] = mapped_column(Integer)


# --- shipping and payment ----------------------------------------------------


class ShippingMethod(Base):
    __tablename__ = "shipping_methods"
    __table_args__ = (
        UniqueConstraint("store_id", "name"),
        UniqueConstraint("store_id", "uri"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    store_id: Mapped[int] = mapped_column(ForeignKey("stores.id", ondelete="CASCADE"))
    name: Mapped[str] = mapped_column(String(128))
    uri: Mapped[str | None] = mapped_column(String(128))
    active: Mapped[bool] = mapped_column(Boolean, default=True)
    sort_order: Mapped[int] = mapped_column(Integer, default=0)

    countries: Mapped[list[Country]] = relationship(
        secondary="shipping_method_countries", viewonly=True, lazy="raise", order_by="Country.code"
    )
    prices: Mapped[list[ShippingPrice]] = relationship(
        lazy="raise", cascade="all, delete-orphan", passive_deletes=True, order_by="ShippingPrice.id"
    )


class ShippingMethodCountry(Base):
    __tablename__ = "shipping_method_countries"
    __table_args__ = (UniqueConstraint("shipping_method_id", "country_id"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    shipping_method_id: Mapped[int] = mapped_column(ForeignKey("shipping_methods.id", ondelete="CASCADE"))
    country_id: Mapped[int] = mapped_column(ForeignKey("countries.id", ondelete="CASCADE"))


class ShippingPrice(Base):
    """A method's price in one pricelist's currency; a market row overrides
    the pricelist-wide (NULL market) row."""

    __tablename__ = "shipping_prices"
    __table_args__ = (
        CheckConstraint("price_minor >= 0", name="price_non_negative"),
        CheckConstraint("free_from_minor IS NULL OR free_from_minor >= 0", name="free_from_non_negative"),
        UniqueConstraint("shipping_method_id", "pricelist_id", "market_id"),
        Index(
            "uq_shipping_prices_pricelist_wide",
            "shipping_method_id",
            "pricelist_id",
            unique=True,
            sqlite_where=text("market_id IS NULL"),
            postgresql_where=text("market_id IS NULL"),
        ),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    shipping_method_id: Mapped[int] = mapped_column(ForeignKey("shipping_methods.id", ondelete="CASCADE"))
    pricelist_id: Mapped[int] = mapped_column(ForeignKey("pricelists.id", ondelete="CASCADE"))
    market_id: Mapped[int | None] = mapped_column(ForeignKey("markets.id", ondelete="CASCADE"))
    price_minor: Mapped[int] = mapped_column()
    # Shipping is free when the items' total reaches this amount.
    free_from_minor: Mapped[int | None] = mapped_column()


class PaymentMethod(Base):
    __tablename__ = "payment_methods"
    __table_args__ = (
        UniqueConstraint("store_id", "uri"),
        enum_check("behaviour", PaymentBehaviour),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    store_id: Mapped[int] = mapped_column(ForeignKey("stores.id", ondelete="CASCADE"))
    name: Mapped[str] = mapped_column(String(128))
    uri: Mapped[str] = mapped_column(String(128))
    provider: Mapped[str] = mapped_column(String(32), default="test")
    # Only meaningful for the test provider; NULL for real ones.
    behaviour: Mapped[PaymentBehaviour | None] = mapped_column(_enum_type(PaymentBehaviour))
    active: Mapped[bool] = mapped_column(Boolean, default=True)
    sort_order: Mapped[int] = mapped_column(Integer, default=0)

    markets: Mapped[list[Market]] = relationship(
        secondary="payment_method_markets", viewonly=True, lazy="raise", order_by="Market.id"
    )


class PaymentMethodMarket(Base):
    """A payment method is offered only in the markets listed here."""

    __tablename__ = "payment_method_markets"
    __table_args__ = (UniqueConstraint("payment_method_id", "market_id"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    payment_method_id: Mapped[int] = mapped_column(ForeignKey("payment_methods.id", ondelete="CASCADE"))
    market_id: Mapped[int] = mapped_column(ForeignKey("markets.id", ondelete="CASCADE"), index=True)


# --- warehouses and allocation ----------------------------------------------


class Warehouse(Base):
    __tablename__ = "warehouses"
    __table_args__ = (enum_check("stock_master", StockMaster),)

    id: Mapped[int] = mapped_column(primary_key=True)
    name: Mapped[str] = mapped_column(String(128), unique=True)
    stock_master: Mapped[StockMaster] = mapped_column(_enum_type(StockMaster), default=StockMaster.INTERNAL)
    # Centra's warehouse threshold, stored and reported; free-to-allocate ignores it.
    threshold: Mapped[int] = mapped_column(Integer, default=0, server_default=text("0"))
    hidden_from_stock_view: Mapped[bool] = mapped_column(Boolean, default=False, server_default=false())
    # Centra's stock ownership and allocation policies, stored and reported
    # (values: opencentra.stores.warehouse_settings); allocation does not read them.
    stock_ownership: Mapped[str] = mapped_column(String(16), default="own", server_default="own")
    allocation_policy: Mapped[str] = mapped_column(String(16), default="check_first", server_default="check_first")


class AllocationRule(Base):
    """A priority-ordered set of warehouses; a market takes stock through one."""

    __tablename__ = "allocation_rules"

    id: Mapped[int] = mapped_column(primary_key=True)
    name: Mapped[str] = mapped_column(String(128), unique=True)

    entries: Mapped[list[AllocationRuleWarehouse]] = relationship(
        lazy="raise",
        cascade="all, delete-orphan",
        passive_deletes=True,
        order_by="AllocationRuleWarehouse.priority",
    )


class AllocationRuleWarehouse(Base):
    """Lower ``priority`` is drawn from first."""

    __tablename__ = "allocation_rule_warehouses"
    __table_args__ = (
        UniqueConstraint("allocation_rule_id", "warehouse_id"),
        UniqueConstraint("allocation_rule_id", "priority"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    allocation_rule_id: Mapped[int] = mapped_column(ForeignKey("allocation_rules.id", ondelete="CASCADE"))
    warehouse_id: Mapped[int] = mapped_column(ForeignKey("warehouses.id", ondelete="CASCADE"), index=True)
    priority: Mapped[int] = mapped_column(Integer)

    warehouse: Mapped[Warehouse] = relationship(lazy="raise")
