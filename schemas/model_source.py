"""Python source of one generated models module, from Avro schema definitions."""

from __future__ import annotations

import json
from collections.abc import Mapping
from typing import Any

_PRIMITIVES = {
    "string": "str",
    "int": "int",
    "long": "int",
    "boolean": "bool",
    "float": "float",
    "double": "float",
    "bytes": "bytes",
    "null": "None",
}
_LOGICAL = {
    "uuid": ("UUID", "from uuid import UUID"),
    "timestamp-millis": ("AwareDatetime", "from pydantic import AwareDatetime"),
    "date": ("date", "from datetime import date"),
}
SOURCE_NAME = "uk.joinedup.common.Source"
LINE_LENGTH = 100


def python_string(text: str) -> str:
    """A Python string literal quoted the way the formatter quotes it."""
    if '"' in text and "'" not in text:
        return "'" + text.replace("\\", "\\\\") + "'"
    return json.dumps(text, ensure_ascii=False)


class ModuleWriter:
    """Collects the type aliases, classes and imports of one domain's models module."""

    def __init__(self, domain: str) -> None:
        """Start an empty module for `domain`."""
        self.domain = domain
        self.imports: dict[str, set[str]] = {}
        self.aliases: dict[str, str] = {}
        self.classes: list[str] = []
        self.named: set[str] = set()

    def _import(self, statement: str) -> None:
        module, name = statement.removeprefix("from ").split(" import ")
        self.imports.setdefault(module, set()).add(name)

    def _record(self, schema: Mapping[str, Any]) -> str:
        name = schema["name"]
        full = f"{schema.get('namespace', '')}.{name}"
        if full == SOURCE_NAME and self.domain != "common":
            self._import("from schemas.models.common import Source")
            return "Source"
        if full not in self.named:
            self.named.add(full)
            self._class(schema, "RecordModel")
        return str(name)

    def _enum(self, schema: Mapping[str, Any]) -> str:
        name = str(schema["name"])
        symbols = [python_string(symbol) for symbol in schema["symbols"]]
        self._import("from typing import Literal")
        self.aliases[name] = bracketed(f"{name} = Literal[", symbols, "]")
        return name

    def annotation(self, avro_type: Any) -> str:  # noqa: PLR0911 - one branch per Avro type
        """The Python annotation of an Avro type."""
        if isinstance(avro_type, list):
            branches = [self.annotation(branch) for branch in avro_type if branch != "null"]
            return " | ".join(branches + (["None"] if "null" in avro_type else []))
        if isinstance(avro_type, str):
            return _PRIMITIVES.get(avro_type) or avro_type.rsplit(".", 1)[-1]
        logical = _LOGICAL.get(avro_type.get("logicalType", ""))
        if logical is not None:
            self._import(logical[1])
            return logical[0]
        kind = avro_type["type"]
        if kind == "record":
            return self._record(avro_type)
        if kind == "enum":
            return self._enum(avro_type)
        if kind == "array":
            return f"list[{self.annotation(avro_type['items'])}]"
        if kind == "map":
            return f"dict[str, {self.annotation(avro_type['values'])}]"
        return self.annotation(kind)

    def _field(self, field: Mapping[str, Any], *, event_type: str | None) -> str:
        if event_type is not None and field["name"] == "event_type":
            self._import("from typing import Literal")
            annotation = f"Literal[{python_string(event_type)}]"
            default: str | None = python_string(event_type)
        else:
            annotation = self.annotation(field["type"])
            default = _default(field)
        self._import("from pydantic import Field")
        lines = [f"    {field['name']}: {annotation} = Field(\n"]
        if default is not None:
            lines.append(f"        {default},\n")
        lines.append(f"        description={python_string(field['doc'])},\n    )\n")
        return "".join(lines)

    def _class(
        self, schema: Mapping[str, Any], base: str, *, event_type: str | None = None
    ) -> None:
        self._import(f"from schemas.models.base import {base}")
        body = [self._field(field, event_type=event_type) for field in schema["fields"]]
        self.classes.append(
            f'class {schema["name"]}({base}):\n    """{schema["doc"]}"""\n\n' + "".join(body)
        )

    def event(self, schema: Mapping[str, Any]) -> None:
        """Emit the model of one event schema."""
        self._class(schema, "EventModel", event_type=str(schema["name"]))

    def render(self, docstring: str) -> str:
        """The module's source text (already as the formatter lays it out)."""
        groups: list[list[str]] = [[], [], []]
        for module, names in sorted(self.imports.items()):
            group = 2 if module.startswith("schemas") else 1 if module == "pydantic" else 0
            ordered = sorted(names, key=_isort)
            groups[group].append(bracketed(f"from {module} import (", ordered, ")", paren=True))
        parts = [f'"""{docstring}"""\n', "\n".join("".join(group) for group in groups if group)]
        if self.aliases:
            parts.append("".join(self.aliases.values()))
        return "# ruff: noqa: E501\n" + "\n".join(parts) + "\n\n" + "\n\n".join(self.classes)


def bracketed(opening: str, items: list[str], closing: str, *, paren: bool = False) -> str:
    """One statement laid out as the formatter lays out a bracketed list (line length 100)."""
    flat = f"{opening}{', '.join(items)}{closing}"
    if paren:
        flat = flat.replace(" (", " ", 1).removesuffix(")")
    if len(flat) <= LINE_LENGTH:
        return flat + "\n"
    inner = f"    {', '.join(items)}"
    if not paren and len(inner) <= LINE_LENGTH:
        return f"{opening}\n{inner}\n{closing}\n"
    return opening + "\n" + "".join(f"    {item},\n" for item in items) + closing + "\n"


def _isort(name: str) -> tuple[int, str]:
    if name.isupper() and len(name) > 1:
        return (0, name)
    return (1 if name[:1].isupper() else 2, name)


def _default(field: Mapping[str, Any]) -> str | None:
    if "default" not in field:
        return None
    value = field["default"]
    if value is None:
        return "None"
    if isinstance(value, str):
        return python_string(value)
    return repr(value)
