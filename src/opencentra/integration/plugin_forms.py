"""What a form needs to edit a plugin's per-type settings: each setting's kind, and every field's error.

``parse_settings`` (``plugin_settings``) stops at the first bad setting, which
is right for an API; a form shows the error beside each field at once.
"""

from __future__ import annotations

import enum
import types
import typing
from dataclasses import dataclass
from typing import Any

from pydantic import ValidationError

from opencentra.errors import ValidationFailed
from opencentra.integration.models import PluginType
from opencentra.integration.plugin_settings import SETTINGS_BY_TYPE, settings_to_json

__all__ = ["PluginType", "SettingField", "SettingKind", "setting_fields", "settings_errors"]


class SettingKind(enum.StrEnum):
    FLAG = "flag"
    NUMBER = "number"
    NUMBERS = "numbers"
    TEXT = "text"
    TEXTS = "texts"
    CHOICE = "choice"


@dataclass(frozen=True, slots=True)
class SettingField:
    name: str
    kind: SettingKind
    optional: bool
    # The value a new plugin starts with, JSON-ready (lists, numbers, strings, None).
    default: Any
    # For ``CHOICE``: (value, label) pairs.
    choices: tuple[tuple[int | str, str], ...] = ()


def _kind(annotation: Any) -> tuple[SettingKind, bool, tuple[tuple[int | str, str], ...]]:
    optional = False
    args = typing.get_args(annotation)
    if typing.get_origin(annotation) in (typing.Union, types.UnionType) and type(None) in args:
        optional = True
        annotation = next(arg for arg in args if arg is not type(None))
    if annotation is bool:
        return SettingKind.FLAG, optional, ()
    if annotation is int:
        return SettingKind.NUMBER, optional, ()
    if annotation is str:
        return SettingKind.TEXT, optional, ()
    if isinstance(annotation, type) and issubclass(annotation, enum.Enum):
        return SettingKind.CHOICE, optional, tuple((m.value, m.name.replace("_", " ").lower()) for m in annotation)
    if typing.get_origin(annotation) is tuple:
        inner = typing.get_args(annotation)[0]
        return (SettingKind.NUMBERS if inner is int else SettingKind.TEXTS), optional, ()
    raise TypeError(f"no form field for {annotation!r}")


def _plugin_type(plugin_type: PluginType | str) -> PluginType:
    try:
        return PluginType(plugin_type)
    except ValueError:
        allowed = ", ".join(t.value for t in PluginType)
        raise ValidationFailed(f"unknown plugin type {plugin_type!r}; use one of {allowed}", field="type") from None


def setting_fields(plugin_type: PluginType | str) -> list[SettingField]:
    """The settings a plugin of this type has, in the order its model declares them."""
    model = SETTINGS_BY_TYPE[_plugin_type(plugin_type)]
    defaults = settings_to_json(model())  # type: ignore[arg-type]
    hints = typing.get_type_hints(model)
    fields = []
    for name in model.model_fields:
        kind, optional, choices = _kind(hints[name])
        fields.append(SettingField(name, kind, optional, defaults.get(name), choices))
    return fields


def settings_errors(plugin_type: PluginType | str, raw: dict[str, Any]) -> dict[str, str]:
    """Every bad setting in ``raw`` with its message (empty when the settings are valid)."""
    model = SETTINGS_BY_TYPE[_plugin_type(plugin_type)]
    ready = {key: tuple(value) if isinstance(value, list) else value for key, value in raw.items()}
    try:
        model.model_validate(ready)
    except ValidationError as exc:
        found: dict[str, str] = {}
        for error in exc.errors():
            name = str(error["loc"][0]) if error["loc"] else "settings"
            found.setdefault(name, error["msg"])
        return found
    return {}
