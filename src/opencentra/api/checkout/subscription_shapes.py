"""Subscription plans on the wire, as Centra's subscription guide shows them:
``{id, name, intervalValue, intervalType, discountPercent}``: the id a string,
the interval value and the discount numbers, as Centra's newest pages send them
(docs/compatibility/checkout-api.md, "Shape decisions")."""

from __future__ import annotations

from typing import Any

from opencentra.subscriptions import PlanInfo


def plan_body(plan: PlanInfo) -> dict[str, Any]:
    percent = plan.discount_percent
    return {
        "id": str(plan.id),
        "name": plan.name,
        "intervalValue": plan.interval_value,
        "intervalType": plan.interval_type,
        "discountPercent": int(percent) if percent == percent.to_integral_value() else float(percent),
    }
