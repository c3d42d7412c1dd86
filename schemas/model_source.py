"""Python source of one generated models module, from Avro schema definitions.

The envelope and `Source` are declared once, in schemas/models/base.py: an
event model inherits each envelope field its schema states as the base
declares it, and repeats only a field whose type, default or doc differs.
"""

from __future__ import annotations

import functools
import inspect
import json
from collections.abc import Mapping
from typing import Any

from pydantic import BaseModel

from schemas.exceptions import SchemaFileError
from schemas.models.base import EventModel, Source

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
SOURCE_DOMAIN = SOURCE_NAME.split(".")[-2]  # its module re-exports Source from the base
LINE_LENGTH = 100
Declared = tuple[str, str | None, str]  # a field's annotation, default and doc, as source text


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
        self.names: list[str] = []
        self.named: set[str] = set()
        self.exports: list[str] = []
        if domain == SOURCE_DOMAIN:
            self._import("from schemas.models.base import Source")
            self.exports.append("Source")

    def _import(self, statement: str) -> None:
        module, name = statement.removeprefix("from ").split(" import ")
        self.imports.setdefault(module, set()).add(name)

    def _record(self, schema: Mapping[str, Any]) -> str:
        name = schema["name"]
        full = f"{schema.get('namespace', '')}.{name}"
        if full == SOURCE_NAME:
            if self.declared(schema["fields"]) != _declared(Source):
                raise SchemaFileError(
                    f"{SOURCE_NAME} differs from Source in schemas/models/base.py"
                )
            self._import("from schemas.models.base import Source")
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

    def declared(self, fields: list[Mapping[str, Any]]) -> dict[str, Declared]:
        """Each field as a model would declare it (imports and classes it needs not kept)."""
        scratch = ModuleWriter(self.domain)
        return {
            field["name"]: (scratch.annotation(field["type"]), _default(field), field["doc"])
            for field in fields
        }

    def _class(
        self, schema: Mapping[str, Any], base: str, *, event_type: str | None = None
    ) -> None:
        self._import(f"from schemas.models.base import {base}")
        fields = schema["fields"]
        if event_type is not None:
            inherited = _declared(EventModel)
            own = self.declared(fields)
            fields = [
                field
                for field in fields
                if field["name"] == "event_type"
                or inherited.get(field["name"]) != own[field["name"]]
            ]
        body = [self._field(field, event_type=event_type) for field in fields]
        self.names.append(str(schema["name"]))
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
        if self.exports:
            public = sorted([*self.aliases, *self.names, *self.exports], key=_isort)
            parts.append(bracketed("__all__ = [", [python_string(name) for name in public], "]"))
        if self.aliases:
            parts.append("".join(self.aliases.values()))
        text = "\n".join(parts) + "\n\n" + "\n\n".join(self.classes)
        if any(len(line) > LINE_LENGTH for line in text.splitlines()):
            text = "# ruff: noqa: E501\n" + text  # docs are kept whole, however long
        return text


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


@functools.cache
def _declared(model: type[BaseModel]) -> dict[str, Declared]:
    """Each field a hand-written base declares (schemas/models/base.py), as source text."""
    annotations = inspect.get_annotations(model)  # strings: base.py postpones annotations
    return {
        name: (
            str(annotations[name]),
            None if info.is_required() else _default({"default": info.default}),
            str(info.description),
        )
        for name, info in model.model_fields.items()
        if name in annotations
    }


def _default(field: Mapping[str, Any]) -> str | None:
    if "default" not in field:
        return None
    value = field["default"]
    if value is None:
        return "None"
    if isinstance(value, str):
        return python_string(value)
    return repr(value)
