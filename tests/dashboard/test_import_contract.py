"""The import contract, by layer: front ends on top, the core below, the Graph emulator apart.

* ``analysis/cli/``, ``analysis/dashboard/`` and ``python -m analysis`` are front ends: they may import
  the core.
* The core (everything else in ``analysis/``) never imports a front end (``analysis.cli``,
  ``analysis.dashboard``), nor ``argparse`` or ``streamlit``: it is driven by plain data
  (e.g. :class:`analysis.graph.connect.ConnectionSpec`), so every front end can drive it.
* Only ``analysis/dashboard/`` imports streamlit (the command line neither).
* The emulator (``analysis/graph/emulator/``) stands in for Microsoft's service, so it must not lean
  on the product it is testing: it imports nothing of ``analysis`` but the shared leaf helpers in
  :data:`EMULATOR_MAY_USE` (the one-line user error and the console it prints through), so a bug in
  the product cannot hide itself by changing what the "service" does.

Two checks, because each misses what the other catches: a static scan of every module's imports
(including ones inside functions and ``importlib.import_module('...')`` calls), and a clean interpreter
that imports every core module and then looks at ``sys.modules`` (catching a forbidden module pulled in
indirectly through another import).
"""

from __future__ import annotations

import ast
import json
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
PACKAGE = ROOT / "analysis"
FRONT_ENDS = ("analysis.cli", "analysis.dashboard", "analysis.__main__")
EMULATOR = "analysis.graph.emulator"
#: What the emulator may import from the product: leaf modules that hold no product logic. ``errors``
#: is the one-line-error convention (``UserError``) for its command-line flags; ``console`` is how
#: the ``mfa-migrate emulator`` command prints; ``graph.emulator`` is itself.
EMULATOR_MAY_USE = ("analysis.errors", "analysis.console", EMULATOR)


def module_name(path: Path) -> str:
    return ".".join(path.relative_to(ROOT).with_suffix("").parts).removesuffix(".__init__")


def imports(path: Path, package: str | None = None) -> list[tuple[int, str]]:
    """(line, absolute module name) of every import in ``path``, relative ones resolved against
    ``package`` (default: the package ``path`` is in)."""
    tree = ast.parse(path.read_text(encoding="utf-8"), filename=str(path))
    if package is None:
        name = module_name(path)
        package = name if path.name == "__init__.py" else name.rsplit(".", 1)[0]
    found: list[tuple[int, str]] = []
    for node in ast.walk(tree):
        if isinstance(node, ast.Import):
            found += [(node.lineno, a.name) for a in node.names]
        elif isinstance(node, ast.ImportFrom):
            if node.level:
                base = package.split(".")
                base = base[: len(base) - (node.level - 1)] if node.level > 1 else base
                stem = ".".join(base + ([node.module] if node.module else []))
            else:
                stem = node.module or ""
            found.append((node.lineno, stem))
            found += [(node.lineno, f"{stem}.{a.name}") for a in node.names]
        elif (
            isinstance(node, ast.Call)
            and getattr(node.func, "attr", getattr(node.func, "id", "")) in {"import_module", "__import__"}
            and node.args
            and isinstance(node.args[0], ast.Constant)
            and isinstance(node.args[0].value, str)
        ):
            found.append((node.lineno, node.args[0].value))
    return found


def within(name: str, prefixes: tuple[str, ...] | str) -> bool:
    prefixes = (prefixes,) if isinstance(prefixes, str) else prefixes
    return any(name == p or name.startswith(p + ".") for p in prefixes)


def layer(path: Path) -> str:
    name = module_name(path)
    if within(name, EMULATOR):
        return "emulator"
    if within(name, FRONT_ENDS):
        return "front end"
    return "core"


def violations(path: Path) -> list[str]:
    """What ``path`` imports that its layer must not."""
    where = layer(path)
    bad = []
    for line, name in imports(path):
        if within(name, "streamlit") and not within(module_name(path), "analysis.dashboard"):
            bad.append(f"line {line}: {name} (only analysis/dashboard/ may import streamlit)")
        elif where in ("core", "emulator") and within(name, ("argparse", *FRONT_ENDS)):
            bad.append(f"line {line}: {name} (the core never imports a front end or argparse)")
        elif where == "emulator" and within(name, "analysis") and not within(name, EMULATOR_MAY_USE):
            bad.append(f"line {line}: {name} (the emulator uses only {', '.join(EMULATOR_MAY_USE)})")
    return bad


def test_scanner_sees_every_spelling(tmp_path: Path) -> None:
    """The scanner itself must catch every spelling, or the contract tests below prove nothing."""
    sample = tmp_path / "m.py"
    sample.write_text(
        "import os\nimport streamlit as st\nfrom streamlit.testing.v1 import AppTest\n"
        "def f():\n    import argparse\n    importlib.import_module('analysis.cli.execute')\n"
        "from analysis import cli\nfrom analysis.dashboard.execution import Job\nfrom . import sib\n",
        encoding="utf-8",
    )
    found = imports(sample, package="analysis.x")
    assert (2, "streamlit") in found and (3, "streamlit.testing.v1") in found
    assert (5, "argparse") in found and (6, "analysis.cli.execute") in found
    assert (7, "analysis.cli") in found and (8, "analysis.dashboard.execution") in found
    assert (9, "analysis.x.sib") in found
    assert within("analysis.cli.execute", FRONT_ENDS) and not within("analysis.client", FRONT_ENDS)


def test_layers_are_classified() -> None:
    assert layer(PACKAGE / "execute" / "runner.py") == "core"
    assert layer(PACKAGE / "graph" / "connect.py") == "core"
    assert layer(PACKAGE / "cli" / "execute.py") == "front end"
    assert layer(PACKAGE / "dashboard" / "execution.py") == "front end"
    assert layer(PACKAGE / "graph" / "emulator" / "app.py") == "emulator"


def test_every_module_keeps_to_its_layer() -> None:
    files = sorted(PACKAGE.rglob("*.py"))
    by_layer = {name: [p for p in files if layer(p) == name] for name in ("core", "front end", "emulator")}
    assert all(len(v) > 5 for v in by_layer.values()), "the scan found too few modules to mean anything"
    offenders = {str(p.relative_to(ROOT)): bad for p in files if (bad := violations(p))}
    assert offenders == {}, f"imports that break the layering: {offenders}"


def test_benchmarks_other_than_the_dashboard_one_do_not_import_streamlit() -> None:
    for path in (ROOT / "benchmarks").glob("*.py"):
        if path.name != "dashboard.py":
            assert not [n for _, n in imports(path) if within(n, "streamlit")], path


def test_importing_the_core_loads_no_front_end() -> None:
    modules = sorted(
        module_name(p) for p in PACKAGE.rglob("*.py") if layer(p) != "front end" and p.name != "__main__.py"
    )
    code = (
        "import importlib, json, sys\n"
        f"mods = {modules!r}\n"
        "failed = {}\n"
        "for m in mods:\n"
        "    try:\n"
        "        importlib.import_module(m)\n"
        "    except Exception as exc:\n"
        "        failed[m] = repr(exc)\n"
        "bad = ('streamlit', 'argparse', 'analysis.cli', 'analysis.dashboard')\n"
        "loaded = sorted(k for k in sys.modules if any(k == b or k.startswith(b + '.') for b in bad))\n"
        "print(json.dumps({'loaded': loaded, 'failed': failed}))\n"
    )
    out = subprocess.run([sys.executable, "-c", code], cwd=ROOT, capture_output=True, text=True, check=True)
    result = json.loads(out.stdout.strip().splitlines()[-1])
    assert result["failed"] == {}, f"core modules failed to import: {result['failed']}"
    assert result["loaded"] == [], f"importing the core loaded {result['loaded'][:5]}"


def test_app_entry_point_only_hands_over_to_the_dashboard_package() -> None:
    tree = ast.parse((ROOT / "app.py").read_text(encoding="utf-8"))
    imported = {n.module for n in ast.walk(tree) if isinstance(n, ast.ImportFrom) and n.module} | {
        a.name for n in ast.walk(tree) if isinstance(n, ast.Import) for a in n.names
    }
    # the frame (each session's script run), the guard and Streamlit's st.App that serves it behind the guard
    assert imported == {"analysis.dashboard.frame", "analysis.dashboard.guard", "streamlit.starlette"}
