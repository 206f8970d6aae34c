"""No module imports from a layer above its own (README, Layout)."""

from __future__ import annotations

import ast

from tests.support import ROOT

# Lowest first. A module may import its own layer and those below.
LAYERS = [
    {
        "containers_app.specs",
        "containers_app.references",
        "containers_app.masking",
        "containers_app.request_context",
        "containers_app.metrics",
        "containers_app.quoting",
        "containers_app.run_options",
    },
    {
        "containers_app.cli",
        "containers_app.docker_service",
        "containers_app.host_proc",
        "containers_app.build_context",
        "stacks.tool",
        "stacks.files",
        "stacks.specs",
        "stacks.commands",
        "stacks.listing",
        "stacks.resolved",
        "stacks.as_run",
    },
    {"audit", "containers_app.models", "registries.models", "registries.sealing"},
    {"containers_app.actions", "containers_app.pages", "access", "stacks.actions", "stacks.safety"},
    {"containers_app.live", "containers_app.jobs", "stacks.jobs"},
    {"containers_app.forms", "registries.forms", "stacks.forms", "stacks.starting"},
    {
        "containers_app.views",
        "access.views",
        "audit.views",
        "audit.urls",
        "access.urls",
        "access.management",
        "access.migrations",
        "access.apps",
        "containers_app.consumers",
        "containers_app.middleware",
        "containers_app.context_processors",
        "containers_app.templatetags",
        "containers_app.urls",
        "containers_app.routing",
        "containers_app.management",
        "containers_app.migrations",
        "containers_app.apps",
        "registries.views",
        "registries.urls",
        "registries.apps",
        "registries.migrations",
        "stacks.views",
        "stacks.urls",
        "stacks.apps",
        "stacks.migrations",
        "dashboard",
    },
]
PACKAGES = ("containers_app", "audit", "access", "registries", "stacks", "dashboard")


def layer_of(module: str) -> int | None:
    """The layer of a dotted module name: that of its longest listed prefix."""
    best, rank = -1, None
    for index, names in enumerate(LAYERS):
        for name in names:
            if (module == name or module.startswith(name + ".")) and len(name) > best:
                best, rank = len(name), index
    return rank


def modules() -> dict[str, ast.Module]:
    found = {}
    for package in PACKAGES:
        for path in (ROOT / package).rglob("*.py"):
            parts = path.relative_to(ROOT).with_suffix("").parts
            name = ".".join(parts[:-1] if parts[-1] == "__init__" else parts)
            found[name] = (ast.parse(path.read_text()), path.name == "__init__.py")
    return found


def imported(name: str, tree: ast.Module, is_package: bool) -> set[str]:
    package = name if is_package else name.rpartition(".")[0]
    names = set()
    for node in ast.walk(tree):
        if isinstance(node, ast.Import):
            names |= {alias.name for alias in node.names}
        elif isinstance(node, ast.ImportFrom):
            base = package
            for _ in range(node.level - 1):
                base = base.rpartition(".")[0]
            target = f"{base}.{node.module}" if node.level and node.module else node.module
            target = target or base
            names.add(target)
            names |= {f"{target}.{alias.name}" for alias in node.names}
    return {n for n in names if n.split(".")[0] in PACKAGES}


def test_every_module_has_a_layer():
    unplaced = [name for name in modules() if layer_of(name) is None]
    assert set(unplaced) == {"containers_app", "registries", "stacks"}, "the (empty) packages"


def test_no_module_imports_from_a_layer_above_its_own():
    upwards = []
    for name, (tree, is_package) in modules().items():
        own = layer_of(name)
        for target in imported(name, tree, is_package):
            rank = layer_of(target)
            if rank is not None and rank > own:
                upwards.append(f"{name} (layer {own}) imports {target} (layer {rank})")
    assert not upwards, "\n".join(sorted(upwards))
