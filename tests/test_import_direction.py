"""Imports point down: the ground floor (settings, the shops file, the store and its schema) below
the domain packages, the flows and the CLI on top, the stand-ins (the marketplace and registry
sandboxes) beside them. Read from every module's `import` statements (`ast`), so that a new upward
import fails here, naming the module, the line and the layers (docs/architecture.md)."""

from __future__ import annotations

import ast
from collections import defaultdict
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]

# The layers, by module or package name; a module belongs to the longest name that is a prefix of its
# own. A new top-level package is given its floor here.
GROUND, DOMAIN, TOP, STAND_IN = "ground floor", "domain", "top", "stand-in"
LAYERS = {
    "ocop": GROUND, "templates": GROUND,
    "catalogue": DOMAIN, "rendering": DOMAIN, "connectors": DOMAIN, "shops": DOMAIN, "ledger": DOMAIN,
    "publishing": DOMAIN, "reconcile": DOMAIN, "reports": DOMAIN, "pushes": DOMAIN,
    "flows": TOP, "cli": TOP,
    "sandboxes": STAND_IN,
}
PACKAGES = sorted({name.split(".")[0] for name in LAYERS})

# Who may import whom. A stand-in imitates a marketplace's public contract: it may read the ground
# floor (the channels' declarations, the settings) and speak the connectors' shared vocabulary
# (connectors.types), nothing else of the pipeline.
MAY_IMPORT = {
    GROUND: {GROUND},
    DOMAIN: {GROUND, DOMAIN},
    TOP: {GROUND, DOMAIN, TOP, STAND_IN},
    STAND_IN: {GROUND, STAND_IN},
}
STAND_INS_MAY_IMPORT = {"connectors.types"}


def _modules() -> dict[str, Path]:
    modules = {}
    for package in PACKAGES:
        for path in sorted((ROOT / package).rglob("*.py")):
            parts = path.relative_to(ROOT).with_suffix("").parts
            modules[".".join(parts[:-1] if parts[-1] == "__init__" else parts)] = path
    return modules


def _layer(module: str) -> str | None:
    names = [name for name in LAYERS if module == name or module.startswith(name + ".")]
    return LAYERS[max(names, key=len)] if names else None


def _imports(module: str, path: Path) -> list[tuple[str, int]]:
    """Our modules `module` imports, with their lines (function-level imports included)."""
    found = []
    for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"), filename=str(path))):
        if isinstance(node, ast.Import):
            found += [(alias.name, node.lineno) for alias in node.names]
        elif isinstance(node, ast.ImportFrom):
            if node.level:   # relative: resolve against this module's package
                base = module.split(".")[: len(module.split(".")) - node.level + (path.name == "__init__.py")]
                name = ".".join([*base, node.module] if node.module else base)
            else:
                name = node.module
            found += [(f"{name}.{alias.name}", node.lineno) for alias in node.names]
            found.append((name, node.lineno))
    return [(name, line) for name, line in found if name.split(".")[0] in PACKAGES]


MODULES = _modules()


def _imported_module(name: str) -> str:
    """`from package import name` names a module or a name in the package: the module it reaches."""
    while name not in MODULES and "." in name:
        name = name.rsplit(".", 1)[0]
    return name


def _edges() -> dict[tuple[str, str], int]:
    edges = {}
    for module, path in MODULES.items():
        for name, line in _imports(module, path):
            target = _imported_module(name)
            if target != module:
                edges.setdefault((module, target), line)
    return edges


EDGES = _edges()


def test_every_module_has_a_layer():
    assert [module for module in MODULES if _layer(module) is None] == []


def test_no_module_imports_a_layer_above_its_own():
    upward = []
    for (module, target), line in sorted(EDGES.items()):
        mine, theirs = _layer(module), _layer(target)
        allowed = theirs in MAY_IMPORT[mine] or (mine == STAND_IN and _imported_module(target) in STAND_INS_MAY_IMPORT)
        if not allowed:
            upward.append(f"{MODULES[module].relative_to(ROOT)}:{line}: {module} ({mine}) imports {target} ({theirs})")
    assert upward == [], "imports must point down (docs/architecture.md):\n" + "\n".join(upward)


def test_the_domain_packages_import_one_another_without_cycles():
    depends = defaultdict(set)
    for module, target in EDGES:
        if _layer(module) == DOMAIN and _layer(target) == DOMAIN:
            depends[_package(module)].add(_package(target))
    cycles = [cycle for cycle in map(_cycle_from, list(depends), [depends] * len(depends)) if cycle]
    assert cycles == [], "domain packages in a cycle: " + "; ".join(" -> ".join(c) for c in cycles)


def _package(module: str) -> str:
    return module.split(".")[0]


def _cycle_from(start: str, depends: dict[str, set[str]]) -> list[str]:
    """A path from `start` back to itself through other packages, or []."""
    stack = [(start, [start])]
    seen = set()
    while stack:
        package, path = stack.pop()
        for target in sorted(depends[package] - {package}):
            if target == start:
                return [*path, start]
            if target not in seen:
                seen.add(target)
                stack.append((target, [*path, target]))
    return []


def test_orm_rows_stay_in_the_ledger():
    """Only the ledger imports the ledger's tables."""
    readers = sorted(module for module, target in EDGES
                     if target == "ledger.models" and _package(module) != "ledger")
    assert readers == []


@pytest.mark.parametrize("name, layer", [("cli.main", TOP), ("ocop.settings", GROUND), ("ocop.store", GROUND),
                                         ("catalogue.ingest", DOMAIN), ("sandboxes.fleet", STAND_IN)])
def test_layers_go_by_the_longest_name(name, layer):
    assert _layer(name) == layer
