"""The packages import only what docs/architecture.md's table allows."""

from __future__ import annotations

import ast
import re
from pathlib import Path

ROOT = Path(__file__).resolve().parents[3]
TOP_LEVEL = ("services", "schemas", "consent")
EXCEPTION_ROOT = "services/exceptions.py"


def package_table() -> dict[str, set[str] | None]:
    """Each package of the table and what it may import (None: everything)."""
    text = (ROOT / "docs" / "architecture.md").read_text()
    section = text.split("## Packages", 1)[1].split("\n## ", 1)[0]
    table: dict[str, set[str] | None] = {}
    for line in section.splitlines():
        match = re.fullmatch(r"\| `([^`]+)` \|.*\| ([^|]+) \|", line.strip())
        if match is None:
            continue
        path, allowed = match[1].rstrip("/"), match[2].strip()
        if allowed == "everything":
            table[path] = None
        else:
            table[path] = {name.strip() for name in allowed.split(",") if name.strip() != "-"}
    return table


def package_of(module: str, table: dict[str, set[str] | None]) -> str | None:
    """The table's package holding `module` (dotted), or None when it names none."""
    path = module.replace(".", "/")
    candidates = [p for p in table if path == p.removesuffix(".py") or path.startswith(p + "/")]
    return max(candidates, key=len, default=None)


def imports_of(source: Path) -> set[str]:
    """The project modules a source file imports (the project uses absolute imports only)."""
    names: set[str] = set()
    for node in ast.walk(ast.parse(source.read_text())):
        if isinstance(node, ast.ImportFrom) and node.module and node.level == 0:
            names.add(node.module)
        elif isinstance(node, ast.Import):
            names.update(alias.name for alias in node.names)
    return {name for name in names if name.split(".")[0] in TOP_LEVEL}


def project_modules() -> list[tuple[str, Path]]:
    """Every module of the three top-level packages, by dotted name."""
    return [
        (".".join(source.relative_to(ROOT).with_suffix("").parts), source)
        for top in TOP_LEVEL
        for source in sorted((ROOT / top).rglob("*.py"))
    ]


def test_the_table_is_read():
    """The table parses into the packages the tree has (a reformatted table fails here)."""
    table = package_table()

    assert {"schemas", "consent", "services/bus", "services/router", "services/cli"} <= set(table)
    assert table["services/cli"] is None
    assert table["services/observability"] == set()
    assert table["services/bus"] == {"services/observability"}


def test_every_module_belongs_to_a_package_of_the_table():
    """A new package is added to the table (and so to the rule) before it is used."""
    table = package_table()
    homeless = [
        module
        for module, _ in project_modules()
        if package_of(module, table) is None
        and module not in {"services", "services.__main__"}
        and not module.endswith("__init__")
    ]

    assert homeless == []


def violations(module: str, source: Path, table: dict[str, set[str] | None]) -> list[str]:
    """The imports of `module` that its package may not make, one sentence each."""
    home = package_of(module, table)
    allowed = table.get(home) if home else None
    if home is None or allowed is None:
        return []
    return [
        f"{module} imports {imported} ({home} may import {sorted(allowed)})"
        for imported in sorted(imports_of(source))
        if package_of(imported, table) not in {home, EXCEPTION_ROOT, None, *allowed}
    ]


def test_no_import_runs_against_the_table():
    """Every import between packages is one the table allows."""
    table = package_table()
    wrong = [
        line for module, source in project_modules() for line in violations(module, source, table)
    ]

    assert wrong == []


def test_the_rule_catches_an_upward_import(tmp_path: Path):
    """The check is live: a router import inside schemas/ is reported, an allowed one is not."""
    table = package_table()
    source = tmp_path / "sneaky.py"
    source.write_text(
        "from services.router.stage import RouterProcessor\nfrom schemas import codec\n"
    )

    assert violations("consent.sneaky", source, table) == [
        "consent.sneaky imports services.router.stage (consent may import ['schemas'])"
    ]


def test_no_test_folder_is_named_like_a_package():
    """A test folder named `consent` or `schemas` would shadow the package when pytest puts
    its parent on sys.path (the editable install's finder comes after the path finder)."""
    clashes = sorted(
        str(folder.relative_to(ROOT))
        for folder in (ROOT / "tests").rglob("*")
        if folder.is_dir() and folder.name in TOP_LEVEL
    )

    assert clashes == []
